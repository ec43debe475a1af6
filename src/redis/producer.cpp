#include <redstream/redis/producer.hpp>

#include <algorithm>

#include <redstream/cluster/slot.hpp>
#include <redstream/commands/xadd.hpp>
#include <redstream/commands/xtrim.hpp>
#include <redstream/core/error.hpp>

#include "producer_impl.hpp"
#include "streamer_context.hpp"
#include "sync_wait.hpp"

namespace redstream::detail {

ProducerImpl::ProducerImpl(std::shared_ptr<StreamerContext> ctx, StreamKey anchor,
                           ProducerOptions options)
    : ctx_(std::move(ctx)),
      client_(ctx_->router->is_cluster() ? nullptr : ctx_->router->connection_for(0)),
      // Standalone, the connection's strand: batches go out without a hop.
      strand_(client_ ? client_->strand() : asio::make_strand(ctx_->executor)),
      anchor_(std::move(anchor)),
      options_(std::move(options)),
      payload_field_(ctx_->options.payload_field),
      room_(options_.max_unconfirmed, options_.max_unconfirmed_bytes),
      waiting_timer_(strand_) {
    if (options_.shards == 0) options_.shards = 1;
    if (options_.max_batch == 0) options_.max_batch = 1;
    if (options_.max_unconfirmed == 0)
        throw Error(make_error_code(errc::invalid_argument),
                    "ProducerOptions::max_unconfirmed must be > 0: no send could ever go out");
    if (options_.delivery_timeout.count() <= 0)
        throw Error(make_error_code(errc::invalid_argument),
                    "ProducerOptions::delivery_timeout must be > 0: a send must not wait forever");
    if (options_.wait_replicas > 0 && options_.wait_timeout.count() <= 0)
        throw Error(make_error_code(errc::invalid_argument),
                    "ProducerOptions::wait_timeout must be > 0 with wait_replicas: WAIT 0 "
                    "waits forever");
    xadd_options_ = {.id = {}, .nomkstream = false, .trim = options_.trim};
    // The anchor stream's keys are hashed once, not on every send.
    if (!anchor_.empty()) {
        for (std::uint64_t s = 0; s < options_.shards; ++s)
            anchor_slots_.push_back(cluster::key_slot(
                options_.shards > 1 ? shard_key(anchor_, ShardId{s}, options_.shards)
                                    : std::string(anchor_.name())));
    }
    states_ = new SendStatePool(ctx_, options_.max_unconfirmed);
    pipelines_.push_back(std::make_unique<Pipeline>());
}

ProducerImpl::~ProducerImpl() {
    states_->detach();
}

void ProducerImpl::Recycler::operator()(Batch* b) const noexcept {
    std::unique_ptr<Batch> owned(b);
    auto self = owner.lock();
    // A batch whose buffer grew past twice the batch bound (one huge copied
    // send) is not worth keeping: its capacity would be held for good.
    if (!self || b->request.capacity() > 2 * self->options_.max_batch_bytes) return;
    owned->reset();
    std::lock_guard lock(self->lock_);
    if (self->spare_.size() < max_spare_batches * self->pipelines_.size())
        self->spare_.push_back(std::move(owned));
}

bool ProducerImpl::accepts(const StreamKey& stream, std::error_code& ec) const noexcept {
    if (closed_.load(std::memory_order_acquire))
        ec = make_error_code(errc::shutting_down);
    else if (stream.empty())
        ec = make_error_code(errc::invalid_argument);  // a generic producer's send()
    return !ec;
}

std::error_code ProducerImpl::admit(std::size_t bytes, bool may_block) noexcept {
    // Blocking on the strand's own thread would wait for itself. The wait is
    // bounded: what holds the room completes within delivery_timeout.
    const bool can_block =
        may_block && options_.block_when_full && !strand_.running_in_this_thread();
    while (!room_.try_reserve(bytes)) {
        if (!can_block) return make_error_code(errc::queue_full);
        if (closed()) return make_error_code(errc::shutting_down);
        room_.wait();
    }
    return {};
}

ShardId ProducerImpl::pick_shard(const StreamKey& stream, const SendOptions& opts) const {
    return ShardId{
        options_.shards > 1 ? options_.sharder(stream, opts.partition_key, options_.shards) : 0};
}

std::optional<std::uint16_t> ProducerImpl::slot_of(const StreamKey& stream, ShardId shard) const {
    if (stream == anchor_ && !anchor_slots_.empty()) return anchor_slots_[shard.value];
    if (client_) return std::nullopt;  // standalone: the request finds it if it needs it
    return cluster::key_slot(options_.shards > 1 ? shard_key(stream, shard, options_.shards)
                                                 : std::string(stream.name()));
}

Pipeline& ProducerImpl::pipeline_for(std::optional<std::uint16_t> slot) {
    if (client_ || !slot) return *pipelines_.front();
    const auto version = ctx_->router->map_version();
    if (route_.empty() || version != map_seen_) follow_map(version);
    return *pipelines_[route_[*slot]];
}

// Under lock_, on whichever thread saw the map change first: rare (a
// reshard, a failover), so copying the map here costs nothing that counts.
void ProducerImpl::follow_map(std::uint64_t version) {
    map_seen_ = version;
    const auto map = ctx_->router->slot_map();
    const auto masters = map.masters();
    // A node no longer a master keeps its pipeline while it holds sends
    // (the router takes them to the new owner); then it goes.
    const auto gone = std::remove_if(
        pipelines_.begin() + 1, pipelines_.end(), [&](const std::unique_ptr<Pipeline>& p) {
            return p->idle() &&
                   std::none_of(masters.begin(), masters.end(),
                                [&](const cluster::NodeInfo* n) { return n->name == p->node; });
        });
    pipelines_.erase(gone, pipelines_.end());
    route_.assign(cluster::slot_count, 0);
    for (const auto& range : map.ranges()) {
        const auto& name = map.nodes()[map.shards()[range.shard].master].name;
        auto it = std::find_if(pipelines_.begin() + 1, pipelines_.end(),
                               [&](const std::unique_ptr<Pipeline>& p) { return p->node == name; });
        if (it == pipelines_.end()) {
            pipelines_.push_back(std::make_unique<Pipeline>());
            pipelines_.back()->node = name;
            it = pipelines_.end() - 1;
        }
        const auto index = static_cast<std::uint16_t>(it - pipelines_.begin());
        std::fill(route_.begin() + range.first, route_.begin() + range.last + 1, index);
    }
}

commands::XAddMessage ProducerImpl::message(const StreamKey& stream, std::string_view payload,
                                            const SendOptions& opts, ShardId shard,
                                            std::optional<std::uint16_t> slot) const noexcept {
    // Unsharded streams (the common case) are written to the key `name`.
    return {.stream = stream.name(),
            .shard = options_.shards > 1 ? std::optional(shard.value) : std::nullopt,
            .payload_field = payload_field_,
            .payload = payload,
            .extra = opts.fields,
            .slot = slot};
}

std::size_t ProducerImpl::held_bytes(const StreamKey& stream, std::string_view payload,
                                     const SendOptions& opts) const noexcept {
    constexpr std::size_t bookkeeping = sizeof(SendState) + sizeof(PendingSend);
    auto xopts = xadd_options_;
    xopts.id = opts.id;
    return commands::xadd_size(message(stream, payload, opts, ShardId{}, std::nullopt), xopts) +
           bookkeeping;
}

SendStateRef ProducerImpl::failed(std::error_code ec) const {
    failed_.fetch_add(1, std::memory_order_relaxed);
    auto* s = new SendState(ctx_);
    s->complete(ec, {});
    return SendStateRef(s);
}

Batch& ProducerImpl::open_batch(Pipeline& p) {
    if (!p.open) {
        if (spare_.empty()) {
            p.open = std::make_unique<Batch>();
        } else {
            p.open = std::move(spare_.back());
            spare_.pop_back();
        }
        // On a cluster a batch for a master that is down must fail at once,
        // not wait for its reconnect: the router takes it to the replica
        // that takes over (and then writes it as it is, without a copy).
        p.open->request.config().fail_if_not_connected = !client_;
    }
    return *p.open;
}

void ProducerImpl::close_if_full(Pipeline& p) {
    if (p.open->sends.size() >= options_.max_batch ||
        p.open->request.size() >= options_.max_batch_bytes)
        p.full.push_back(std::move(p.open));
}

// Under lock_: whether this caller must post a drain.
bool ProducerImpl::wake_locked(Pipeline& p) noexcept {
    return !std::exchange(p.awake, true);
}

void ProducerImpl::wake() {
    asio::post(strand_, [self = shared_from_this()] { self->drain(); });
}

SendStateRef ProducerImpl::enqueue(const StreamKey& stream, std::string_view payload,
                                   const SendOptions& opts, std::size_t bytes,
                                   SendState::Continuation then, std::string* owned) {
    if (owned && owned->size() < options_.zero_copy_threshold) owned = nullptr;  // copied
    const ShardId shard = pick_shard(stream, opts);
    const auto slot = slot_of(stream, shard);
    auto xopts = xadd_options_;
    xopts.id = opts.id;
    bool post = false;
    SendState* state = nullptr;
    {
        std::lock_guard lock(lock_);
        // Checked under the lock close() takes: a send either sees the
        // producer closed or is in a batch that close() fails.
        if (!closed()) {
            state = states_->take();
            retain(state);  // the caller's reference, before the batch can complete it
            if (then) state->set_continuation(std::move(then));
            Pipeline& p = pipeline_for(slot);
            Batch& b = open_batch(p);
            // The batch's deadline is its first send's: later ones are due later.
            if (b.sends.empty()) b.deadline = ProducerClock::now() + options_.delivery_timeout;
            auto m = message(stream, payload, opts, shard, slot);
            if (owned) {
                m.payload = b.held.emplace_back(std::move(*owned));
                m.payload_by_reference = true;
            }
            commands::xadd(b.request, m, xopts);
            b.sends.push_back({state, stream, shard});
            b.bytes += bytes;
            ++accepted_;
            sent_.fetch_add(1, std::memory_order_relaxed);
            close_if_full(p);
            post = wake_locked(p);
        }
    }
    if (!state) {
        room_.release(1, bytes);
        auto f = failed(make_error_code(errc::shutting_down));
        if (then) f->set_continuation(std::move(then));
        return f;
    }
    if (post) wake();
    return SendStateRef(state);
}

void ProducerImpl::enqueue_when_room(const StreamKey& stream, std::string_view payload,
                                     const SendOptions& opts, std::size_t bytes,
                                     SendState::Continuation then) {
    auto xopts = xadd_options_;
    xopts.id = opts.id;
    const auto shard = pick_shard(stream, opts);
    WaitingSend w{{},
                  nullptr,
                  stream,
                  shard,
                  slot_of(stream, shard),
                  bytes,
                  ProducerClock::now() + options_.delivery_timeout};
    commands::xadd(w.xadd, message(stream, payload, opts, w.shard, w.slot), xopts);
    asio::dispatch(
        strand_, [self = shared_from_this(), w = std::move(w), then = std::move(then)]() mutable {
            // The waiting sends are bounded too: as many as may be unconfirmed.
            if (self->closed() || self->waiting_.size() >= self->options_.max_unconfirmed) {
                auto f = self->failed(
                    make_error_code(self->closed() ? errc::shutting_down : errc::queue_full));
                f->set_continuation(std::move(then));
                return;
            }
            {
                std::lock_guard lock(self->lock_);
                w.state = self->states_->take();
            }
            w.state->set_continuation(std::move(then));
            self->sent_.fetch_add(1, std::memory_order_relaxed);
            self->waiting_.push_back(std::move(w));
            self->admit_waiting();
            if (self->waiting_.size() == 1) self->expire_waiting();  // arms the timer
            self->drain();
        });
}

void ProducerImpl::admit_waiting() {
    std::lock_guard lock(lock_);
    while (!waiting_.empty() && room_.try_reserve(waiting_.front().bytes)) {
        WaitingSend& w = waiting_.front();
        Pipeline& p = pipeline_for(w.slot);
        Batch& b = open_batch(p);
        b.request.append(w.xadd);
        b.sends.push_back({w.state, std::move(w.stream), w.shard});
        b.bytes += w.bytes;
        b.deadline = std::min(b.deadline, w.deadline);
        ++accepted_;
        close_if_full(p);
        waiting_.pop_front();
    }
}

// Sends waiting for room fail at their delivery deadline like any other;
// they wait in send order, so the front one is always due first.
void ProducerImpl::expire_waiting() {
    const auto now = ProducerClock::now();
    std::size_t expired = 0;
    while (!waiting_.empty() && waiting_.front().deadline <= now) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        waiting_.front().state->complete(make_error_code(errc::timeout), {});
        detail::release(waiting_.front().state);
        waiting_.pop_front();
        ++expired;
    }
    if (expired) {
        std::lock_guard lock(lock_);
        accepted_ += expired;  // counted by flushes as taken, and finished
    }
    finished_ += expired;
    complete_flushes();
    if (waiting_.empty()) return;
    waiting_timer_.expires_at(waiting_.front().deadline);
    waiting_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
        if (!ec) self->expire_waiting();
    });
}

