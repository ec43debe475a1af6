// Producers: send() never waits for the network. Everything sent while a
// write is in flight goes out in the next write (automatic pipelining), and
// at most max_unconfirmed messages / bytes are held: beyond that a send waits
// or fails, so memory stays bounded.
//
// Delivery is at-least-once: when a connection drops after a batch was
// written, the server may or may not have stored it; every such send fails
// with a retryable error (errc::connection_lost) and is never silently
// re-sent. Re-sending it is the caller's choice, and may duplicate it. Every
// send completes: confirmed, or failed by delivery_timeout at the latest.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <asio/async_result.hpp>

#include <redstream/commands/types.hpp>
#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/redis/send_future.hpp>
#include <redstream/redis/sharder.hpp>

namespace redstream {

struct ProducerOptions {
    // Enough to keep two batches in flight and the next one filling, on any
    // network; more only holds memory (64k × 64 B sends held 42 MB of RSS).
    static constexpr std::size_t default_max_unconfirmed = 8 * 1024;
    static constexpr std::size_t default_max_unconfirmed_bytes = 8 * 1024 * 1024;
    static constexpr std::size_t default_max_batch = 1024;
    static constexpr std::size_t default_max_batch_bytes = 512 * 1024;
    static constexpr std::chrono::milliseconds default_end_timeout{10'000};
    static constexpr std::chrono::milliseconds default_delivery_timeout{30'000};
    // Below it, copying the payload into the batch costs less than a write
    // piece and an owner of its own (bench/README.md, producer_64KiB_owned).
    static constexpr std::size_t default_zero_copy_threshold = 16 * 1024;
    static constexpr unsigned default_wait_replicas = 0;
    static constexpr std::chrono::milliseconds default_wait_timeout{1000};

    /// Shards per stream: > 1 writes to `stream:0` ... `stream:N-1`.
    std::uint64_t shards = 1;
    /// How messages are spread over the shards.
    Sharder sharder = Sharder::round_robin();
    /// Trim on every XADD (MAXLEN or MINID, exact or `~`); none by default.
    commands::TrimOptions trim{};
    /// Most messages sent but not yet confirmed by the server (> 0).
    std::size_t max_unconfirmed = default_max_unconfirmed;
    /// Most bytes held by sends not yet confirmed: each counts its
    /// serialized XADD (payload, fields, key, framing) and its bookkeeping,
    /// which is what the producer holds for it; the connection writes a batch
    /// in place, without a copy of its own. One send is always taken when
    /// nothing is unconfirmed, however large.
    std::size_t max_unconfirmed_bytes = default_max_unconfirmed_bytes;
    /// When full, sync send() blocks (true) until a quarter of both bounds is
    /// free again, or fails with errc::queue_full (false).
    bool block_when_full = true;
    /// Most XADDs written in one request.
    std::size_t max_batch = default_max_batch;
    /// A batch takes no more sends once it holds this many bytes (a single
    /// larger send makes a batch of its own).
    std::size_t max_batch_bytes = default_max_batch_bytes;
    /// How long end() (and Streamer::disconnect()) waits for the flush while
    /// the server is unreachable; sends still unconfirmed then fail when the
    /// connection closes, they are never dropped silently.
    std::chrono::milliseconds end_timeout = default_end_timeout;
    /// A send not confirmed by the server this long after send() returned
    /// fails with errc::timeout (as Kafka's delivery.timeout.ms): nothing
    /// waits forever for a server that is gone. It may still have been
    /// stored (at-least-once). Must be > 0.
    std::chrono::milliseconds delivery_timeout = default_delivery_timeout;
    /// A payload handed over as a string (`send(std::move(s))`) of at least
    /// this many bytes is written to the socket from that string, held until
    /// confirmed: never copied. Smaller ones are copied into the batch.
    std::size_t zero_copy_threshold = default_zero_copy_threshold;
    /// Confirm a send only once this many replicas of its master have it
    /// (WAIT after each batch, on every master the batch wrote to). Redis
    /// replicates asynchronously: without it, a master that fails can lose
    /// sends it had confirmed, since the replica taking over may lack them.
    /// A send that fewer replicas had after wait_timeout fails with
    /// errc::not_replicated: it is stored on the master (send it again only
    /// if a duplicate is better than a loss). 0: confirm when the master has it.
    unsigned wait_replicas = default_wait_replicas;
    /// WAIT's timeout with wait_replicas; must be > 0 then (WAIT 0 waits
    /// forever). A batch's confirmation waits this long at most for replicas.
    std::chrono::milliseconds wait_timeout = default_wait_timeout;
};

/// A message to send, beyond the payload.
struct SendOptions {
    /// Picks the shard with Sharder::key_hash (or a custom Sharder); not
    /// stored in the entry, so a consumer does not see it.
    std::string_view partition_key{};
    /// More fields, stored after the payload field, in order.
    std::span<const Field> fields{};
    /// The entry id: `*` (default), `ms-*`, or exact.
    commands::XAddId id = commands::XAddId::automatic();
};

/// What a producer did so far (counters since it was made) and holds now.
struct ProducerStats {
    /// Sends taken (into a batch, or waiting for room).
    std::uint64_t sent = 0;
    /// Sends the server stored (their future or handler got a receipt).
    std::uint64_t confirmed = 0;
    /// Sends that failed, refused ones included (queue_full, shutting_down,
    /// invalid_argument): their future or handler got the error.
    std::uint64_t failed = 0;
    /// Sends taken and not yet completed, those waiting for room aside (at
    /// most max_unconfirmed).
    std::size_t in_flight = 0;
    /// Bytes of XADD commands shipped to the server (a batch sent again after
    /// a redirection counts once).
    std::uint64_t bytes = 0;
};

namespace detail {
struct StreamerContext;
class ProducerImpl;
}  // namespace detail

/// A producer. Thread-safe: any thread may send; receipts come back in send
/// order per stream. Errors of one send (WRONGTYPE, OOM, a bad explicit id)
/// fail only its own future.
class Producer {
  public:
    Producer() = default;
    Producer(Producer&&) noexcept;
    Producer& operator=(Producer&&) noexcept;
    ~Producer();

    /// Sends to the producer's stream (not for generic producers: their
    /// futures fail with invalid_argument). Blocks only when full and
    /// block_when_full; otherwise returns at once.
    SendFuture send(std::string_view payload, const SendOptions& options = {});
    /// Sends to any stream.
    SendFuture send_to(const StreamKey& stream, std::string_view payload,
                       const SendOptions& options = {});
    /// As send() and send_to(), handing the payload over (`std::move(s)`): one
    /// of at least zero_copy_threshold bytes goes to the socket from this
    /// string, which the producer keeps until the send completes — no copy.
    /// (A `std::string` lvalue binds to the string_view overloads: copied.)
    template <class S>
    requires std::same_as<S, std::string> SendFuture send(S&& payload,
                                                          const SendOptions& options = {}) {
        return send_owned(nullptr, std::move(payload), options);
    }
    template <class S>
    requires std::same_as<S, std::string> SendFuture send_to(const StreamKey& stream, S&& payload,
                                                             const SendOptions& options = {}) {
        return send_owned(&stream, std::move(payload), options);
    }

    /// As send_to(), but waits (without blocking a thread) while full.
    /// Completion: `void(std::error_code, Receipt)` once the server confirmed
    /// the entry or the send failed: timeout (not confirmed within
    /// delivery_timeout; it may still have been stored), connection_lost
    /// (written, then the connection dropped; retryable, may have been
    /// stored), a protocol-condition code (the server's reply was malformed),
    /// a server error (WRONGTYPE, OOM, a bad explicit id), queue_full (more
    /// than max_unconfirmed sends already wait for room), invalid_argument,
    /// shutting_down. Not cancellable: a send once handed over either
    /// completes or fails by its deadline. The key is copied; `payload` and
    /// the views in `options` are serialized when the operation starts (with
    /// a callback or use_awaitable: before this call returns).
    template <class Token>
    auto async_send(StreamKey stream, std::string_view payload, SendOptions options,
                    Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, Receipt)>(
            [](auto handler, Producer* self, StreamKey key, std::string_view bytes,
               SendOptions opts) {
                auto ex = self->completion_executor();
                self->start_send(
                    key, bytes, opts,
                    detail::BasicCompletion<std::error_code, Receipt>(std::move(handler), ex));
            },
            token, this, std::move(stream), payload, options);
    }
    /// As above, with the default SendOptions.
    template <class Token>
    auto async_send(StreamKey stream, std::string_view payload, Token&& token) {
        return async_send(std::move(stream), payload, SendOptions{}, std::forward<Token>(token));
    }

    /// Waits until every message sent before the call is confirmed or failed
    /// — at most about delivery_timeout, since each send is bounded by it.
    /// Returns at once after end(). Throws `redstream::Error` (shutting_down
    /// if the Streamer went away meanwhile).
    void flush();
    /// As flush(), waiting at most `timeout`; false if time ran out first.
    bool flush_for(std::chrono::milliseconds timeout);
    /// As flush(), without blocking a thread. Completion:
    /// `void(std::error_code)`: success once everything sent before is
    /// confirmed or failed (one send's failure is reported by its own
    /// future, not here). Not cancellable.
    template <class Token>
    auto async_flush(Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Producer* self) {
                auto ex = self->completion_executor();
                self->start_flush(detail::BasicCompletion<std::error_code>(std::move(handler), ex));
            },
            token, this);
    }
    /// Flushes (at most end_timeout), then refuses further sends
    /// (errc::shutting_down). Idempotent.
    void end();

