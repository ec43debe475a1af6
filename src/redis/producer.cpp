#include <redstream/redis/producer.hpp>

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
      client_(ctx_->shared_client),
      strand_(asio::make_strand(ctx_->executor)),
      anchor_(std::move(anchor)),
      options_(std::move(options)),
      payload_field_(ctx_->options.payload_field),
      waiting_timer_(strand_) {
    if (options_.shards == 0) options_.shards = 1;
    if (options_.max_batch == 0) options_.max_batch = 1;
    if (options_.delivery_timeout.count() <= 0)
        throw Error(make_error_code(errc::invalid_argument),
                    "ProducerOptions::delivery_timeout must be > 0: a send must not wait forever");
}

bool ProducerImpl::try_reserve(std::size_t bytes) noexcept {
    // Count first, then bytes; undo the count if the bytes do not fit. One
    // message is always admitted when nothing is unconfirmed, however large.
    const auto n = unconfirmed_.fetch_add(1, std::memory_order_acq_rel);
    if (n >= options_.max_unconfirmed) {
        unconfirmed_.fetch_sub(1, std::memory_order_acq_rel);
        return false;
    }
    const auto b = unconfirmed_bytes_.fetch_add(bytes, std::memory_order_acq_rel);
    if (b != 0 && b + bytes > options_.max_unconfirmed_bytes) {
        unconfirmed_bytes_.fetch_sub(bytes, std::memory_order_acq_rel);
        unconfirmed_.fetch_sub(1, std::memory_order_acq_rel);
        return false;
    }
    return true;
}

void ProducerImpl::release(std::size_t count, std::size_t bytes) noexcept {
    unconfirmed_bytes_.fetch_sub(bytes, std::memory_order_acq_rel);
    unconfirmed_.fetch_sub(count, std::memory_order_acq_rel);
    unconfirmed_.notify_all();
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
    while (!try_reserve(bytes)) {
        if (!can_block) return make_error_code(errc::queue_full);
        if (closed()) return make_error_code(errc::shutting_down);
        // Every release changes the count and notifies: wait for one.
        const auto seen = unconfirmed_.load(std::memory_order_acquire);
        if (seen != 0) unconfirmed_.wait(seen, std::memory_order_acquire);
    }
    return {};
}

std::size_t ProducerImpl::held_bytes(const StreamKey& stream, std::string_view payload,
                                     const SendOptions& opts) const noexcept {
    // The serialized XADD, near enough: headers are a few bytes per argument.
    constexpr std::size_t per_argument = 16;
    std::size_t n =
        stream.name().size() + payload_field_.size() + payload.size() + 8 * per_argument;
    for (const auto& [name, value] : opts.fields)
        n += name.size() + value.size() + 2 * per_argument;
    return n;
}

void ProducerImpl::build(const StreamKey& stream, std::string_view payload, const SendOptions& opts,
                         OutgoingSend& out) const {
    const std::uint64_t shard =
        options_.shards > 1 ? options_.sharder(stream, opts.key, options_.shards) : 0;
    out.stream = stream;
    out.shard = ShardId{shard};
    out.bytes = held_bytes(stream, payload, opts);
    out.deadline = OutgoingSend::Clock::now() + options_.delivery_timeout;
    out.state = std::make_shared<SendState>(ctx_);

    // Unsharded streams (the common case) need no key string of their own.
    const std::string sharded =
        options_.shards > 1 ? shard_key(stream, out.shard, options_.shards) : std::string();
    const std::string_view key = options_.shards > 1 ? std::string_view(sharded) : stream.name();
    const commands::XAddOptions xopts{.id = opts.id, .nomkstream = false, .trim = options_.trim};
    if (opts.fields.empty()) {
        const Field only[] = {{payload_field_, payload}};
        commands::xadd(out.xadd, key, only, xopts);
        return;
    }
    std::vector<Field> all;
    all.reserve(opts.fields.size() + 1);
    all.emplace_back(payload_field_, payload);
    all.insert(all.end(), opts.fields.begin(), opts.fields.end());
    commands::xadd(out.xadd, key, all, xopts);
}

