// The producer. send() writes each XADD straight into the open batch of the
// node that serves its key, on the caller's thread, under the one lock the
// producer has: that is the only copy of the payload in user space, since
// the connection writes a batch in place. Everything else lives on the
// connection's strand (the producer is an actor on it): shipping full
// batches while earlier ones are in flight (automatic pipelining), completing
// sends, flushes, and sends waiting for room. On a cluster each master has a
// pipeline of its own, so a slow or failing master holds back only the sends
// it serves. Unconfirmed messages and bytes are bounded by atomics the
// callers reserve. Batches and send states are recycled: no allocation per
// message in steady state.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <redstream/commands/xadd.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/producer.hpp>

#include "send_room.hpp"
#include "send_state.hpp"

namespace redstream::detail {

struct StreamerContext;

using ProducerClock = std::chrono::steady_clock;

/// One send in a batch, until it is confirmed.
struct PendingSend {
    SendState* state;  // one reference, released once completed
    StreamKey stream;
    ShardId shard;
    // Its reply, decoded as it arrives (no reply is stored).
    std::error_code ec = make_error_code(errc::unexpected_reply);
    MessageId id{};
    // With wait_replicas: the replicas WAIT counted for its node (-1: none answered).
    std::int64_t replicated = -1;
};

struct Pipeline;

/// Sends serialized into one request, for one connection.
struct Batch {
    resp::Request request;
    std::vector<PendingSend> sends;
    std::size_t bytes = 0;  // what its sends reserved of max_unconfirmed_bytes
    ProducerClock::time_point deadline = ProducerClock::time_point::max();
    // Large payloads handed over by their senders: the request refers to
    // them (by-reference arguments) until the batch is done. A deque never
    // moves its elements, so the references stay valid as it grows.
    std::deque<std::string> held;
    // Cluster: its replies, kept until decoded (standalone decodes them as
    // they are parsed).
    net::Response replies;
    // Cluster with wait_replicas: per send, what its master's WAIT counted.
    std::vector<std::int64_t> acked;
    // Whose in-flight slot it takes, while shipped.
    Pipeline* pipeline = nullptr;

    /// Empty again, keeping the buffers' capacity (not the held payloads').
    void reset() noexcept {
        request.clear();
        held.clear();
        sends.clear();
        bytes = 0;
        deadline = ProducerClock::time_point::max();
        pipeline = nullptr;
    }
};

/// One node's batches: up to ProducerImpl::max_batches_in_flight on the
/// wire, the rest gathering. Standalone there is one; on a cluster one per
/// master, chosen by the router's slot map when the send is taken (the
/// router still routes each XADD by its slot, so a map that changed
/// meanwhile costs a detour, never a wrong node).
struct Pipeline {
    std::string node;  // the master's name; "" standalone, or for slots without an owner
    std::unique_ptr<Batch> open;
    std::deque<std::unique_ptr<Batch>> full;  // closed, not yet shipped
    std::size_t in_flight = 0;
    // True while the strand will look at it again by itself (a drain is
    // posted, or every slot is in flight and a completion drains): then
    // senders do not post. Waking an I/O thread costs more than a send.
    bool awake = false;

    bool has_backlog() const noexcept { return !full.empty() || (open && !open->sends.empty()); }
    bool idle() const noexcept { return in_flight == 0 && !has_backlog(); }
};

/// An async send that found no room: serialized apart (the caller's bytes
/// are not ours to keep), it waits on the strand and joins a batch later.
struct WaitingSend {
    resp::Request xadd;
    SendState* state;
    StreamKey stream;
    ShardId shard;
    std::optional<std::uint16_t> slot;  // known on a cluster
    std::size_t bytes;
    ProducerClock::time_point deadline;
};

class ProducerImpl : public std::enable_shared_from_this<ProducerImpl> {
  public:
    static constexpr std::size_t max_batches_in_flight = 2;
    static constexpr std::size_t max_spare_batches = max_batches_in_flight + 2;

    ProducerImpl(std::shared_ptr<StreamerContext> ctx, StreamKey anchor, ProducerOptions options);
    ~ProducerImpl();

