// What the parts of one consumer share, and the narrow interface through
// which they reach the rest of it. The front (ConsumerImpl, front.hpp) is the
// one ConsumerCore; each part (a reader, the commit, claim and lease loops,
// the dead letters, discovery) holds a reference to it and owns its own
// requests, replies and timers, so that no part steps on another's scratch
// and a reader can later be made once per node. Everything here runs on
// `strand` except where a member says otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/bind_executor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <redstream/cluster/router.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/commands/xread.hpp>
#include <redstream/net/client.hpp>
#include <redstream/net/detail/backoff.hpp>
#include <redstream/redis/consumer.hpp>
#include "read_state.hpp"

#include "inbox.hpp"

namespace redstream::detail {

/// The delivery counts of one key's entries, from an XPENDING sent just
/// before the read that delivers them again (a pending-list read), or just
/// after the claim that did (`counted`: the counts include it).
struct KeyPending {
    std::string key;
    std::vector<commands::PendingEntry> entries;  // by id; `consumer` is not kept valid
    bool counted = false;
};

/// The delivery count `id` has once delivered by the read `pending` goes
/// with (one more than XPENDING saw, unless `counted`); 0 if XPENDING did
/// not list it. `pending.entries` is in id order, as XPENDING replies.
std::uint64_t delivery_count(const KeyPending& pending, MessageId id);

/// How many entries lead a re-read's page (in id order) with known counts:
/// the longest run from its start that `pending` lists. An entry it did not
/// list became this member's between the XPENDING and the read (acks on
/// another connection moved the read past the listing, or a claim gave it
/// one): it is not delivered with an unknown count but read again, with the
/// pending list, by the next read.
std::size_t listed_prefix(const KeyPending& pending,
                          std::span<const commands::StreamEntry> page) noexcept;

/// A group consumer's counts for one key (GroupStreamStats).
struct KeyCounters {
    std::uint64_t delivered = 0;
    std::uint64_t redelivered = 0;
    std::uint64_t acked = 0;
    std::uint64_t claimed = 0;
    std::uint64_t dead_lettered = 0;
};

/// The consumer's counts (ConsumerStats): atomics, read from any thread;
/// `by_key` on the strand only.
struct ConsumerCounters {
    std::atomic<std::uint64_t> reads{0};
    std::atomic<std::uint64_t> groups_recreated{0};
    std::atomic<std::uint64_t> deleted{0};
    std::atomic<std::uint64_t> acked{0};
    std::atomic<std::uint64_t> not_pending{0};
    std::atomic<std::uint64_t> claimed{0};
    std::atomic<std::uint64_t> delivered{0};
    std::atomic<std::uint64_t> redelivered{0};
    std::atomic<std::uint64_t> dead_lettered{0};
    std::atomic<std::uint64_t> dead_letter_failed{0};
    std::atomic<std::uint64_t> leases_renewed{0};
    std::atomic<std::uint64_t> claims_failed{0};
    std::atomic<std::uint64_t> leases_failed{0};
    std::map<std::string, KeyCounters, std::less<>> by_key;

    /// Adds `n` to an atomic counter (relaxed: only ever read as a snapshot).
    static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n) noexcept {
        counter.fetch_add(n, std::memory_order_relaxed);
    }
    /// This consumer's counts for one key.
    KeyCounters& of(std::string_view key);
};

/// A background request (a claim, a lease renewal) failed: counted in
/// `counter` and logged as a warning, "<what> <key> failed: <why> (<then>)",
/// so that one that keeps failing is seen.
void count_failure(std::atomic<std::uint64_t>& counter, std::string_view what, std::string_view key,
                   std::error_code ec, std::string_view then);

/// Where a reader is in taking turns of keys (plan_read()): when the room
/// cannot give every key a fair COUNT, reads take turns of keys.
struct ReadTurns {
    std::size_t next = 0;      // the key (index among those read) a turn starts at
    std::size_t quiet = 0;     // keys turns found empty since entries last came
    std::size_t reserved = 0;  // what the read in flight may bring (Inbox::reserve)
    std::size_t count = 0;     // its COUNT
    std::size_t turn = 0;      // its keys when a turn (not every key), else 0
    bool backlog = false;      // the last reply had a full page: more is waiting

    /// A read of `plan` over `keys` keys goes out: remember it, move the
    /// turn on, and reserve its room in `inbox`.
    void start(const ReadPlan& plan, std::size_t keys, std::size_t reserve, Inbox& inbox);
    /// Its reply came (or failed): give the reservation back.
    void finish(Inbox& inbox) { inbox.unreserve(std::exchange(reserved, 0)); }
};

