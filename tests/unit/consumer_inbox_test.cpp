// The consumer's prefetch queue without a server: MessageFifo's order and
// compaction, and Inbox's blocking and async takes, sticky errors, seeks,
// shutdown and the read loop's pause/wake protocol.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <semaphore>
#include <system_error>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>

#include <redstream/core/error.hpp>
#include <redstream/core/stream.hpp>

#include "../../src/redis/consumer/inbox.hpp"

namespace rs = redstream;
using rs::detail::Inbox;
using rs::detail::MessageFifo;
using rs::detail::min_turn_count;
using rs::detail::NextCompletion;
using rs::detail::plan_read;

namespace {

// Message n has the id {n, 0}.
rs::Message msg(std::uint64_t n, std::uint64_t shard = 0, const char* stream = "s") {
    const rs::MessageId id{n, 0};
    return rs::Message(
        rs::MessageHeader{rs::StreamKey(stream), rs::ShardId{shard}, id, rs::timestamp_of(id)},
        "payload", {}, nullptr);
}

// Messages first, first + 1, ..., first + count - 1.
std::vector<rs::Message> batch(std::uint64_t first, std::size_t count) {
    std::vector<rs::Message> out;
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(msg(first + i));
    return out;
}

std::vector<std::uint64_t> pop_all(MessageFifo& fifo) {
    std::vector<std::uint64_t> ids;
    while (!fifo.empty())
        ids.push_back(fifo.pop().id().ms);
    return ids;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {  // [first, last)
    std::vector<std::uint64_t> out;
    for (auto i = first; i < last; ++i)
        out.push_back(i);
    return out;
}

void push(Inbox& inbox, std::vector<rs::Message> messages) {
    inbox.push(messages);
    EXPECT_TRUE(messages.empty());
}

// take() with a deadline already past: never blocks.
struct Taken {
    std::optional<rs::Message> message;
    std::error_code ec;
    bool wake = false;
};
Taken take_now(Inbox& inbox) {
    Taken t;
    t.wake = inbox.take(Inbox::Clock::now() - std::chrono::seconds(1), t.message, t.ec);
    return t;
}

// What an async take completed with.
struct AsyncResult {
    int calls = 0;
    std::error_code ec;
    std::optional<rs::Message> message;
};

NextCompletion completion(asio::io_context& io, AsyncResult& r) {
    return NextCompletion(
        [&r](std::error_code ec, rs::Message m) {
            ++r.calls;
            r.ec = ec;
            if (!ec) r.message = std::move(m);
        },
        io.get_executor());
}

// Runs what is ready. Waiters still held by the inbox count as outstanding
// work, so run() would block: poll() instead (restarting, as a poll that ran
// out of work stops the context).
void drain(asio::io_context& io) {
    io.restart();
    io.poll();
}

// --- MessageFifo -------------------------------------------------------------

TEST(MessageFifo, KeepsOrderAcrossAppendsAndPops) {
    MessageFifo fifo;
    EXPECT_TRUE(fifo.empty());
    EXPECT_EQ(fifo.size(), 0u);
    auto a = batch(0, 3);
    fifo.append(a, 0);
    auto b = batch(3, 4);
    fifo.append(b, 0);
    EXPECT_EQ(fifo.size(), 7u);
    EXPECT_EQ(fifo.pop().id().ms, 0u);
    EXPECT_EQ(fifo.pop().id().ms, 1u);
    EXPECT_EQ(fifo.size(), 5u);
    auto c = batch(7, 2);
    fifo.append(c, 0);
    EXPECT_EQ(pop_all(fifo), range(2, 9));
    EXPECT_TRUE(fifo.empty());
}

TEST(MessageFifo, AppendSkipsTheFirstFromMessages) {
    MessageFifo fifo;
    auto a = batch(0, 5);
    fifo.append(a, 2);  // 0 and 1 went elsewhere (to async waiters)
    EXPECT_EQ(fifo.size(), 3u);
    auto b = batch(5, 3);
    fifo.append(b, 3);  // nothing
    EXPECT_EQ(pop_all(fifo), range(2, 5));
}

TEST(MessageFifo, CompactionKeepsOrder) {
    MessageFifo fifo;
    auto a = batch(0, 4);
    fifo.append(a, 0);
    for (std::uint64_t i = 0; i < 3; ++i)
        EXPECT_EQ(fifo.pop().id().ms, i);  // head 3 of 4: the next append compacts
    auto b = batch(4, 5);
    fifo.append(b, 0);
    EXPECT_EQ(fifo.size(), 6u);
    EXPECT_EQ(fifo.pop().id().ms, 3u);  // head 1 of 6: no compaction next
    auto c = batch(9, 2);
    fifo.append(c, 0);
    EXPECT_EQ(fifo.size(), 7u);
    EXPECT_EQ(pop_all(fifo), range(4, 11));
}

TEST(MessageFifo, ManyRoundsOfAppendAndPartialPopStayInOrder) {
    MessageFifo fifo;
    std::uint64_t next_in = 0;
    std::uint64_t next_out = 0;
    for (std::size_t round = 0; round < 200; ++round) {
        auto more = batch(next_in, 1 + round % 7);
        next_in += more.size();
        fifo.append(more, 0);
        for (std::size_t k = 0; k < 1 + (round * 5) % 6 && !fifo.empty(); ++k)
            ASSERT_EQ(fifo.pop().id().ms, next_out++);
        ASSERT_EQ(fifo.size(), next_in - next_out);
    }
    while (!fifo.empty())
        ASSERT_EQ(fifo.pop().id().ms, next_out++);
    EXPECT_EQ(next_out, next_in);
}

TEST(MessageFifo, RemoveIfDropsOnlyMatchingLiveMessages) {
    MessageFifo fifo;
    auto a = batch(0, 8);
    fifo.append(a, 0);
    fifo.pop();
    fifo.pop();  // 2..7 are live
    int calls = 0;
    fifo.remove_if([&](const rs::Message& m) {
        ++calls;
        return m.id().ms % 2 == 0;
    });
    EXPECT_EQ(calls, 6);  // the moved-from front is not looked at
    EXPECT_EQ(fifo.size(), 3u);
    auto b = batch(8, 2);
    fifo.append(b, 0);
    EXPECT_EQ(pop_all(fifo), (std::vector<std::uint64_t>{3, 5, 7, 8, 9}));

    auto c = batch(0, 3);
    fifo.append(c, 0);
    fifo.remove_if([](const rs::Message&) { return true; });
    EXPECT_TRUE(fifo.empty());
    EXPECT_EQ(fifo.size(), 0u);
    auto d = batch(20, 1);
    fifo.append(d, 0);
    EXPECT_EQ(pop_all(fifo), (std::vector<std::uint64_t>{20}));
}

TEST(MessageFifo, SwapAndClear) {
    MessageFifo a;
    MessageFifo b;
    auto m = batch(0, 3);
    a.append(m, 0);
    a.pop();
    a.swap(b);
    EXPECT_TRUE(a.empty());
    EXPECT_EQ(b.size(), 2u);
    b.clear();
    EXPECT_TRUE(b.empty());
    auto n = batch(5, 1);
    b.append(n, 0);
    EXPECT_EQ(pop_all(b), (std::vector<std::uint64_t>{5}));
}

// --- Inbox: blocking takes ---------------------------------------------------

TEST(Inbox, TakeReturnsMessagesInOrderAcrossPushes) {
    Inbox inbox(100);
    push(inbox, batch(0, 3));
    push(inbox, batch(3, 2));
    EXPECT_EQ(inbox.size(), 5u);
    for (std::uint64_t i = 0; i < 2; ++i) {
        std::optional<rs::Message> m;
        std::error_code ec;
        inbox.take(std::nullopt, m, ec);  // queued: no wait
        ASSERT_TRUE(m);
        EXPECT_FALSE(ec);
        EXPECT_EQ(m->id().ms, i);
        EXPECT_EQ(m->payload(), "payload");
    }
    push(inbox, batch(5, 4));
    for (std::uint64_t i = 2; i < 9; ++i) {
        auto t = take_now(inbox);
        ASSERT_TRUE(t.message) << i;
        EXPECT_FALSE(t.ec);
        EXPECT_EQ(t.message->id().ms, i);
    }
    EXPECT_EQ(inbox.size(), 0u);
}

TEST(Inbox, TakeWithPastDeadlineOnEmptyInboxTimesOut) {
    Inbox inbox(10);
    std::optional<rs::Message> m = msg(42);                         // reset by take
    std::error_code ec = rs::make_error_code(rs::errc::wrongtype);  // cleared by take
    EXPECT_FALSE(inbox.take(Inbox::Clock::now() - std::chrono::seconds(1), m, ec));
    EXPECT_FALSE(m);
    EXPECT_FALSE(ec);
}

TEST(Inbox, StickyErrorComesAfterQueuedMessagesUntilCleared) {
    Inbox inbox(10);
    push(inbox, batch(0, 2));
    const auto err = rs::make_error_code(rs::errc::wrongtype);
    inbox.set_error(err);
    for (std::uint64_t i = 0; i < 2; ++i) {
        auto t = take_now(inbox);
        ASSERT_TRUE(t.message);
        EXPECT_FALSE(t.ec);
        EXPECT_EQ(t.message->id().ms, i);
    }
    for (int i = 0; i < 2; ++i) {  // sticky
        auto t = take_now(inbox);
        EXPECT_FALSE(t.message);
        EXPECT_EQ(t.ec, err);
    }
    std::optional<rs::Message> m;
    std::error_code ec;
    inbox.take(std::nullopt, m, ec);  // no wait: the error is ready
    EXPECT_FALSE(m);
    EXPECT_EQ(ec, err);

    inbox.clear_error();
    auto t = take_now(inbox);
    EXPECT_FALSE(t.message);
    EXPECT_FALSE(t.ec);  // a plain timeout again
    push(inbox, batch(2, 1));
    t = take_now(inbox);
    ASSERT_TRUE(t.message);
    EXPECT_EQ(t.message->id().ms, 2u);
}

TEST(Inbox, PushWakesABlockedTake) {
    Inbox inbox(10);
    std::optional<rs::Message> m;
    std::error_code ec;
    std::thread taker([&] { inbox.take(std::nullopt, m, ec); });
    push(inbox, batch(7, 1));
    taker.join();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id().ms, 7u);
    EXPECT_FALSE(ec);
}

TEST(Inbox, SetErrorWakesABlockedTake) {
    Inbox inbox(10);
    std::optional<rs::Message> m;
    std::error_code ec;
    std::thread taker([&] { inbox.take(std::nullopt, m, ec); });
    inbox.set_error(rs::make_error_code(rs::errc::wrongtype));
    taker.join();
    EXPECT_FALSE(m);
    EXPECT_EQ(ec, rs::errc::wrongtype);
}

// --- Inbox: async takes ------------------------------------------------------

TEST(Inbox, TakeAsyncWithAMessageQueuedCompletesByPostingIt) {
    asio::io_context io;
    Inbox inbox(10);
    push(inbox, batch(0, 2));
    AsyncResult r;
    EXPECT_FALSE(inbox.take_async(completion(io, r), 1));
    EXPECT_EQ(r.calls, 0);  // never inline
    EXPECT_EQ(inbox.size(), 1u);
    drain(io);
    EXPECT_EQ(r.calls, 1);
    EXPECT_FALSE(r.ec);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->id().ms, 0u);
}

