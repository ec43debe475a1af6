// Consumers: the read loop runs beside the user's loop, prefetching the next
// page while the user works on this one. This file has the real-time mode
// (XREAD) and the group modes (XREADGROUP, with acks per AutoCommit).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>

namespace redstream {

enum class ConsumerMode {
    real_time,      ///< XREAD: every consumer sees every message; nothing is acked.
    resumable,      ///< XREADGROUP in a group of one: continues where the group left off.
    load_balanced,  ///< XREADGROUP: consumers in one group share the messages.
};

/// Where a consumer with no position starts.
enum class AutoStreamReset {
    earliest,  ///< From the oldest entry still in the stream.
    latest,    ///< Only entries added after the consumer started.
};

/// When a group consumer acknowledges (XACK) what it delivered.
enum class AutoCommit {
    /// NOACK: a read counts as consumed; nothing is pending or acked, and a
    /// crash loses what was read and not processed. Nothing is read ahead: a
    /// read goes out only while next(), next_for() or async_next() waits with
    /// nothing queued, so a clean end() loses nothing that no call asked for.
    /// A read sent for a next_for() blocks no longer than its timeout; what
    /// it brings after the wait gave up (entries that came within that last
    /// round trip, or the read of a cancelled async_next()) stays queued for
    /// the next call, and only an end() before that call drops it.
    immediate,
    delayed,   ///< Acked automatically auto_commit_delay after next() returned it.
    rolling,   ///< ack() marks; acks are committed in the background every auto_commit_interval,
               ///< and as soon as one read's worth of them is owed (batch_size, or prefetch
               ///< when smaller: a load-balanced member's 100), so the pending list stays short.
    disabled,  ///< ack() marks; commit() / async_commit() sends them.
};

struct ConsumerOptions {
    static constexpr std::size_t default_batch_size = 1000;
    static constexpr std::size_t default_prefetch = 2000;
    static constexpr std::size_t default_load_balanced_prefetch = 100;
    static constexpr std::size_t default_prefetch_bytes = std::size_t{4} << 20;
    static constexpr std::chrono::milliseconds default_block_time{1000};
    static constexpr std::chrono::milliseconds default_discovery_interval{5000};
    static constexpr std::size_t default_max_connections_per_node = 8;
    static constexpr bool default_read_from_replicas = false;
    static constexpr std::chrono::milliseconds default_auto_commit_delay{5000};
    static constexpr std::chrono::milliseconds default_auto_commit_interval{1000};
    static constexpr std::size_t default_max_uncommitted = 10'000;
    static constexpr std::chrono::milliseconds default_end_timeout{10'000};
    static constexpr std::chrono::milliseconds default_auto_claim_interval{30'000};
    static constexpr std::chrono::milliseconds default_auto_claim_idle{60'000};
    static constexpr ConsumerMode default_mode = ConsumerMode::real_time;
    static constexpr AutoStreamReset default_auto_stream_reset = AutoStreamReset::latest;
    static constexpr bool default_discover_shards = true;
    static constexpr AutoCommit default_auto_commit = AutoCommit::delayed;
    static constexpr bool default_mkstream = false;
    static constexpr bool default_renew_leases = false;
    static constexpr std::uint32_t default_max_deliveries = 0;

    /// How the consumer reads.
    ConsumerMode mode = default_mode;
    /// Where to start when there is no position.
    AutoStreamReset auto_stream_reset = default_auto_stream_reset;
    /// COUNT of each read: most entries fetched per stream per round trip
    /// (fewer when the room left under prefetch, shared by the keys read, is
    /// smaller).
    std::size_t batch_size = default_batch_size;
    /// Most messages read ahead of next() and queued, over all streams and
    /// shards together: each read asks for no more than the room left (room /
    /// keys per key; with more keys than fit, reads take turns of keys, so
    /// that every key makes progress). nullopt: default_prefetch, or
    /// default_load_balanced_prefetch for load_balanced, whose members hold
    /// few because what one holds its peers cannot work on: a larger prefetch
    /// buys throughput per member with balance, a smaller one balance with
    /// round trips. On a cluster with more read lanes than this, each lane
    /// may hold one (see max_connections_per_node), so that a lane blocked on
    /// quiet keys does not keep the others from reading.
    std::optional<std::size_t> prefetch{};
    /// Most payload bytes read ahead of next() and queued, next to prefetch's
    /// count (whichever is reached first), so that big payloads are not
    /// hoarded. Reads are sized by the payload size of the entries read so
    /// far (the first read takes at most 64 entries), so entries much bigger
    /// than the ones before can exceed it by one read; a single message
    /// bigger than this is still read when nothing is queued.
    std::size_t prefetch_bytes = default_prefetch_bytes;
    /// BLOCK of each read; the read's deadline is this plus a margin.
    std::chrono::milliseconds block_time = default_block_time;
    /// Find the shards of each stream (`name:N` keys) with SCAN. A shard first
    /// found after the start did not exist then: it is read whole, in every
    /// mode and whatever auto_stream_reset says.
    bool discover_shards = default_discover_shards;
    /// How often to look for new shards (0: only at start).
    std::chrono::milliseconds discovery_interval = default_discovery_interval;
    /// Redis Cluster: most connections of its own the consumer opens to one
    /// master for its blocking reads. A read cannot span hash slots, so the
    /// keys of each slot get a connection, up to this many per master; past
    /// it, slots share one and take turns, and a message on a quiet slot of a
    /// shared connection waits up to about 100 ms. Unused standalone (one).
    std::size_t max_connections_per_node = default_max_connections_per_node;
    /// Redis Cluster, real-time consumers: read each slot from a replica of
    /// its master (READONLY), taking the reads off the masters; a slot whose
    /// master has no replica is read from the master. A replica lags its
    /// master a little (replication is asynchronous), so messages arrive that
    /// much later; none is skipped, since each read carries on after the last
    /// id delivered. Group modes refuse it (invalid_argument): XREADGROUP
    /// writes, so only a master runs it. Unused standalone.
    bool read_from_replicas = default_read_from_replicas;

    // Consumer groups (resumable, load_balanced).

    /// The group's name; empty: derived from the host name and the mode.
    std::string group{};
    /// This member's name in the group (XREADGROUP's consumer); empty: the
    /// group name (resumable) or host, pid and a
    /// counter (load_balanced). Give a stable one so that a restarted process
    /// gets its pending entries back.
    std::string consumer{};
    /// When delivered messages are acknowledged.
    AutoCommit auto_commit = default_auto_commit;
    /// AutoCommit::delayed: how long after delivery a message is acked.
    std::chrono::milliseconds auto_commit_delay = default_auto_commit_delay;
    /// AutoCommit::rolling: the most time between two background commits.
    std::chrono::milliseconds auto_commit_interval = default_auto_commit_interval;
    /// Most acks held before a commit is sent regardless of the timers.
    std::size_t max_uncommitted = default_max_uncommitted;
    /// Create a missing stream with the group (XGROUP CREATE ... MKSTREAM);
    /// without it, consuming a missing stream is an error.
    bool mkstream = default_mkstream;
    /// How long end() waits for a group consumer's last commit.
    std::chrono::milliseconds end_timeout = default_end_timeout;
    /// load_balanced: how often to claim other members' idle entries (0: never).
    std::chrono::milliseconds auto_claim_interval = default_auto_claim_interval;
    /// load_balanced: how long an entry must have been pending, unacked, to
    /// be claimed (its member is presumed dead). Keep it above the longest
    /// processing time, or entries are processed twice: a claim does not stop
    /// the first member, whose ack still counts (XACK ignores the owner).
    std::chrono::milliseconds auto_claim_idle = default_auto_claim_idle;
    /// load_balanced: keep this member's pending entries from looking idle
    /// (XCLAIM ... JUSTID of those idle for auto_claim_idle / 3, that often),
    /// so that a slow handler's entries are not claimed by others. An entry
    /// that is never acked then stays with this member until it stops.
    bool renew_leases = default_renew_leases;
    /// Deliver an entry at most this many times (0: no limit). When it comes
    /// back once more (after crashes, or claimed from members that never
    /// acked it) it is moved to the dead-letter stream and acked instead.
    std::uint32_t max_deliveries = default_max_deliveries;
    /// Where dead letters go; empty: `{<key>}:dead` for each key read
    /// (`<key>:dead` if it has a hash tag), in the key's cluster hash slot.
    /// One given here must share the slot of every key read (a hash tag).
    std::string dead_letter_key{};

    /// prefetch, or the mode's default.
    constexpr std::size_t prefetch_or_default() const noexcept {
        return prefetch.value_or(mode == ConsumerMode::load_balanced
                                     ? default_load_balanced_prefetch
                                     : default_prefetch);
    }
};

/// The fields a dead letter has after the original entry's fields.
struct DeadLetterFields {
    static constexpr std::string_view origin = "dead_letter.origin";  ///< the key it came from
    static constexpr std::string_view group = "dead_letter.group";    ///< the group it was read in
    static constexpr std::string_view id = "dead_letter.id";          ///< its id there
    /// How many times it had been delivered (including the one that moved it).
    static constexpr std::string_view deliveries = "dead_letter.deliveries";
};

/// Counters of a consumer, for monitoring and tests.
struct ConsumerStats {
    /// Messages read ahead and waiting for next().
    std::size_t queued = 0;
    /// The high-water mark of `queued`: never above prefetch (reads ask for
    /// no more than the room left, over any number of streams).
    std::size_t max_queued = 0;
    /// Read round trips completed.
    std::uint64_t reads = 0;
    /// Messages read from the server (into the prefetch queue).
    std::uint64_t delivered = 0;
    /// Group modes: of those, deliveries of an entry delivered before
    /// (re-read after a restart or reconnect, or claimed).
    std::uint64_t redelivered = 0;
    /// Group modes: entries the server confirmed acked.
    std::uint64_t acked = 0;
    /// Group modes: acks the server did not count: the entry was no longer
    /// pending in the group (acked before, by this member or another). XACK
    /// does not check the owner, so this member's ack of an entry another one
    /// claimed meanwhile counts as acked, and it is the claimer's ack that
    /// lands here; both may have processed it.
    std::uint64_t not_pending = 0;
    /// Group modes: pending entries whose body was deleted; acked, not delivered.
    std::uint64_t deleted = 0;
    /// Group modes: groups created again after they vanished (NOGROUP);
    /// entries added in between may have been missed.
    std::uint64_t groups_recreated = 0;
    /// load_balanced: entries claimed from idle members (delivered again,
    /// with Message::delivery_count()).
    std::uint64_t claimed = 0;
    /// Group modes: entries moved to the dead-letter stream (max_deliveries).
    std::uint64_t dead_lettered = 0;
    /// Group modes: dead-letter moves the server refused (the entry stays
    /// pending, not delivered; e.g. a dead-letter key of another type).
    std::uint64_t dead_letter_failed = 0;
    /// load_balanced with renew_leases: entries whose idle time was reset.
    std::uint64_t leases_renewed = 0;
    /// load_balanced: claims that failed (the server refused XAUTOCLAIM or
    /// the delivery counts asked after it, or the connection failed); the
    /// entries stay pending, not delivered, and a later round claims them.
    std::uint64_t claims_failed = 0;
    /// load_balanced with renew_leases: renewal requests that failed
    /// (refused, or the connection failed); those entries' idle time was not
    /// reset, so another member may claim them while they are worked on.
    std::uint64_t leases_failed = 0;
};

/// One key of a group consumer, as the server and this consumer see it.
struct GroupStreamStats {
    std::string key;    ///< The Redis key (a stream, or one of its shards).
    std::string group;  ///< The group read.
    /// Entries in the stream not yet delivered to the group; nullopt when the
    /// server cannot tell (after deletions or XSETID).
    std::optional<std::uint64_t> lag{};
    /// Entries delivered to the group and not yet acked (all members).
    std::uint64_t pending = 0;
    // This consumer's counts for this key (see ConsumerStats).
    std::uint64_t delivered = 0;
    std::uint64_t redelivered = 0;
    std::uint64_t acked = 0;
    std::uint64_t claimed = 0;
    std::uint64_t dead_lettered = 0;
};

namespace detail {
struct StreamerContext;
class ConsumerImpl;
}  // namespace detail

/// A consumer. Methods may be called from any thread; its state lives on its
/// own strand. Errors: a read the server refused (WRONGTYPE on a key of the
/// wrong type) or a reply that could not be parsed (condition::protocol)
/// fails next() with that code (last_error() keeps it); a lost connection is
/// retried (reconnect) and does not surface unless reconnection is off.
class Consumer {
  public:
    /// The longest rewind(SeqPos::end()) waits for the ends to be looked up.
    static constexpr std::chrono::milliseconds end_lookup_timeout{2000};

    Consumer() = default;
    Consumer(Consumer&&) noexcept;
    Consumer& operator=(Consumer&&) noexcept;
    ~Consumer();

    /// Waits for the next message. Throws `redstream::Error`.
    Message next();
    Message next(std::error_code& ec);
    /// Waits at most `timeout`; nullopt when nothing arrived in time.
    std::optional<Message> next_for(std::chrono::milliseconds timeout);
    std::optional<Message> next_for(std::chrono::milliseconds timeout, std::error_code& ec);

    /// Waits for the next message without blocking a thread. Completion:
    /// `void(std::error_code, Message)`: the sticky read error (as next()),
    /// queue_full (more than 1024 async waits at once), not_connected for a
    /// default-constructed Consumer. Cancelled by the token's cancellation
    /// slot (errc::cancelled) or end() / Streamer::disconnect()
    /// (errc::shutting_down).
    template <class Token>
    auto async_next(Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, Message)>(
            [](auto handler, Consumer* self) {
                auto slot = asio::get_associated_cancellation_slot(handler);
                auto ex = self->completion_executor();
                self->start_next(
                    detail::BasicCompletion<std::error_code, Message>(std::move(handler), ex),
                    slot);
            },
            token, this);
    }

    /// From the next message on, deliver the first message at or after `t` in
    /// every stream; messages prefetched before the call are dropped, and
    /// every entry added after the call returns is delivered. Real-time
    /// consumers only (invalid_argument for a group consumer).
    void seek(Timestamp t);
    /// As seek(), to a position. For SeqPos::end() it looks up each key's
    /// newest id before it returns, over the Streamer's shared connection
    /// (not behind this consumer's blocking read), so that the end is the end
    /// at the call and every entry added after it returns is delivered. It
    /// waits at most end_lookup_timeout (and a moment): if that lookup fails
    /// (the server is unreachable) it returns anyway, and the ends are looked
    /// up when the consumer reads again; entries added before then are
    /// skipped. Called on the consumer's executor (in an async_next()
    /// handler) it does not wait, with the same fallback.
    void rewind(SeqPos pos);

    /// Start / stop reading one shard of a stream.
    void assign(const StreamKey& stream, ShardId shard);
    void unassign(const StreamKey& stream, ShardId shard);

    /// Acknowledges a delivered message (AutoCommit::rolling and disabled;
    /// invalid_argument otherwise). Cheap and non-blocking: the commit loop
    /// sends it (rolling) or commit() does (disabled).
    void ack(const Message& m);
    /// AutoCommit::disabled: sends every ack made so far and waits until the
    /// server has them. Throws `redstream::Error`: invalid_argument in other
    /// modes, the XACK's error, shutting_down after end() or
    /// Streamer::disconnect() if the acks could not be sent.
    void commit();
    /// As commit(). Completion: `void(std::error_code)` with the errors of
    /// commit(). Not cancellable; a commit waiting for an unreachable server
    /// keeps its acks and completes with shutting_down at end() at the latest.
    template <class Token>
    auto async_commit(Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [](auto handler, Consumer* self) {
                auto ex = self->completion_executor();
                self->start_commit(
                    detail::BasicCompletion<std::error_code>(std::move(handler), ex));
            },
            token, this);
    }

    /// Stops the read loop; pending next() calls fail with shutting_down. A
    /// group consumer then commits what it owes (delayed acks too), waiting
    /// at most end_timeout. Idempotent.
    void end();

    /// Group modes: per key read, the group's lag and pending count (XINFO
    /// GROUPS, over the Streamer's shared connection) and this consumer's
    /// counters; a key whose group is gone reports no lag and 0 pending.
    /// Throws `redstream::Error` (invalid_argument for a real-time consumer,
    /// a connection error or timeout after request_timeout, shutting_down
    /// after end() or Streamer::disconnect()).
    std::vector<GroupStreamStats> group_stats();
    /// As group_stats(). Completion: `void(std::error_code,
    /// std::vector<GroupStreamStats>)` with the errors of group_stats(); not
    /// cancellable.
    template <class Token>
    auto async_group_stats(Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, std::vector<GroupStreamStats>)>(
            [](auto handler, Consumer* self) {
                auto ex = self->completion_executor();
                self->start_group_stats(
                    detail::BasicCompletion<std::error_code, std::vector<GroupStreamStats>>(
                        std::move(handler), ex));
            },
            token, this);
    }

