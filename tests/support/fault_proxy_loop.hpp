// The FaultProxy's thread: the listener (or the SYN blackhole in its place),
// the live links, drip timing, and one poll() round at a time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/fault_proxy.hpp"
#include "support/fault_proxy_link.hpp"
#include "support/loopback_socket.hpp"
#include "support/syn_blackhole.hpp"

namespace redstream::test::detail {

/// What the test thread asks for; FaultProxy guards it with its mutex.
struct ProxyCommands {
    Modes modes{};
    std::array<std::string, 2> injections{};  // appended, taken once
    bool reset = false;                       // taken once
    bool blackhole = false;
    bool stop = false;
    std::uint64_t requested = 0;  // bumped by every control call
    std::uint64_t applied = 0;    // the last `requested` the thread has applied
};

class ProxyLoop {
  public:
    explicit ProxyLoop(std::uint16_t target_port);

    std::uint16_t port() const noexcept { return port_; }
    /// Writing to it ends a poll() round early (an eventfd).
    int wake_fd() const noexcept { return wake_.get(); }

    /// Applies what the test asked for.
    void apply(const ProxyCommands& commands);
    /// Waits for one round of events (or a wake-up, or a drip tick) and handles it.
    void poll_once();
    /// Copies the counters into `stats`.
    void publish(ProxyStats& stats) const;

  private:
    using Clock = std::chrono::steady_clock;

    void set_mode(Direction d, const ProxyMode& mode);
    void set_blackhole(bool on);
    void accept_all();
    void tick_drips();
    int poll_timeout_ms() const;
    void reap();

    std::uint16_t target_port_;
    UniqueFd wake_;
    UniqueFd listener_;  // none while blackholed
    std::optional<SynBlackhole> blackhole_;
    std::uint16_t port_ = 0;
    Modes modes_{};
    std::array<Clock::time_point, 2> next_tick_{};  // drip refills
    std::vector<ProxyLink> links_;
    ProxyStats counters_;  // all but live, which is links_.size()
};

}  // namespace redstream::test::detail