TEST(Inbox, AsyncWaitersAreServedInOrderBeforeAnythingIsQueued) {
    asio::io_context io;
    Inbox inbox(10);
    std::vector<std::uint64_t> order;  // waiter id * 1000 + message
    for (std::uint64_t id = 1; id <= 3; ++id) {
        EXPECT_FALSE(inbox.take_async(NextCompletion(
                                          [&order, id](std::error_code ec, rs::Message m) {
                                              EXPECT_FALSE(ec);
                                              order.push_back(id * 1000 + m.id().ms);
                                          },
                                          io.get_executor()),
                                      id));
    }
    drain(io);
    EXPECT_TRUE(order.empty());

    push(inbox, batch(10, 2));  // waiters 1 and 2
    EXPECT_EQ(inbox.size(), 0u);
    drain(io);
    EXPECT_EQ(order, (std::vector<std::uint64_t>{1010, 2011}));

    push(inbox, batch(12, 3));  // waiter 3, then two queued
    EXPECT_EQ(inbox.size(), 2u);
    EXPECT_EQ(inbox.max_size(), 2u);
    drain(io);
    EXPECT_EQ(order, (std::vector<std::uint64_t>{1010, 2011, 3012}));
    for (std::uint64_t i = 13; i < 15; ++i) {
        auto t = take_now(inbox);
        ASSERT_TRUE(t.message);
        EXPECT_EQ(t.message->id().ms, i);
    }
}

