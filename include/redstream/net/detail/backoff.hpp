// Reconnect delays: exponential growth with random spread, so that many
// clients cut off together do not all come back in the same millisecond.
#pragma once

#include <chrono>
#include <cstdint>

#include <redstream/net/config.hpp>

namespace redstream::net::detail {

class Backoff {
  public:
    explicit Backoff(const ReconnectOptions& options, std::uint64_t seed = 0x9e3779b97f4a7c15ULL)
        : options_(options), state_(seed | 1) {}

    /// The delay before the next attempt; each call grows the base delay.
    std::chrono::milliseconds next_delay() noexcept;
    /// After a successful connection: start again from the initial delay.
    void reset() noexcept { attempts_ = 0; }
    unsigned attempts() const noexcept { return attempts_; }

  private:
    double next_unit() noexcept;  // uniform in [0, 1)

    ReconnectOptions options_;
    std::uint64_t state_;
    unsigned attempts_ = 0;
};

}  // namespace redstream::net::detail