void ProducerImpl::fail_waiting(std::error_code ec) {
    waiting_timer_.cancel();
    failed_.fetch_add(waiting_.size(), std::memory_order_relaxed);
    for (auto& w : waiting_) {
        w.state->complete(ec, {});
        detail::release(w.state);
    }
    {
        std::lock_guard lock(lock_);
        accepted_ += waiting_.size();
    }
    finished_ += waiting_.size();
    waiting_.clear();
    complete_flushes();
}

// Keeps up to max_batches_in_flight batches of each pipeline on the wire;
// everything sent meanwhile gathers in its open batch.
void ProducerImpl::drain() {
    {
        std::lock_guard lock(lock_);
        for (auto& p : pipelines_) {
            while (p->in_flight < max_batches_in_flight) {
                std::unique_ptr<Batch> b;
                if (!p->full.empty()) {
                    b = std::move(p->full.front());
                    p->full.pop_front();
                } else if (p->open && !p->open->sends.empty()) {
                    b = std::move(p->open);
                } else {
                    break;
                }
                b->pipeline = p.get();
                ++p->in_flight;
                to_ship_.push_back(std::move(b));
            }
            // Asleep only with nothing left to ship: a completion drains otherwise.
            p->awake = p->has_backlog();
        }
    }
    for (auto& b : to_ship_)
        ship(std::move(b));
    to_ship_.clear();
}