    /// Caller thread: checks the send can be taken at all (not closed, a stream).
    bool accepts(const StreamKey& stream, std::error_code& ec) const noexcept;
    /// Caller thread: reserves room for `bytes`, blocking while full if
    /// allowed; queue_full if not, shutting_down if closed meanwhile.
    std::error_code admit(std::size_t bytes, bool may_block) noexcept;
    /// What one send holds until it is confirmed: its serialized XADD (at
    /// most) and its share of the producer's bookkeeping.
    std::size_t held_bytes(const StreamKey& stream, std::string_view payload,
                           const SendOptions& opts) const noexcept;
    /// Caller thread: an admitted send goes into the open batch. Returns its
    /// state with one reference for the caller; `then`, if set, is its
    /// continuation (installed before the send can complete). `owned`, when
    /// set, is `payload`'s own string, handed over: if it is large, the batch
    /// takes it and the XADD is written from it.
    SendStateRef enqueue(const StreamKey& stream, std::string_view payload, const SendOptions& opts,
                         std::size_t bytes, SendState::Continuation then = {},
                         std::string* owned = nullptr);
    /// Caller thread: an async send that could not be admitted waits on the
    /// strand for room, or fails with queue_full if too many wait.
    void enqueue_when_room(const StreamKey& stream, std::string_view payload,
                           const SendOptions& opts, std::size_t bytes,
                           SendState::Continuation then);
    /// A send that failed before it was taken.
    SendStateRef failed(std::error_code ec) const;
    void flush(BasicCompletion<std::error_code> done);
    /// Refuses further sends; what is not yet shipped or waits for room
    /// fails with shutting_down, what is in flight completes as the client says.
    void close();
    bool closed() const noexcept { return closed_.load(std::memory_order_seq_cst); }
    ProducerStats stats() const noexcept;

    const StreamKey& anchor() const noexcept { return anchor_; }
    asio::any_io_executor executor() const { return strand_; }
    /// Where handlers without an executor of their own complete.
    asio::any_io_executor completion_executor() const { return ctx_->fallback_executor(); }
    const StreamerContext& context() const noexcept { return *ctx_; }
    const ProducerOptions& options() const noexcept { return options_; }

  private:
    struct Recycler {
        std::weak_ptr<ProducerImpl> owner;
        void operator()(Batch* b) const noexcept;
    };

    commands::XAddMessage message(const StreamKey& stream, std::string_view payload,
                                  const SendOptions& opts, ShardId shard,
                                  std::optional<std::uint16_t> slot) const noexcept;
    ShardId pick_shard(const StreamKey& stream, const SendOptions& opts) const;
    /// The slot of the key a send goes to, when it is worth knowing: always
    /// on a cluster, for the anchor stream (cached) standalone.
    std::optional<std::uint16_t> slot_of(const StreamKey& stream, ShardId shard) const;
    // Under lock_: the pipeline of the master serving `slot` now.
    Pipeline& pipeline_for(std::optional<std::uint16_t> slot);
    void follow_map(std::uint64_t version);
    // Under lock_: the open batch, created (or taken from the spares) on demand.
    Batch& open_batch(Pipeline& p);
    void close_if_full(Pipeline& p);
    static bool wake_locked(Pipeline& p) noexcept;
    void wake();
    void drain();
    void ship(std::unique_ptr<Batch> batch);
    void ship_routed(const std::shared_ptr<Batch>& batch, std::chrono::milliseconds left,
                     std::function<void(std::error_code)> done);
    static void on_reply(void* batch, std::size_t index, const resp::Reply& reply);
    void on_batch_done(const std::shared_ptr<Batch>& batch, std::error_code ec);
    void fail_batch(Batch& batch, std::error_code ec);
    void admit_waiting();
    void expire_waiting();
    void fail_waiting(std::error_code ec);
    void complete_flushes();

    std::shared_ptr<StreamerContext> ctx_;
    std::shared_ptr<net::Client> client_;         // standalone; null in cluster mode (the router)
    asio::strand<asio::any_io_executor> strand_;  // the connection's
    StreamKey anchor_;
    ProducerOptions options_;
    std::string payload_field_;
    commands::XAddOptions xadd_options_;
    std::vector<std::uint16_t> anchor_slots_;  // per shard of the anchor stream
    SendStatePool* states_;

    // Reserved by callers, released on the strand as sends complete.
    SendRoom room_;
    std::atomic<bool> closed_{false};
    // ProducerStats' counters, counted wherever a send is taken or
    // completes, read by any thread (relaxed: each is a tally on its own).
    std::atomic<std::uint64_t> sent_{0};
    mutable std::atomic<std::uint64_t> confirmed_{0}, failed_{0};
    std::atomic<std::uint64_t> bytes_{0};

    // Guarded by lock_: held for one serialization, or to take batches.
    std::mutex lock_;
    // The first serves slots without an owner too (the router holds those
    // until one does); a master's stays while it holds sends.
    std::vector<std::unique_ptr<Pipeline>> pipelines_;
    std::vector<std::uint16_t> route_;  // cluster: per slot, its pipeline's index
    std::uint64_t map_seen_ = 0;        // the router's map_version() route_ follows
    std::vector<std::unique_ptr<Batch>> spare_;
    std::uint64_t accepted_ = 0;  // sends put into batches (or expired waiting)

    // Strand state.
    std::vector<std::unique_ptr<Batch>> to_ship_;  // drain()'s, kept for its capacity
    std::uint64_t finished_ = 0;                   // sends completed (either way)
    std::deque<std::pair<std::uint64_t, BasicCompletion<std::error_code>>> flushes_;
    std::deque<WaitingSend> waiting_;   // async sends waiting for room
    asio::steady_timer waiting_timer_;  // fails waiting sends at their deadline
};

}  // namespace redstream::detail
