// Lease renewal for load-balanced consumers with slow handlers: every
// auto_claim_idle / 3, this member's own entries idle that long are claimed
// again by itself with JUSTID (which resets their idle time without counting
// a delivery), so that no other member takes them while a handler still
// works on them. XCLAIM's own min-idle keeps it from taking back an entry
// another member claimed meanwhile. Runs over the side connection.
#pragma once

#include <string>

#include <asio/steady_timer.hpp>

#include "group_state.hpp"

#include "core.hpp"

namespace redstream::detail {

class LeaseLoop {
  public:
    LeaseLoop(ConsumerCore& core, const GroupState& keys);

    /// Arms the next round.
    void schedule();
    void cancel() { timer_.cancel(); }

  private:
    void renew();
    void on_listed(std::error_code ec);
    void on_renewed(std::error_code ec);
    void failed(std::error_code ec);

    ConsumerCore& core_;
    const GroupState& keys_;
    asio::steady_timer timer_;
    std::size_t index_ = 0;  // the key being renewed
    MessageId after_;
    std::string key_;
    resp::Request req_;
    net::Response resp_;
};

}  // namespace redstream::detail
