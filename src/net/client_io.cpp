// Steady state of a connection: requests in, coalesced writes out, replies
// matched in order, deadlines, health checks.
#include <redstream/core/error.hpp>

#include "client_impl.hpp"

namespace redstream::net::detail {
namespace {
constexpr std::size_t read_size = 64 * 1024;
}  // namespace

void ClientImpl::exec(const resp::Request& req, Response* resp, ExecOptions opts, Completion done,
                      asio::cancellation_slot slot, std::shared_ptr<const void> owner,
                      ReplySink sink) {
    const auto id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
    const auto timeout = opts.timeout.count() > 0 ? opts.timeout : config_.request_timeout;
    const auto deadline =
        timeout.count() > 0 ? Pipeline::Clock::now() + timeout : Pipeline::no_deadline;
    if (slot.is_connected()) {
        // Installed here, on the initiating thread, as Asio requires; the
        // cancellation itself runs on the strand.
        slot.assign([weak = weak_from_this(), id](asio::cancellation_type) {
            if (auto self = weak.lock())
                asio::post(self->strand_, [self, id] { self->cancel(id); });
        });
    }
    const Pipeline::Clock::duration quiet = opts.blocking;
    asio::dispatch(strand_, [self = shared_from_this(), &req, resp, done = std::move(done), slot,
                             id, deadline, quiet, owner = std::move(owner), sink]() mutable {
        if (self->state_ == State::closed) return done(make_error_code(errc::shutting_down));
        // A cluster node would answer CROSSSLOT; refused here, it costs no
        // round trip and cannot half-run a batch.
        if (self->config_.cluster == ClusterMode::yes && req.cross_slot())
            return done(make_error_code(errc::crossslot));
        const bool down = self->state_ != State::ready;
        if (down && (req.config().fail_if_not_connected || self->state_ == State::idle))
            return done(make_error_code(errc::not_connected));
        const bool pushed = self->pipeline_.push(
            {id, &req, resp, std::move(done), slot, deadline, quiet, std::move(owner), sink});
        self->note_pending();
        if (!pushed) return;
        if (deadline != Pipeline::no_deadline) self->arm_deadline(deadline);
        self->maybe_write();
    });
}

// A written request that is cancelled or times out leaves a reply on the
// wire that nobody wants, perhaps an endless one: drop the connection rather
// than keep reading it, and reconnect.
void ClientImpl::cancel(std::uint64_t id) {
    const bool written = pipeline_.cancel(id, make_error_code(errc::cancelled));
    note_pending();
    if (written)
        on_failure(make_error_code(errc::cancelled), generation_,
                   "a request was cancelled after it was written; connection dropped");
}

void ClientImpl::set_push_handler(std::function<void(resp::Reply)> handler) {
    asio::dispatch(strand_, [self = shared_from_this(), h = std::move(handler)]() mutable {
        self->push_handler_ = std::move(h);
    });
}

void ClientImpl::read_loop(SocketPtr t, std::uint64_t gen) {
    auto space = reader_.prepare(read_size);
    t->async_read_some(
        asio::buffer(space.data(), space.size()),
        on_strand([self = shared_from_this(), t, gen](std::error_code ec, std::size_t n) {
            if (gen != self->generation_) return;
            if (ec)
                return self->on_failure(make_error_code(errc::connection_lost), gen,
                                        "read failed: " + ec.message());
            self->last_received_ = Pipeline::Clock::now();
            self->bytes_in_.fetch_add(n, std::memory_order_relaxed);
            if (self->on_bytes(n, gen)) self->read_loop(t, gen);
        }));
}

// Returns false when the connection was dropped while handling the bytes.
bool ClientImpl::on_bytes(std::size_t n, std::uint64_t gen) {
    reader_.commit(n);
    resp::Reply reply;
    std::error_code ec;
    while (reader_.next(reply, ec)) {
        dispatch_reply(std::move(reply), gen);
        if (gen != generation_) return false;
    }
    if (ec) {
        on_failure(ec, gen, "malformed reply from the server: " + ec.message());
        return false;
    }
    return true;
}

void ClientImpl::dispatch_reply(resp::Reply&& reply, std::uint64_t gen) {
    if (!reply.empty() && reply.root().type() == resp::Type::push) {
        if (push_handler_)
            push_handler_(std::move(reply));
        else
            ++dropped_pushes_;
        return;
    }
    if (state_ == State::handshaking) return on_handshake_reply(reply);
    const bool expected = pipeline_.on_reply(std::move(reply));
    note_pending();
    if (!expected)
        on_failure(make_error_code(errc::protocol_error), gen, "reply without a request");
}

// The handshake's own write (no pipeline yet).
void ClientImpl::write_raw(std::string_view bytes, std::uint64_t gen) {
    writing_ = true;
    socket_->async_write(
        asio::buffer(bytes.data(), bytes.size()),
        on_strand([self = shared_from_this(), t = socket_, gen](std::error_code ec, std::size_t n) {
            self->bytes_out_.fetch_add(n, std::memory_order_relaxed);
            self->on_written(ec, gen);
        }));
}

// Shared requests (a producer's batch) go out in place, as pieces of one
// gathered write; their owners are held by the handler until it completes,
// since a request may complete (a timeout, a lost connection) while its
// bytes are still being written.
void ClientImpl::write_batch(std::uint64_t gen) {
    writing_ = true;
    write_buffers_.clear();
    write_batch_.for_each_piece(
        [this](std::string_view p) { write_buffers_.emplace_back(p.data(), p.size()); });
    socket_->async_write(
        std::span<const asio::const_buffer>(write_buffers_),
        on_strand([self = shared_from_this(), t = socket_, gen,
                   owners = write_batch_.take_owners()](std::error_code ec, std::size_t n) {
            self->bytes_out_.fetch_add(n, std::memory_order_relaxed);
            self->on_written(ec, gen);
        }));
}

void ClientImpl::on_written(std::error_code ec, std::uint64_t gen) {
    if (gen != generation_) return;
    writing_ = false;
    if (ec)
        return on_failure(make_error_code(errc::connection_lost), gen,
                          "write failed: " + ec.message());
    maybe_write();
}

// Everything queued while the previous write was in flight goes out in one
// write: automatic pipelining.
void ClientImpl::maybe_write() {
    if (state_ != State::ready || writing_ || !pipeline_.has_unwritten()) return;
    write_batch_.clear();
    pipeline_.prepare_write(write_batch_);
    write_batch(generation_);
}

void ClientImpl::arm_deadline(Pipeline::Clock::time_point deadline) {
    if (deadline >= armed_deadline_) return;
    armed_deadline_ = deadline;
    deadline_timer_.expires_at(deadline);
    deadline_timer_.async_wait(on_strand([self = shared_from_this(), deadline](std::error_code ec) {
        if (ec || deadline != self->armed_deadline_) return;
        self->armed_deadline_ = Pipeline::no_deadline;
        self->on_deadline();
    }));
}

void ClientImpl::on_deadline() {
    const auto expired = pipeline_.expire(Pipeline::Clock::now());
    note_pending();
    if (expired.next != Pipeline::no_deadline) arm_deadline(expired.next);
    if (expired.written && state_ == State::ready)
        on_failure(make_error_code(errc::timeout), generation_,
                   "a request timed out after it was written; connection dropped");
}

// Runs every half interval, so a stall is caught within 1.5 intervals of the
// last byte. Busy: a connection that owes a reply and has sent nothing for an
// interval is dead (a half-open TCP connection, a proxy that stopped
// forwarding), whatever the requests' own deadlines. Idle: a PING after an
// interval of silence proves it still works; it must answer within an interval.
// A PING is never queued behind other requests: behind a blocking read it
// would give a false alarm.
void ClientImpl::health_tick(std::uint64_t gen) {
    if (gen != generation_ || state_ != State::ready) return;
    const auto now = Pipeline::Clock::now();
    const auto interval = config_.health_check_interval;
    if (stalled(now))
        return on_failure(make_error_code(errc::timeout), gen,
                          "nothing received for " + std::to_string(interval.count()) +
                              " ms while a reply was due; connection dropped");
    if (pipeline_.size() == 0 && !ping_outstanding_ && now - last_received_ >= interval)
        send_ping();
    health_timer_.expires_after(
        std::max<std::chrono::milliseconds>(interval / 2, std::chrono::milliseconds(1)));
    health_timer_.async_wait(on_strand([self = shared_from_this(), gen](std::error_code ec) {
        if (!ec) self->health_tick(gen);
    }));
}

bool ClientImpl::stalled(Pipeline::Clock::time_point now) const {
    const auto due = pipeline_.reply_due();
    if (!due) return false;
    return now - std::max(*due, last_received_) >= config_.health_check_interval;
}

void ClientImpl::send_ping() {
    ping_outstanding_ = true;
    const auto gen = generation_;
    auto done = [self = shared_from_this(), gen](std::error_code ec) {
        if (gen != self->generation_) return;
        self->ping_outstanding_ = false;
        if (ec == errc::timeout)
            self->on_failure(make_error_code(errc::timeout), gen, "health check PING timed out");
    };
    const auto deadline = Pipeline::Clock::now() + config_.health_check_interval;
    pipeline_.push({next_request_id_.fetch_add(1, std::memory_order_relaxed),
                    &ping_request_,
                    &ping_response_,
                    Completion(on_strand(std::move(done)), ex_),
                    {},
                    deadline});
    note_pending();
    arm_deadline(deadline);
    maybe_write();
}

}  // namespace redstream::net::detail
