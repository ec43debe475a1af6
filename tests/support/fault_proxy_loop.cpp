#include "support/fault_proxy_loop.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace redstream::test::detail {
namespace {

constexpr int listen_backlog = 128;
constexpr int target_connect_timeout_ms = 1000;
constexpr std::array<Direction, 2> directions{Direction::upstream, Direction::downstream};

std::size_t at(Direction d) {
    return static_cast<std::size_t>(d);
}

bool same_mode(const ProxyMode& a, const ProxyMode& b) {
    return a.kind == b.kind && a.drip_bytes == b.drip_bytes && a.drip_interval == b.drip_interval;
}

}  // namespace

ProxyLoop::ProxyLoop(std::uint16_t target_port)
    : target_port_(target_port),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      listener_(listen_loopback(0, listen_backlog)),
      port_(local_port(listener_.get())) {
    if (!wake_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void ProxyLoop::apply(const ProxyCommands& commands) {
    for (auto d : directions)
        set_mode(d, commands.modes[at(d)]);
    for (auto d : directions) {
        if (commands.injections[at(d)].empty()) continue;
        for (auto& link : links_)
            link.inject(d, commands.injections[at(d)]);
    }
    if (commands.reset) {
        for (auto& link : links_)
            link.reset();
        reap();
    }
    set_blackhole(commands.blackhole);
}

void ProxyLoop::set_mode(Direction d, const ProxyMode& mode) {
    if (same_mode(modes_[at(d)], mode)) return;
    modes_[at(d)] = mode;
    if (mode.kind != ProxyMode::Kind::drip) return;
    for (auto& link : links_)
        link.refill(d, mode.drip_bytes);
    next_tick_[at(d)] = Clock::now() + mode.drip_interval;
}

// The blackhole takes the listener's place on the same port, so that a
// client reconnecting to the address it knows gets no answer at all.
void ProxyLoop::set_blackhole(bool on) {
    if (on == blackhole_.has_value()) return;
    if (on) {
        accept_all();  // connects already completed are served, not reset
        listener_.reset();
        blackhole_.emplace(port_);
    } else {
        blackhole_.reset();
        listener_ = listen_loopback(port_, listen_backlog);
    }
}

void ProxyLoop::poll_once() {
    std::vector<pollfd> fds{{wake_.get(), POLLIN, 0}};
    if (listener_) fds.push_back({listener_.get(), POLLIN, 0});
    const auto first_link = fds.size();
    fds.resize(first_link + 2 * links_.size());
    for (std::size_t i = 0; i < links_.size(); ++i)
        links_[i].poll_events(modes_, fds[first_link + 2 * i], fds[first_link + 2 * i + 1]);
    if (::poll(fds.data(), fds.size(), poll_timeout_ms()) < 0) {
        if (errno == EINTR) return;
        throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (fds[0].revents != 0) {
        eventfd_t ignored;
        ::eventfd_read(wake_.get(), &ignored);
    }
    for (std::size_t i = 0; i < links_.size(); ++i)
        links_[i].on_events(modes_, fds[first_link + 2 * i].revents,
                            fds[first_link + 2 * i + 1].revents);
    tick_drips();
    reap();
    if (listener_ && fds[1].revents != 0) accept_all();
}

void ProxyLoop::accept_all() {
    for (;;) {
        UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!client) return;  // EAGAIN, or a connect the client already gave up
        const std::size_t index = counters_.closed_by.size();
        ++counters_.accepted;
        UniqueFd server = connect_loopback(target_port_, target_connect_timeout_ms);
        if (!server) {  // the server is down: the client sees a close, as from it
            counters_.closed_by.push_back(Closer::server);
            ++counters_.closed_by_server;
            continue;
        }
        set_nonblocking(server.get());
        const int on = 1;
        ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        counters_.closed_by.push_back(Closer::none);
        links_.emplace_back(std::move(client), std::move(server), index);
        for (auto d : directions)
            links_.back().refill(d, modes_[at(d)].drip_bytes);
    }
}

void ProxyLoop::tick_drips() {
    const auto now = Clock::now();
    for (auto d : directions) {
        const auto& mode = modes_[at(d)];
        if (mode.kind != ProxyMode::Kind::drip || now < next_tick_[at(d)]) continue;
        for (auto& link : links_)
            link.refill(d, mode.drip_bytes);
        next_tick_[at(d)] = now + mode.drip_interval;
    }
}

int ProxyLoop::poll_timeout_ms() const {
    int timeout = -1;  // only the wake-up or socket events end the round
    const auto now = Clock::now();
    for (auto d : directions) {
        if (modes_[at(d)].kind != ProxyMode::Kind::drip) continue;
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(next_tick_[at(d)] - now).count();
        const int ms = static_cast<int>(std::max<long long>(left, 0));
        timeout = timeout < 0 ? ms : std::min(timeout, ms);
    }
    return timeout;
}

void ProxyLoop::reap() {
    for (auto& link : links_) {
        counters_.upstream_bytes += link.take_written(Direction::upstream);
        counters_.downstream_bytes += link.take_written(Direction::downstream);
        const auto who = link.closer();
        if (who == Closer::none) continue;
        counters_.closed_by[link.index()] = who;
        if (who == Closer::client) ++counters_.closed_by_client;
        if (who == Closer::server) ++counters_.closed_by_server;
        if (who == Closer::proxy) ++counters_.closed_by_proxy;
    }
    std::erase_if(links_, [](const ProxyLink& link) { return link.closer() != Closer::none; });
}

void ProxyLoop::publish(ProxyStats& stats) const {
    stats = counters_;
    stats.live = links_.size();
}

}  // namespace redstream::test::detail