// Each batch carries the deadline of its oldest send: the client fails it
// with timeout then, whether it is still queued for a reconnect or written
// and unanswered (which also drops that connection).
void ProducerImpl::ship(std::unique_ptr<Batch> owned) {
    std::shared_ptr<Batch> batch(owned.release(), Recycler{weak_from_this()});
    bytes_.fetch_add(batch->request.size(), std::memory_order_relaxed);
    auto done = [self = shared_from_this(), batch](std::error_code ec) {
        self->on_batch_done(batch, ec);
    };
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(batch->deadline - ProducerClock::now());
    if (left.count() <= 0) {
        // Never sent, so surely not stored. Posted: on_batch_done drains.
        asio::post(strand_,
                   [done = std::move(done)]() mutable { done(make_error_code(errc::timeout)); });
        return;
    }
    if (!client_) return ship_routed(batch, left, std::move(done));
    // WAIT after the batch counts the replicas that have every write before
    // it on this connection: this batch's and the ones before.
    const bool wait = options_.wait_replicas > 0;
    if (wait) batch->request.push("WAIT", options_.wait_replicas, options_.wait_timeout.count());
    // Completes on the strand we run on: one completion per batch, no hop.
    client_->async_exec(
        std::shared_ptr<const resp::Request>(batch, &batch->request),
        net::ReplySink{&ProducerImpl::on_reply, batch.get()},
        net::ExecOptions{.timeout = left,
                         .blocking = wait ? options_.wait_timeout : std::chrono::milliseconds(0)},
        asio::bind_executor(strand_, std::move(done)));
}