TEST(Inbox, TakeAsyncBeyondMaxWaitersFailsWithQueueFull) {
    asio::io_context io;
    Inbox inbox(10);
    std::vector<AsyncResult> results(Inbox::max_waiters + 1);
    for (std::size_t i = 0; i < Inbox::max_waiters; ++i)
        inbox.take_async(completion(io, results[i]), i);
    drain(io);
    for (std::size_t i = 0; i < Inbox::max_waiters; ++i)
        ASSERT_EQ(results[i].calls, 0) << i;

    auto& extra = results[Inbox::max_waiters];
    inbox.take_async(completion(io, extra), Inbox::max_waiters);
    drain(io);
    EXPECT_EQ(extra.calls, 1);
    EXPECT_EQ(extra.ec, rs::errc::queue_full);

    push(inbox, batch(0, 1));  // the waiters are intact: the first gets it
    drain(io);
    EXPECT_EQ(results[0].calls, 1);
    ASSERT_TRUE(results[0].message);
    EXPECT_EQ(results[0].message->id().ms, 0u);
    EXPECT_EQ(results[1].calls, 0);
    EXPECT_EQ(extra.calls, 1);

    // One slot freed: a new waiter fits again.
    AsyncResult again;
    inbox.take_async(completion(io, again), 5000);
    drain(io);
    EXPECT_EQ(again.calls, 0);

    inbox.end();
    drain(io);
    for (std::size_t i = 1; i < Inbox::max_waiters; ++i) {
        ASSERT_EQ(results[i].calls, 1) << i;
        ASSERT_EQ(results[i].ec, rs::errc::shutting_down) << i;
    }
    EXPECT_EQ(again.ec, rs::errc::shutting_down);
}

TEST(Inbox, CancelCompletesOnlyThatWaiter) {
    asio::io_context io;
    Inbox inbox(10);
    AsyncResult a;
    AsyncResult b;
    AsyncResult c;
    inbox.take_async(completion(io, a), 1);
    inbox.take_async(completion(io, b), 2);
    inbox.take_async(completion(io, c), 3);
    inbox.cancel(2, rs::make_error_code(rs::errc::timeout));
    drain(io);
    EXPECT_EQ(a.calls, 0);
    EXPECT_EQ(b.calls, 1);
    EXPECT_EQ(b.ec, rs::errc::timeout);
    EXPECT_FALSE(b.message);
    EXPECT_EQ(c.calls, 0);

    inbox.cancel(2, rs::make_error_code(rs::errc::timeout));   // gone: nothing
    inbox.cancel(99, rs::make_error_code(rs::errc::timeout));  // unknown: nothing
    push(inbox, batch(0, 2));
    drain(io);
    EXPECT_EQ(b.calls, 1);
    ASSERT_EQ(a.calls, 1);
    ASSERT_EQ(c.calls, 1);
    EXPECT_EQ(a.message->id().ms, 0u);
    EXPECT_EQ(c.message->id().ms, 1u);

    inbox.cancel(1, rs::make_error_code(rs::errc::timeout));  // already served: nothing
    drain(io);
    EXPECT_EQ(a.calls, 1);
    EXPECT_FALSE(a.ec);
}

