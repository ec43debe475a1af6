// Threads racing on the public API: producers sending from many threads,
// real-time and group consumers taken and acked from several, replies
// released on user threads while the reader recycles them on an I/O thread.
// Each test checks what it delivered; CI runs them under ThreadSanitizer
// (label tsan), where any data race fails the run.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::RedisServer;
using rs::test::unique_key;

namespace {

constexpr int senders = 4;
constexpr int per_sender = 1500;
constexpr int total = senders * per_sender;

class Concurrency : public ::testing::Test {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }
    static rs::ConnectOptions options() {
        rs::ConnectOptions o;
        o.io_threads = 2;  // actors on two threads: strands really run in parallel
        return o;
    }
    // Sends `total` payloads "<thread>:<n>" from `senders` threads, mixing
    // the sync, callback and async forms; returns how many failed.
    static int send_all(rs::Producer& producer) {
        std::atomic<int> failed{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < senders; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < per_sender; ++i) {
                    const auto payload = std::to_string(t) + ":" + std::to_string(i);
                    if (i % 3 == 0) {
                        producer.send(payload).then([&](std::error_code ec, const rs::Receipt&) {
                            if (ec) failed.fetch_add(1);
                        });
                    } else if (i % 3 == 1) {
                        producer.async_send(producer.stream(), payload,
                                            [&](std::error_code ec, rs::Receipt) {
                                                if (ec) failed.fetch_add(1);
                                            });
                    } else {
                        std::error_code ec;
                        producer.send(payload).get(ec);
                        if (ec) failed.fetch_add(1);
                    }
                }
            });
        for (auto& t : threads)
            t.join();
        producer.flush();
        return failed.load();
    }
    // Drains `consumer` on `readers` threads until `taken` (shared by the
    // consumers of one test) reaches `want` (or 60 s passed); returns the
    // payloads (duplicates kept out by the set, counted in `duplicates`).
    static std::set<std::string> drain(rs::Consumer& consumer, int readers, std::size_t want,
                                       std::atomic<std::size_t>& taken, int& duplicates,
                                       bool ack = false) {
        std::mutex mutex;
        std::set<std::string> seen;
        duplicates = 0;
        std::vector<std::thread> threads;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        for (int r = 0; r < readers; ++r)
            threads.emplace_back([&] {
                while (std::chrono::steady_clock::now() < deadline) {
                    if (taken.load() >= want) return;
                    auto m = consumer.next_for(50ms);
                    if (!m) continue;
                    taken.fetch_add(1);
                    if (ack) consumer.ack(*m);
                    (void)consumer.stats();  // read beside the actor
                    const std::lock_guard lock(mutex);
                    if (!seen.emplace(m->payload()).second) ++duplicates;
                }
            });
        for (auto& t : threads)
            t.join();
        return seen;
    }

    rs::Streamer streamer_ =
        rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(server().port()), options());
};

TEST_F(Concurrency, ProducerOnManyThreadsRealTimeConsumerReadByTwo) {
    const auto key = unique_key("rt");
    rs::ConsumerOptions o;
    o.auto_stream_reset = rs::AutoStreamReset::earliest;
    o.block_time = 100ms;
    o.prefetch = 300;  // small: the reader pauses and is woken from user threads
    auto consumer = streamer_.create_consumer({rs::StreamKey(key)}, o);
    auto producer = streamer_.create_producer(key, {.max_unconfirmed = 500});
    std::set<std::string> seen;
    int duplicates = 0;
    std::atomic<std::size_t> taken{0};
    std::thread reader([&] { seen = drain(consumer, 2, total, taken, duplicates); });
    EXPECT_EQ(send_all(producer), 0);
    reader.join();
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(total));
    EXPECT_EQ(duplicates, 0);
    EXPECT_EQ(server().cli({"XLEN", key}), std::to_string(total));
}

TEST_F(Concurrency, LoadBalancedMembersAckOnTheirOwnThreads) {
    const auto key = unique_key("lb");
    auto producer = streamer_.create_producer(key);
    EXPECT_EQ(send_all(producer), 0);
    rs::ConsumerOptions o;
    o.mode = rs::ConsumerMode::load_balanced;
    o.auto_commit = rs::AutoCommit::rolling;
    o.auto_commit_interval = 20ms;
    o.auto_stream_reset = rs::AutoStreamReset::earliest;
    o.group = unique_key("g");
    o.block_time = 100ms;
    o.batch_size = 50;
    o.prefetch = 100;
    auto a = streamer_.create_consumer({rs::StreamKey(key)}, o);
    auto b = streamer_.create_consumer({rs::StreamKey(key)}, o);
    std::set<std::string> seen_a, seen_b;
    int dup_a = 0, dup_b = 0;
    std::atomic<bool> done{false};
    std::thread stats([&] {
        while (!done.load())
            (void)a.group_stats();
    });
    std::atomic<std::size_t> taken{0};
    std::thread ta([&] { seen_a = drain(a, 2, total, taken, dup_a, true); });
    std::thread tb([&] { seen_b = drain(b, 1, total, taken, dup_b, true); });
    ta.join();
    tb.join();
    done = true;
    stats.join();
    std::set<std::string> all(seen_a);
    all.insert(seen_b.begin(), seen_b.end());
    EXPECT_EQ(all.size(), static_cast<std::size_t>(total));
    EXPECT_EQ(seen_a.size() + seen_b.size(), static_cast<std::size_t>(total))
        << "a message went to both members";
    a.end();
    b.end();
    const auto pending = server().cli({"XPENDING", key, o.group});
    EXPECT_EQ(pending.substr(0, pending.find('\n')), "0");
}

// Async waits started, cancelled by end() and completed from several
// threads at once: every handler runs exactly once.
TEST_F(Concurrency, AsyncNextFromManyThreadsEachHandlerRunsOnce) {
    const auto key = unique_key("async");
    rs::ConsumerOptions o;
    o.auto_stream_reset = rs::AutoStreamReset::earliest;
    o.block_time = 100ms;
    auto consumer = streamer_.create_consumer({rs::StreamKey(key)}, o);
    auto producer = streamer_.create_producer(key);
    constexpr int waiters = 200;
    std::atomic<int> ran{0}, got{0};
    std::promise<void> all_messages;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < waiters / 4; ++i)
                consumer.async_next([&](std::error_code ec, rs::Message) {
                    ran.fetch_add(1);
                    if (!ec && got.fetch_add(1) + 1 == waiters / 2) all_messages.set_value();
                });
        });
    for (int i = 0; i < waiters / 2; ++i)
        producer.send("m" + std::to_string(i));
    producer.flush();
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(all_messages.get_future().wait_for(10s), std::future_status::ready);
    consumer.end();
    streamer_.disconnect();  // joins the I/O threads: every handler has run
    EXPECT_EQ(got.load(), waiters / 2);
    EXPECT_EQ(ran.load(), waiters);
}

}  // namespace