// Cluster: the router splits the batch by node and follows redirections
// (only the XADDs a node redirected go again: they did not run there). A
// node that failed fails only its own sends: those another node answered
// keep their replies.
void ProducerImpl::ship_routed(const std::shared_ptr<Batch>& batch, std::chrono::milliseconds left,
                               std::function<void(std::error_code)> done) {
    auto finish = [batch, done = std::move(done)](std::error_code ec) {
        auto& replies = batch->replies;
        if (replies.size() != batch->sends.size()) {  // refused before any was sent
            replies.clear();
            return done(ec ? ec : make_error_code(errc::unexpected_reply));
        }
        for (std::size_t i = 0; i < replies.size(); ++i) {
            if (!replies[i].empty())
                on_reply(batch.get(), i, replies[i]);
            else
                batch->sends[i].ec = ec ? ec : make_error_code(errc::unexpected_reply);
            if (i < batch->acked.size()) batch->sends[i].replicated = batch->acked[i];
        }
        replies.clear();
        done({});  // each send has its own outcome
    };
    const net::ExecOptions opts{.timeout = left};
    if (options_.wait_replicas == 0)
        return ctx_->router->async_exec(batch->request, batch->replies, opts,
                                        asio::bind_executor(strand_, std::move(finish)));
    // WAIT on every master the batch wrote to, after its XADDs there.
    ctx_->router->async_exec(
        batch->request, batch->replies, opts,
        cluster::WaitReplicas{options_.wait_replicas, options_.wait_timeout, &batch->acked},
        asio::bind_executor(strand_, std::move(finish)));
}