/// A connection reads go over, one request at a time: a blocking read holds
/// it, so start-id lookups and group creation take turns with the reads.
/// Standalone there is one, for every key; on a cluster one per group of
/// slots on a master (front.hpp: replan()). As one request is out at a time,
/// the reader's scratch for it lives here too.
struct ReadLane {
    /// The longest a lane that reads several slots blocks on one of them
    /// while all are quiet: a message on another waits up to about this.
    static constexpr std::chrono::milliseconds shared_block{100};

    /// A cluster lane waits at most this long between tries while its
    /// master is down, so that it soon reads where the new map says.
    static constexpr std::chrono::milliseconds cluster_retry{200};

    ReadLane(std::shared_ptr<net::Client> c, const asio::strand<asio::any_io_executor>& strand,
             HostPort n = {})
        : client(std::move(c)),
          node(std::move(n)),
          backoff(client->config().reconnect),
          retry(strand) {
        // A cluster lane's request fails at once while its master is down,
        // instead of waiting out its deadline for a node that may be gone.
        req.config().fail_if_not_connected = !node.host.empty();
    }
    /// A lane whose connection is chosen per request (discovery's).
    ReadLane(const net::ReconnectOptions& reconnect,
             const asio::strand<asio::any_io_executor>& strand)
        : backoff(reconnect), retry(strand) {}

    /// Whether the lane reads keys of `slot` (standalone: every slot).
    bool serves(std::uint16_t slot) const noexcept;
    /// Whether the next read includes keys of `slot`: a multi-key read
    /// cannot span slots, so a lane of several reads one at a time, in turn.
    bool reads(std::uint16_t slot) const noexcept;
    /// BLOCK of its next read: `block` when the lane reads one slot (or
    /// every one); with several, none while a round of them is not done,
    /// then at most shared_block.
    std::optional<std::chrono::milliseconds> block(std::chrono::milliseconds block) const noexcept;
    /// A read of the lane came back, with entries or not: the next slot's turn.
    void read_done(bool found_entries) noexcept;

    std::shared_ptr<net::Client> client;
    HostPort node;                     // cluster: the master it reads
    bool all_slots = true;             // standalone: the lane reads every key
    std::vector<std::uint16_t> slots;  // cluster: the slots it reads
    std::size_t slot_turn = 0;         // several slots: whose read is next
    std::size_t quiet_slots = 0;       // several slots: found empty in a row
    net::detail::Backoff backoff;      // reset by each reply that was read
    asio::steady_timer retry;          // the back-off wait
    bool busy = false;                 // a request (or the back-off wait) is out
    bool was_up = false;               // its first connect succeeded

    // The request out, and what the reader keeps about it.
    resp::Request req;
    net::Response resp;
    std::vector<commands::StreamPage> pages;
    std::vector<std::string> keys;  // keys of its per-key commands, in order
    // cluster: the slot of the read out (a read covers one, reads()). It
    // may move to another lane meanwhile; if the read then fails, its entries
    // (already this member's) are found by re-reading that slot's pending list.
    std::uint16_t read_slot = 0;
    ReadTurns turns;
    std::size_t read_limit = 0;  // real-time: a blocking read over the room keeps this many
};

/// The cursors of `lane`'s next read that `ready(c)` accepts: every one the
/// lane serves or, when it reads several slots, those of the slot whose turn
/// it is (a slot with none gives its turn on).
template <class Cursor, class Ready>
std::vector<const Cursor*> next_read_keys(ReadLane& lane, const std::vector<Cursor>& cursors,
                                          Ready ready) {
    std::vector<const Cursor*> keys;
    for (std::size_t tries = 0; keys.empty() && tries <= lane.slots.size(); ++tries) {
        if (tries > 0) lane.read_done(false);
        for (const auto& c : cursors)
            if (ready(c) && lane.reads(c.slot)) keys.push_back(&c);
    }
    return keys;
}

class ConsumerCore {
  public:
    /// Added to block_time for the deadline of a blocking read.
    static constexpr std::chrono::milliseconds read_margin{1000};

    ConsumerCore(asio::any_io_executor ex, std::shared_ptr<cluster::Router> router,
                 ConsumerOptions options, std::string payload_field);