void ProducerImpl::submit(std::unique_ptr<OutgoingSend> send) {
    if (submissions_.push(send.release()) && !awake_.exchange(true, std::memory_order_acq_rel))
        asio::post(strand_, [self = shared_from_this()] { self->drain(); });
    // Closed while we pushed: the strand's last drain may have run already
    // (and its threads may be gone), so nothing else would fail this send.
    if (closed()) fail_submitted(make_error_code(errc::shutting_down));
}

void ProducerImpl::fail_submitted(std::error_code ec) {
    for (OutgoingSend* s = submissions_.take_all(); s;) {
        std::unique_ptr<OutgoingSend> owned(std::exchange(s, s->next));
        release(1, owned->bytes);
        owned->state->complete(ec, {});
    }
}

void ProducerImpl::drain() {
    for (;;) {
        for (OutgoingSend* s = submissions_.take_all(); s;) {
            std::unique_ptr<OutgoingSend> owned(std::exchange(s, s->next));
            enqueue(std::move(*owned));
        }
        ship();
        if (in_flight_ >= max_batches_in_flight) return;  // a completion drains next
        // Going to sleep: from here a sender that finds the stack empty posts.
        // One that pushed before this store saw awake_ set and did not, so
        // look again; if a sender set awake_ meanwhile, its post drains.
        awake_.store(false, std::memory_order_seq_cst);
        if (submissions_.empty() || awake_.exchange(true, std::memory_order_acq_rel)) return;
    }
}

void ProducerImpl::submit_when_room(std::unique_ptr<OutgoingSend> send) {
    asio::dispatch(strand_, [self = shared_from_this(), s = std::move(*send)]() mutable {
        self->drain();  // sends admitted earlier go first
        // The waiting sends are bounded too: as many as may be unconfirmed.
        if (self->closed() || self->waiting_.size() >= self->options_.max_unconfirmed) {
            s.state->complete(
                make_error_code(self->closed() ? errc::shutting_down : errc::queue_full), {});
            return;
        }
        self->waiting_.push_back(std::move(s));
        self->admit_waiting();
        self->ship();
        if (self->waiting_.size() == 1) self->expire_waiting();  // arms the timer
    });
}

void ProducerImpl::admit_waiting() {
    while (!waiting_.empty() && try_reserve(waiting_.front().bytes)) {
        enqueue(std::move(waiting_.front()));
        waiting_.pop_front();
    }
}

// Sends waiting for room fail at their delivery deadline like any other;
// they wait in send order, so the front one is always due first.
void ProducerImpl::expire_waiting() {
    const auto now = OutgoingSend::Clock::now();
    while (!waiting_.empty() && waiting_.front().deadline <= now) {
        waiting_.front().state->complete(make_error_code(errc::timeout), {});
        waiting_.pop_front();
        ++accepted_;  // counted by flushes as handed over, and finished
        ++finished_;
    }
    complete_flushes();
    if (waiting_.empty()) return;
    waiting_timer_.expires_at(waiting_.front().deadline);
    waiting_timer_.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
            if (!ec) self->expire_waiting();
        }));
}

void ProducerImpl::fail_waiting(std::error_code ec) {
    waiting_timer_.cancel();
    for (auto& s : waiting_) {
        s.state->complete(ec, {});
        ++accepted_;
        ++finished_;
    }
    waiting_.clear();
    complete_flushes();
}

void ProducerImpl::enqueue(OutgoingSend&& send) {
    ++accepted_;
    if (ready_.empty() || ready_.back()->sends.size() >= options_.max_batch)
        ready_.push_back(std::make_shared<Batch>());
    Batch& b = *ready_.back();
    b.deadline = std::min(b.deadline, send.deadline);
    b.request.append(send.xadd);
    // Only the batch holds the bytes from here: what max_unconfirmed_bytes
    // counts is what is held, not twice that.
    send.xadd = resp::Request();
    b.sends.push_back(std::move(send));
}

