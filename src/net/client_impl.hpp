// The actor behind Client: all state lives on one strand. Public calls post
// to it; the read loop, the write loop and the timers run on it side by side.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <redstream/net/client.hpp>
#include <redstream/net/detail/backoff.hpp>
#include <redstream/net/detail/handshake.hpp>
#include <redstream/net/detail/pipeline.hpp>
#include <redstream/resp/reader.hpp>

#include "socket.hpp"

namespace redstream::net::detail {

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
  public:
    ClientImpl(asio::any_io_executor ex, ConnectionConfig config);

    asio::any_io_executor executor() const { return ex_; }
    /// The strand all of this connection's work runs on.
    asio::strand<asio::any_io_executor> strand() const { return strand_; }
    const ConnectionConfig& config() const noexcept { return config_; }

    // Entry points: called from any thread; they hop onto the strand.
    void connect(Completion done, asio::cancellation_slot slot);
    /// `owner`, if set, owns `req`: its bytes are then written in place.
    /// The replies go to `resp`, or to `sink` when `resp` is null.
    void exec(const resp::Request& req, Response* resp, ExecOptions opts, Completion done,
              asio::cancellation_slot slot, std::shared_ptr<const void> owner = {},
              ReplySink sink = {});
    void cancel(std::uint64_t id);
    void set_push_handler(std::function<void(resp::Reply)> handler);
    void close();

    bool connected() const noexcept { return connected_.load(std::memory_order_relaxed); }
    ClientStats stats() const noexcept {
        return {.reconnects = reconnects_.load(std::memory_order_relaxed),
                .bytes_in = bytes_in_.load(std::memory_order_relaxed),
                .bytes_out = bytes_out_.load(std::memory_order_relaxed),
                .pending = pending_.load(std::memory_order_relaxed)};
    }
    int protocol() const noexcept { return protocol_.load(std::memory_order_relaxed); }
    std::string last_error() const;
    /// For people: the configured nodes, or the socket.
    std::string configured_peers() const;

  private:
    enum class State { idle, connecting, handshaking, ready, backing_off, closed };
    using SocketPtr = std::shared_ptr<Socket>;

    // Connection lifecycle (client_connect.cpp).
    void start_attempt();
    void on_connect_timeout();
    void resolve_and_connect(std::size_t node);
    template <class Endpoints>
    void connect_endpoints(std::size_t node, const Endpoints& endpoints);
    void on_node_failed(std::size_t node, const std::error_code& ec);
    void connect_unix();
    void on_socket_connected(std::size_t node);
    void start_handshake();
    void on_handshake_reply(const resp::Reply& reply);
    void on_ready();
    void on_failure(std::error_code ec, std::uint64_t gen, std::string detail = {});
    void drop_connection();
    void schedule_reconnect();
    void log_failure(std::error_code ec, const std::string& detail) const;
    void finish_connect(std::error_code ec);
    void set_last_error(std::string text);

    // Steady state (client_io.cpp).
    void read_loop(SocketPtr t, std::uint64_t gen);
    bool on_bytes(std::size_t n, std::uint64_t gen);
    void dispatch_reply(resp::Reply&& reply, std::uint64_t gen);
    void write_raw(std::string_view bytes, std::uint64_t gen);
    void write_batch(std::uint64_t gen);
    void on_written(std::error_code ec, std::uint64_t gen);
    void maybe_write();
    void arm_deadline(Pipeline::Clock::time_point deadline);
    void on_deadline();
    void health_tick(std::uint64_t gen);
    bool stalled(Pipeline::Clock::time_point now) const;
    void send_ping();

    template <class F>
    auto on_strand(F&& f) {
        return asio::bind_executor(strand_, std::forward<F>(f));
    }

    asio::any_io_executor ex_;
    asio::strand<asio::any_io_executor> strand_;
    ConnectionConfig config_;
    HandshakeParams handshake_params_;
    std::shared_ptr<TlsContext> tls_context_;
    // Made on the first host name to resolve: Asio's resolver runs a thread
    // of its own, which a numeric address never needs.
    std::optional<asio::ip::tcp::resolver> resolver_;

    State state_ = State::idle;
    std::uint64_t generation_ = 0;  // bumps per connection; stale callbacks check it
    // The socket of the current attempt or connection, from the start of an
    // attempt: closing it aborts a connect or TLS handshake in flight, so a
    // failed attempt leaves no operation (and no file descriptor) behind.
    SocketPtr socket_;
    std::string connect_errors_;  // why each node of this attempt failed
    resp::Reader reader_;
    Pipeline pipeline_;
    WriteBatch write_batch_;
    std::vector<asio::const_buffer> write_buffers_;  // write_batch_'s pieces, while writing
    bool writing_ = false;

    std::optional<HandshakeFsm> handshake_;
    resp::Request handshake_request_;
    Completion connect_done_;
    bool ever_connected_ = false;
    Backoff backoff_;

    asio::steady_timer connect_timer_;
    asio::steady_timer reconnect_timer_;
    asio::steady_timer deadline_timer_;
    asio::steady_timer health_timer_;
    asio::steady_timer handshake_timer_;  // asks a loading server again
    Pipeline::Clock::time_point armed_deadline_ = Pipeline::no_deadline;
    Pipeline::Clock::time_point last_received_{};  // bytes arrived (any)

    resp::Request ping_request_;
    Response ping_response_;
    bool ping_outstanding_ = false;

    std::function<void(resp::Reply)> push_handler_;
    std::uint64_t dropped_pushes_ = 0;

    std::atomic<bool> connected_{false};
    // ClientStats' counters (written on the strand, read anywhere).
    std::atomic<std::uint64_t> reconnects_{0}, bytes_in_{0}, bytes_out_{0};
    std::atomic<std::size_t> pending_{0};  // the pipeline's size, after each change
    void note_pending() noexcept { pending_.store(pipeline_.size(), std::memory_order_relaxed); }
    std::atomic<int> protocol_{0};
    std::atomic<std::uint64_t> next_request_id_{1};
    mutable std::mutex last_error_mutex_;  // cold path only: read by sync wrappers
    std::string last_error_;
    std::string peer_;  // the node the last socket reached, for messages (strand)
};

}  // namespace redstream::net::detail