// Each reply is decoded as it is parsed: the reader then reuses its storage
// for the next one, instead of a batch holding a thousand replies.
void ProducerImpl::on_reply(void* batch, std::size_t index, const resp::Reply& reply) {
    auto& b = *static_cast<Batch*>(batch);
    if (index >= b.sends.size()) {  // WAIT's: how many replicas have the batch
        const auto replicas = reply.root().to_int().value_or(-1);
        for (auto& s : b.sends)
            s.replicated = replicas;
        return;
    }
    auto& send = b.sends[index];
    send.ec = {};
    if (const auto id = commands::decode_xadd(reply.root(), send.ec))
        send.id = *id;
    else if (!send.ec)
        send.ec = make_error_code(errc::unexpected_reply);
}

void ProducerImpl::on_batch_done(const std::shared_ptr<Batch>& batch, std::error_code ec) {
    {
        std::lock_guard lock(lock_);
        --batch->pipeline->in_flight;
    }
    // Outcomes first, so that the stats count a batch with two atomic adds
    // (not two per send) and already hold each send when its future is ready.
    std::size_t failures = 0;
    for (auto& s : batch->sends) {
        if (ec) s.ec = ec;
        if (!s.ec && options_.wait_replicas > 0 && s.replicated < options_.wait_replicas)
            s.ec = make_error_code(errc::not_replicated);
        failures += s.ec ? 1 : 0;
    }
    failed_.fetch_add(failures, std::memory_order_relaxed);
    confirmed_.fetch_add(batch->sends.size() - failures, std::memory_order_relaxed);
    for (auto& s : batch->sends) {
        if (s.ec)
            s.state->complete(s.ec, {});
        else
            s.state->complete({}, Receipt{std::move(s.stream), s.shard, s.id, timestamp_of(s.id)});
        detail::release(s.state);
    }
    finished_ += batch->sends.size();
    room_.release(batch->sends.size(), batch->bytes);
    batch->sends.clear();
    admit_waiting();
    complete_flushes();
    drain();  // what senders added meanwhile goes out now
}

void ProducerImpl::fail_batch(Batch& batch, std::error_code ec) {
    failed_.fetch_add(batch.sends.size(), std::memory_order_relaxed);
    for (auto& s : batch.sends) {
        s.state->complete(ec, {});
        detail::release(s.state);
    }
    room_.release(batch.sends.size(), batch.bytes);
    batch.sends.clear();
}

ProducerStats ProducerImpl::stats() const noexcept {
    return {.sent = sent_.load(std::memory_order_relaxed),
            .confirmed = confirmed_.load(std::memory_order_relaxed),
            .failed = failed_.load(std::memory_order_relaxed),
            .in_flight = room_.count(),
            .bytes = bytes_.load(std::memory_order_relaxed)};
}

void ProducerImpl::flush(BasicCompletion<std::error_code> done) {
    std::uint64_t target = 0;
    {
        std::lock_guard lock(lock_);
        target = accepted_;
    }
    asio::dispatch(strand_, [self = shared_from_this(), target, done = std::move(done)]() mutable {
        // Sends still waiting for room count too: flush covers everything before it.
        self->flushes_.emplace_back(target + self->waiting_.size(), std::move(done));
        self->complete_flushes();
    });
}

void ProducerImpl::complete_flushes() {
    while (!flushes_.empty() && flushes_.front().first <= finished_) {
        flushes_.front().second(std::error_code{});
        flushes_.pop_front();
    }
}

void ProducerImpl::close() {
    std::vector<std::unique_ptr<Batch>> unsent;
    {
        std::lock_guard lock(lock_);
        if (closed_.exchange(true, std::memory_order_seq_cst)) return;
        for (auto& p : pipelines_) {
            if (p->open) unsent.push_back(std::move(p->open));
            for (auto& b : p->full)
                unsent.push_back(std::move(b));
            p->full.clear();
        }
    }
    // Not shipped, so surely not stored: they fail here, on the caller's
    // thread, since the strand may no longer run.
    std::size_t unshipped = 0;
    const auto ec = make_error_code(errc::shutting_down);
    for (auto& b : unsent) {
        unshipped += b->sends.size();
        fail_batch(*b, ec);
    }
    asio::post(strand_, [self = shared_from_this(), unshipped, ec] {
        self->finished_ += unshipped;
        self->fail_waiting(ec);
    });
}

}  // namespace redstream::detail

