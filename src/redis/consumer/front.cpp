#include "front.hpp"

#include <algorithm>
#include <future>

#include <asio/post.hpp>

#include <redstream/core/detail/log.hpp>
#include <redstream/core/error.hpp>

#include "../sync_wait.hpp"

namespace redstream::detail {

ConsumerImpl::ConsumerImpl(asio::any_io_executor ex, std::shared_ptr<cluster::Router> router,
                           std::vector<StreamKey> streams, ConsumerOptions options,
                           std::string payload_field)
    : ConsumerCore(std::move(ex), std::move(router), options, std::move(payload_field)),
      streams_(std::move(streams)),
      discovery_(*this, streams_) {
    // Standalone, one lane reads every key; a cluster's are made by replan().
    if (!this->router->is_cluster())
        lanes_.push_back(std::make_unique<ReadLane>(
            std::make_shared<net::Client>(strand.get_inner_executor(), this->router->config()),
            strand));
    publish_lanes();
    if (group_mode()) {
        group_.emplace(*this);
        commits_.emplace(*this);
        dead_letters_.emplace(*this);
    } else {
        realtime_.emplace(*this);
    }
    if (options.mode == ConsumerMode::load_balanced) {
        claims_.emplace(*this, *group_);
        if (options.renew_leases) leases_.emplace(*this, group_->state());
    }
    for (const auto& s : streams_)
        add_key(s, ShardId{0}, std::string(s.name()), ReadState::Origin::initial);
}

void ConsumerImpl::add_key(const StreamKey& stream, ShardId shard, std::string key,
                           ReadState::Origin origin) {
    const bool added =
        group_ ? group_->add(stream, shard, std::move(key), origin == ReadState::Origin::discovered)
               : realtime_->add(stream, shard, std::move(key), origin);
    // Every discovery round finds the known keys again: only a new one counts.
    if (!added) return;
    if (origin == ReadState::Origin::discovered && log_enabled(LogLevel::info))
        log(LogLevel::info, "consumer",
            "found shard " + std::to_string(shard.value) + " of " + std::string(stream.name()) +
                ": reading it whole");
    for (auto& lane : lanes_)
        lane->turns.quiet = 0;  // a new key may have entries: go round the turns again
    replan_ = true;
}

const std::string& ConsumerImpl::start_failure() const noexcept {
    static const std::string none;
    return group_ ? group_->start_failure() : none;
}

const std::string& ConsumerImpl::connection_error() const noexcept {
    return connection_error_;
}

void ConsumerImpl::start(BasicCompletion<std::error_code> started) {
    on_strand([started = std::move(started)](ConsumerImpl& self) mutable {
        self.started_ = std::move(started);
        if (self.stopped) return self.finish_start(make_error_code(errc::shutting_down));
        self.connected_ = true;
        self.discovery_.start();
        for (auto& lane : self.lanes_)
            self.connect(*lane);
        self.step();
    });
}

// A lane's connection is up before its first request; one that fails is
// tried again after a back-off (and before the start, fails it).
void ConsumerImpl::connect(ReadLane& lane) {
    lane.busy = true;
    lane.client->async_connect(
        asio::bind_executor(strand, [this, &lane, alive = hold()](std::error_code ec) {
            lane.busy = false;
            if (stopped) return;
            if (ec) return back_off(lane, ec);
            lane.was_up = true;
            step();
        }));
}

void ConsumerImpl::finish_start(std::error_code ec) {
    if (!started_) return;
    if (ec) {  // written here, on the strand, before the start completes
        for (const auto& lane : lanes_)
            if (connection_error_.empty()) connection_error_ = lane->client->last_error();
        if (connection_error_.empty()) connection_error_ = router->last_error();
    }
    started_(ec);
}

// Decides the next request of each lane; every completion comes back here.
void ConsumerImpl::step() {
    if (stopped || !connected_) return;
    if (router->is_cluster()) follow_map();
    // A claim that found no room goes first once there is some.
    if (claims_) claims_->resume_if_room();
    // A rewind to the end moves every key once its lookup is back: reading
    // (or resolving) the old position meanwhile would be wasted.
    if (error || (realtime_ && realtime_->waiting_for_ends())) return;
    if (discovery_.due() && !discovery_.busy()) discovery_.scan();
    // The first round's keys are read as the consumer's own (Origin::initial).
    if (discovery_.due() && !discovery_.first_done()) return;
    // Started once every key has its start and every lane reached its
    // server: a connection that cannot be made fails create_consumer().
    const auto lanes_up = [this] {  // only while starting: not on every step
        return std::all_of(lanes_.begin(), lanes_.end(),
                           [](const auto& lane) { return lane->was_up; });
    };
    if (started_ && lanes_up() &&
        !(group_ ? group_->needs_create() : realtime_->needs_resolution())) {
        finish_start({});
        discovery_.start_rounds();
        if (claims_) claims_->schedule(std::chrono::milliseconds(0));  // a restart claims at once
        if (leases_) leases_->schedule();
    }
    // In turn, so that no lane always comes first to the room in the queue.
    const auto n = lanes_.size();
    for (std::size_t i = 0; i < n && !error; ++i)
        step_lane(*lanes_[(next_lane_ + i) % n]);
    if (n > 0) next_lane_ = (next_lane_ + 1) % n;
}

void ConsumerImpl::step_lane(ReadLane& lane) {
    if (lane.busy) return;
    if (realtime_) {
        if (realtime_->needs_resolution(lane)) return realtime_->resolve(lane);
        // Full: a take() that drains the inbox to half wakes us (take()).
        if (realtime_->read_due(lane)) realtime_->read(lane);
        return;
    }
    if (group_->needs_create(lane)) return group_->create_groups(lane);
    // Dead letters take room too: at most a prefetch of them out at once.
    if (group_->read_due(lane) && dead_letters_->in_flight() < options.prefetch_or_default())
        group_->read(lane);
}

bool ConsumerImpl::may_read_ahead() const {
    return !discovery_.due() && !error && !(claims_ && claims_->waiting()) &&
           !(dead_letters_ && dead_letters_->in_flight() >= options.prefetch_or_default());
}

void ConsumerImpl::fail(ReadLane& lane, std::error_code ec) {
    if (ec == condition::retryable) return back_off(lane, ec);
    error = ec;
    discovery_.stop();
    finish_start({});  // the error is the consumer's state, reported by next()
    inbox.set_error(ec);
}

void ConsumerImpl::fail_start(ReadLane& lane, std::error_code ec) {
    finish_start(ec);
    fail(lane, ec);
}

void ConsumerImpl::back_off(ReadLane& lane, std::error_code ec) {
    // Before the consumer has started, create_consumer() reports the error
    // (and ends the consumer); after, the client reconnects and we retry.
    finish_start(ec);
    // Except a reply the connection could not parse: it would come again on
    // every retry, so it stops reading as a server refusal does.
    if (ec == condition::protocol) return fail(lane, ec);
    auto delay = lane.backoff.next_delay();
    // A master that is gone or frozen: the map may have moved on, and the
    // lane looks again soon (replan() moves its slots once it has).
    if (!lane.node.host.empty()) {
        router->report_node_lost(lane.node);
        delay = std::min(delay, ReadLane::cluster_retry);
    }
    retry_later(lane, delay);
}

void ConsumerImpl::retry_later(ReadLane& lane, std::chrono::milliseconds delay) {
    lane.busy = true;
    lane.retry.expires_after(delay);
    lane.retry.async_wait(
        asio::bind_executor(strand, [this, &lane, alive = hold()](std::error_code wait_ec) {
            lane.busy = false;
            if (wait_ec || stopped) return;
            step();
        }));
}

void ConsumerImpl::ack_deleted(std::span<const std::pair<std::string, MessageId>> entries) {
    for (const auto& [key, id] : entries)
        commits_->ack_now(key, id);
    ConsumerCounters::add(counters.deleted, entries.size());
    // The delivery log is drained at every read, which keeps it bounded.
    if (!entries.empty() || options.auto_commit == AutoCommit::delayed) commits_->step();
}

std::optional<Message> ConsumerImpl::take(std::optional<Inbox::Clock::time_point> deadline,
                                          std::error_code& ec) {
    const auto wake = [this] { on_strand([](ConsumerImpl& self) { self.step(); }); };
    std::optional<Message> m;
    if (inbox.take(deadline, m, ec, wake)) wake();
    return m;
}

void ConsumerImpl::next(NextCompletion done, std::uint64_t id) {
    if (inbox.take_async(std::move(done), id)) on_strand([](ConsumerImpl& self) { self.step(); });
}

void ConsumerImpl::cancel(std::uint64_t id, errc why) {
    inbox.cancel(id, make_error_code(why));
}

void ConsumerImpl::rewind(SeqPos pos) {
    on_strand([pos, epoch = inbox.close_for_seek()](ConsumerImpl& self) {
        self.realtime_->rewind(pos, epoch);
    });
}

void ConsumerImpl::seek(Timestamp t) {
    on_strand([t, epoch = inbox.close_for_seek()](ConsumerImpl& self) {
        self.realtime_->seek(t, epoch);
    });
}

void ConsumerImpl::rewind_to_end_and_wait() {
    const auto start = [this](BasicCompletion<std::error_code> done) {
        on_strand(
            [epoch = inbox.close_for_seek(), done = std::move(done)](ConsumerImpl& self) mutable {
                self.realtime_->rewind_to_end(epoch, std::move(done));
            });
    };
    // On the strand the lookup could never complete while we wait; after
    // end() (or Streamer::disconnect()) nothing may answer at all.
    if (strand.running_in_this_thread() || inbox.last_error() == errc::shutting_down)
        return start(BasicCompletion<std::error_code>([](std::error_code) {}, strand));
    // The lookup's own deadline is end_lookup_timeout: this bound only
    // matters if the strand never runs it.
    wait_for(strand, Consumer::end_lookup_timeout + read_margin, start);
}

void ConsumerImpl::assign(StreamKey stream, ShardId shard) {
    on_strand([stream = std::move(stream), shard](ConsumerImpl& self) {
        using Origin = ReadState::Origin;
        self.add_key(stream, shard, shard_key(stream, shard, 2), Origin::assigned);
        if (shard.value == 0)
            self.add_key(stream, shard, std::string(stream.name()), Origin::assigned);
        self.clear_error();
        self.step();
    });
}

void ConsumerImpl::unassign(StreamKey stream, ShardId shard) {
    const auto of_shard = [stream, shard](const Message& m) {
        return m.shard_id() == shard && m.stream_key() == stream;
    };
    inbox.remove_if(of_shard);  // at once, for the next take()
    on_strand([stream = std::move(stream), shard, of_shard](ConsumerImpl& self) {
        if (self.realtime_) self.realtime_->remove(stream, shard);
        if (self.group_) self.group_->remove(stream, shard);
        self.inbox.remove_if(of_shard);  // pushed before the strand got here
        self.clear_error();
        self.step();
    });
}

void ConsumerImpl::end() {
    end_called_.store(true, std::memory_order_release);
    inbox.end();  // at once: waiting takes fail with shutting_down
    on_strand([](ConsumerImpl& self) {
        if (self.stopped) return;
        self.stopped = true;
        self.discovery_.cancel();
        if (self.claims_) self.claims_->cancel();
        if (self.leases_) self.leases_->cancel();
        self.finish_start(make_error_code(errc::shutting_down));
        for (auto& lane : self.lanes_) {
            lane->retry.cancel();
            lane->client->close();  // fails the read in flight, if any
        }
        if (self.commits_) self.commits_->end();  // what is owed goes out first
    });
}

void ConsumerImpl::end_and_wait() {
    // Waited once (disconnect(), then the destructor): the I/O threads may be
    // gone by the second time, and nothing would ever answer the post.
    if (!group_mode() || strand.running_in_this_thread() || end_waited_.exchange(true))
        return end();
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    on_strand([done](ConsumerImpl& self) {
        self.commits_->on_ended({[done](std::error_code) { done->set_value(); }, self.strand});
    });
    end();
    f.wait_for(options.end_timeout);
}

void ConsumerImpl::ack(const Message& m) {
    commits_->ack(m);
}

void ConsumerImpl::commit(BasicCompletion<std::error_code> done) {
    on_strand([done = std::move(done)](ConsumerImpl& self) mutable {
        self.commits_->commit(std::move(done));
    });
}

}  // namespace redstream::detail