TEST(Inbox, SetErrorFailsWaitersAndLaterAsyncTakesUntilCleared) {
    asio::io_context io;
    Inbox inbox(10);
    AsyncResult a;
    AsyncResult b;
    inbox.take_async(completion(io, a), 1);
    inbox.take_async(completion(io, b), 2);
    const auto err = rs::make_error_code(rs::errc::wrongtype);
    inbox.set_error(err);
    drain(io);
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(a.ec, err);
    EXPECT_EQ(b.calls, 1);
    EXPECT_EQ(b.ec, err);

    AsyncResult later;
    inbox.take_async(completion(io, later), 3);
    drain(io);
    EXPECT_EQ(later.calls, 1);
    EXPECT_EQ(later.ec, err);

    inbox.clear_error();
    AsyncResult waits;
    inbox.take_async(completion(io, waits), 4);
    drain(io);
    EXPECT_EQ(waits.calls, 0);
    push(inbox, batch(3, 1));
    drain(io);
    EXPECT_EQ(waits.calls, 1);
    EXPECT_FALSE(waits.ec);
    ASSERT_TRUE(waits.message);
    EXPECT_EQ(waits.message->id().ms, 3u);
}

TEST(Inbox, TakeAsyncDeliversQueuedMessagesBeforeTheStickyError) {
    asio::io_context io;
    Inbox inbox(10);
    push(inbox, batch(0, 1));
    inbox.set_error(rs::make_error_code(rs::errc::wrongtype));
    AsyncResult first;
    AsyncResult second;
    inbox.take_async(completion(io, first), 1);
    inbox.take_async(completion(io, second), 2);
    drain(io);
    EXPECT_FALSE(first.ec);
    ASSERT_TRUE(first.message);
    EXPECT_EQ(first.message->id().ms, 0u);
    EXPECT_EQ(second.calls, 1);
    EXPECT_EQ(second.ec, rs::errc::wrongtype);
}

// --- Inbox: end --------------------------------------------------------------

TEST(Inbox, EndFailsWaitersAndEveryLaterTake) {
    asio::io_context io;
    Inbox inbox(10);
    AsyncResult a;
    AsyncResult b;
    inbox.take_async(completion(io, a), 1);
    inbox.take_async(completion(io, b), 2);
    inbox.end();
    drain(io);
    EXPECT_EQ(a.calls, 1);
    EXPECT_EQ(a.ec, rs::errc::shutting_down);
    EXPECT_EQ(b.calls, 1);
    EXPECT_EQ(b.ec, rs::errc::shutting_down);

    push(inbox, batch(0, 2));  // ignored
    EXPECT_EQ(inbox.size(), 0u);
    auto t = take_now(inbox);
    EXPECT_FALSE(t.message);
    EXPECT_EQ(t.ec, rs::errc::shutting_down);
    std::optional<rs::Message> m;
    std::error_code ec;
    inbox.take(std::nullopt, m, ec);  // does not wait
    EXPECT_FALSE(m);
    EXPECT_EQ(ec, rs::errc::shutting_down);

    AsyncResult later;
    EXPECT_FALSE(inbox.take_async(completion(io, later), 3));
    drain(io);
    EXPECT_EQ(later.calls, 1);
    EXPECT_EQ(later.ec, rs::errc::shutting_down);

    EXPECT_FALSE(inbox.room_for_read());
    inbox.end();  // twice: harmless
}

TEST(Inbox, EndDropsQueuedMessagesAndBeatsAStickyError) {
    Inbox inbox(10);
    push(inbox, batch(0, 3));
    inbox.set_error(rs::make_error_code(rs::errc::wrongtype));
    inbox.end();
    EXPECT_EQ(inbox.size(), 0u);
    auto t = take_now(inbox);
    EXPECT_FALSE(t.message);
    EXPECT_EQ(t.ec, rs::errc::shutting_down);
}

TEST(Inbox, EndWakesATakeBlockedWithoutDeadline) {
    Inbox inbox(10);
    std::optional<rs::Message> m = msg(1);
    std::error_code ec;
    bool wake = true;
    std::thread taker([&] { wake = inbox.take(std::nullopt, m, ec); });
    inbox.end();
    taker.join();
    EXPECT_FALSE(wake);
    EXPECT_FALSE(m);
    EXPECT_EQ(ec, rs::errc::shutting_down);
}

// --- Inbox: seek -------------------------------------------------------------

TEST(Inbox, CloseForSeekDropsQueuedAndIgnoresPushesUntilOpen) {
    Inbox inbox(10);
    push(inbox, batch(0, 3));
    const auto epoch = inbox.close_for_seek();
    EXPECT_EQ(inbox.size(), 0u);
    EXPECT_FALSE(take_now(inbox).message);

    push(inbox, batch(3, 2));  // read before the seek took effect: dropped
    EXPECT_EQ(inbox.size(), 0u);
    EXPECT_FALSE(take_now(inbox).message);

    inbox.open(epoch);
    push(inbox, batch(100, 2));
    EXPECT_EQ(inbox.size(), 2u);
    auto t = take_now(inbox);
    ASSERT_TRUE(t.message);
    EXPECT_EQ(t.message->id().ms, 100u);
}

