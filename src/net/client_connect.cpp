// Connection lifecycle: resolve, connect, TLS, handshake, and reconnecting
// with backoff after a loss.
#include <array>

#include <asio/connect.hpp>
#include <asio/ip/address.hpp>

#include <redstream/core/detail/log.hpp>
#include <redstream/core/error.hpp>

#include "client_impl.hpp"

namespace redstream::net::detail {
namespace {

std::string endpoint_text(const HostPort& hp) {
    const bool v6 = hp.host.find(':') != std::string::npos;
    return (v6 ? "[" + hp.host + "]" : hp.host) + ":" + std::to_string(hp.port);
}

}  // namespace

ClientImpl::ClientImpl(asio::any_io_executor ex, ConnectionConfig config)
    : ex_(ex),
      strand_(asio::make_strand(ex)),
      config_(std::move(config)),
      reader_(config_.reader_limits),
      pipeline_(config_.max_write_batch, config_.max_pending_requests),
      backoff_(config_.reconnect, reinterpret_cast<std::uintptr_t>(this)),
      connect_timer_(strand_),
      reconnect_timer_(strand_),
      deadline_timer_(strand_),
      health_timer_(strand_),
      handshake_timer_(strand_) {
    handshake_params_ = {config_.protocol, config_.username,    config_.password,
                         config_.db,       config_.client_name, config_.readonly};
    ping_request_.push("PING");
}

std::string ClientImpl::last_error() const {
    std::lock_guard lock(last_error_mutex_);
    return last_error_;
}

void ClientImpl::set_last_error(std::string text) {
    std::lock_guard lock(last_error_mutex_);
    last_error_ = std::move(text);
}

void ClientImpl::connect(Completion done, asio::cancellation_slot slot) {
    if (slot.is_connected()) {
        slot.assign([weak = weak_from_this()](asio::cancellation_type) {
            if (auto self = weak.lock())
                asio::post(self->strand_, [self] {
                    if (self->connect_done_) {
                        self->on_failure(make_error_code(errc::cancelled), self->generation_);
                    }
                });
        });
    }
    asio::dispatch(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        if (self->state_ == State::closed) return done(make_error_code(errc::shutting_down));
        if (self->state_ == State::ready) return done(std::error_code{});
        if (self->connect_done_) return done(make_error_code(errc::invalid_argument));
        self->connect_done_ = std::move(done);
        if (self->state_ == State::idle) self->start_attempt();
    });
}

void ClientImpl::finish_connect(std::error_code ec) {
    if (connect_done_) connect_done_(ec);
}

void ClientImpl::start_attempt() {
    state_ = State::connecting;
    const auto gen = ++generation_;
    connect_errors_.clear();
    if (config_.transport == Transport::tls && !tls_context_) {
        const auto factory = tls_factory();
        if (!factory)
            return on_failure(make_error_code(errc::invalid_argument), gen, tls_not_linked_message);
        std::error_code ec;
        tls_context_ = factory(config_.tls, ec);
        if (ec) return on_failure(ec, gen, "could not load the TLS certificates or keys");
    }
    connect_timer_.expires_after(config_.connect_timeout);
    connect_timer_.async_wait(on_strand([self = shared_from_this(), gen](std::error_code ec) {
        if (!ec && gen == self->generation_) self->on_connect_timeout();
    }));
    socket_ = std::make_shared<Socket>(strand_, config_.transport, tls_context_.get());
    if (config_.transport == Transport::unix_socket)
        connect_unix();
    else
        resolve_and_connect(0);
}

void ClientImpl::on_connect_timeout() {
    if (state_ != State::connecting && state_ != State::handshaking) return;
    const auto ms = std::to_string(config_.connect_timeout.count()) + " ms";
    if (handshake_ && handshake_->loading())
        return on_failure(make_error_code(errc::loading), generation_,
                          "the server was still loading its data after " + ms);
    std::string why = "connect timed out after " + ms;
    if (!connect_errors_.empty()) why += " (" + connect_errors_ + ")";
    on_failure(make_error_code(errc::timeout), generation_, std::move(why));
}

void ClientImpl::connect_unix() {
    const auto gen = generation_;
    socket_->unix_socket()->async_connect(
        asio::local::stream_protocol::endpoint(config_.socket_path),
        on_strand([self = shared_from_this(), t = socket_, gen](std::error_code ec) {
            if (gen != self->generation_) return;
            if (ec)
                return self->on_failure(make_error_code(errc::connect_failed), gen,
                                        "cannot connect to unix socket " +
                                            self->config_.socket_path + ": " + ec.message());
            self->on_socket_connected(0);
        }));
}

