#include "support/fault_proxy_link.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace redstream::test::detail {
namespace {

constexpr std::size_t read_chunk = 16 * 1024;
constexpr short closed_events = POLLRDHUP | POLLHUP | POLLERR;

bool would_block() noexcept {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

}  // namespace

ProxyLink::ProxyLink(UniqueFd client, UniqueFd server, std::size_t index)
    : client_(std::move(client)), server_(std::move(server)), index_(index) {}

bool ProxyLink::can_read(Direction d, const ProxyMode& mode) const noexcept {
    if (mode.kind == ProxyMode::Kind::stall) return false;
    if (d == Direction::downstream && server_eof_) return false;
    return pipes_[at(d)].pending() < FaultProxy::max_buffered;
}

bool ProxyLink::can_write(Direction d, const ProxyMode& mode) const noexcept {
    const auto& pipe = pipes_[at(d)];
    if (mode.kind == ProxyMode::Kind::stall || pipe.pending() == 0) return false;
    return mode.kind != ProxyMode::Kind::drip || pipe.budget > 0;
}

int ProxyLink::source(Direction d) const noexcept {
    return d == Direction::upstream ? client_.get() : server_.get();
}

int ProxyLink::sink(Direction d) const noexcept {
    return d == Direction::upstream ? server_.get() : client_.get();
}

void ProxyLink::poll_events(const Modes& modes, pollfd& client, pollfd& server) const {
    const auto& up = modes[at(Direction::upstream)];
    const auto& down = modes[at(Direction::downstream)];
    // POLLRDHUP on the client even while stalled: a client that gives up on
    // a stalled connection must be seen doing so.
    client = {client_.get(), POLLRDHUP, 0};
    if (can_read(Direction::upstream, up)) client.events |= POLLIN;
    if (can_write(Direction::downstream, down)) client.events |= POLLOUT;
    server = {server_.get(), 0, 0};
    if (can_read(Direction::downstream, down)) server.events |= POLLIN;
    if (can_write(Direction::upstream, up)) server.events |= POLLOUT;
}

void ProxyLink::on_events(const Modes& modes, short client_revents, short server_revents) {
    const auto& up = modes[at(Direction::upstream)];
    const auto& down = modes[at(Direction::downstream)];
    // Reads first, so that what arrives goes out in the same round. A close
    // seen where we may not read ends the link at once; where we may, the
    // read reports it (after the bytes that came before it).
    if (client_revents & (POLLIN | closed_events)) {
        if (can_read(Direction::upstream, up)) {
            if (!read(Direction::upstream)) return;
        } else if (client_revents & closed_events) {
            return close(Closer::client);
        }
    }
    if (server_revents & (POLLIN | POLLHUP | POLLERR)) {
        if (can_read(Direction::downstream, down)) {
            if (!read(Direction::downstream)) return;
        } else if (server_revents & (POLLHUP | POLLERR)) {
            return close(Closer::server);
        }
    }
    if (!write(Direction::upstream, up) || !write(Direction::downstream, down)) return;
    if (server_eof_ && pipes_[at(Direction::downstream)].pending() == 0) close(Closer::server);
}

bool ProxyLink::read(Direction d) {
    auto& pipe = pipes_[at(d)];
    const auto room = std::min(read_chunk, FaultProxy::max_buffered - pipe.pending());
    std::array<char, read_chunk> chunk;
    const auto n = ::recv(source(d), chunk.data(), room, 0);
    const auto from = d == Direction::upstream ? Closer::client : Closer::server;
    if (n > 0) {
        pipe.buffer.append(chunk.data(), static_cast<std::size_t>(n));
        return true;
    }
    if (n < 0 && would_block()) return true;
    if (n == 0 && from == Closer::server && pipe.pending() > 0) {
        server_eof_ = true;  // deliver what the server said before it closed
        return true;
    }
    close(from);
    return false;
}

bool ProxyLink::write(Direction d, const ProxyMode& mode) {
    if (!can_write(d, mode)) return true;
    auto& pipe = pipes_[at(d)];
    auto size = pipe.pending();
    if (mode.kind == ProxyMode::Kind::drip) size = std::min(size, pipe.budget);
    const auto n = ::send(sink(d), pipe.buffer.data() + pipe.sent, size, MSG_NOSIGNAL);
    if (n < 0) {
        if (would_block()) return true;
        close(d == Direction::upstream ? Closer::server : Closer::client);
        return false;
    }
    const auto written = static_cast<std::size_t>(n);
    pipe.sent += written;
    pipe.written += written;
    if (mode.kind == ProxyMode::Kind::drip) pipe.budget -= written;
    if (pipe.sent == pipe.buffer.size()) {
        pipe.buffer.clear();
        pipe.sent = 0;
    } else if (pipe.sent > FaultProxy::max_buffered) {
        pipe.buffer.erase(0, pipe.sent);  // keeps the buffer bounded
        pipe.sent = 0;
    }
    return true;
}

void ProxyLink::inject(Direction d, std::string_view bytes) {
    if (closer_ == Closer::none) pipes_[at(d)].buffer.append(bytes);
}

void ProxyLink::reset() noexcept {
    if (closer_ != Closer::none) return;
    close_with_reset(client_);
    close_with_reset(server_);
    closer_ = Closer::proxy;
}

std::uint64_t ProxyLink::take_written(Direction d) noexcept {
    return std::exchange(pipes_[at(d)].written, 0);
}

void ProxyLink::close(Closer who) noexcept {
    if (closer_ != Closer::none) return;
    client_.reset();
    server_.reset();
    closer_ = who;
}

}  // namespace redstream::test::detail
