// The shared state behind a SendFuture: written once by the producer's
// strand, read by any thread. Lock-free: an atomic state word orders the
// result, the one continuation, and blocked readers (C++20 atomic wait).
#pragma once

#include <atomic>
#include <memory>
#include <system_error>

#include <redstream/core/stream.hpp>
#include <redstream/net/detail/completion.hpp>

#include "streamer_context.hpp"

namespace redstream::detail {

struct SendState {
    using Continuation = BasicCompletion<std::error_code, Receipt>;
    enum : int { pending = 0, continuation_set = 1, done = 2 };

    /// `ctx`: where continuations run; it also keeps the executor alive for
    /// a future that outlives its producer and Streamer.
    explicit SendState(std::shared_ptr<const StreamerContext> ctx) : context(std::move(ctx)) {}

    /// Where a continuation without an executor of its own runs.
    asio::any_io_executor executor() const { return context->fallback_executor(); }

    /// Publishes the result and runs the continuation, if one was set.
    void complete(std::error_code e, Receipt r) {
        ec = e;
        receipt = std::move(r);
        if (state.exchange(done, std::memory_order_acq_rel) == continuation_set)
            continuation(ec, receipt);
        state.notify_all();
    }

    /// Sets the one continuation; runs it at once (posted) if already done.
    void set_continuation(Continuation c) {
        continuation = std::move(c);
        int expected = pending;
        if (!state.compare_exchange_strong(expected, continuation_set, std::memory_order_acq_rel))
            continuation(ec, receipt);  // already done: the result is visible
    }

    void wait() const {
        for (int s = state.load(std::memory_order_acquire); s != done;
             s = state.load(std::memory_order_acquire))
            state.wait(s, std::memory_order_acquire);
    }

    std::shared_ptr<const StreamerContext> context;
    std::atomic<int> state{pending};
    std::error_code ec;
    Receipt receipt;
    Continuation continuation;
};

}  // namespace redstream::detail
