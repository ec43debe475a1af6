// The entry point of the high-level API: a Streamer holds the connection
// settings and the I/O threads, and makes producers and consumers.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/net/config.hpp>
#include <redstream/redis/admin.hpp>
#include <redstream/redis/consumer.hpp>
#include <redstream/redis/producer.hpp>
#include <redstream/redis/streamer_stats.hpp>

namespace redstream {

struct ConnectOptions {
    static constexpr std::string_view default_payload_field = "msg";
    static constexpr std::size_t default_io_threads = 1;

    /// Timeouts, db, credentials, TLS, client name, reconnect policy. The URL
    /// given to connect() fills transport, nodes, credentials and db on top.
    net::ConnectionConfig connection;
    /// The entry field that carries a message's payload (as the seed's crate).
    std::string payload_field{default_payload_field};
    /// I/O threads when the Streamer owns its io_context (connect() without an executor).
    std::size_t io_threads = default_io_threads;
};

namespace detail {
struct StreamerContext;
struct IoRunner;
}  // namespace detail

class Streamer {
  public:
    /// Connects to the server(s) in `url` (see StreamUrl) with its own I/O
    /// threads; throws `redstream::Error` (invalid_url, connect_failed, auth, ...).
    static Streamer connect(std::string_view url, ConnectOptions options = {});
    /// As connect(), running on `executor` (the caller runs its io_context).
    /// Blocks until connected, so call it from outside that executor's threads.
    static Streamer connect(asio::any_io_executor executor, std::string_view url,
                            ConnectOptions options = {});

    /// Connects without blocking, on `executor`. Completion:
    /// `void(std::error_code, Streamer)` — invalid_url, connect_failed, the
    /// auth codes, timeout, loading, tls_failed. Not cancellable; bounded by
    /// the connect timeout. The arguments are copied: temporaries are fine.
    template <class Token>
    static auto async_connect(asio::any_io_executor executor, std::string_view url,
                              ConnectOptions options, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, Streamer)>(
            [](auto handler, asio::any_io_executor ex, std::string u, ConnectOptions o) {
                auto fallback = ex;
                start_connect(std::move(ex), u, std::move(o),
                              detail::BasicCompletion<std::error_code, Streamer>(std::move(handler),
                                                                                 fallback));
            },
            token, std::move(executor), std::string(url), std::move(options));
    }
    /// As above, with the default options.
    template <class Token>
    static auto async_connect(asio::any_io_executor executor, std::string_view url, Token&& token) {
        return async_connect(std::move(executor), url, ConnectOptions{},
                             std::forward<Token>(token));
    }

    Streamer() = default;  ///< Not connected; assign from connect().
    Streamer(Streamer&&) noexcept;
    Streamer& operator=(Streamer&&) noexcept;
    /// disconnect()s.
    ~Streamer();

    /// A producer anchored to `stream`: send() writes there.
    Producer create_producer(StreamKey stream, ProducerOptions options = {});
    /// A producer without a stream: only send_to().
    Producer create_generic_producer(ProducerOptions options = {});
    /// A consumer of `streams` (all their shards).
    Consumer create_consumer(std::vector<StreamKey> streams, ConsumerOptions options = {});
    /// The administration API (streams, groups, pending entries, the slot
    /// map) over this Streamer's connections; see redis/admin.hpp. Throws
    /// not_connected for a Streamer that is not connected.
    Admin admin(AdminOptions options = {}) const;

    /// Every live producer and consumer made here, and every connection
    /// (the shared ones and the consumers' read connections), with their
    /// counters: see StreamerStats, and to_prometheus() to export it. Any
    /// thread; never waits for the network. Empty for a Streamer that is
    /// not connected.
    StreamerStats stats() const;

    /// The streams named in the URL's path, if any.
    const std::vector<StreamKey>& streams() const noexcept;
    asio::any_io_executor get_executor() const noexcept;

    /// Flushes every producer made here (each within its end_timeout), ends
    /// every consumer (committing what it owes, within its end_timeout),
    /// closes the connections and joins the Streamer's own I/O threads.
    /// Idempotent. Every operation still pending then completes with
    /// shutting_down, and so does every later call on its producers and
    /// consumers (sync calls throw it; async handlers without an executor of
    /// their own then run on asio::system_executor, since the Streamer's
    /// threads are gone).
    void disconnect();

  private:
    static void start_connect(asio::any_io_executor executor, std::string_view url,
                              ConnectOptions options,
                              detail::BasicCompletion<std::error_code, Streamer> done);
    Streamer(std::shared_ptr<detail::StreamerContext> ctx, std::shared_ptr<detail::IoRunner> io)
        : ctx_(std::move(ctx)), io_(std::move(io)) {}
    std::shared_ptr<detail::StreamerContext> ctx_;
    std::shared_ptr<detail::IoRunner> io_;  // null when running on the caller's executor
};

}  // namespace redstream
