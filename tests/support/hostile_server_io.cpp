// The scripted server's sockets, all on its own thread: accept, read
// commands, write each connection's actions in order, at their pace.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "support/hostile_server_impl.hpp"
#include "support/process.hpp"

namespace redstream::test {
namespace {

constexpr auto idle_poll = std::chrono::milliseconds(10);  // how soon a stop is noticed
constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t max_read_per_round = 16 * read_chunk;  // fairness between connections
// What a generator may write ahead of its rate at once, so that the first
// bytes go out without waiting.
constexpr std::uint64_t burst = 64 * 1024;

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

bool peer_gone(int err) {
    return err == EPIPE || err == ECONNRESET || err == ENOTCONN;
}

}  // namespace

void ScriptedServer::Impl::listen() {
    listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd < 0) throw_errno("socket");
    const int on = 1;
    ::setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    // A port found free may be taken before we bind it: try a few.
    for (int attempt = 0;; ++attempt) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        port = find_free_port();
        addr.sin_port = htons(port);
        if (::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
        if (errno != EADDRINUSE || attempt == 10) {
            ::close(listen_fd);
            throw_errno("bind 127.0.0.1");
        }
    }
    if (::listen(listen_fd, 64) != 0) {
        ::close(listen_fd);
        throw_errno("listen");
    }
}

void ScriptedServer::Impl::run() {
    while (!stopping) {
        poll_once();
        std::erase_if(connections, [](const auto& c) { return c->fd < 0; });
    }
}

void ScriptedServer::Impl::poll_once() {
    std::vector<pollfd> fds{{listen_fd, POLLIN, 0}};
    auto timeout = idle_poll;
    const auto now = Clock::now();
    for (const auto& c : connections) {
        short events = POLLIN;
        if (const auto wake = wake_time(*c)) {
            if (*wake <= now)
                events |= POLLOUT;
            else
                timeout = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*wake - now),
                                     std::chrono::milliseconds(1), timeout);
        }
        fds.push_back({c->fd, events, 0});
    }
    if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) < 0) return;
    if (fds[0].revents & POLLIN) accept_all();
    for (std::size_t i = 1; i < fds.size(); ++i) {
        auto& c = *connections[i - 1];
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_from(c);
        if (c.fd >= 0) write_to(c);  // also what fell due without POLLOUT
    }
}

void ScriptedServer::Impl::accept_all() {
    for (;;) {
        const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        c->session.id = ++sessions;
        c->session.accepted = Clock::now();
        connections.push_back(std::move(c));
        {
            const std::lock_guard lock(mutex);
            ++accepted;
            ++open;
        }
        changed.notify_all();
    }
}

void ScriptedServer::Impl::read_from(Connection& c) {
    char buf[read_chunk];
    for (std::size_t total = 0; total < max_read_per_round;) {
        const auto n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
        if (n <= 0) return close(c, true);  // end of file, reset, or another error
        total += static_cast<std::size_t>(n);
        c.reader.feed({buf, static_cast<std::size_t>(n)});
        while (auto cmd = c.reader.next())
            handle(c, *cmd);
        if (c.reader.failed()) return close(c, false);  // not RESP commands
    }
}

// When the connection's first action can make progress: nullopt when there
// is nothing to do, or it never can (silence, a generator at its limit).
std::optional<Clock::time_point> ScriptedServer::Impl::wake_time(const Connection& c) const {
    if (c.out.empty()) return std::nullopt;
    const auto& o = c.out.front();
    switch (o.action.kind) {
        case Action::Kind::silence:
            return std::nullopt;
        case Action::Kind::generate: {
            if (o.written >= o.action.limit) return std::nullopt;
            if (!o.started || o.written < burst) return o.due;
            // When the rate allows the next byte.
            const std::chrono::duration<double> wait(static_cast<double>(o.written - burst + 1) /
                                                     static_cast<double>(o.action.rate));
            return *o.started + std::chrono::duration_cast<Clock::duration>(wait);
        }
        default:
            return o.due;
    }
}

void ScriptedServer::Impl::write_to(Connection& c) {
    while (c.fd >= 0 && !c.out.empty()) {
        auto& o = c.out.front();
        if (o.due > Clock::now()) return;
        switch (o.action.kind) {
            case Action::Kind::reply:
                if (!write_reply(c, o)) return;
                c.out.pop_front();
                break;
            case Action::Kind::generate:
                write_generated(c, o);
                return;  // done only at its limit, and then silent for ever
            case Action::Kind::silence:
                return;
            case Action::Kind::close:
            case Action::Kind::reset:
                return close(c, false, o.action.kind == Action::Kind::reset);
        }
    }
}

// True once all of the reply is written.
bool ScriptedServer::Impl::write_reply(Connection& c, Outgoing& o) {
    const auto& bytes = o.action.bytes;
    while (c.fd >= 0 && o.written < bytes.size()) {
        if (!send_some(c, bytes.data() + o.written, bytes.size() - o.written, o.written))
            return false;
    }
    return c.fd >= 0;
}

// Writes what the rate allows by now: the header, then the unit over and over.
bool ScriptedServer::Impl::write_generated(Connection& c, Outgoing& o) {
    const auto now = Clock::now();
    if (!o.started) o.started = now;
    const auto elapsed = std::chrono::duration<double>(now - *o.started).count();
    const auto allowed = std::min<std::uint64_t>(
        o.action.limit, burst + static_cast<std::uint64_t>(elapsed * o.action.rate));
    const auto& header = o.action.bytes;
    const auto unit = o.action.unit.size();
    while (c.fd >= 0 && o.written < allowed) {
        const char* data = nullptr;
        std::size_t size = 0;
        if (o.written < header.size()) {
            data = header.data() + o.written;
            size = header.size() - o.written;
        } else {
            const auto offset = (o.written - header.size()) % unit;
            data = o.pattern.data() + offset;
            size = o.pattern.size() - offset;
        }
        size = std::min<std::uint64_t>(size, allowed - o.written);
        if (!send_some(c, data, size, o.written)) return false;
    }
    return o.written >= o.action.limit;
}

// One send(); false when the socket is full or gone (then it is closed).
bool ScriptedServer::Impl::send_some(Connection& c, const char* data, std::size_t size,
                                     std::uint64_t& written) {
    const auto n = ::send(c.fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
        if (peer_gone(errno)) close(c, true);
        return false;
    }
    written += static_cast<std::uint64_t>(n);
    {
        const std::lock_guard lock(mutex);
        bytes_written += static_cast<std::uint64_t>(n);
    }
    changed.notify_all();
    return true;
}

void ScriptedServer::Impl::close(Connection& c, bool by_client, bool reset) {
    if (c.fd < 0) return;
    if (reset) {
        const linger abort{1, 0};  // close() then sends RST
        ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    }
    {
        // Counted first: a client that sees the end of the stream sees it counted.
        const std::lock_guard lock(mutex);
        --open;
        if (by_client) ++closed_by_client;
    }
    ::close(c.fd);
    c.fd = -1;
    c.out.clear();
    changed.notify_all();
}

void ScriptedServer::Impl::close_all() {
    for (auto& c : connections)
        close(*c, false);
    connections.clear();
    if (listen_fd >= 0) ::close(listen_fd);
    listen_fd = -1;
}

}  // namespace redstream::test
