// The consumer actor's user-facing half: the prefetch queue, the waiting
// next() calls, and the commands that change what it reads (seek and rewind
// are in consumer_seek.cpp). The read loop itself is in consumer_loop.cpp.
#include <algorithm>
#include <future>

#include <asio/post.hpp>

#include <redstream/core/error.hpp>

#include <redstream/redis/detail/group_names.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

ConsumerImpl::ConsumerImpl(asio::any_io_executor ex, std::shared_ptr<net::Client> client,
                           std::shared_ptr<net::Client> acks, std::vector<StreamKey> streams,
                           ConsumerOptions options, std::string payload_field)
    : strand_(asio::make_strand(ex)),
      client_(std::move(client)),
      streams_(std::move(streams)),
      options_(options),
      payload_field_(std::move(payload_field)),
      state_(options.auto_stream_reset),
      group_(options.auto_stream_reset),
      acks_client_(std::move(acks)),
      acks_({options.auto_commit, options.auto_commit_delay, options.auto_commit_interval,
             std::max<std::size_t>(1, options.max_uncommitted)}),
      commit_timer_(strand_),
      claim_timer_(strand_),
      renew_timer_(strand_),
      // NOACK reads count as consumed: immediate reads only for a next()
      // that waits, so that an end() drops nothing no call asked for.
      inbox_(options.prefetch_or_default(),
             options.mode != ConsumerMode::real_time && options.auto_commit == AutoCommit::delayed,
             options.mode != ConsumerMode::real_time && options.auto_commit == AutoCommit::immediate
                 ? Inbox::Flow::on_demand
                 : Inbox::Flow::prefetch,
             options.prefetch_bytes),
      retry_timer_(strand_),
      discovery_timer_(strand_),
      backoff_(client_->config().reconnect) {
    if (group_mode()) {
        const auto host = host_name();
        group_name_ = group_name(options_, host);
        member_name_ = member_name(options_, group_name_, host);
    }
    for (const auto& s : streams_)
        add_key(s, ShardId{0}, std::string(s.name()), ReadState::Origin::initial);
}

void ConsumerImpl::add_key(const StreamKey& stream, ShardId shard, std::string key,
                           ReadState::Origin origin) {
    quiet_keys_ = 0;  // a new key may have entries: go round the turns again
    if (group_mode())
        group_.add(stream, shard, std::move(key), origin == ReadState::Origin::discovered);
    else
        state_.add(stream, shard, std::move(key), origin);
}

std::optional<Message> ConsumerImpl::take(std::optional<Inbox::Clock::time_point> deadline,
                                          std::error_code& ec) {
    std::optional<Message> m;
    if (inbox_.take(deadline, m, ec, [this] { wake(); })) wake();
    return m;
}

void ConsumerImpl::next(NextCompletion done, std::uint64_t id) {
    if (inbox_.take_async(std::move(done), id)) wake();
}

void ConsumerImpl::wake() {
    on_strand([](ConsumerImpl& self) { self.step(); });
}

void ConsumerImpl::cancel(std::uint64_t id, errc why) {
    inbox_.cancel(id, make_error_code(why));
}

void ConsumerImpl::assign(StreamKey stream, ShardId shard) {
    on_strand([stream = std::move(stream), shard](ConsumerImpl& self) {
        using Origin = ReadState::Origin;
        self.add_key(stream, shard, shard_key(stream, shard, 2), Origin::assigned);
        if (shard.value == 0)
            self.add_key(stream, shard, std::string(stream.name()), Origin::assigned);
        self.error_.clear();
        self.inbox_.clear_error();
        self.step();
    });
}

void ConsumerImpl::unassign(StreamKey stream, ShardId shard) {
    const auto of_shard = [stream, shard](const Message& m) {
        return m.shard_id() == shard && m.stream_key() == stream;
    };
    inbox_.remove_if(of_shard);  // at once, for the next take()
    on_strand([stream = std::move(stream), shard, of_shard](ConsumerImpl& self) {
        self.state_.remove(stream, shard);
        self.group_.remove(stream, shard);
        self.inbox_.remove_if(of_shard);  // pushed before the strand got here
        self.error_.clear();
        self.inbox_.clear_error();
        self.step();
    });
}

void ConsumerImpl::end() {
    end_called_.store(true, std::memory_order_release);
    inbox_.end();  // at once: waiting takes fail with shutting_down
    on_strand([](ConsumerImpl& self) {
        if (self.stopped_) return;
        self.stopped_ = true;
        self.retry_timer_.cancel();
        self.discovery_timer_.cancel();
        self.claim_timer_.cancel();
        self.renew_timer_.cancel();
        self.finish_start(make_error_code(errc::shutting_down));
        self.client_->close();  // fails the read in flight, if any
        self.ending_ = true;
        self.commit_step();  // what is owed goes out; then ended_ completes
    });
}

void ConsumerImpl::end_and_wait() {
    // Waited once (disconnect(), then the destructor): the I/O threads may be
    // gone by the second time, and nothing would ever answer the post.
    if (!group_mode() || strand_.running_in_this_thread() || end_waited_.exchange(true))
        return end();
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    on_strand([done](ConsumerImpl& self) {
        self.ended_.emplace_back([done](std::error_code) { done->set_value(); }, self.strand_);
        if (self.ending_) self.commit_step();  // ended before: report once nothing is owed
    });
    end();
    f.wait_for(options_.end_timeout);
}

ConsumerStats ConsumerImpl::stats() const noexcept {
    constexpr auto relaxed = std::memory_order_relaxed;
    return {inbox_.size(),
            inbox_.max_size(),
            reads_.load(relaxed),
            delivered_.load(relaxed),
            redelivered_.load(relaxed),
            acked_.load(relaxed),
            not_pending_.load(relaxed),
            deleted_.load(relaxed),
            groups_recreated_.load(relaxed),
            claimed_.load(relaxed),
            dead_lettered_.load(relaxed),
            dead_letter_failed_.load(relaxed),
            leases_renewed_.load(relaxed)};
}

}  // namespace redstream::detail
