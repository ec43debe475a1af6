// The scripted server's public side: scripts in, observations out. The
// sockets are in hostile_server_io.cpp.
#include <cctype>

#include "support/hostile_server_impl.hpp"

namespace redstream::test {
namespace {

constexpr std::size_t max_log = 1024;
// Actions queued on one connection at most: beyond it (a client that keeps
// sending to a connection that went silent) commands are counted, not queued.
constexpr std::size_t max_queued = 64 * 1024;

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

ScriptedServer::ScriptedServer() : impl_(std::make_unique<Impl>()) {
    impl_->listen();
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

ScriptedServer::~ScriptedServer() {
    impl_->stopping = true;
    if (impl_->thread.joinable()) impl_->thread.join();
    impl_->close_all();
}

std::uint16_t ScriptedServer::port() const noexcept {
    return impl_->port;
}

std::string ScriptedServer::url() const {
    return "redis://127.0.0.1:" + std::to_string(port());
}

net::ConnectionConfig ScriptedServer::config(int protocol) const {
    net::ConnectionConfig cfg;
    cfg.nodes = {{"127.0.0.1", port()}};
    cfg.protocol = protocol;
    return cfg;
}

void ScriptedServer::on(std::string_view name, Handler handler) {
    const std::lock_guard lock(impl_->mutex);
    impl_->handlers[upper(name)] = std::move(handler);
}

void ScriptedServer::on(std::string_view name, Action action) {
    on(name, [action](const Command&, const Session&) { return std::optional(action); });
}

std::uint64_t ScriptedServer::count(std::string_view name) const {
    const std::lock_guard lock(impl_->mutex);
    if (name == "*") return impl_->commands;
    const auto it = impl_->counts.find(upper(name));
    return it == impl_->counts.end() ? 0 : it->second;
}

std::vector<std::string> ScriptedServer::received() const {
    const std::lock_guard lock(impl_->mutex);
    return {impl_->log.begin(), impl_->log.end()};
}

std::uint64_t ScriptedServer::bytes_written() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->bytes_written;
}

std::uint64_t ScriptedServer::accepted() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->accepted;
}

std::uint64_t ScriptedServer::closed_by_client() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->closed_by_client;
}

std::uint64_t ScriptedServer::open_connections() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->open;
}

bool ScriptedServer::wait_for_count(std::string_view name, std::uint64_t n,
                                    Duration timeout) const {
    const auto key = upper(name);
    return impl_->wait(timeout, [&] {
        if (key == "*") return impl_->commands >= n;
        const auto it = impl_->counts.find(key);
        return it != impl_->counts.end() && it->second >= n;
    });
}

bool ScriptedServer::wait_for_bytes_written(std::uint64_t n, Duration timeout) const {
    return impl_->wait(timeout, [&] { return impl_->bytes_written >= n; });
}

bool ScriptedServer::wait_for_accepted(std::uint64_t n, Duration timeout) const {
    return impl_->wait(timeout, [&] { return impl_->accepted >= n; });
}

bool ScriptedServer::wait_for_closed_by_client(std::uint64_t n, Duration timeout) const {
    return impl_->wait(timeout, [&] { return impl_->closed_by_client >= n; });
}

// Records the command, picks its action ("*" handler, then the one for its
// name, then Redis's answer) and queues it on the connection.
void ScriptedServer::Impl::handle(Connection& c, const Command& cmd) {
    const auto name = cmd.name();
    {
        const std::lock_guard lock(mutex);
        ++counts[name];
        c.session.serial = ++commands;
        log.push_back(name);
        if (log.size() > max_log) log.pop_front();
    }
    changed.notify_all();
    if (c.out.size() >= max_queued) return;
    Outgoing o{choose(cmd, c.session), Clock::now()};
    o.due += o.action.delay;
    if (name == "HELLO" && o.action.kind == Action::Kind::reply && !o.action.bytes.empty()) {
        if (o.action.bytes[0] == '%') c.session.protocol = 3;
        if (o.action.bytes[0] == '*') c.session.protocol = 2;
    }
    if (o.action.kind == Action::Kind::generate) {
        while (o.pattern.size() < 64 * 1024)
            o.pattern += o.action.unit;
    }
    c.out.push_back(std::move(o));
}

// Handlers are copied out of the lock, so that a handler may call back into
// the server (count(), on(), ...) without deadlocking.
Action ScriptedServer::Impl::choose(const Command& cmd, const Session& session) {
    Handler any;
    Handler named;
    {
        const std::lock_guard lock(mutex);
        if (auto it = handlers.find("*"); it != handlers.end()) any = it->second;
        if (auto it = handlers.find(cmd.name()); it != handlers.end()) named = it->second;
    }
    if (any)
        if (auto action = any(cmd, session)) return std::move(*action);
    if (named)
        if (auto action = named(cmd, session)) return std::move(*action);
    return redis_default(cmd, session);
}

}  // namespace redstream::test
