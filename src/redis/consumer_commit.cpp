// The group consumer's commit loop: XACKs for what the AutoCommit policy says
// is due, batched by AckLedger, over the Streamer's shared connection so that
// they never wait behind the blocking read. Runs on the strand, beside the
// read loop, one batch at a time; after end() it sends everything owed.
#include <asio/bind_executor.hpp>

#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

void ConsumerImpl::ack(const Message& m) {
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
    // ticks every auto_commit_interval while acks are owed. Any mode: past
    // the limit it is woken to commit now, so the log stays bounded.
    const bool wake = options_.auto_commit == AutoCommit::rolling && commit_idle_.exchange(false);
    if (wake || held == options_.max_uncommitted)
        on_strand([](ConsumerImpl& self) { self.commit_step(); });
}

void ConsumerImpl::commit(BasicCompletion<std::error_code> done) {
    on_strand([done = std::move(done)](ConsumerImpl& self) mutable {
        self.drain_ack_logs();
        const auto ticket = self.acks_.request_commit();
        if (self.acks_.confirmed() >= ticket) return done({});
        self.commits_.emplace_back(ticket, std::move(done));
        self.commit_step();
    });
}

void ConsumerImpl::drain_ack_logs() {
    inbox_.drain_taken(taken_);
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

void ConsumerImpl::commit_step() {
    if (!group_mode()) return;
    drain_ack_logs();
    if (acks_.in_flight()) return;  // on_committed comes back here
    const auto now = AckLedger::Clock::now();
    ack_req_.clear();
    if (acks_.build(ack_req_, group_name_, now, ending_)) {
        acks_client_->async_exec(
            ack_req_, ack_resp_,
            asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
                self->on_committed(ec);
            }));
        return;
    }
    if (ending_) return finish_commits({});  // nothing owed any more
    commit_timer_.cancel();
    if (const auto due = acks_.next_due()) {
        commit_timer_.expires_at(std::max(*due, now));
        commit_timer_.async_wait(
            asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
                if (!ec) self->commit_step();
            }));
        return;
    }
    // Idle: the next ack wakes us. One that came after the drain above but
    // saw the flag still down did not; look once more.
    commit_idle_.store(true);
    bool logged;
    {
        const std::lock_guard lock(user_acks_mutex_);
        logged = !user_acks_.empty();
    }
    if (logged && commit_idle_.exchange(false)) commit_step();
}

void ConsumerImpl::on_committed(std::error_code ec) {
    const auto out = acks_.on_reply(ack_resp_, ec);
    ack_resp_.clear();
    acked_.fetch_add(out.acked, std::memory_order_relaxed);
    not_pending_.fetch_add(out.not_pending, std::memory_order_relaxed);
    for (const auto& [key, n] : out.by_key)
        counters(key).acked += n;
    // A transport error keeps the acks (the client reconnects; they go again);
    // after end() the connection may be closing: give up rather than spin.
    if (out.error == condition::retryable && !ending_) {
        commit_timer_.expires_after(backoff_.next_delay());
        commit_timer_.async_wait(
            asio::bind_executor(strand_, [self = shared_from_this()](std::error_code wait_ec) {
                if (!wait_ec) self->commit_step();
            }));
        return;
    }
    if (out.error && ending_) return finish_commits(out.error);
    // Commits whose acks are all on the server (or failed with the server's error).
    while (!commits_.empty() && (out.error || acks_.confirmed() >= commits_.front().first)) {
        commits_.front().second(out.error);
        commits_.pop_front();
    }
    commit_step();
}

void ConsumerImpl::finish_commits(std::error_code ec) {
    const auto why = ec ? ec : make_error_code(errc::shutting_down);
    for (auto& [ticket, done] : commits_)
        done(acks_.confirmed() >= ticket ? std::error_code{} : why);
    commits_.clear();
    commit_timer_.cancel();
    auto ended = std::move(ended_);
    for (auto& done : ended)
        done(ec);
}

}  // namespace redstream::detail