TEST(Inbox, OnlyTheLatestSeekEpochOpens) {
    Inbox inbox(10);
    const auto first = inbox.close_for_seek();
    const auto second = inbox.close_for_seek();
    EXPECT_NE(first, second);
    inbox.open(first);  // the first seek is overtaken: stays shut
    push(inbox, batch(0, 2));
    EXPECT_EQ(inbox.size(), 0u);
    inbox.open(second);
    push(inbox, batch(2, 1));
    EXPECT_EQ(inbox.size(), 1u);
    EXPECT_EQ(take_now(inbox).message->id().ms, 2u);

    // A stale open after the inbox re-opened for a later seek changes nothing.
    const auto third = inbox.close_for_seek();
    inbox.open(second);
    push(inbox, batch(3, 1));
    EXPECT_EQ(inbox.size(), 0u);
    inbox.open(third);
    push(inbox, batch(4, 1));
    EXPECT_EQ(inbox.size(), 1u);
}

TEST(Inbox, CloseForSeekClearsTheErrorAndKeepsAsyncWaiters) {
    asio::io_context io;
    Inbox inbox(10);
    AsyncResult r;
    inbox.take_async(completion(io, r), 1);
    const auto epoch = inbox.close_for_seek();
    push(inbox, batch(0, 1));  // dropped: the waiter still waits
    drain(io);
    EXPECT_EQ(r.calls, 0);
    inbox.open(epoch);
    push(inbox, batch(50, 1));
    drain(io);
    EXPECT_EQ(r.calls, 1);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->id().ms, 50u);

    push(inbox, batch(51, 1));
    inbox.set_error(rs::make_error_code(rs::errc::wrongtype));
    inbox.close_for_seek();
    auto t = take_now(inbox);
    EXPECT_FALSE(t.message);
    EXPECT_FALSE(t.ec);  // the error was about the old position
}

// --- Inbox: pause and wake ---------------------------------------------------

TEST(Inbox, TakeWakesThePausedReaderOnceAtHalfPrefetch) {
    Inbox inbox(10);
    EXPECT_TRUE(inbox.room_for_read());
    push(inbox, batch(0, 9));
    EXPECT_TRUE(inbox.room_for_read());  // 9 < 10
    push(inbox, batch(9, 1));
    EXPECT_FALSE(inbox.room_for_read());  // 10: paused
    EXPECT_FALSE(inbox.room_for_read());

    std::vector<std::size_t> woke_at;
    for (std::uint64_t i = 0; i < 10; ++i) {
        auto t = take_now(inbox);
        ASSERT_TRUE(t.message);
        EXPECT_EQ(t.message->id().ms, i);
        if (t.wake) woke_at.push_back(inbox.size());
    }
    EXPECT_EQ(woke_at, (std::vector<std::size_t>{5}));
    EXPECT_TRUE(inbox.room_for_read());
}

TEST(Inbox, WakeAfterAnOverfullQueueAndThroughTakeAsync) {
    asio::io_context io;
    Inbox inbox(4);
    push(inbox, batch(0, 7));  // one read may overshoot prefetch
    EXPECT_FALSE(inbox.room_for_read());
    std::vector<std::size_t> woke_at;
    std::vector<AsyncResult> results(7);
    for (std::size_t i = 0; i < 7; ++i)
        if (inbox.take_async(completion(io, results[i]), i)) woke_at.push_back(inbox.size());
    EXPECT_EQ(woke_at, (std::vector<std::size_t>{2}));
    drain(io);
    for (std::size_t i = 0; i < 7; ++i) {
        ASSERT_TRUE(results[i].message);
        EXPECT_EQ(results[i].message->id().ms, i);
    }
}

TEST(Inbox, NoWakeWhenTheReaderNeverPaused) {
    Inbox inbox(4);
    push(inbox, batch(0, 4));  // full, but room_for_read() was not asked
    for (int i = 0; i < 4; ++i) {
        auto t = take_now(inbox);
        ASSERT_TRUE(t.message);
        EXPECT_FALSE(t.wake);
    }
    EXPECT_FALSE(take_now(inbox).wake);  // a timeout never wakes
}

// room() and has_room() are for side requests (claims): they must not clear
// the read loop's pause, or the take that should wake it never does.
TEST(Inbox, RoomQueriesLeaveTheReadersPauseAlone) {
    Inbox inbox(10);
    push(inbox, batch(0, 10));
    EXPECT_FALSE(inbox.room_for_read());  // paused
    for (std::uint64_t i = 0; i < 3; ++i)
        EXPECT_TRUE(take_now(inbox).message);
    EXPECT_TRUE(inbox.has_room());
    EXPECT_EQ(inbox.room(), 3u);
    EXPECT_EQ(inbox.room(2), 1u);
    EXPECT_EQ(inbox.room(20), 0u);
    std::size_t wakes = 0;
    for (std::uint64_t i = 3; i < 10; ++i)
        wakes += take_now(inbox).wake;
    EXPECT_EQ(wakes, 1u) << "the paused reader is still woken at half";
}

