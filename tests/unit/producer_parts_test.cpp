// The producer's pieces that need no server: sharders, the send future's
// state and its pool.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <redstream/core/error.hpp>
#include <redstream/redis/producer.hpp>

#include "../../src/redis/producer_impl.hpp"
#include "../../src/redis/send_state.hpp"

namespace rs = redstream;

namespace {

const rs::StreamKey stream("s");

TEST(Sharder, RoundRobinCyclesThroughTheShards) {
    auto s = rs::Sharder::round_robin();
    for (std::uint64_t i = 0; i < 12; ++i)
        EXPECT_EQ(s(stream, "", 4), i % 4);
}

TEST(Sharder, KeyHashIsStableAndSpreadsKeys) {
    auto a = rs::Sharder::key_hash();
    auto b = rs::Sharder::key_hash();  // another producer, another process: same answer
    std::set<std::uint64_t> used;
    for (int i = 0; i < 100; ++i) {
        const auto key = "user-" + std::to_string(i);
        EXPECT_EQ(a(stream, key, 8), b(stream, key, 8));
        EXPECT_LT(a(stream, key, 8), 8u);
        used.insert(a(stream, key, 8));
    }
    EXPECT_EQ(used.size(), 8u);
    EXPECT_EQ(a(stream, "", 3), 0u);  // no key: round-robin
    EXPECT_EQ(a(stream, "", 3), 1u);
}

TEST(Sharder, RandomAndCustomStayInRange) {
    auto r = rs::Sharder::random();
    std::map<std::uint64_t, int> counts;
    for (int i = 0; i < 3000; ++i)
        ++counts[r(stream, "", 3)];
    ASSERT_EQ(counts.size(), 3u);
    for (auto [shard, n] : counts)
        EXPECT_GT(n, 700) << shard;
    auto c = rs::Sharder::custom(
        [](const rs::StreamKey&, std::string_view, std::uint64_t) { return std::uint64_t{10}; });
    EXPECT_EQ(c(stream, "", 4), 2u);  // taken modulo the shard count
}

// Continuations run on the context's executor: here, `io`'s.
static std::shared_ptr<rs::detail::StreamerContext> context_on(asio::io_context& io) {
    auto ctx = std::make_shared<rs::detail::StreamerContext>();
    ctx->executor = io.get_executor();
    return ctx;
}

TEST(SendState, ResultIsVisibleToWaitersAndTheContinuationRunsOnce) {
    asio::io_context io;
    rs::detail::SendStateRef state(new rs::detail::SendState(context_on(io)));
    rs::SendFuture future(state);
    EXPECT_FALSE(future.ready());
    EXPECT_EQ(future.wait_for(std::chrono::milliseconds(1)), std::future_status::timeout);
    int calls = 0;
    future.then([&](std::error_code ec, const rs::Receipt& r) {
        ++calls;
        EXPECT_FALSE(ec);
        EXPECT_EQ(r.id, (rs::MessageId{7, 1}));
    });
    std::thread completer([&] {
        state->complete({}, rs::Receipt{stream, {}, {7, 1}, rs::timestamp_of({7, 1})});
    });
    EXPECT_EQ(future.get().id, (rs::MessageId{7, 1}));  // blocks until the other thread completes
    completer.join();
    io.run();
    EXPECT_EQ(calls, 1);
}

TEST(SendState, ContinuationSetAfterCompletionStillRuns) {
    asio::io_context io;
    rs::detail::SendStateRef state(new rs::detail::SendState(context_on(io)));
    state->complete(rs::make_error_code(rs::errc::wrongtype), {});
    rs::SendFuture future(state);
    std::error_code seen;
    future.then([&](std::error_code ec, const rs::Receipt&) { seen = ec; });
    io.run();
    EXPECT_EQ(seen, rs::errc::wrongtype);
    std::error_code ec;
    future.get(ec);
    EXPECT_EQ(ec, rs::errc::wrongtype);
    EXPECT_THROW(future.get(), rs::Error);
    EXPECT_EQ(rs::SendFuture().get(ec).id, rs::MessageId{});  // an empty future is an error
    EXPECT_EQ(ec, rs::errc::invalid_argument);
}

TEST(SendStatePool, ReusesReleasedStatesAndKeepsAtMostItsCapacity) {
    asio::io_context io;
    auto* pool = new rs::detail::SendStatePool(context_on(io), 2);
    rs::detail::SendState* a = pool->take();
    rs::detail::SendState* b = pool->take();
    rs::detail::SendState* c = pool->take();
    a->complete(rs::make_error_code(rs::errc::timeout), {});
    rs::detail::retain(a);  // a future's reference
    rs::detail::release(a);
    EXPECT_EQ(a->state.load(), rs::detail::SendState::done);  // still referenced
    rs::detail::release(a);
    rs::detail::release(b);
    rs::detail::release(c);  // over capacity: deleted (ASan checks it is not reused)
    rs::detail::SendState* again = pool->take();
    EXPECT_TRUE(again == a || again == b);
    EXPECT_EQ(again->state.load(), rs::detail::SendState::pending);  // reset for the next send
    EXPECT_FALSE(again->ec);
    rs::detail::SendStateRef held(again);
    pool->detach();  // the producer is gone; the pool lives while `held` does
    EXPECT_EQ(held->refs.load(), 1u);
}

}  // namespace
