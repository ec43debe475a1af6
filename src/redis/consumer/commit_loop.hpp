// The group consumer's commit loop: XACKs for what the AutoCommit policy says
// is due, batched by AckLedger, over the side connection so that they never
// wait behind the blocking read. One batch at a time; after end() it sends
// everything owed, then reports the end.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <asio/steady_timer.hpp>

#include <redstream/net/detail/backoff.hpp>
#include "ack_ledger.hpp"

#include "core.hpp"

namespace redstream::detail {

class CommitLoop {
  public:
    explicit CommitLoop(ConsumerCore& core);

    /// A user ack (rolling, disabled); from any thread.
    void ack(const Message& m);
    /// A user commit: `done` completes once every ack before it is on the
    /// server, or with the commit's error.
    void commit(BasicCompletion<std::error_code> done);
    /// An ack due now (a pending entry found deleted).
    void ack_now(std::string key, MessageId id) { acks_.ack_now(std::move(key), id); }
    /// Drains the ack logs and sends what is due, or arms the timer for it.
    void step();
    /// end(): commits everything owed, then completes what waits in
    /// on_ended(); `done` also waits for that (end_and_wait()).
    void end();
    void on_ended(BasicCompletion<std::error_code> done);

  private:
    void drain_ack_logs();
    void on_committed(std::error_code ec);
    void finish(std::error_code ec);

    ConsumerCore& core_;
    // Rolling: acks owed that start a commit now. The ledger has it too, but
    // ack() runs on the user's thread and the ledger is the strand's.
    const std::size_t commit_batch_;
    AckLedger acks_;
    resp::Request req_;
    net::Response resp_;
    asio::steady_timer timer_;
    net::detail::Backoff backoff_;  // after a transport error
    bool ending_ = false;
    std::deque<std::pair<std::uint64_t, BasicCompletion<std::error_code>>> commits_;
    std::vector<BasicCompletion<std::error_code>> ended_;
    std::vector<Inbox::Taken> taken_;  // drained from the inbox
    std::atomic<bool> idle_{true};     // no timer armed, nothing in flight
    // User acks, from any thread; drained by the strand.
    std::mutex user_acks_mutex_;
    std::vector<std::pair<AckLedger::Key, MessageId>> user_acks_;
    std::vector<std::pair<AckLedger::Key, MessageId>> user_acks_swap_;
    // The keys acks name, one string per key (under user_acks_mutex_).
    std::map<std::string, AckLedger::Key, std::less<>> ack_keys_;
    AckLedger::Key last_ack_key_;
};

}  // namespace redstream::detail
