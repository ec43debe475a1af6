// Dead letters of a group consumer: an entry that comes back more than
// max_deliveries times is moved (see detail/dead_letter.hpp) instead of
// delivered. The moves of one read go as one pipelined request over the side
// connection; one that fails leaves the entry pending, to be tried again when
// it comes back (next claim, restart, reconnect).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"

namespace redstream::detail {

class DeadLetters {
  public:
    explicit DeadLetters(ConsumerCore& core) : core_(core) {}

    /// Whether an entry delivered `deliveries` times is a dead letter.
    bool is_dead(std::uint64_t deliveries) const noexcept {
        return core_.options.max_deliveries > 0 && deliveries > core_.options.max_deliveries;
    }
    /// Queues the move of `e`, read from `key`; send() sends what is queued.
    void add(std::string_view key, const commands::StreamEntry& e, std::uint64_t deliveries);
    void send();
    /// Moves out: reading pauses while they take a prefetch's worth.
    std::size_t in_flight() const noexcept { return in_flight_; }

  private:
    void on_sent(std::error_code ec, const net::Response& replies,
                 const std::vector<std::string>& keys);

    ConsumerCore& core_;
    resp::Request req_;
    std::vector<std::string> keys_;
    std::size_t in_flight_ = 0;
};

}  // namespace redstream::detail
