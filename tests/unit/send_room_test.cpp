// The producer's bound on unconfirmed sends (send_room.hpp): what fits, and
// that a sender waiting for room is woken once a quarter of the bound is
// free, not by every release.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "../../src/redis/send_room.hpp"

using redstream::detail::SendRoom;

TEST(SendRoom, BoundsMessagesAndBytes) {
    SendRoom by_count(4, 1 << 20);
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(by_count.try_reserve(10));
    EXPECT_FALSE(by_count.try_reserve(10));
    EXPECT_EQ(by_count.count(), 4u) << "a refused send holds nothing";

    SendRoom by_bytes(100, 1000);
    ASSERT_TRUE(by_bytes.try_reserve(600));
    EXPECT_FALSE(by_bytes.try_reserve(600));
    EXPECT_TRUE(by_bytes.try_reserve(400));
    by_bytes.release(2, 1000);
    EXPECT_TRUE(by_bytes.try_reserve(5000)) << "one send always fits when nothing is held";
    EXPECT_FALSE(by_bytes.try_reserve(1));
}

TEST(SendRoom, ReleasesWakeOnceAQuarterOfTheCountIsFree) {
    SendRoom room(8, 1 << 20);
    for (int i = 0; i < 8; ++i)
        ASSERT_TRUE(room.try_reserve(100));
    EXPECT_FALSE(room.release(1, 100));  // 7 left
    EXPECT_TRUE(room.release(1, 100));   // 6: a quarter free
    EXPECT_TRUE(room.release(1, 100)) << "below the level every release wakes";
}

TEST(SendRoom, ReleasesWakeOnceAQuarterOfTheBytesIsFree) {
    SendRoom room(1000, 800);
    for (int i = 0; i < 8; ++i)
        ASSERT_TRUE(room.try_reserve(100));
    EXPECT_FALSE(room.release(1, 100));  // 700 bytes left
    EXPECT_TRUE(room.release(1, 100));   // 600
}

// Senders on several threads and a completer releasing one send at a time
// (the worst case: every release is a chance to wake): every send gets room,
// and the bound holds throughout.
TEST(SendRoom, ConcurrentSendersNeverStallAndStayBounded) {
    constexpr std::size_t senders = 3, per_sender = 20000, bound = 16;
    SendRoom room(bound, 1 << 20);
    std::mutex mutex;
    std::deque<std::size_t> in_flight;
    std::size_t most = 0;
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < senders; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < per_sender; ++i) {
                while (!room.try_reserve(1 + t))
                    room.wait();
                const std::lock_guard lock(mutex);
                in_flight.push_back(1 + t);
                most = std::max(most, in_flight.size());
            }
        });
    std::size_t released = 0;
    while (released < senders * per_sender) {
        std::size_t bytes = 0;
        {
            const std::lock_guard lock(mutex);
            if (!in_flight.empty()) {
                bytes = in_flight.front();
                in_flight.pop_front();
            }
        }
        if (bytes == 0) {
            std::this_thread::yield();
            continue;
        }
        room.release(1, bytes);
        ++released;
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(room.count(), 0u);
    EXPECT_LE(most, bound);
}
