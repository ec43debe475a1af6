// The real-time consumer's actor: every member below is touched only on
// strand_, except the inbox (locked) and the atomic counter. The read loop
// (connect, discover shards, resolve start ids, XREAD, push into the inbox)
// runs on its own, one request at a time on its own connection; next()
// calls take from the inbox on the caller's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/bind_executor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <redstream/commands/xpending.hpp>
#include <redstream/commands/xread.hpp>
#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/net/detail/backoff.hpp>
#include <redstream/redis/consumer.hpp>
#include <redstream/redis/detail/ack_ledger.hpp>
#include <redstream/redis/detail/group_state.hpp>
#include <redstream/redis/detail/read_state.hpp>

#include "consumer_inbox.hpp"

namespace redstream::detail {

// What one read's messages share: the reply they view into, the fields of
// all of them (so a page costs two allocations, not one per message), and
// the key when the reply does not name it.
struct PageHold {
    resp::Reply reply;
    std::vector<Field> fields;
    std::string key;
};

/// The delivery counts of one key's entries, from an XPENDING sent just
/// before the read that delivers them again (a claim, a pending-list read).
struct KeyPending {
    std::string key;
    std::vector<commands::PendingEntry> entries;  // by id; `consumer` is not kept valid
};

/// The delivery count `id` will have once the read after `pending` delivered
/// it (one more than XPENDING saw); 0 if XPENDING did not list it. `pending`
/// is in id order, as XPENDING replies.
std::uint64_t delivery_count(const std::vector<commands::PendingEntry>& pending, MessageId id);

/// A group consumer's counts for one key (GroupStreamStats).
struct KeyCounters {
    std::uint64_t delivered = 0;
    std::uint64_t redelivered = 0;
    std::uint64_t acked = 0;
    std::uint64_t claimed = 0;
    std::uint64_t dead_lettered = 0;
};

class ConsumerImpl : public std::enable_shared_from_this<ConsumerImpl> {
  public:
    /// Added to block_time for the deadline of a blocking read.
    static constexpr std::chrono::milliseconds read_margin{1000};

    /// `acks`: the connection for XACK (never the blocking reads' one).
    ConsumerImpl(asio::any_io_executor ex, std::shared_ptr<net::Client> client,
                 std::shared_ptr<net::Client> acks, std::vector<StreamKey> streams,
                 ConsumerOptions options, std::string payload_field);

    /// Connects, finds the shards and resolves every start id; `started`
    /// completes then (or with the connection error), and reading goes on.
    void start(BasicCompletion<std::error_code> started);
    /// The next message, on the caller's thread; see Inbox::take().
    std::optional<Message> take(std::optional<Inbox::Clock::time_point> deadline,
                                std::error_code& ec);
    /// Completes `done` with the next message; `id` names the wait for cancel().
    void next(NextCompletion done, std::uint64_t id);
    /// Completes the wait `id` with `why` if it is still waiting.
    void cancel(std::uint64_t id, errc why);
    /// Moves to `pos` (not SeqPos::end(): rewind_to_end()) or `t`: explicit
    /// ids, so whatever is added after the call is delivered.
    void rewind(SeqPos pos);
    void seek(Timestamp t);
    /// rewind(SeqPos::end()): looks every key's newest id up over acks_client_
    /// (never behind this consumer's blocking read) and moves there; `done`
    /// completes then, with the lookup's error if it failed (the read loop
    /// then looks the ends up itself, once it can).
    void rewind_to_end(BasicCompletion<std::error_code> done);
    /// rewind_to_end(), waiting at most Consumer::end_lookup_timeout plus
    /// read_margin; without waiting on the actor's own thread or after end().
    void rewind_to_end_and_wait();
    void assign(StreamKey stream, ShardId shard);
    void unassign(StreamKey stream, ShardId shard);
    void end();
    /// True once end() was called: the actor takes no new work.
    bool ended() const noexcept { return end_called_.load(std::memory_order_acquire); }
    /// end(), then waits (at most end_timeout) until a group consumer has
    /// committed what it owes. Returns at once on the actor's own thread,
    /// and after the first wait.
    void end_and_wait();

    /// A user ack (rolling, disabled); from any thread.
    void ack(const Message& m);
    /// A user commit (disabled): completes once every ack before it is on
    /// the server, or with the commit's error.
    void commit(BasicCompletion<std::error_code> done);
    /// Group modes: per key, the server's view (XINFO GROUPS) and our counters.
    void group_stats(BasicCompletion<std::error_code, std::vector<GroupStreamStats>> done);

    /// Why start() failed, when the error code alone does not say it. Read
    /// only after the start completed.
    const std::string& start_failure() const noexcept { return start_failure_; }

