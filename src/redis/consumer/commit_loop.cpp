#include "commit_loop.hpp"

#include <algorithm>

#include <redstream/core/error.hpp>

namespace redstream::detail {

namespace {

// Rolling: acks owed that start a commit at once. A read brings at most
// batch_size entries and no more than prefetch (a load-balanced member's is
// small); committing about one read's worth keeps the pending list as short
// as a read-then-ack loop keeps it.
std::size_t commit_batch(const ConsumerOptions& o) {
    return std::max<std::size_t>(1, std::min(o.batch_size, o.prefetch_or_default()));
}

}  // namespace

CommitLoop::CommitLoop(ConsumerCore& core)
    : core_(core),
      commit_batch_(commit_batch(core.options)),
      acks_({core.options.auto_commit, core.options.auto_commit_delay,
             core.options.auto_commit_interval,
             std::max<std::size_t>(1, core.options.max_uncommitted), commit_batch_}),
      timer_(core.strand),
      backoff_(core.router->config().reconnect) {}

void CommitLoop::ack(const Message& m) {
    std::size_t held;
    {
        const std::lock_guard lock(user_acks_mutex_);
        // One shared string per key, not an allocation per ack.
        if (!last_ack_key_ || *last_ack_key_ != m.redis_key()) {
            auto it = ack_keys_.find(m.redis_key());
            if (it == ack_keys_.end())
                it = ack_keys_
                         .emplace(std::string(m.redis_key()),
                                  std::make_shared<const std::string>(m.redis_key()))
                         .first;
            last_ack_key_ = it->second;
        }
        user_acks_.emplace_back(last_ack_key_, m.id());
        held = user_acks_.size();
    }
    // The strand drains the log at each commit. Rolling: an idle commit loop
    // (no timer, nothing in flight) is woken by the first ack, once; it then
    // ticks every auto_commit_interval while acks are owed, and is woken at
    // once when a batch of them is (AckPolicy::commit_batch). Any mode: past
    // the limit it is woken to commit now, so the log stays bounded.
    const bool rolling = core_.options.auto_commit == AutoCommit::rolling;
    const bool wake = rolling && (idle_.exchange(false) || held == commit_batch_);
    if (wake || held == core_.options.max_uncommitted)
        asio::post(core_.strand, [this, alive = core_.hold()] { step(); });
}

void CommitLoop::commit(BasicCompletion<std::error_code> done) {
    drain_ack_logs();
    const auto ticket = acks_.request_commit();
    if (acks_.confirmed() >= ticket) return done({});
    commits_.emplace_back(ticket, std::move(done));
    step();
}

void CommitLoop::drain_ack_logs() {
    core_.inbox.drain_taken(taken_);
    for (auto& t : taken_)
        acks_.delivered(std::move(t.key), t.id, t.at);
    taken_.clear();
    {
        const std::lock_guard lock(user_acks_mutex_);
        user_acks_swap_.swap(user_acks_);
    }
    for (auto& [key, id] : user_acks_swap_)
        acks_.acked(std::move(key), id);
    user_acks_swap_.clear();
}

void CommitLoop::step() {
    drain_ack_logs();
    if (acks_.in_flight()) return;  // on_committed comes back here
    const auto now = AckLedger::Clock::now();
    req_.clear();
    if (acks_.build(req_, core_.group, now, ending_)) {
        // Not guard(): after end() what is owed still goes out.
        core_.router->async_exec(
            req_, resp_,
            asio::bind_executor(core_.strand, [this, alive = core_.hold()](std::error_code ec) {
                on_committed(ec);
            }));
        return;
    }
    if (ending_) return finish({});  // nothing owed any more
    timer_.cancel();
    if (const auto due = acks_.next_due()) {
        timer_.expires_at(std::max(*due, now));
        timer_.async_wait(
            asio::bind_executor(core_.strand, [this, alive = core_.hold()](std::error_code ec) {
                if (!ec) step();
            }));
        return;
    }
    // Idle: the next ack wakes us. One that came after the drain above but
    // saw the flag still down did not; look once more.
    idle_.store(true);
    bool logged;
    {
        const std::lock_guard lock(user_acks_mutex_);
        logged = !user_acks_.empty();
    }
    if (logged && idle_.exchange(false)) step();
}

void CommitLoop::on_committed(std::error_code ec) {
    const auto out = acks_.on_reply(resp_, ec);
    resp_.clear();
    auto& counters = core_.counters;
    ConsumerCounters::add(counters.acked, out.acked);
    ConsumerCounters::add(counters.not_pending, out.not_pending);
    for (const auto& [key, n] : out.by_key)
        counters.of(key).acked += n;
    // A transport error keeps the acks (the client reconnects; they go again);
    // after end() the connection may be closing: give up rather than spin.
    if (out.error == condition::retryable && !ending_) {
        timer_.expires_after(backoff_.next_delay());
        timer_.async_wait(asio::bind_executor(
            core_.strand, [this, alive = core_.hold()](std::error_code wait_ec) {
                if (!wait_ec) step();
            }));
        return;
    }
    backoff_.reset();
    if (out.error && ending_) return finish(out.error);
    // Commits whose acks are all on the server (or failed with the server's error).
    while (!commits_.empty() && (out.error || acks_.confirmed() >= commits_.front().first)) {
        commits_.front().second(out.error);
        commits_.pop_front();
    }
    step();
}

void CommitLoop::end() {
    ending_ = true;
    step();  // what is owed goes out; then ended_ completes
}

void CommitLoop::on_ended(BasicCompletion<std::error_code> done) {
    ended_.push_back(std::move(done));
    if (ending_) step();  // ended before: report once nothing is owed
}

void CommitLoop::finish(std::error_code ec) {
    const auto why = ec ? ec : make_error_code(errc::shutting_down);
    for (auto& [ticket, done] : commits_)
        done(acks_.confirmed() >= ticket ? std::error_code{} : why);
    commits_.clear();
    timer_.cancel();
    auto ended = std::move(ended_);
    for (auto& done : ended)
        done(ec);
}

}  // namespace redstream::detail
