// The shared state of one send: the producer completes it, a SendFuture
// waits on it or hands it a continuation. States are pooled per producer, so
// a send in steady state allocates nothing: the last reference (the future's
// or the producer's) returns the state to its pool.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <system_error>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/redis/send_future.hpp>

#include "streamer_context.hpp"

namespace redstream::detail {

class SendStatePool;

struct SendState {
    using Continuation = BasicCompletion<std::error_code, Receipt>;
    enum : int { pending = 0, continuation_set = 1, done = 2 };

    /// `pool`: where the state goes back when released; null: deleted then.
    explicit SendState(std::shared_ptr<const StreamerContext> ctx, SendStatePool* pool = nullptr)
        : context(std::move(ctx)), pool(pool) {}

    asio::any_io_executor executor() const { return context->fallback_executor(); }

    // The result is published by `state`: ec and receipt are written before
    // the exchange and read after a load that sees `done`.
    void complete(std::error_code e, Receipt r) {
        ec = e;
        receipt = std::move(r);
        if (state.exchange(done, std::memory_order_seq_cst) == continuation_set)
            continuation(ec, receipt);
        // A wake-up is a system call: only for a thread that waits. Either
        // it sees `done` before it sleeps, or we see its flag (both seq_cst).
        if (waiting.load(std::memory_order_seq_cst)) state.notify_all();
    }

    void set_continuation(Continuation c) {
        continuation = std::move(c);
        int expected = pending;
        if (!state.compare_exchange_strong(expected, continuation_set, std::memory_order_acq_rel))
            continuation(ec, receipt);  // already done: the result is visible
    }

    void wait() const {
        if (state.load(std::memory_order_acquire) == done) return;
        waiting.store(true, std::memory_order_seq_cst);
        for (int s = state.load(std::memory_order_seq_cst); s != done;
             s = state.load(std::memory_order_acquire))
            state.wait(s, std::memory_order_acquire);
    }

    /// Ready for another send, with one reference (its taker's).
    void reset() noexcept {
        state.store(pending, std::memory_order_relaxed);
        waiting.store(false, std::memory_order_relaxed);
        ec = {};
        receipt = {};
        continuation = {};
        refs.store(1, std::memory_order_relaxed);
    }

    std::shared_ptr<const StreamerContext> context;  // kept across reuse
    SendStatePool* pool;
    std::atomic<std::uint32_t> refs{1};
    std::atomic<int> state{pending};
    mutable std::atomic<bool> waiting{false};  // a thread is (about to be) in wait()
    std::error_code ec;
    Receipt receipt;
    Continuation continuation;
    SendState* next_free = nullptr;  // link while pooled
};

/// Spare SendStates of one producer. States come back from any thread (a
/// future dropped by the user, a batch completed on the strand) onto a
/// lock-free stack; the producer takes them, under its own lock, one at a
/// time from a private list it refills by taking the whole stack at once (no
/// ABA). It keeps at most `capacity` spares; the pool lives until the
/// producer and every state taken from it are gone.
class SendStatePool {
  public:
    SendStatePool(std::shared_ptr<const StreamerContext> ctx, std::size_t capacity)
        : ctx_(std::move(ctx)), capacity_(capacity) {}
    SendStatePool(const SendStatePool&) = delete;
    SendStatePool& operator=(const SendStatePool&) = delete;

    /// A state with one reference. Only one thread at a time (the producer's lock).
    SendState* take() {
        if (!private_) private_ = returned_.exchange(nullptr, std::memory_order_acquire);
        users_.fetch_add(1, std::memory_order_relaxed);
        if (!private_) return new SendState(ctx_, this);
        SendState* s = std::exchange(private_, private_->next_free);
        spares_.fetch_sub(1, std::memory_order_relaxed);
        s->reset();
        return s;
    }

    /// Any thread: the last reference to `s` is gone.
    void give_back(SendState* s) noexcept {
        if (spares_.fetch_add(1, std::memory_order_relaxed) >= capacity_) {
            spares_.fetch_sub(1, std::memory_order_relaxed);
            delete s;
        } else {
            s->continuation = {};  // its handler and executor go now, not at reuse
            s->receipt = {};
            SendState* head = returned_.load(std::memory_order_relaxed);
            do {
                s->next_free = head;
            } while (!returned_.compare_exchange_weak(head, s, std::memory_order_release,
                                                      std::memory_order_relaxed));
        }
        drop_user();
    }

    /// The producer is done with the pool.
    void detach() noexcept { drop_user(); }

  private:
    ~SendStatePool() {
        for (SendState* list : {private_, returned_.load(std::memory_order_acquire)})
            while (list)
                delete std::exchange(list, list->next_free);
    }
    void drop_user() noexcept {
        if (users_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    std::shared_ptr<const StreamerContext> ctx_;
    std::size_t capacity_;
    std::atomic<SendState*> returned_{nullptr};
    SendState* private_ = nullptr;
    std::atomic<std::size_t> spares_{0};
    std::atomic<std::size_t> users_{1};  // the producer, and every state taken
};

inline void retain(SendState* s) noexcept {
    s->refs.fetch_add(1, std::memory_order_relaxed);
}

inline void release(SendState* s) noexcept {
    if (s->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    if (s->pool)
        s->pool->give_back(s);
    else
        delete s;
}

}  // namespace redstream::detail