    bool group_mode() const noexcept { return options_.mode != ConsumerMode::real_time; }
    /// How a group consumer acks; none for a real-time one.
    std::optional<AutoCommit> commit_mode() const noexcept {
        return group_mode() ? std::optional(options_.auto_commit) : std::nullopt;
    }
    std::uint64_t new_wait_id() noexcept { return wait_ids_.fetch_add(1) + 1; }
    ConsumerStats stats() const noexcept;
    /// The error that ended next(): see Inbox::last_error().
    std::error_code last_error() const { return inbox_.last_error(); }
    asio::any_io_executor executor() const { return strand_; }

  private:
    // The one request in flight at a time on client_.
    enum class Op : std::uint8_t { none, connect, discover, resolve, create, read, backoff };
    struct KeyOwner {
        const StreamKey* stream = nullptr;  // null: the key is not read (any more)
        ShardId shard;
    };

    KeyOwner owner_of(std::string_view key) const noexcept;
    void add_key(const StreamKey& stream, ShardId shard, std::string key, ReadState::Origin origin);

    void step();
    void on_connected(std::error_code ec);
    void discover();
    void on_discovered(std::error_code ec);
    void resolve();
    void on_resolved(std::error_code ec, std::uint64_t generation);
    void read(std::size_t incoming = 0);  // `incoming`: a page not yet queued
    void on_read(std::error_code ec, std::uint64_t generation);
    void keep_first(std::size_t limit);            // a blocking read's cut to the room
    void read_ahead();                             // the next read, before this page is handed over
    std::chrono::milliseconds read_block() const;  // BLOCK of the next read
    // `claimed_key`: the key of claimed entries (XAUTOCLAIM replies name
    // none); `pending`: delivery counts of redelivered entries, by key.
    void push_messages(const resp::Reply& reply, std::string claimed_key = {},
                       std::span<const KeyPending> pending = {});
    // Dead letters (consumer_dead_letter.cpp): moves what was delivered
    // max_deliveries times; step() pauses reading while too many are out.
    bool is_dead_letter(std::uint64_t deliveries) const noexcept;
    void add_dead_letter(std::string_view key, const commands::StreamEntry& e,
                         std::uint64_t deliveries);
    void send_dead_letters();
    void on_dead_letters(std::error_code ec, const net::Response& replies,
                         const std::vector<std::string>& keys);
    // This consumer's counts for one key (consumer_stats.cpp).
    KeyCounters& counters(std::string_view key);
    // Group mode (consumer_group.cpp).
    void create_groups();
    void on_groups_created(std::error_code ec);
    void read_group(std::size_t incoming = 0);           // `incoming`: a page not yet queued
    std::size_t read_count(std::size_t incoming) const;  // a claim's COUNT
    void wait_for_entries();  // turns found every key empty: XREAD BLOCK as a wake-up
    void saw(std::string_view key, MessageId id);  // newest id seen in a key (wake-ups)
    void on_group_read(std::error_code ec);
    void on_group_entries();  // pages_ of a group read: acks owed for deleted entries
    // The commit loop (consumer_commit.cpp): XACKs over acks_client_, beside reads.
    void drain_ack_logs();
    void commit_step();
    void on_committed(std::error_code ec);
    void finish_commits(std::error_code ec);
    // Failover (consumer_claim.cpp): XAUTOCLAIM from idle members.
    void schedule_claim(std::chrono::milliseconds after);
    void claim();
    void on_claimed(std::error_code ec);
    // Lease renewal (consumer_lease.cpp): keep this member's entries fresh.
    void schedule_renewal();
    void renew();
    void on_renew_listed(std::error_code ec);
    void on_renewed(std::error_code ec);
    void wake();                           // posts step(): the inbox has room again
    void reposition(std::uint64_t epoch);  // after a seek or rewind
    // rewind_to_end (consumer_seek.cpp): the lookup of one call.
    struct EndLookup;
    void look_up_ends(std::shared_ptr<EndLookup> lookup);
    void on_ends(std::error_code ec, EndLookup& lookup);

    // A reply error: retryable ones back off, others stop reading until the
    // user changes the read set or position.
    void fail(std::error_code ec);
    void back_off(std::error_code ec);
    void finish_start(std::error_code ec);
    void schedule_discovery();
    template <class F>
    void on_strand(F&& f);
    template <class F>
    auto bind(F&& f);
    template <class F>
    auto guard(F&& f);