    bool group_mode() const noexcept { return options.mode != ConsumerMode::real_time; }
    /// The user changed the read set or position: reading goes on after a
    /// reply error, and next() stops reporting it.
    void clear_error() {
        error.clear();
        inbox.clear_error();
    }
    /// BLOCK of the next read: block_time, never 0 (BLOCK 0 would wait
    /// forever, past any deadline); on demand no longer than the waiting
    /// take wants a message.
    std::chrono::milliseconds read_block() const;
    /// The room a read of one lane may plan with: the room left, and no more
    /// than its share of prefetch, so that every lane gets to read.
    std::size_t lane_room(std::size_t incoming = 0) const {
        return std::min(inbox.room(incoming), lane_share);
    }

    // What a part asks of the rest of the consumer.

    /// Something changed (a reply came, room freed): decide the next request.
    virtual void step() = 0;
    /// Hands one read's pages over as messages (dead letters moved aside).
    /// `claimed_key`: the key of claimed entries (XAUTOCLAIM replies name
    /// none); `pending`: delivery counts of redelivered entries, by key.
    virtual void deliver(const resp::Reply& reply, std::vector<commands::StreamPage>& pages,
                         std::string claimed_key = {},
                         std::span<const KeyPending> pending = {}) = 0;
    /// A reply error of a request of `lane`: retryable ones back off, others
    /// stop reading until the user changes the read set or position.
    virtual void fail(ReadLane& lane, std::error_code ec) = 0;
    /// The start cannot succeed (a missing stream): create_consumer()
    /// reports `ec`, and reading stops as after fail().
    virtual void fail_start(ReadLane& lane, std::error_code ec) = 0;
    /// Waits (holding the lane) and tries again; before the start, reports `ec`.
    virtual void back_off(ReadLane& lane, std::error_code ec) = 0;
    /// A reply of `lane` that says the cluster changed (MOVED, ASK, TRYAGAIN,
    /// CLUSTERDOWN, a blocked read UNBLOCKED): the keys are routed again and
    /// the lane tries again. True if `reply` was one (the caller then drops
    /// the rest of the reply); never on a standalone server.
    virtual bool rerouted(ReadLane& lane, const resp::Value& reply) = 0;
    /// Whether a reader may send its next read before handing a full page
    /// over: nothing else (discovery, an error, a claim, dead letters) waits.
    virtual bool may_read_ahead() const = 0;
    /// A read found a new key (discovery) or the user assigned one.
    virtual void add_key(const StreamKey& stream, ShardId shard, std::string key,
                         ReadState::Origin origin) = 0;
    /// Entries a group read found deleted: acked at once, so that they do not
    /// stay pending; then the commit loop runs.
    virtual void ack_deleted(std::span<const std::pair<std::string, MessageId>> entries) = 0;
    /// Keeps the consumer (and so every part) alive while a completion is out.
    virtual std::shared_ptr<void> hold() = 0;

    /// A completion (of a timer, or of a request on a connection the part
    /// does not hold exclusively) back on the strand, calling `f(ec)`;
    /// nothing once the consumer ended.
    template <class F>
    auto guard(F&& f) {
        return asio::bind_executor(
            strand, [this, alive = hold(), f = std::forward<F>(f)](std::error_code ec) mutable {
                if (!stopped) f(ec);
            });
    }
    /// Sends `req` on `lane`, which it holds until the reply: `f(ec)` runs
    /// on the strand, the lane free again, unless the consumer ended.
    template <class F>
    void exec(ReadLane& lane, const resp::Request& req, net::Response& resp, net::ExecOptions opts,
              F&& f) {
        lane.busy = true;
        lane.client->async_exec(
            req, resp, opts,
            asio::bind_executor(strand, [this, &lane, alive = hold(),
                                         f = std::forward<F>(f)](std::error_code ec) mutable {
                lane.busy = false;
                if (!stopped) f(ec);
            }));
    }

    asio::strand<asio::any_io_executor> strand;
    const ConsumerOptions options;
    const std::string payload_field;
    std::string group;   // group modes: the group's name
    std::string member;  // and this member's
    /// The Streamer's router (its shared connections): XACK, XAUTOCLAIM,
    /// leases, dead letters, XINFO, end lookups and shard scans, never
    /// behind a blocking read.
    std::shared_ptr<cluster::Router> router;
    /// Each lane's part of prefetch (lane_room()).
    std::size_t lane_share = static_cast<std::size_t>(-1);
    Inbox inbox;
    ConsumerCounters counters;
    std::error_code error;  // sticky reply error (the inbox reports it once empty)
    bool stopped = false;   // end() reached the strand: nothing more starts

  protected:
    ~ConsumerCore() = default;
};

}  // namespace redstream::detail