// Tries the configured nodes in order until one accepts the connection; the
// error names every node tried and why it failed. A numeric address is
// connected to as it is: only a host name goes through the resolver (and
// its thread).
void ClientImpl::resolve_and_connect(std::size_t node) {
    const auto gen = generation_;
    if (node >= config_.nodes.size())
        return on_failure(make_error_code(errc::connect_failed), gen,
                          "cannot connect to " + connect_errors_);
    const auto& hp = config_.nodes[node];
    asio::error_code not_numeric;
    const auto address = asio::ip::make_address(hp.host, not_numeric);
    if (!not_numeric) {
        const std::array<asio::ip::tcp::endpoint, 1> endpoint{{{address, hp.port}}};
        return connect_endpoints(node, endpoint);
    }
    if (!resolver_) resolver_.emplace(strand_);
    resolver_->async_resolve(
        hp.host, std::to_string(hp.port),
        on_strand([self = shared_from_this(), node, gen](
                      std::error_code ec, asio::ip::tcp::resolver::results_type results) {
            if (gen != self->generation_) return;
            if (ec) return self->on_node_failed(node, ec);
            self->connect_endpoints(node, results);
        }));
}

template <class Endpoints>
void ClientImpl::connect_endpoints(std::size_t node, const Endpoints& endpoints) {
    const auto gen = generation_;
    auto t = socket_;  // alive until the connect completes
    asio::async_connect(
        *t->tcp(), endpoints,
        on_strand([self = shared_from_this(), t, node, gen](std::error_code ec, const auto&) {
            if (gen != self->generation_) return;
            if (ec) {
                // A failed connect leaves the socket closed; the next node
                // gets a fresh one (TLS state included).
                self->socket_ = std::make_shared<Socket>(self->strand_, self->config_.transport,
                                                         self->tls_context_.get());
                return self->on_node_failed(node, ec);
            }
            asio::error_code ignored;
            self->socket_->tcp()->set_option(asio::ip::tcp::no_delay(true), ignored);
            self->on_socket_connected(node);
        }));
}

void ClientImpl::on_node_failed(std::size_t node, const std::error_code& ec) {
    if (!connect_errors_.empty()) connect_errors_ += "; ";
    connect_errors_ += endpoint_text(config_.nodes[node]) + ": " + ec.message();
    resolve_and_connect(node + 1);
}

void ClientImpl::on_socket_connected(std::size_t node) {
    peer_ = config_.transport == Transport::unix_socket ? config_.socket_path
                                                        : endpoint_text(config_.nodes[node]);
    auto* tls = socket_->tls();
    if (!tls) return start_handshake();
    const auto& host = config_.nodes[node].host;
    const auto& name = config_.tls.server_name.empty() ? host : config_.tls.server_name;
    const auto gen = generation_;
    tls->async_handshake(
        name, config_.tls.verify_peer,
        on_strand([self = shared_from_this(), t = socket_, gen](std::error_code ec) {
            if (gen != self->generation_) return;
            if (ec)
                return self->on_failure(make_error_code(errc::tls_failed), gen,
                                        "TLS handshake failed: " + ec.message());
            self->start_handshake();
        }));
}

void ClientImpl::start_handshake() {
    state_ = State::handshaking;
    reader_.reset();
    handshake_.emplace(handshake_params_);
    const auto gen = generation_;
    last_received_ = Pipeline::Clock::now();
    read_loop(socket_, gen);
    const auto action = handshake_->start(handshake_request_);
    if (action.kind == HandshakeFsm::Action::Kind::done) return on_ready();
    write_raw(handshake_request_.payload(), gen);
}

void ClientImpl::on_handshake_reply(const resp::Reply& reply) {
    const auto action = handshake_->on_reply(reply.root(), handshake_request_);
    const auto gen = generation_;
    switch (action.kind) {
        case HandshakeFsm::Action::Kind::send:
            return write_raw(handshake_request_.payload(), gen);
        case HandshakeFsm::Action::Kind::retry:
            // Still loading: ask again shortly; connect_timeout bounds the wait.
            handshake_timer_.expires_after(HandshakeFsm::retry_delay);
            handshake_timer_.async_wait(
                on_strand([self = shared_from_this(), gen](std::error_code ec) {
                    if (!ec && gen == self->generation_)
                        self->write_raw(self->handshake_request_.payload(), gen);
                }));
            return;
        case HandshakeFsm::Action::Kind::done:
            return on_ready();
        case HandshakeFsm::Action::Kind::fail:
            return on_failure(action.ec, gen, action.detail);
    }
}

