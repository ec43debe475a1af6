// The producer actor. send() serializes the XADD on the caller's thread and
// posts it to the strand; the strand gathers everything that arrives while
// earlier batches are in flight into the next batch (automatic pipelining).
// Unconfirmed messages and bytes are bounded by atomics the callers reserve.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <redstream/net/client.hpp>
#include <redstream/redis/producer.hpp>

#include "send_state.hpp"

namespace redstream::detail {

struct StreamerContext;

/// One message on its way: its XADD, already serialized, and its future.
struct OutgoingSend {
    using Clock = std::chrono::steady_clock;
    resp::Request xadd;
    std::shared_ptr<SendState> state;
    StreamKey stream;
    ShardId shard;
    std::size_t bytes = 0;
    Clock::time_point deadline;    // send() + delivery_timeout
    OutgoingSend* next = nullptr;  // link in the submission stack
};

/// Where caller threads hand sends to the strand without a lock: a Treiber
/// stack (push with CAS; the strand takes all of it at once, so no ABA) that
/// the strand reverses into send order. Only a push that finds it empty may
/// need to wake the strand (see ProducerImpl::awake_).
class SubmissionStack {
  public:
    /// Returns true if the stack was empty.
    bool push(OutgoingSend* s) noexcept {
        // Once pushed, `s` belongs to the strand (which may free it at once):
        // the answer comes from the local copy of the old head, not from s.
        // seq_cst: a sender that pushes and then finds the producer closed
        // must not miss a close whose last drain did not see the push.
        OutgoingSend* old = head_.load(std::memory_order_relaxed);
        do {
            s->next = old;
        } while (!head_.compare_exchange_weak(old, s, std::memory_order_seq_cst,
                                              std::memory_order_relaxed));
        return old == nullptr;
    }
    bool empty() const noexcept { return head_.load(std::memory_order_acquire) == nullptr; }
    /// Everything pushed so far, oldest first.
    OutgoingSend* take_all() noexcept {
        OutgoingSend* lifo = head_.exchange(nullptr, std::memory_order_acquire);
        OutgoingSend* fifo = nullptr;
        while (lifo) {
            OutgoingSend* next = lifo->next;
            lifo->next = fifo;
            fifo = lifo;
            lifo = next;
        }
        return fifo;
    }
    ~SubmissionStack() {
        for (auto* s = take_all(); s;)
            delete std::exchange(s, s->next);
    }

  private:
    std::atomic<OutgoingSend*> head_{nullptr};
};

class ProducerImpl : public std::enable_shared_from_this<ProducerImpl> {
  public:
    static constexpr std::size_t max_batches_in_flight = 2;

    ProducerImpl(std::shared_ptr<StreamerContext> ctx, StreamKey anchor, ProducerOptions options);

    /// Caller thread: checks the send can be taken at all (not closed, a stream).
    bool accepts(const StreamKey& stream, std::error_code& ec) const noexcept;
    /// Caller thread: reserves room for `bytes`, blocking while full if
    /// allowed; queue_full if not, shutting_down if closed meanwhile.
    std::error_code admit(std::size_t bytes, bool may_block) noexcept;
    /// What one send holds until it is confirmed: about its serialized XADD.
    std::size_t held_bytes(const StreamKey& stream, std::string_view payload,
                           const SendOptions& opts) const noexcept;
    /// Caller thread: picks the shard and serializes the XADD.
    void build(const StreamKey& stream, std::string_view payload, const SendOptions& opts,
               OutgoingSend& out) const;
    /// Caller thread: hands an admitted send to the strand.
    void submit(std::unique_ptr<OutgoingSend> send);
    /// Caller thread: hands a send that could not be admitted; it waits on the
    /// strand for room (async_send), or fails with queue_full if too many wait.
    void submit_when_room(std::unique_ptr<OutgoingSend> send);
    void flush(BasicCompletion<std::error_code> done);
    /// Refuses further sends; what is still queued or waiting for room fails
    /// with shutting_down, what is in flight completes as the client says.
    void close();
    bool closed() const noexcept { return closed_.load(std::memory_order_seq_cst); }

    const StreamKey& anchor() const noexcept { return anchor_; }
    asio::any_io_executor executor() const { return strand_; }
    /// Where handlers without an executor of their own complete.
    asio::any_io_executor completion_executor() const { return ctx_->fallback_executor(); }
    const StreamerContext& context() const noexcept { return *ctx_; }
    std::shared_ptr<const StreamerContext> context_ptr() const noexcept { return ctx_; }
    std::shared_ptr<Client> client() const { return client_; }
    const ProducerOptions& options() const noexcept { return options_; }

  private:
    struct Batch {
        resp::Request request;
        Response response;
        std::vector<OutgoingSend> sends;
        OutgoingSend::Clock::time_point deadline = OutgoingSend::Clock::time_point::max();
    };

    bool try_reserve(std::size_t bytes) noexcept;
    void release(std::size_t count, std::size_t bytes) noexcept;
    void enqueue(OutgoingSend&& send);
    void drain();
    void ship();
    void on_batch_done(std::shared_ptr<Batch> batch, std::error_code ec);
    void admit_waiting();
    void expire_waiting();
    void fail_waiting(std::error_code ec);
    void fail_submitted(std::error_code ec);
    void complete_flushes();

    std::shared_ptr<StreamerContext> ctx_;
    std::shared_ptr<Client> client_;
    asio::strand<asio::any_io_executor> strand_;
    StreamKey anchor_;
    ProducerOptions options_;
    std::string payload_field_;

    // Reserved by callers, released on the strand as sends complete.
    std::atomic<std::size_t> unconfirmed_{0};
    std::atomic<std::size_t> unconfirmed_bytes_{0};
    std::atomic<bool> closed_{false};

    SubmissionStack submissions_;
    // True while the strand will look at submissions_ again by itself: a
    // drain is posted, or every batch slot is in flight and a completion
    // will drain. Then senders do not post; waking an I/O thread costs more
    // than a send, so a sender that is slower than the network would
    // otherwise pay a wake-up (and a one-message write) per send.
    std::atomic<bool> awake_{false};

    // Strand state.
    std::deque<std::shared_ptr<Batch>> ready_;  // filled, not yet shipped
    std::size_t in_flight_ = 0;
    std::uint64_t accepted_ = 0;  // sends taken by the strand
    std::uint64_t finished_ = 0;  // sends completed (either way)
    std::deque<std::pair<std::uint64_t, BasicCompletion<std::error_code>>> flushes_;
    std::deque<OutgoingSend> waiting_;  // async sends waiting for room
    asio::steady_timer waiting_timer_;  // fails waiting sends at their deadline
};

}  // namespace redstream::detail