// A cluster consumer with more read lanes than prefetch: each lane's read
// may reserve one entry, so a lane blocked on quiet keys leaves the others
// room; the bound is then the number of lanes.
TEST(Inbox, EachReaderHasRoomForOneWhenThereAreMoreReadersThanPrefetch) {
    Inbox inbox(1);
    inbox.reserve(1);  // a lane blocked on quiet keys
    EXPECT_FALSE(inbox.room_for_read());
    inbox.set_readers(3);
    EXPECT_TRUE(inbox.room_for_read());
    EXPECT_EQ(inbox.room(), 2u);
    inbox.reserve(2);  // the other two lanes
    EXPECT_FALSE(inbox.room_for_read()) << "never more than one per reader";
    inbox.set_readers(1);
    inbox.unreserve(3);
    push(inbox, batch(0, 1));
    EXPECT_FALSE(inbox.room_for_read()) << "one reader: prefetch again";
}

// --- Inbox: on demand (AutoCommit::immediate) --------------------------------

// Nothing is read ahead: a read may go out only while an async take waits on
// an empty queue, and the waiter that appears is what wakes the reader.
TEST(Inbox, OnDemandReadsOnlyForAWaitingAsyncTake) {
    asio::io_context io;
    Inbox inbox(10, false, Inbox::Flow::on_demand);
    EXPECT_FALSE(inbox.room_for_read()) << "nobody asked";
    EXPECT_FALSE(inbox.demand_until());
    AsyncResult r;
    EXPECT_TRUE(inbox.take_async(completion(io, r), 1)) << "the paused reader is woken";
    EXPECT_EQ(inbox.demand_until(), Inbox::Clock::time_point::max());
    EXPECT_TRUE(inbox.room_for_read());
    EXPECT_FALSE(inbox.room_for_read(3)) << "a page on its way is what was asked for";
    push(inbox, batch(0, 3));
    drain(io);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->id().ms, 0u);
    EXPECT_FALSE(inbox.room_for_read()) << "two queued: nothing more until they are taken";
    for (std::uint64_t i = 1; i < 3; ++i) {
        auto t = take_now(inbox);
        ASSERT_TRUE(t.message);
        EXPECT_FALSE(t.wake) << "taking is not asking for more";
    }
    EXPECT_FALSE(inbox.room_for_read());
}

// A blocking take wakes the paused reader before it waits, and the read may
// block only until the take's deadline; a take that timed out asks no more.
TEST(Inbox, OnDemandATakeThatWaitsWakesTheReaderUntilItsDeadline) {
    Inbox inbox(10, false, Inbox::Flow::on_demand);
    EXPECT_FALSE(inbox.room_for_read());
    std::binary_semaphore woken(0);
    const auto deadline = Inbox::Clock::now() + std::chrono::seconds(10);
    std::optional<rs::Message> m;
    std::error_code ec;
    std::thread taker([&] { inbox.take(deadline, m, ec, [&] { woken.release(); }); });
    ASSERT_TRUE(woken.try_acquire_for(std::chrono::seconds(5)));
    EXPECT_EQ(inbox.demand_until(), deadline);
    EXPECT_TRUE(inbox.room_for_read());
    push(inbox, batch(7, 1));
    taker.join();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id().ms, 7u);
    EXPECT_FALSE(inbox.demand_until());

    bool called = false;
    EXPECT_FALSE(inbox.room_for_read());
    auto t = Taken{};
    inbox.take(Inbox::Clock::now() + std::chrono::milliseconds(1), t.message, t.ec,
               [&] { called = true; });
    EXPECT_TRUE(called);
    EXPECT_FALSE(t.message);
    EXPECT_FALSE(inbox.room_for_read()) << "the timed-out take no longer asks";
    EXPECT_FALSE(inbox.demand_until());
}

// A cancelled async take no longer asks either.
TEST(Inbox, OnDemandACancelledWaitAsksNoMore) {
    asio::io_context io;
    Inbox inbox(10, false, Inbox::Flow::on_demand);
    AsyncResult r;
    inbox.take_async(completion(io, r), 1);
    EXPECT_TRUE(inbox.room_for_read());
    inbox.cancel(1, make_error_code(rs::errc::cancelled));
    drain(io);
    EXPECT_EQ(r.ec, rs::errc::cancelled);
    EXPECT_FALSE(inbox.room_for_read());
}

// --- Inbox: remove_if, size, max_size ---------------------------------------

TEST(Inbox, RemoveIfDropsOnlyMatchingMessages) {
    Inbox inbox(100);
    std::vector<rs::Message> in;
    for (std::uint64_t i = 0; i < 8; ++i)
        in.push_back(msg(i, i % 2, i < 4 ? "a" : "b"));
    inbox.push(in);
    EXPECT_TRUE(take_now(inbox).message);  // 0 taken; 1..7 left
    const rs::StreamKey a("a");
    inbox.remove_if([&](const rs::Message& m) {
        return m.stream_key() == a && m.shard_id() == rs::ShardId{1};
    });
    EXPECT_EQ(inbox.size(), 5u);  // 1 and 3 gone
    std::vector<std::uint64_t> left;
    while (auto t = take_now(inbox).message)
        left.push_back(t->id().ms);
    EXPECT_EQ(left, (std::vector<std::uint64_t>{2, 4, 5, 6, 7}));

    push(inbox, batch(10, 2));
    inbox.remove_if([](const rs::Message&) { return false; });
    EXPECT_EQ(inbox.size(), 2u);
}

