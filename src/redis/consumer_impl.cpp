// The consumer actor's user-facing half: the prefetch queue, the waiting
// next() calls, and the commands that change what and where it reads.
// The read loop itself is in consumer_loop.cpp.
#include <algorithm>

#include <asio/post.hpp>

#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

ConsumerImpl::ConsumerImpl(asio::any_io_executor ex, std::shared_ptr<Client> client,
                           std::vector<StreamKey> streams, ConsumerOptions options,
                           std::string payload_field)
    : strand_(asio::make_strand(ex)),
      client_(std::move(client)),
      streams_(std::move(streams)),
      options_(options),
      payload_field_(std::move(payload_field)),
      state_(options.auto_stream_reset),
      retry_timer_(strand_),
      discovery_timer_(strand_),
      backoff_(client_->config().reconnect) {
    for (const auto& s : streams_)
        state_.add(s, ShardId{0}, std::string(s.name()), ReadState::Origin::initial);
}

template <class F>
void ConsumerImpl::on_strand(F&& f) {
    asio::post(strand_,
               [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(*self); });
}

void ConsumerImpl::next(NextCompletion done, std::uint64_t id) {
    on_strand([done = std::move(done), id](ConsumerImpl& self) mutable {
        if (!self.queue_.empty() && !self.stopped_) {
            auto m = std::move(self.queue_.front());
            self.queue_.pop_front();
            self.set_queued();
            done({}, std::move(m));
            self.step();  // the queue may have room for another read now
        } else if (self.stopped_) {
            done(make_error_code(errc::shutting_down), {});
        } else if (self.error_) {
            done(self.error_, {});
        } else if (self.waiters_.size() >= max_waiters) {
            done(make_error_code(errc::queue_full), {});
        } else {
            self.waiters_.push_back({id, std::move(done)});
        }
    });
}

void ConsumerImpl::cancel(std::uint64_t id, errc why) {
    on_strand([id, why](ConsumerImpl& self) {
        auto it = std::find_if(self.waiters_.begin(), self.waiters_.end(),
                               [id](const Waiter& w) { return w.id == id; });
        if (it == self.waiters_.end()) return;
        auto done = std::move(it->done);
        self.waiters_.erase(it);
        done(make_error_code(why), {});
    });
}

void ConsumerImpl::rewind(SeqPos pos) {
    on_strand([pos](ConsumerImpl& self) {
        self.state_.rewind(pos);
        self.queue_.clear();
        self.set_queued();
        self.error_.clear();
        self.step();
    });
}

void ConsumerImpl::seek(Timestamp t) {
    on_strand([t](ConsumerImpl& self) {
        self.state_.seek(t);
        self.queue_.clear();
        self.set_queued();
        self.error_.clear();
        self.step();
    });
}

void ConsumerImpl::assign(StreamKey stream, ShardId shard) {
    on_strand([stream = std::move(stream), shard](ConsumerImpl& self) {
        using Origin = ReadState::Origin;
        self.state_.add(stream, shard, shard_key(stream, shard, 2), Origin::assigned);
        if (shard.value == 0)
            self.state_.add(stream, shard, std::string(stream.name()), Origin::assigned);
        self.error_.clear();
        self.step();
    });
}

void ConsumerImpl::unassign(StreamKey stream, ShardId shard) {
    on_strand([stream = std::move(stream), shard](ConsumerImpl& self) {
        self.state_.remove(stream, shard);
        std::erase_if(self.queue_, [&](const Message& m) {
            return m.shard_id() == shard && m.stream_key() == stream;
        });
        self.set_queued();
        self.error_.clear();
        self.step();
    });
}

void ConsumerImpl::end() {
    on_strand([](ConsumerImpl& self) {
        if (self.stopped_) return;
        self.stopped_ = true;
        self.queue_.clear();
        self.set_queued();
        auto waiters = std::move(self.waiters_);
        for (auto& w : waiters)
            w.done(make_error_code(errc::shutting_down), {});
        self.retry_timer_.cancel();
        self.discovery_timer_.cancel();
        self.finish_start(make_error_code(errc::shutting_down));
        self.client_->close();  // fails the read in flight, if any
    });
}

void ConsumerImpl::dispatch() {
    while (!waiters_.empty() && !queue_.empty()) {
        auto done = std::move(waiters_.front().done);
        waiters_.pop_front();
        auto m = std::move(queue_.front());
        queue_.pop_front();
        done({}, std::move(m));
    }
    if (error_ && queue_.empty()) {
        auto waiters = std::move(waiters_);
        for (auto& w : waiters)
            w.done(error_, {});
    }
    set_queued();
}

void ConsumerImpl::set_queued() noexcept {
    queued_.store(queue_.size(), std::memory_order_relaxed);
}

ConsumerStats ConsumerImpl::stats() const noexcept {
    return {queued_.load(std::memory_order_relaxed), max_queued_.load(std::memory_order_relaxed),
            reads_.load(std::memory_order_relaxed)};
}

}  // namespace redstream::detail
