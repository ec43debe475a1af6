// The request path every layer above uses. A Client talks to "the server":
// today one node over one pipelined connection; the cluster router will sit
// behind the same interface, so nothing above this layer knows which it is.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/strand.hpp>

#include <redstream/core/detail/completion.hpp>
#include <redstream/net/config.hpp>
#include <redstream/resp/request.hpp>
#include <redstream/resp/value.hpp>

namespace redstream::net {

/// Replies of one request, one per command, in order. Error replies are
/// replies: decode them with the command's decoder (or resp::error_of).
using Response = std::vector<resp::Reply>;

/// What a request carries besides its commands.
struct ExecOptions {
    /// Deadline for this request; 0 uses ConnectionConfig::request_timeout.
    std::chrono::milliseconds timeout{0};
    /// How long the server may hold the reply on purpose (the BLOCK of an
    /// XREAD); the connection's stall check does not count that silence.
    std::chrono::milliseconds blocking{0};
};

/// Takes each reply of a request as it is parsed, instead of a Response
/// holding them all: `fn(ctx, index, reply)` for reply `index` of the
/// request, on the connection's strand, until the request completes. For a
/// large pipelined batch (a producer's), whose replies need no storage.
struct ReplySink {
    void (*fn)(void* ctx, std::size_t index, const resp::Reply& reply) = nullptr;
    void* ctx = nullptr;
};

namespace detail {

/// Completion of operations that report only success or failure.
using Completion = redstream::detail::BasicCompletion<std::error_code>;

class ClientImpl;

}  // namespace detail

/// What a connection did so far and holds now.
struct ClientStats {
    /// Connections made again after one was up (the first is not counted).
    std::uint64_t reconnects = 0;
    /// Bytes read from the server and written to it, over every connection.
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    /// Requests queued or waiting for their reply now (health checks included).
    std::size_t pending = 0;
};

/// An asynchronous client. All operations may be started from any thread;
/// state lives on an internal strand. Error replies from the server are not
/// operation errors: they arrive in the Response.
class Client {
  public:
    Client(asio::any_io_executor ex, ConnectionConfig config);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    asio::any_io_executor get_executor() const noexcept;
    /// The strand this connection's work runs on. An object whose own work
    /// runs on it too (a producer) hands requests over without a thread hop.
    asio::strand<asio::any_io_executor> strand() const;
    const ConnectionConfig& config() const noexcept;