TEST(Inbox, MaxSizeIsTheHighWaterMark) {
    Inbox inbox(100);
    EXPECT_EQ(inbox.max_size(), 0u);
    push(inbox, batch(0, 3));
    EXPECT_EQ(inbox.max_size(), 3u);
    take_now(inbox);
    take_now(inbox);
    EXPECT_EQ(inbox.size(), 1u);
    EXPECT_EQ(inbox.max_size(), 3u);
    push(inbox, batch(3, 1));
    EXPECT_EQ(inbox.max_size(), 3u);  // 2 now
    push(inbox, batch(4, 4));
    EXPECT_EQ(inbox.size(), 6u);
    EXPECT_EQ(inbox.max_size(), 6u);
    inbox.close_for_seek();
    EXPECT_EQ(inbox.size(), 0u);
    EXPECT_EQ(inbox.max_size(), 6u);
}

// --- Inbox: two threads ------------------------------------------------------

TEST(Inbox, ConcurrentPushAndTakeKeepOrder) {
    constexpr std::uint64_t n = 20000;
    Inbox inbox(64);
    std::thread producer([&] {
        std::uint64_t next = 0;
        for (std::size_t round = 0; next < n; ++round) {
            const auto count = std::min<std::uint64_t>(1 + round % 13, n - next);
            auto b = batch(next, count);
            inbox.push(b);
            next += count;
        }
    });
    std::vector<std::uint64_t> got;  // checked after join: no early return
    got.reserve(n);
    std::size_t failures = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::optional<rs::Message> m;
        std::error_code ec;
        inbox.take(std::nullopt, m, ec);
        if (ec || !m)
            ++failures;
        else
            got.push_back(m->id().ms);
    }
    producer.join();
    EXPECT_EQ(failures, 0u);
    EXPECT_EQ(got, range(0, n));
    EXPECT_EQ(inbox.size(), 0u);
}

// The read loop's protocol: read only while room_for_read(), else wait for a
// take() that returns true. Never stalls, and the queue stays bounded.
TEST(Inbox, ConcurrentFlowControlNeverStallsAndStaysBounded) {
    constexpr std::uint64_t n = 20000;
    constexpr std::size_t prefetch = 16;
    constexpr std::uint64_t max_batch = 10;
    Inbox inbox(prefetch);
    std::binary_semaphore woken(0);
    std::thread reader([&] {
        std::uint64_t next = 0;
        for (std::size_t round = 0; next < n; ++round) {
            if (!inbox.room_for_read()) {
                woken.acquire();
                continue;
            }
            // What the read loop asks for: no more than the room left.
            const auto count =
                std::min<std::uint64_t>({1 + round % max_batch, n - next, inbox.room()});
            auto b = batch(next, count);
            inbox.push(b);
            next += count;
        }
    });
    std::vector<std::uint64_t> got;
    got.reserve(n);
    std::size_t failures = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::optional<rs::Message> m;
        std::error_code ec;
        // At most one wake per pause, so the binary semaphore never overflows.
        if (inbox.take(std::nullopt, m, ec)) woken.release();
        if (ec || !m)
            ++failures;
        else
            got.push_back(m->id().ms);
    }
    reader.join();
    EXPECT_EQ(failures, 0u);
    EXPECT_EQ(got, range(0, n));
    EXPECT_EQ(inbox.size(), 0u);
    // Reads ask for no more than the room: never over prefetch.
    EXPECT_LE(inbox.max_size(), prefetch);
}

// Prefetch under two batches (a load-balanced member): the reader is woken
// when an eighth is left, for reads of seven eighths, and under a backlog it
// leaves the few places takes free for that read instead of reading them.
TEST(Inbox, PrefetchBelowTwoBatchesWakesAtAnEighthForBigReads) {
    Inbox inbox(100, false, Inbox::Flow::prefetch, SIZE_MAX, 1000);
    std::vector<std::size_t> woke_at;
    std::uint64_t next = 0;
    for (int round = 0; round < 3; ++round) {
        ASSERT_TRUE(inbox.room_for_read(0, true));
        const auto n = inbox.room();
        push(inbox, batch(next, n));
        next += n;
        ASSERT_FALSE(inbox.room_for_read(0, true));
        for (;;) {
            auto t = take_now(inbox);
            ASSERT_TRUE(t.message);
            if (t.wake) break;
        }
        woke_at.push_back(inbox.size());
    }
    EXPECT_EQ(woke_at, (std::vector<std::size_t>{12, 12, 12}));
    ASSERT_TRUE(inbox.room_for_read(0, true));
    push(inbox, batch(next, inbox.room()));
    ASSERT_FALSE(inbox.room_for_read(0, true));
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(take_now(inbox).message);
    EXPECT_FALSE(inbox.room_for_read(0, true)) << "3 places under a backlog: no read";
    EXPECT_TRUE(inbox.room_for_read(0, false)) << "without a backlog, the free places are read";
}

// The protocol of the test above, with the reader always under a backlog and
// as slow to come back as a round trip: it never stalls either.
TEST(Inbox, ConcurrentWholeReadsNeverStall) {
    constexpr std::uint64_t n = 5000;
    constexpr std::size_t prefetch = 16;
    Inbox inbox(prefetch, false, Inbox::Flow::prefetch, SIZE_MAX, 1000);
    std::binary_semaphore woken(0);
    std::thread reader([&] {
        std::uint64_t next = 0;
        while (next < n) {
            if (!inbox.room_for_read(0, true)) {
                woken.acquire();
                continue;
            }
            const auto until = Inbox::Clock::now() + std::chrono::microseconds(100);
            while (Inbox::Clock::now() < until) {
            }
            const auto count = std::min<std::uint64_t>(n - next, inbox.room());
            auto b = batch(next, count);
            inbox.push(b);
            next += count;
        }
    });
    std::vector<std::uint64_t> got;
    got.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        std::optional<rs::Message> m;
        std::error_code ec;
        if (inbox.take(Inbox::Clock::now() + std::chrono::seconds(10), m, ec)) woken.release();
        if (ec || !m) break;
        got.push_back(m->id().ms);
    }
    reader.join();
    EXPECT_EQ(got, range(0, n));
    EXPECT_LE(inbox.max_size(), prefetch);
}

