// Issue 9 §4, messages lost or skipped, against a real redis-server: a clean
// end under AutoCommit::immediate, rewind(SeqPos::end()) beside a blocking
// read, shards that appear after the start, and load-balanced members
// sharing a backlog.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;

class ConsumerLoss : public test::GroupConsumer {
  protected:
    static std::vector<std::string> names(const std::string& prefix, int from, int to) {
        std::vector<std::string> out;
        for (int i = from; i < to; ++i)
            out.push_back(prefix + std::to_string(i));
        return out;
    }
};

// Taken e0–e5, then e6–e10 produced, then a clean end: nothing was asked for
// after e5, so nothing was read (NOACK) and dropped; the group still has
// e6–e10 for the next consumer.
TEST_F(ConsumerLoss, ImmediateLosesNothingOnACleanEnd) {
    for (auto mode : {ConsumerMode::resumable, ConsumerMode::load_balanced}) {
        const auto key = unique_key();
        const auto opts =
            options(mode, AutoCommit::immediate, AutoStreamReset::earliest, unique_key("g"));
        send(key, 6, "e");
        {
            auto c = streamer_.create_consumer({key}, opts);
            EXPECT_EQ(take(c, 6), names("e", 0, 6));
            send(key, 5, "f");
            c.end();
        }
        auto again = streamer_.create_consumer({key}, opts);
        EXPECT_EQ(take(again, 5), names("f", 0, 5)) << "mode " << static_cast<int>(mode);
    }
}

// A next_for() that times out takes its read with it: the NOACK read it sent
// blocks no longer than the wait, so what is added afterwards stays in the
// group for whoever asks next, even if this consumer is ended first.
TEST_F(ConsumerLoss, ImmediateReadOfATimedOutNextForEndsWithIt) {
    const auto key = unique_key();
    auto opts = options(ConsumerMode::resumable, AutoCommit::immediate, AutoStreamReset::earliest,
                        unique_key("g"));
    opts.block_time = 30s;
    opts.mkstream = true;
    {
        auto c = streamer_.create_consumer({key}, opts);
        EXPECT_FALSE(c.next_for(100ms));
        EXPECT_TRUE(eventually([] { return blocked_clients() == 0; }))
            << "a read blocks on behind a next_for() that gave up";
        send(key, 3, "m");
        c.end();
    }
    auto again = streamer_.create_consumer({key}, opts);
    EXPECT_EQ(take(again, 3), names("m", 0, 3));
}

// The read loop is blocked in XREAD on the old position when rewind(end) is
// called; an entry added once rewind() has returned is delivered.
TEST_F(ConsumerLoss, RewindToTheEndDeliversWhatIsAddedAfterItReturns) {
    for (int round = 0; round < 3; ++round) {
        const auto key = unique_key();
        send(key, 3, "old");
        auto opts =
            options(ConsumerMode::real_time, AutoCommit::delayed, AutoStreamReset::earliest, "");
        opts.block_time = 5s;
        auto c = streamer_.create_consumer({key}, opts);
        EXPECT_EQ(take(c, 3), names("old", 0, 3));
        // The loop's next XREAD BLOCK 5000 is out now or about to be.
        c.rewind(SeqPos::end());
        send(key, 1, "new");
        EXPECT_EQ(take(c, 1), names("new", 0, 1)) << "round " << round;
        expect_quiet(c);
    }
}

// The end is looked up over the Streamer's shared connection; with the
// server down that lookup fails, and rewind() still returns in bounded time.
TEST_F(ConsumerLoss, RewindToTheEndReturnsWhileTheServerIsDown) {
    const auto key = unique_key();
    send(key, 2, "old");
    auto opts =
        options(ConsumerMode::real_time, AutoCommit::delayed, AutoStreamReset::earliest, "");
    auto c = streamer_.create_consumer({key}, opts);
    EXPECT_EQ(take(c, 2), names("old", 0, 2));
    server().stop();
    const auto start = std::chrono::steady_clock::now();
    c.rewind(SeqPos::end());
    EXPECT_LT(std::chrono::steady_clock::now() - start, Consumer::end_lookup_timeout + 1s);
    const auto reads = c.stats().reads;
    server().start();
    // The end is looked up once the consumer reads again; from then on
    // everything is delivered.
    ASSERT_TRUE(eventually([&] { return c.stats().reads > reads; }));
    send(key, 1, "new");
    EXPECT_EQ(take(c, 1), names("new", 0, 1));
}

// Shards written right after the start, before discovery finds them: every
// entry of them is new, so all 9 are delivered, whatever the reset policy,
// in every mode.
TEST_F(ConsumerLoss, ShardsThatAppearAfterTheStartAreReadWhole) {
    for (auto mode :
         {ConsumerMode::real_time, ConsumerMode::resumable, ConsumerMode::load_balanced})
        for (auto reset : {AutoStreamReset::earliest, AutoStreamReset::latest}) {
            const auto key = unique_key();
            auto opts = options(mode, AutoCommit::delayed, reset, unique_key("g"));
            opts.discovery_interval = 100ms;
            opts.mkstream = true;
            auto c = streamer_.create_consumer({key}, opts);
            auto p = streamer_.create_producer(key, {.shards = 3});
            for (int i = 0; i < 9; ++i)
                p.send("s" + std::to_string(i));
            p.flush();
            auto got = take(c, 9);
            std::sort(got.begin(), got.end());
            EXPECT_EQ(got, names("s", 0, 9))
                << "mode " << static_cast<int>(mode) << ", reset " << static_cast<int>(reset);
        }
}

// Three members with default options, created one after the other over a
// backlog of 1,001 entries, then drained by three threads at once: none may
// have hoarded the backlog before the others started. Each message costs its
// handler 1 ms (a stand-in for work, not for synchronisation): without work
// the drain takes a few ms and the shares would measure the OS scheduler on
// a busy machine, not what each member held.
TEST_F(ConsumerLoss, LoadBalancedMembersShareABacklog) {
    constexpr std::size_t total = 1001;
    const auto key = unique_key();
    send(key, total, "w");
    ConsumerOptions opts;
    opts.mode = ConsumerMode::load_balanced;
    opts.auto_stream_reset = AutoStreamReset::earliest;
    opts.group = unique_key("g");
    std::vector<Consumer> members;
    for (int i = 0; i < 3; ++i)
        members.push_back(streamer_.create_consumer({key}, opts));
    std::atomic<std::size_t> taken{0};
    std::vector<std::vector<std::string>> got(3);
    std::latch start(3);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < 3; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto deadline = std::chrono::steady_clock::now() + 20s;
            while (taken.load() < total && std::chrono::steady_clock::now() < deadline)
                if (auto m = members[i].next_for(50ms)) {
                    got[i].emplace_back(m->payload());
                    taken.fetch_add(1);
                    std::this_thread::sleep_for(1ms);
                }
        });
    for (auto& t : threads)
        t.join();
    std::set<std::string> all;
    for (const auto& g : got)
        all.insert(g.begin(), g.end());
    EXPECT_EQ(all.size(), total) << "none lost, none twice";
    const auto shares = std::to_string(got[0].size()) + " / " + std::to_string(got[1].size()) +
                        " / " + std::to_string(got[2].size());
    RecordProperty("shares", shares);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_GE(got[i].size() * 4, total) << "member " << i << " of " << shares;
    EXPECT_LE(members[0].stats().max_queued, ConsumerOptions::default_load_balanced_prefetch);
}

}  // namespace
}  // namespace redstream