namespace redstream {

Producer::Producer(std::shared_ptr<detail::StreamerContext> ctx, StreamKey anchor,
                   ProducerOptions options)
    : impl_(std::make_shared<detail::ProducerImpl>(std::move(ctx), std::move(anchor),
                                                   std::move(options))) {}
Producer::Producer(Producer&&) noexcept = default;
Producer& Producer::operator=(Producer&&) noexcept = default;
Producer::~Producer() = default;

SendFuture Producer::send(std::string_view payload, const SendOptions& options) {
    return send_to(impl_->anchor(), payload, options);
}

SendFuture Producer::send_to(const StreamKey& stream, std::string_view payload,
                             const SendOptions& options) {
    return send_impl(stream, payload, options, nullptr);
}

SendFuture Producer::send_owned(const StreamKey* stream, std::string&& payload,
                                const SendOptions& options) {
    return send_impl(stream ? *stream : impl_->anchor(), payload, options, &payload);
}

SendFuture Producer::send_impl(const StreamKey& stream, std::string_view payload,
                               const SendOptions& options, std::string* owned) {
    std::error_code ec;
    std::size_t bytes = 0;
    if (impl_->accepts(stream, ec)) {
        bytes = impl_->held_bytes(stream, payload, options);
        ec = impl_->admit(bytes, true);
    }
    if (ec) return SendFuture(impl_->failed(ec));
    return SendFuture(impl_->enqueue(stream, payload, options, bytes, {}, owned));
}

void Producer::start_send(const StreamKey& stream, std::string_view payload,
                          const SendOptions& options,
                          detail::BasicCompletion<std::error_code, Receipt> done) {
    std::error_code ec;
    if (!impl_->accepts(stream, ec)) return done(ec, Receipt{});
    const auto bytes = impl_->held_bytes(stream, payload, options);
    if (!impl_->admit(bytes, false))
        impl_->enqueue(stream, payload, options, bytes, std::move(done));
    else
        impl_->enqueue_when_room(stream, payload, options, bytes, std::move(done));
}

void Producer::start_flush(detail::BasicCompletion<std::error_code> done) {
    // An ended producer has nothing left to flush, and its strand may no
    // longer run: complete without a round trip to it.
    if (impl_->closed()) return done({});
    impl_->flush(std::move(done));
}

asio::any_io_executor Producer::completion_executor() const {
    return impl_->completion_executor();
}

void Producer::flush() {
    // Every send before this call completes within its delivery_timeout, so
    // this deadline is never the one that ends the wait, unless the
    // producer's executor stopped running.
    const auto bound = impl_->options().delivery_timeout + std::chrono::seconds(1);
    if (!flush_for(bound))
        throw Error(make_error_code(errc::timeout),
                    "flush did not complete within delivery_timeout");
}

bool Producer::flush_for(std::chrono::milliseconds timeout) {
    if (impl_->closed()) return true;
    const auto result = detail::wait_for(impl_->executor(), timeout,
                                         [this](auto done) { impl_->flush(std::move(done)); });
    if (!result) return false;
    throw_if(std::get<0>(*result), "flush failed");
    return true;
}

void Producer::end_impl(const std::shared_ptr<detail::ProducerImpl>& impl) {
    if (impl->closed()) return;
    Producer p;
    p.impl_ = impl;
    p.flush_for(impl->options().end_timeout);
    impl->close();
}

void Producer::end() {
    if (impl_) end_impl(impl_);
}

void Producer::trim(const StreamKey& stream, const commands::TrimOptions& trim) {
    resp::Request req;
    const auto shards = impl_->options().shards;
    for (std::uint64_t s = 0; s < shards; ++s)
        commands::xtrim(req, shard_key(stream, ShardId{s}, shards), trim);
    net::Response resp;
    throw_if(detail::wait_exec(impl_->context(), req, resp), "XTRIM failed");
    for (const auto& r : resp) {
        std::error_code ec;
        commands::decode_count(r.root(), ec);
        const auto text = r.root().str();
        throw_if(ec,
                 text.empty() ? std::string("XTRIM failed") : "XTRIM failed: " + std::string(text));
    }
}

const StreamKey& Producer::stream() const noexcept {
    return impl_->anchor();
}
ProducerStats Producer::stats() const noexcept {
    return impl_ ? impl_->stats() : ProducerStats{};
}
asio::any_io_executor Producer::get_executor() const noexcept {
    return impl_->executor();
}

}  // namespace redstream