    asio::any_io_executor get_executor() const noexcept;

    /// A snapshot of the counters (all zero for a default-constructed Consumer).
    ConsumerStats stats() const noexcept;
    /// The error that ended next() / messages(): a server refusal such as
    /// WRONGTYPE or a protocol error (kept until assign(), unassign(), seek()
    /// or rewind() changes what is read), shutting_down after end(),
    /// not_connected for a Consumer never started. Clear while the consumer
    /// reads, and while messages read before the error are still queued.
    std::error_code last_error() const noexcept;

    /// Input iteration: `for (const Message& m : consumer.messages())`; stops
    /// on an error or after end(). (Not on the Consumer itself: end() ends it.)
    class iterator {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Message;
        using difference_type = std::ptrdiff_t;
        using pointer = const Message*;
        using reference = const Message&;
        iterator() = default;
        explicit iterator(Consumer* c) : consumer_(c) { ++*this; }
        reference operator*() const { return current_; }
        pointer operator->() const { return &current_; }
        iterator& operator++();
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.consumer_ == b.consumer_;
        }

      private:
        Consumer* consumer_ = nullptr;
        Message current_;
    };
    struct Messages {
        Consumer* consumer;
        iterator begin() { return iterator(consumer); }
        iterator end() { return {}; }
    };
    Messages messages() noexcept { return {this}; }

  private:
    friend class Streamer;
    Consumer(std::shared_ptr<detail::StreamerContext> ctx, std::vector<StreamKey> streams,
             ConsumerOptions options);
    void start_next(detail::BasicCompletion<std::error_code, Message> done,
                    asio::cancellation_slot slot);
    void start_commit(detail::BasicCompletion<std::error_code> done);
    void start_group_stats(
        detail::BasicCompletion<std::error_code, std::vector<GroupStreamStats>> done);
    // Where handlers without an executor of their own complete: the
    // Streamer's executor, or the system executor once it is gone.
    asio::any_io_executor completion_executor() const;
    // True once end() or Streamer::disconnect() began: nothing may wait on
    // the actor's strand any more.
    bool ended() const noexcept;

    // Keeps the Streamer's executor alive while the consumer lives; the actor
    // itself does not hold it, so that it can never be the one to destroy the
    // io_context from one of its threads. Declared first so that it is
    // released last: the actor's timers must die before their io_context.
    std::shared_ptr<detail::StreamerContext> ctx_;
    std::shared_ptr<detail::ConsumerImpl> impl_;
};

}  // namespace redstream