    asio::strand<asio::any_io_executor> strand_;
    std::shared_ptr<net::Client> client_;
    std::vector<StreamKey> streams_;
    ConsumerOptions options_;
    std::string payload_field_;
    ReadState state_;   // real_time
    GroupState group_;  // resumable, load_balanced
    std::string group_name_;
    std::string member_name_;
    std::shared_ptr<net::Client> acks_client_;
    AckLedger acks_;
    resp::Request ack_req_;
    net::Response ack_resp_;
    asio::steady_timer commit_timer_;
    bool ending_ = false;  // end(): commit everything owed, then report ended_
    std::deque<std::pair<std::uint64_t, BasicCompletion<std::error_code>>> commits_;
    std::vector<BasicCompletion<std::error_code>> ended_;
    std::vector<Inbox::Taken> taken_;  // drained from the inbox
    asio::steady_timer claim_timer_;
    std::size_t claim_index_ = 0;  // the key being scanned
    MessageId claim_cursor_;
    std::string claim_key_;
    resp::Request claim_req_;
    net::Response claim_resp_;
    asio::steady_timer renew_timer_;
    std::size_t renew_index_ = 0;  // the key being renewed
    MessageId renew_after_;
    std::string renew_key_;
    resp::Request renew_req_;
    net::Response renew_resp_;
    // Dead letters found by the last read, not yet sent, and how many are out.
    resp::Request dead_req_;
    std::vector<std::string> dead_keys_;
    std::size_t dead_in_flight_ = 0;
    std::map<std::string, KeyCounters, std::less<>> key_counters_;
    // User acks, from any thread; drained by the strand.
    std::mutex user_acks_mutex_;
    std::vector<std::pair<AckLedger::Key, MessageId>> user_acks_;
    std::vector<std::pair<AckLedger::Key, MessageId>> user_acks_swap_;
    // The keys acks name, one string per key (under user_acks_mutex_).
    std::map<std::string, AckLedger::Key, std::less<>> ack_keys_;
    AckLedger::Key last_ack_key_;
    std::vector<std::string> creating_;  // keys of the XGROUP CREATEs in flight, in order
    std::string start_failure_;
    std::vector<std::string> reading_pending_;  // pending-phase keys of the read in flight

    resp::Request req_;
    net::Response resp_;
    std::vector<commands::StreamPage> pages_;
    std::vector<std::pair<std::size_t, std::string>> scans_;  // (stream index, cursor)
    std::vector<std::string> resolving_;  // keys of the XREVRANGEs in flight, in order

    // The prefetch bound (plan_read()): reads take turns of keys when the room
    // cannot give every key a fair COUNT.
    std::size_t next_turn_ = 0;       // the key (index among those read) a turn starts at
    std::size_t quiet_keys_ = 0;      // keys turns found empty since entries last came
    std::size_t read_reserved_ = 0;   // what the read in flight may bring (Inbox::reserve)
    std::size_t read_count_ = 0;      // its COUNT
    std::size_t read_turn_ = 0;       // its keys when a turn (not every key), else 0
    std::size_t read_limit_ = 0;      // real-time blocking read over a turn's room: keep this many
    std::size_t claim_reserved_ = 0;  // what the claim in flight may bring
    bool claim_waiting_ = false;      // a claim round paused for room
    std::map<std::string, MessageId, std::less<>> group_seen_;  // wake-up ids, group turns
    std::vector<commands::StreamPage> commands_pages_;          // a wake-up's reply

    Inbox inbox_;
    std::vector<Message> batch_;  // one read's messages, on their way to inbox_
    std::error_code error_;       // sticky reply error (the inbox reports it once empty)
    BasicCompletion<std::error_code> started_;

    Op op_ = Op::none;
    bool stopped_ = false;
    bool connected_ = false;
    bool first_scan_done_ = false;
    bool discovery_due_ = false;
    std::size_t end_lookups_ = 0;  // rewind_to_end lookups out: the read loop waits
    asio::steady_timer retry_timer_;
    asio::steady_timer discovery_timer_;
    net::detail::Backoff backoff_;

    std::atomic<std::uint64_t> wait_ids_{0};
    std::atomic<bool> end_waited_{false};
    std::atomic<bool> end_called_{false};  // end() was called (any thread)
    std::atomic<bool> commit_idle_{true};  // no commit timer armed, nothing in flight
    std::atomic<std::uint64_t> reads_{0};
    std::atomic<std::uint64_t> groups_recreated_{0};
    std::atomic<std::uint64_t> deleted_{0};
    std::atomic<std::uint64_t> acked_{0};
    std::atomic<std::uint64_t> not_pending_{0};
    std::atomic<std::uint64_t> claimed_{0};
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> redelivered_{0};
    std::atomic<std::uint64_t> dead_lettered_{0};
    std::atomic<std::uint64_t> dead_letter_failed_{0};
    std::atomic<std::uint64_t> leases_renewed_{0};
};

template <class F>
void ConsumerImpl::on_strand(F&& f) {
    asio::post(strand_,
               [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(*self); });
}

// The completion of the request in flight: back on the strand, the slot
// free again, and nothing more once the consumer ended.
template <class F>
auto ConsumerImpl::bind(F&& f) {
    return asio::bind_executor(
        strand_, [self = shared_from_this(), f = std::forward<F>(f)](std::error_code ec) mutable {
            self->op_ = Op::none;
            if (self->stopped_) return;
            f(*self, ec);
        });
}

// The completion of a timer, or of a request on another connection than
// client_'s: back on the strand, and nothing more once the consumer ended.
template <class F>
auto ConsumerImpl::guard(F&& f) {
    return asio::bind_executor(
        strand_, [self = shared_from_this(), f = std::forward<F>(f)](std::error_code ec) mutable {
            if (!self->stopped_) f(*self, ec);
        });
}

}  // namespace redstream::detail