    /// Trims a stream now (all of its shards). Throws `redstream::Error`
    /// (a server error, timeout after request_timeout, shutting_down after
    /// Streamer::disconnect()).
    void trim(const StreamKey& stream, const commands::TrimOptions& trim);

    /// The anchored stream (empty for a generic producer).
    const StreamKey& stream() const noexcept;
    /// Its counters and what it holds now; any thread, never waits.
    ProducerStats stats() const noexcept;
    asio::any_io_executor get_executor() const noexcept;

  private:
    friend class Streamer;
    Producer(std::shared_ptr<detail::StreamerContext> ctx, StreamKey anchor,
             ProducerOptions options);
    void start_send(const StreamKey& stream, std::string_view payload, const SendOptions& options,
                    detail::BasicCompletion<std::error_code, Receipt> done);
    // `stream` null: the producer's own.
    SendFuture send_owned(const StreamKey* stream, std::string&& payload,
                          const SendOptions& options);
    // `owned`, when set, is `payload`'s string, handed over.
    SendFuture send_impl(const StreamKey& stream, std::string_view payload,
                         const SendOptions& options, std::string* owned);
    void start_flush(detail::BasicCompletion<std::error_code> done);
    // Where handlers without an executor of their own complete.
    asio::any_io_executor completion_executor() const;
    static void end_impl(const std::shared_ptr<detail::ProducerImpl>& impl);

    std::shared_ptr<detail::ProducerImpl> impl_;
};

}  // namespace redstream
