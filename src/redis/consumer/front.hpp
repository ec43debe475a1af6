// The consumer's front: what the public Consumer handle talks to. It holds
// the prefetch queue (taken from on the caller's thread), the lifecycle
// (start, end, end_and_wait), the stats, and the parts the mode needs, which
// it schedules: every part's completion comes back to step() on the strand.
//
//   real_time:      ShardDiscovery, RealTimeReader
//   resumable:      ShardDiscovery, GroupReader, CommitLoop, DeadLetters
//   load_balanced:  the same, plus ClaimLoop and LeaseLoop
//
// Start ids, group creation and reads go over the read lanes, connections
// of the consumer's own, one request at a time each: standalone one lane
// reads every key; on a cluster each master gets a lane per slot its keys
// are in (up to max_connections_per_node; past it slots share lanes), and
// replan() moves slots between lanes when the slot map changes. Discovery
// and the loops run beside them over the router's shared connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer_stats.hpp>

#include "claim_loop.hpp"
#include "commit_loop.hpp"
#include "core.hpp"
#include "dead_letters.hpp"
#include "discovery.hpp"
#include "group_reader.hpp"
#include "lease_loop.hpp"
#include "real_time_reader.hpp"

namespace redstream::detail {

// What one read's messages share: the reply they view into, the fields of
// all of them (so a page costs two allocations, not one per message), and
// the key when the reply does not name it.
struct PageHold {
    resp::Reply reply;
    std::vector<Field> fields;
    std::string key;
};

class ConsumerImpl final : public ConsumerCore, public std::enable_shared_from_this<ConsumerImpl> {
  public:
    /// `router`: the Streamer's, connected; the consumer's reads get
    /// connections of their own to the node they read.
    ConsumerImpl(asio::any_io_executor ex, std::shared_ptr<cluster::Router> router,
                 std::vector<StreamKey> streams, ConsumerOptions options,
                 std::string payload_field);

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
    /// Real-time: moves to `pos` (not SeqPos::end(): rewind_to_end_and_wait())
    /// or `t`. The queue is emptied at once, on the caller's thread, so that
    /// the very next take() sees only what is read from the new position.
    void rewind(SeqPos pos);
    void seek(Timestamp t);
    /// rewind(SeqPos::end()): looks the ends up and moves there, waiting at
    /// most Consumer::end_lookup_timeout plus read_margin; without waiting
    /// on the strand's own thread or after end(). A failed lookup is not
    /// reported: the read loop looks the ends up itself.
    void rewind_to_end_and_wait();
    void assign(StreamKey stream, ShardId shard);
    void unassign(StreamKey stream, ShardId shard);
    void end();
    /// True once end() was called: the consumer takes no new work.
    bool ended() const noexcept { return end_called_.load(std::memory_order_acquire); }
    /// end(), then waits (at most end_timeout) until a group consumer has
    /// committed what it owes. Returns at once on the strand's own thread,
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
    const std::string& start_failure() const noexcept;
    /// The last connection failure of a read lane (or the router's) when
    /// the start failed, for messages. Read only after the start completed.
    const std::string& connection_error() const noexcept;
    /// How a group consumer acks; none for a real-time one.
    std::optional<AutoCommit> commit_mode() const noexcept {
        return group_mode() ? std::optional(options.auto_commit) : std::nullopt;
    }
    std::uint64_t new_wait_id() noexcept { return wait_ids_.fetch_add(1) + 1; }
    ConsumerStats stats() const noexcept;
    /// Each read connection ("host:port" or the socket) with its counters;
    /// any thread, never waits.
    std::vector<std::pair<std::string, net::ClientStats>> read_connection_stats() const;
    /// Adds this consumer and its read connections to Streamer::stats().
    void report(StreamerStats& out) const;
    /// The error that ended next(): see Inbox::last_error().
    std::error_code last_error() const { return inbox.last_error(); }
    asio::any_io_executor executor() const { return strand; }

  private:
    struct KeyOwner {
        const StreamKey* stream = nullptr;  // null: the key is not read (any more)
        ShardId shard;
    };

    // ConsumerCore.
    void step() override;
    void deliver(const resp::Reply& reply, std::vector<commands::StreamPage>& pages,
                 std::string claimed_key, std::span<const KeyPending> pending) override;
    void fail(ReadLane& lane, std::error_code ec) override;
    void fail_start(ReadLane& lane, std::error_code ec) override;
    void back_off(ReadLane& lane, std::error_code ec) override;
    bool rerouted(ReadLane& lane, const resp::Value& reply) override;
    bool may_read_ahead() const override;
    void add_key(const StreamKey& stream, ShardId shard, std::string key,
                 ReadState::Origin origin) override;
    void ack_deleted(std::span<const std::pair<std::string, MessageId>> entries) override;
    std::shared_ptr<void> hold() override { return shared_from_this(); }

    template <class F>
    void on_strand(F&& f);
    void finish_start(std::error_code ec);
    void connect(ReadLane& lane);
    void step_lane(ReadLane& lane);  // the lane's next request, if one is due
    void retry_later(ReadLane& lane, std::chrono::milliseconds delay);
    // Cluster: which lane reads which slot (front_lanes.cpp).
    void follow_map();  // the router's map changed, or keys did: replan() if so
    void replan();
    void publish_lanes();  // lanes_ changed: copy their clients for read_connection_stats()
    ReadLane& lane_for(const cluster::NodeInfo& node);
    const cluster::NodeInfo* reader_of(std::uint16_t slot) const;
    KeyOwner owner_of(std::string_view key) const noexcept;
    void add_message(std::shared_ptr<PageHold>& hold, std::string_view key, const KeyOwner& owner,
                     const commands::StreamEntry& e, std::uint64_t deliveries);

    std::vector<StreamKey> streams_;
    std::vector<std::unique_ptr<ReadLane>> lanes_;
    // The clients of lanes_, for read_connection_stats() on other threads.
    mutable std::mutex lane_clients_mutex_;
    std::vector<std::shared_ptr<net::Client>> lane_clients_;
    std::size_t next_lane_ = 0;      // step() starts at this lane, in turn
    cluster::SlotMap map_;           // cluster: the router's, with MOVEDs seen since
    std::uint64_t map_version_ = 0;  // of the router's map copied last
    bool replan_ = false;            // keys or the map changed: lanes to be replanned
    ShardDiscovery discovery_;
    std::optional<RealTimeReader> realtime_;  // real_time
    std::optional<GroupReader> group_;        // resumable, load_balanced
    std::optional<CommitLoop> commits_;       // group modes
    std::optional<DeadLetters> dead_letters_;
    std::optional<ClaimLoop> claims_;  // load_balanced
    std::optional<LeaseLoop> leases_;  // load_balanced with renew_leases
    std::vector<Message> batch_;       // one read's messages, on their way to the inbox
    BasicCompletion<std::error_code> started_;
    std::string connection_error_;  // see connection_error()
    bool connected_ = false;

    std::atomic<std::uint64_t> wait_ids_{0};
    std::atomic<bool> end_waited_{false};
    std::atomic<bool> end_called_{false};  // end() was called (any thread)
};

template <class F>
void ConsumerImpl::on_strand(F&& f) {
    asio::post(strand, [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(*self); });
}

}  // namespace redstream::detail