void ClientImpl::on_ready() {
    connect_timer_.cancel();
    state_ = State::ready;
    if (redstream::detail::log_enabled(LogLevel::info))
        redstream::detail::log(LogLevel::info, "net",
                               (ever_connected_ ? "reconnected to " : "connected to ") + peer_ +
                                   " (RESP" + std::to_string(handshake_->protocol()) + ")");
    if (ever_connected_) reconnects_.fetch_add(1, std::memory_order_relaxed);
    ever_connected_ = true;
    backoff_.reset();
    protocol_.store(handshake_->protocol(), std::memory_order_relaxed);
    connected_.store(true, std::memory_order_relaxed);
    finish_connect({});
    if (config_.health_check_interval.count() > 0) health_tick(generation_);
    maybe_write();
}

// Any failure of the current connection or attempt ends up here.
void ClientImpl::on_failure(std::error_code ec, std::uint64_t gen, std::string detail) {
    if (gen != generation_ || state_ == State::closed || state_ == State::idle) return;
    log_failure(ec, detail);
    if (!detail.empty()) set_last_error(std::move(detail));
    drop_connection();
    pipeline_.on_disconnect(ec);
    note_pending();
    // A first connection that fails is reported, not retried: the caller
    // learns of a wrong address or password at once.
    if (!ever_connected_ || !config_.reconnect.enabled) {
        state_ = State::idle;
        pipeline_.fail_all(make_error_code(errc::not_connected));
        note_pending();
        return finish_connect(ec);
    }
    schedule_reconnect();
}

// Ends the current attempt or connection: every operation on it completes
// (aborted) and stale completions are ignored by generation.
void ClientImpl::drop_connection() {
    ++generation_;
    connected_.store(false, std::memory_order_relaxed);
    for (auto* timer : {&connect_timer_, &health_timer_, &handshake_timer_})
        timer->cancel();
    if (resolver_) resolver_->cancel();
    if (socket_) socket_->close();
    socket_.reset();  // pending handlers keep their own reference
    writing_ = false;
    ping_outstanding_ = false;
}

// The text never holds the password: `detail` is what last_error() says.
void ClientImpl::log_failure(std::error_code ec, const std::string& detail) const {
    const bool was_up = state_ == State::ready;
    const auto level = was_up || ever_connected_ ? LogLevel::warning : LogLevel::error;
    if (!redstream::detail::log_enabled(level)) return;
    const auto why = detail.empty() ? ec.message() : detail;
    redstream::detail::log(level, "net",
                           (was_up ? "connection to " + peer_ + " lost: "
                                   : "connect to " + configured_peers() + " failed: ") +
                               why);
}

std::string ClientImpl::configured_peers() const {
    if (config_.transport == Transport::unix_socket) return config_.socket_path;
    std::string out;
    for (const auto& hp : config_.nodes)
        out += (out.empty() ? "" : ",") + endpoint_text(hp);
    return out;
}

void ClientImpl::schedule_reconnect() {
    state_ = State::backing_off;
    const auto delay = backoff_.next_delay();
    if (redstream::detail::log_enabled(LogLevel::warning))
        redstream::detail::log(LogLevel::warning, "net",
                               "reconnecting to " + configured_peers() + " in " +
                                   std::to_string(delay.count()) + " ms");
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait(on_strand([self = shared_from_this()](std::error_code ec) {
        if (ec || self->state_ != State::backing_off) return;
        self->start_attempt();
    }));
}

void ClientImpl::close() {
    asio::dispatch(strand_, [self = shared_from_this()] {
        if (self->state_ == State::closed) return;
        self->state_ = State::closed;
        self->drop_connection();
        self->reconnect_timer_.cancel();
        self->deadline_timer_.cancel();
        self->pipeline_.fail_all(make_error_code(errc::shutting_down));
        self->note_pending();
        self->finish_connect(make_error_code(errc::shutting_down));
    });
}

}  // namespace redstream::net::detail
