// Connection lifecycle: resolve, connect, TLS, handshake, and reconnecting
// with backoff after a loss.
#include <asio/connect.hpp>
#include <asio/ip/address.hpp>
#include <asio/ssl/host_name_verification.hpp>

#include <redstream/core/error.hpp>

#include "client_impl.hpp"

namespace redstream::detail {

ClientImpl::ClientImpl(asio::any_io_executor ex, ConnectionConfig config)
    : ex_(ex),
      strand_(asio::make_strand(ex)),
      config_(std::move(config)),
      resolver_(strand_),
      reader_(config_.reader_limits),
      pipeline_(config_.max_write_batch, config_.max_pending_requests),
      backoff_(config_.reconnect, reinterpret_cast<std::uintptr_t>(this)),
      connect_timer_(strand_),
      reconnect_timer_(strand_),
      deadline_timer_(strand_),
      health_timer_(strand_) {
    handshake_params_ = {config_.protocol, config_.username, config_.password, config_.db,
                         config_.client_name};
    ping_request_.push("PING");
}

std::string ClientImpl::last_error() const {
    std::lock_guard lock(last_error_mutex_);
    return last_error_;
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
    if (config_.transport == Transport::tls && !tls_context_) {
        std::error_code ec;
        tls_context_ = make_tls_context(config_.tls, ec);
        if (ec) return on_failure(ec, gen, "could not load the TLS certificates or keys");
    }
    connect_timer_.expires_after(config_.connect_timeout);
    connect_timer_.async_wait(on_strand([self = shared_from_this(), gen](std::error_code ec) {
        if (ec || gen != self->generation_) return;
        if (self->state_ == State::connecting || self->state_ == State::handshaking)
            self->on_failure(make_error_code(errc::timeout), gen, "connect timed out");
    }));
    if (config_.transport == Transport::unix_socket)
        connect_unix();
    else
        resolve_and_connect(0);
}

void ClientImpl::connect_unix() {
    auto socket = std::make_shared<Stream::Unix>(strand_);
    const auto gen = generation_;
    socket->async_connect(
        asio::local::stream_protocol::endpoint(config_.socket_path),
        on_strand([self = shared_from_this(), socket, gen](std::error_code ec) {
            if (gen != self->generation_) return;
            if (ec)
                return self->on_failure(make_error_code(errc::connect_failed), gen,
                                        "cannot connect to unix socket " +
                                            self->config_.socket_path + ": " + ec.message());
            self->on_socket_connected(std::make_shared<Stream>(std::move(*socket)), 0);
        }));
}

// Tries the configured nodes in order until one accepts the connection.
void ClientImpl::resolve_and_connect(std::size_t node) {
    const auto gen = generation_;
    if (node >= config_.nodes.size())
        return on_failure(make_error_code(errc::connect_failed), gen,
                          "no configured node accepted the connection");
    const auto& hp = config_.nodes[node];
    resolver_.async_resolve(
        hp.host, std::to_string(hp.port),
        on_strand([self = shared_from_this(), node, gen](
                      std::error_code ec, asio::ip::tcp::resolver::results_type results) {
            if (gen != self->generation_) return;
            if (ec) return self->resolve_and_connect(node + 1);
            auto socket = std::make_shared<Stream::Tcp>(self->strand_);
            asio::async_connect(
                *socket, results,
                self->on_strand([self, socket, node, gen](std::error_code ec2, const auto&) {
                    if (gen != self->generation_) return;
                    if (ec2) return self->resolve_and_connect(node + 1);
                    asio::error_code ignored;
                    socket->set_option(asio::ip::tcp::no_delay(true), ignored);
                    self->on_socket_connected(
                        self->config_.transport == Transport::tls
                            ? std::make_shared<Stream>(std::move(*socket), *self->tls_context_)
                            : std::make_shared<Stream>(std::move(*socket)),
                        node);
                }));
        }));
}

void ClientImpl::on_socket_connected(StreamPtr t, std::size_t node) {
    auto* tls = t->tls();
    if (!tls) return start_handshake(std::move(t));
    const auto& host = config_.nodes[node].host;
    const auto& name = config_.tls.server_name.empty() ? host : config_.tls.server_name;
    asio::error_code not_ip;
    asio::ip::make_address(name, not_ip);
    if (not_ip)
        SSL_set_tlsext_host_name(tls->native_handle(), name.c_str());  // SNI takes names only
    if (config_.tls.verify_peer) tls->set_verify_callback(asio::ssl::host_name_verification(name));
    const auto gen = generation_;
    tls->async_handshake(asio::ssl::stream_base::client,
                         on_strand([self = shared_from_this(), t, gen](std::error_code ec) {
                             if (gen != self->generation_) return;
                             if (ec)
                                 return self->on_failure(make_error_code(errc::tls_failed), gen,
                                                         "TLS handshake failed: " + ec.message());
                             self->start_handshake(t);
                         }));
}

void ClientImpl::start_handshake(StreamPtr t) {
    state_ = State::handshaking;
    transport_ = std::move(t);
    reader_.reset();
    handshake_.emplace(handshake_params_);
    const auto gen = generation_;
    read_loop(transport_, gen);
    const auto action = handshake_->start(handshake_request_);
    if (action.kind == HandshakeFsm::Action::Kind::done) return on_ready();
    write_raw(handshake_request_.payload(), gen);
}

void ClientImpl::on_handshake_reply(const resp::Reply& reply) {
    const auto action = handshake_->on_reply(reply.root(), handshake_request_);
    switch (action.kind) {
        case HandshakeFsm::Action::Kind::send:
            return write_raw(handshake_request_.payload(), generation_);
        case HandshakeFsm::Action::Kind::done:
            return on_ready();
        case HandshakeFsm::Action::Kind::fail:
            return on_failure(action.ec, generation_, action.detail);
    }
}

void ClientImpl::on_ready() {
    connect_timer_.cancel();
    state_ = State::ready;
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
    if (!detail.empty()) {
        std::lock_guard lock(last_error_mutex_);
        last_error_ = std::move(detail);
    }
    ++generation_;
    connected_.store(false, std::memory_order_relaxed);
    connect_timer_.cancel();
    health_timer_.cancel();
    resolver_.cancel();
    if (transport_) transport_->close();
    transport_.reset();  // pending handlers keep their own reference
    writing_ = false;
    ping_outstanding_ = false;
    pipeline_.on_disconnect();
    // A first connection that fails is reported, not retried: the caller
    // learns of a wrong address or password at once.
    if (!ever_connected_ || !config_.reconnect.enabled) {
        state_ = State::idle;
        pipeline_.fail_all(make_error_code(errc::not_connected));
        return finish_connect(ec);
    }
    schedule_reconnect();
}

void ClientImpl::schedule_reconnect() {
    state_ = State::backing_off;
    reconnect_timer_.expires_after(backoff_.next_delay());
    reconnect_timer_.async_wait(on_strand([self = shared_from_this()](std::error_code ec) {
        if (ec || self->state_ != State::backing_off) return;
        self->start_attempt();
    }));
}

void ClientImpl::close() {
    asio::dispatch(strand_, [self = shared_from_this()] {
        if (self->state_ == State::closed) return;
        self->state_ = State::closed;
        ++self->generation_;
        self->connected_.store(false, std::memory_order_relaxed);
        for (auto* timer : {&self->connect_timer_, &self->reconnect_timer_, &self->deadline_timer_,
                            &self->health_timer_})
            timer->cancel();
        self->resolver_.cancel();
        if (self->transport_) self->transport_->close();
        self->transport_.reset();
        self->pipeline_.fail_all(make_error_code(errc::shutting_down));
        self->finish_connect(make_error_code(errc::shutting_down));
    });
}

}  // namespace redstream::detail