// Keeps up to max_batches_in_flight batches on the wire; everything that
// arrives meanwhile gathers in the next batch.
// Each batch carries the deadline of its oldest send: the client fails it
// with timeout then, whether it is still queued for a reconnect or written
// and unanswered (which also drops that connection).
void ProducerImpl::ship() {
    while (in_flight_ < max_batches_in_flight && !ready_.empty()) {
        auto batch = std::move(ready_.front());
        ready_.pop_front();
        ++in_flight_;
        auto done =
            asio::bind_executor(strand_, [self = shared_from_this(), batch](std::error_code ec) {
                self->on_batch_done(batch, ec);
            });
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(batch->deadline -
                                                                       OutgoingSend::Clock::now());
        if (left.count() <= 0) {
            // Never sent, so surely not stored. Posted: on_batch_done ships.
            asio::post(strand_, [done = std::move(done)]() mutable {
                done(make_error_code(errc::timeout));
            });
            continue;
        }
        client_->async_exec(batch->request, batch->response, ExecOptions{.timeout = left},
                            std::move(done));
    }
}

void ProducerImpl::on_batch_done(std::shared_ptr<Batch> batch, std::error_code ec) {
    --in_flight_;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < batch->sends.size(); ++i) {
        auto& s = batch->sends[i];
        bytes += s.bytes;
        std::error_code send_ec = ec;
        std::optional<MessageId> id;
        if (!send_ec) id = commands::decode_xadd(batch->response[i].root(), send_ec);
        if (!send_ec && !id) send_ec = make_error_code(errc::unexpected_reply);
        if (send_ec)
            s.state->complete(send_ec, {});
        else
            s.state->complete({}, Receipt{s.stream, s.shard, *id, timestamp_of(*id)});
    }
    finished_ += batch->sends.size();
    release(batch->sends.size(), bytes);
    admit_waiting();
    complete_flushes();
    drain();  // what senders pushed meanwhile goes out now
}

void ProducerImpl::flush(BasicCompletion<std::error_code> done) {
    asio::dispatch(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->drain();  // sends submitted before the flush may still be on the stack
        // Sends still waiting for room count too: flush covers everything before it.
        self->flushes_.emplace_back(self->accepted_ + self->waiting_.size(), std::move(done));
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
    if (closed_.exchange(true, std::memory_order_seq_cst)) return;
    asio::post(strand_, [self = shared_from_this()] {
        self->fail_submitted(make_error_code(errc::shutting_down));
        self->fail_waiting(make_error_code(errc::shutting_down));
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
    std::error_code ec;
    if (impl_->accepts(stream, ec))
        ec = impl_->admit(impl_->held_bytes(stream, payload, options), true);
    if (ec) {
        auto failed = std::make_shared<detail::SendState>(impl_->context_ptr());
        failed->complete(ec, {});
        return SendFuture(std::move(failed));
    }
    auto out = std::make_unique<detail::OutgoingSend>();
    impl_->build(stream, payload, options, *out);
    SendFuture future(out->state);
    impl_->submit(std::move(out));
    return future;
}

void Producer::start_send(const StreamKey& stream, std::string_view payload,
                          const SendOptions& options,
                          detail::BasicCompletion<std::error_code, Receipt> done) {
    std::error_code ec;
    if (!impl_->accepts(stream, ec)) return done(ec, Receipt{});
    auto out = std::make_unique<detail::OutgoingSend>();
    impl_->build(stream, payload, options, *out);
    out->state->set_continuation(std::move(done));
    if (!impl_->admit(out->bytes, false))
        impl_->submit(std::move(out));
    else
        impl_->submit_when_room(std::move(out));  // waits without blocking a thread
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
    Response resp;
    throw_if(detail::wait_exec(impl_->context(), *impl_->client(), req, resp), "XTRIM failed");
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
asio::any_io_executor Producer::get_executor() const noexcept {
    return impl_->executor();
}

}  // namespace redstream