// A request in flight holds its room until it comes back.
TEST(Inbox, ReservedRoomCountsAsQueued) {
    Inbox inbox(10);
    inbox.reserve(6);
    EXPECT_EQ(inbox.room(), 4u);
    EXPECT_EQ(inbox.room(3), 1u);
    EXPECT_TRUE(inbox.has_room());
    inbox.reserve(4);
    EXPECT_EQ(inbox.room(), 0u);
    EXPECT_FALSE(inbox.has_room());
    EXPECT_FALSE(inbox.room_for_read());
    inbox.unreserve(6);
    EXPECT_EQ(inbox.room(), 6u);
    EXPECT_TRUE(inbox.room_for_read());
    inbox.unreserve(100);  // never below nothing
    EXPECT_EQ(inbox.room(), 10u);
}

// prefetch_bytes: payloads of 7 bytes ("payload"), a bound of 70 bytes.
TEST(Inbox, PrefetchBytesBoundsThePayloadQueued) {
    Inbox inbox(1000, false, Inbox::Flow::prefetch, 70);
    EXPECT_EQ(inbox.room(), min_turn_count) << "sizes unknown: a small first read";
    push(inbox, batch(0, 4));
    inbox.set_entry_bytes(7);
    EXPECT_EQ(inbox.room(), 6u);  // 28 bytes queued, 42 left
    EXPECT_EQ(inbox.room(2), 4u);
    inbox.reserve(6);
    EXPECT_EQ(inbox.room(), 0u);
    EXPECT_FALSE(inbox.has_room());
    inbox.unreserve(6);
    push(inbox, batch(4, 6));
    EXPECT_FALSE(inbox.room_for_read()) << "70 bytes queued: paused";
    std::size_t wakes = 0;
    for (int i = 0; i < 10; ++i)
        wakes += take_now(inbox).wake;
    EXPECT_EQ(wakes, 1u) << "woken once, at half the bytes";
    EXPECT_EQ(inbox.room(), 10u);
}

TEST(Inbox, OneBigMessageFitsAnEmptyQueue) {
    Inbox inbox(1000, false, Inbox::Flow::prefetch, 10);
    inbox.set_entry_bytes(1000);
    EXPECT_EQ(inbox.room(), 1u);
    push(inbox, batch(0, 1));
    inbox.set_entry_bytes(1000);
    EXPECT_EQ(inbox.room(), 0u);
}

// --- plan_read: the prefetch bound over many keys ----------------------------

TEST(PlanRead, EveryKeyWhenTheRoomGivesEachAFairCount) {
    const auto p = plan_read(1000, 1, 100, 0);
    EXPECT_EQ(p.count, 100u);
    EXPECT_EQ(p.keys, 1u);
    const auto q = plan_read(50, 1, 100, 0);
    EXPECT_EQ(q.count, 50u) << "never more than the room";
    const auto r = plan_read(1400, 20, 100, 7);
    EXPECT_EQ(r.count, 70u);
    EXPECT_EQ(r.keys, 20u);
    EXPECT_EQ(r.first, 0u);
}

TEST(PlanRead, TurnsOfKeysWhenTheRoomIsThin) {
    // 200 keys, 500 places: 7 keys at COUNT 64, from the turn's start.
    const auto p = plan_read(500, 200, 100, 190);
    EXPECT_EQ(p.count, min_turn_count);
    EXPECT_EQ(p.keys, 500 / min_turn_count);
    EXPECT_EQ(p.first, 190u);
    // Fewer places than keys: one key at COUNT of the room.
    const auto q = plan_read(10, 50, 100, 60);
    EXPECT_EQ(q.count, 10u);
    EXPECT_EQ(q.keys, 1u);
    EXPECT_EQ(q.first, 10u);
    // A small batch_size is the turn's COUNT.
    const auto r = plan_read(10, 50, 2, 0);
    EXPECT_EQ(r.count, 2u);
    EXPECT_EQ(r.keys, 5u);
}

TEST(PlanRead, NeverMoreThanTheRoomAndNothingWithoutRoom) {
    for (std::size_t room = 0; room < 300; room += 7)
        for (std::size_t keys = 1; keys < 260; keys += 13)
            for (std::size_t batch : {1u, 5u, 16u, 100u, 1000u}) {  // NOLINT
                const auto p = plan_read(room, keys, batch, 3);
                EXPECT_LE(p.count * p.keys, room) << room << " " << keys << " " << batch;
                EXPECT_LE(p.count, batch);
                EXPECT_LE(p.keys, keys);
                EXPECT_EQ(p.count == 0, room == 0);
                if (room > 0) {
                    EXPECT_GE(p.keys, 1u);
                }
            }
    EXPECT_EQ(plan_read(10, 0, 100, 0).count, 0u);
}

}  // namespace