    /// Connects (resolve, TCP/unix, TLS, HELLO/AUTH/SELECT/SETNAME, then a
    /// PING until the server has loaded its data) and then keeps the
    /// connection up in the background, reconnecting with backoff after a
    /// loss, until close(). Completion: `void(std::error_code)` once the first
    /// connection is ready or failed, within connect_timeout. Errors:
    /// connect_failed (the message names each host:port and the OS reason),
    /// tls_failed, timeout (loading, if the server was still loading),
    /// wrongpass/noauth (auth condition), noproto, shutting_down. Cancelled by
    /// the token's cancellation slot (then errc::cancelled).
    template <class Token>
    auto async_connect(Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Client* self) {
                auto slot = asio::get_associated_cancellation_slot(handler);
                auto ex = self->get_executor();
                self->start_connect(detail::Completion(std::move(handler), ex), slot);
            },
            token, this);
    }

    /// Sends every command of `req` and stores their replies in `resp`
    /// (resized to req.commands()). `req` and `resp` must live until
    /// completion. Requests are pipelined: many may be in flight, and those
    /// queued while a write is in flight are coalesced into the next write.
    /// Completion: `void(std::error_code)`. Errors: connection_lost (the
    /// request was written and the connection dropped: it may or may not have
    /// run; never replayed), a protocol-condition code (the server's reply to
    /// it was malformed; not retryable), not_connected (with
    /// fail_if_not_connected), timeout (opts.timeout, else the config's
    /// request_timeout), cancelled (via the token's cancellation slot),
    /// shutting_down. A request that times out or is cancelled after it was
    /// written closes the connection, which reconnects: the replies behind it
    /// could no longer be matched for sure. Requests written with it fail
    /// with connection_lost.
    template <class Token>
    auto async_exec(const resp::Request& req, Response& resp, ExecOptions opts, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Client* self, const resp::Request* r, Response* out, ExecOptions o) {
                auto slot = asio::get_associated_cancellation_slot(handler);
                auto ex = self->get_executor();
                self->start_exec(*r, *out, o, detail::Completion(std::move(handler), ex), slot);
            },
            token, this, &req, &resp, opts);
    }
    /// As above for a request the connection holds (shared) until its bytes
    /// are written, which it then writes in place instead of copying them
    /// into its write buffer, and whose replies go to `sink` as they arrive:
    /// for large batches such as a producer's. The request must not change
    /// until the operation completes; `sink.ctx` must live until then.
    template <class Token>
    auto async_exec(std::shared_ptr<const resp::Request> req, ReplySink sink, ExecOptions opts,
                    Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Client* self, std::shared_ptr<const resp::Request> r, ReplySink k,
               ExecOptions o) {
                auto slot = asio::get_associated_cancellation_slot(handler);
                auto ex = self->get_executor();
                self->start_exec(std::move(r), k, o, detail::Completion(std::move(handler), ex),
                                 slot);
            },
            token, this, std::move(req), sink, opts);
    }
    /// As above, with the default options.
    template <class Token>
    auto async_exec(const resp::Request& req, Response& resp, Token&& token) {
        return async_exec(req, resp, ExecOptions{}, std::forward<Token>(token));
    }

    /// Sets the handler for RESP3 push messages (called on the client's
    /// strand). Without one, pushes are counted and dropped.
    void set_push_handler(std::function<void(resp::Reply)> handler);

    /// Stops reconnecting, fails queued and in-flight requests with
    /// shutting_down, and closes the socket. Idempotent; safe from any thread.
    void close();

    /// True while a connection is up and handshaken.
    bool connected() const noexcept;
    /// Its counters and what it holds now; any thread, never waits.
    ClientStats stats() const noexcept;
    /// The server it connects to, for people: "host:port" (comma-separated
    /// when several are configured), or the unix socket's path.
    std::string endpoint() const;
    /// The RESP version negotiated on the current connection (2 or 3; 0 if none).
    int protocol() const noexcept;
    /// Text of the last connection failure (server error text, socket error,
    /// ...), for messages; never contains the password.
    std::string last_error() const;

  private:
    void start_connect(detail::Completion done, asio::cancellation_slot slot);
    void start_exec(const resp::Request& req, Response& resp, ExecOptions opts,
                    detail::Completion done, asio::cancellation_slot slot);
    void start_exec(std::shared_ptr<const resp::Request> req, ReplySink sink, ExecOptions opts,
                    detail::Completion done, asio::cancellation_slot slot);

    std::shared_ptr<detail::ClientImpl> impl_;
};

/// A blocking client with its own I/O thread; every call throws
/// `redstream::Error` on failure, or fills an `std::error_code&` overload.
/// Every call is bounded: connect() by connect_timeout, exec() by the
/// request's timeout (ConnectionConfig::request_timeout by default).
class SyncClient {
  public:
    explicit SyncClient(ConnectionConfig config);
    ~SyncClient();
    SyncClient(const SyncClient&) = delete;
    SyncClient& operator=(const SyncClient&) = delete;

    void connect();
    void connect(std::error_code& ec);

    /// Runs every command of `req`; replies in order. Server error replies are
    /// returned, not thrown.
    Response exec(const resp::Request& req, ExecOptions opts = {});
    Response exec(const resp::Request& req, std::error_code& ec, ExecOptions opts = {});

    /// Runs one command (`exec_one("XLEN", key)`) and returns its reply.
    /// Throws like exec(); a server error reply is returned, not thrown.
    template <class... Args>
    resp::Reply exec_one(std::string_view name, const Args&... args) {
        resp::Request req;
        req.push(name, args...);
        return exec(req).at(0);
    }

    void close();
    Client& async_client() noexcept;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace redstream::net
