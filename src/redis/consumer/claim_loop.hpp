// Failover for load-balanced consumers: every auto_claim_interval, claim the
// entries other members left pending longer than auto_claim_idle, naming
// this member as the new owner, following XAUTOCLAIM's cursor key by key.
// Runs over the side connection (no blocking read there).
#pragma once

#include <chrono>
#include <string>

#include <asio/steady_timer.hpp>

#include <redstream/commands/xclaim.hpp>

#include "group_reader.hpp"

namespace redstream::detail {

class ClaimLoop {
  public:
    ClaimLoop(ConsumerCore& core, const GroupReader& reader);

    /// Arms the next round `after` from now (a restart claims at once).
    void schedule(std::chrono::milliseconds after);
    void cancel() { timer_.cancel(); }
    /// A claim that paused for room goes on if there is room now; true if
    /// it paused (the read loop must not take that room first).
    void resume_if_room();
    bool waiting() const noexcept { return waiting_; }

  private:
    void claim();
    void on_claimed(std::error_code ec);
    void on_counted(std::error_code ec);
    void next_page(bool skip_key);
    void refused(std::error_code ec);
    void give_up(std::error_code ec);
    std::size_t count() const;  // COUNT of one claim

    ConsumerCore& core_;
    const GroupReader& reader_;
    asio::steady_timer timer_;
    std::size_t index_ = 0;  // the key being scanned
    MessageId cursor_;
    std::string key_;
    resp::Request req_;
    net::Response resp_;
    resp::Reply reply_;                  // what claimed_ views into
    commands::XAutoClaimReply claimed_;  // while its counts are asked
    std::size_t reserved_ = 0;           // what the claim in flight may bring
    bool waiting_ = false;               // a round paused for room
};

}  // namespace redstream::detail
