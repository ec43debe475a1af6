// Steady state of a connection: requests in, coalesced writes out, replies
// matched in order, deadlines, health checks.
#include <redstream/core/error.hpp>

#include "client_impl.hpp"

namespace redstream::detail {
namespace {
constexpr std::size_t read_size = 64 * 1024;
}  // namespace

void ClientImpl::exec(const resp::Request& req, Response& resp, ExecOptions opts, Completion done,
                      asio::cancellation_slot slot) {
    const auto id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
    const auto timeout = opts.timeout.count() > 0 ? opts.timeout : config_.request_timeout;
    const auto deadline =
        timeout.count() > 0 ? Pipeline::Clock::now() + timeout : Pipeline::no_deadline;
    if (slot.is_connected()) {
        // Installed here, on the initiating thread, as Asio requires; the
        // cancellation itself runs on the strand.
        slot.assign([weak = weak_from_this(), id](asio::cancellation_type) {
            if (auto self = weak.lock())
                asio::post(self->strand_, [self, id] {
                    self->pipeline_.cancel(id, make_error_code(errc::cancelled));
                });
        });
    }
    asio::dispatch(strand_, [self = shared_from_this(), &req, &resp, done = std::move(done), slot,
                             id, deadline]() mutable {
        if (self->state_ == State::closed) return done(make_error_code(errc::shutting_down));
        const bool down = self->state_ != State::ready;
        if (down && (req.config().fail_if_not_connected || self->state_ == State::idle))
            return done(make_error_code(errc::not_connected));
        if (!self->pipeline_.push({id, &req, &resp, std::move(done), slot, deadline})) return;
        if (deadline != Pipeline::no_deadline) self->arm_deadline(deadline);
        self->maybe_write();
    });
}

void ClientImpl::set_push_handler(std::function<void(resp::Reply)> handler) {
    asio::dispatch(strand_, [self = shared_from_this(), h = std::move(handler)]() mutable {
        self->push_handler_ = std::move(h);
    });
}

void ClientImpl::read_loop(StreamPtr t, std::uint64_t gen) {
    auto space = reader_.prepare(read_size);
    t->async_read_some(
        asio::buffer(space.data(), space.size()),
        on_strand([self = shared_from_this(), t, gen](std::error_code ec, std::size_t n) {
            if (gen != self->generation_) return;
            if (ec)
                return self->on_failure(make_error_code(errc::connection_lost), gen,
                                        "read failed: " + ec.message());
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
    if (!pipeline_.on_reply(std::move(reply)))
        on_failure(make_error_code(errc::protocol_error), gen, "reply without a request");
}

void ClientImpl::write_raw(std::string_view bytes, std::uint64_t gen) {
    writing_ = true;
    transport_->async_write(asio::buffer(bytes.data(), bytes.size()),
                            on_strand([self = shared_from_this(), t = transport_, gen](
                                          std::error_code ec, std::size_t) {
                                if (gen != self->generation_) return;
                                self->writing_ = false;
                                if (ec)
                                    return self->on_failure(make_error_code(errc::connection_lost),
                                                            gen, "write failed: " + ec.message());
                                self->maybe_write();
                            }));
}

// Everything queued while the previous write was in flight goes out in one
// write: automatic pipelining.
void ClientImpl::maybe_write() {
    if (state_ != State::ready || writing_ || !pipeline_.has_unwritten()) return;
    write_buffer_.clear();
    pipeline_.prepare_write(write_buffer_);
    write_raw(write_buffer_, generation_);
}

void ClientImpl::arm_deadline(Pipeline::Clock::time_point deadline) {
    if (deadline >= armed_deadline_) return;
    armed_deadline_ = deadline;
    deadline_timer_.expires_at(deadline);
    deadline_timer_.async_wait(on_strand([self = shared_from_this(), deadline](std::error_code ec) {
        if (ec || deadline != self->armed_deadline_) return;
        self->armed_deadline_ = Pipeline::no_deadline;
        const auto next = self->pipeline_.expire(Pipeline::Clock::now());
        if (next != Pipeline::no_deadline) self->arm_deadline(next);
    }));
}

// While idle, a PING proves the connection still works; if it does not come
// back within one interval the connection is dropped and re-established.
// Busy connections are not pinged: their requests have deadlines of their own,
// and a PING queued behind a blocking read would give a false alarm.
void ClientImpl::health_tick(std::uint64_t gen) {
    if (gen != generation_ || state_ != State::ready) return;
    if (pipeline_.size() == 0 && !ping_outstanding_) send_ping();
    health_timer_.expires_after(config_.health_check_interval);
    health_timer_.async_wait(on_strand([self = shared_from_this(), gen](std::error_code ec) {
        if (!ec) self->health_tick(gen);
    }));
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
    arm_deadline(deadline);
    maybe_write();
}

}  // namespace redstream::detail
