// Streamer and Producer against a real redis-server: the checks shared with
// the cluster tests (support/stream_checks.hpp: receipts, ordering, sharding,
// trimming, per-send errors, flush/end), and what only a server of the test's
// own shows: backpressure while it is paused, a lost connection, a server
// gone, URLs and connect failures, the completion forms.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#if defined(ASIO_HAS_CO_AWAIT)  // g++; Asio does not enable coroutines for clang 14 + libstdc++
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#endif

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/redis_server.hpp"
#include "support/stream_checks.hpp"
#include "support/target.hpp"

namespace rs = redstream;
namespace checks = redstream::test::stream_checks;
using namespace std::chrono_literals;
using rs::test::RedisServer;
using rs::test::unique_key;

namespace {

class ProducerTest : public ::testing::Test {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }
    static std::string url() { return "redis://127.0.0.1:" + std::to_string(server().port()); }
    static rs::test::Target target() { return rs::test::standalone_target(server()); }

    rs::Streamer streamer_ = rs::Streamer::connect(url());
};

TEST_F(ProducerTest, SendReturnsReceiptsInOrderAndStoresThePayload) {
    checks::receipts_in_order_and_payloads_stored(target());
}

TEST_F(ProducerTest, HandedOverPayloadsAreStoredWholeAboveAndBelowTheThreshold) {
    checks::handed_over_payloads_stored_whole(target());
}

TEST_F(ProducerTest, ExtraFieldsAndExplicitIds) {
    checks::extra_fields_and_explicit_ids(target());
}

TEST_F(ProducerTest, ARejectedSendFailsAloneWithTheServersCode) {
    checks::rejected_send_fails_alone(target());
}

TEST_F(ProducerTest, GenericProducerNeedsAStream) {
    auto producer = streamer_.create_generic_producer();
    std::error_code ec;
    producer.send("no stream").get(ec);
    EXPECT_EQ(ec, rs::errc::invalid_argument);
    EXPECT_THROW(rs::StreamKey(""), rs::Error);
    EXPECT_THROW(rs::StreamKey(std::string(513, 'k')), rs::Error);
}

// No room at all would make every send wait for room that never comes.
TEST_F(ProducerTest, ABoundOfZeroUnconfirmedSendsIsRefused) {
    try {
        streamer_.create_producer(rs::StreamKey(unique_key()), {.max_unconfirmed = 0});
        FAIL() << "a producer that may hold no send was created";
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::invalid_argument);
    }
}

TEST_F(ProducerTest, FlushAndDisconnectStoreEverythingSent) {
    checks::flush_and_disconnect_store_everything_sent(target());
}

TEST_F(ProducerTest, RoundRobinShardingCoversEveryShardEvenly) {
    checks::round_robin_covers_every_shard_evenly(target());
}

TEST_F(ProducerTest, KeyHashKeepsAKeyOnOneShardAndCustomSharderIsUsed) {
    checks::key_hash_and_custom_sharders(target());
}

TEST_F(ProducerTest, TrimPolicyAndTrimHelper) {
    checks::trim_policy_and_trim_helper(target());
}

TEST_F(ProducerTest, AsyncSendCallbacksAndThen) {
    const auto key = unique_key("async");
    auto producer = streamer_.create_producer(key);
    auto r = producer.async_send(key, "via future", asio::use_future).get();
    EXPECT_EQ(r.stream_key.name(), key);

    std::promise<rs::MessageId> by_callback;
    producer.async_send(key, "via callback", [&](std::error_code ec, rs::Receipt rec) {
        EXPECT_FALSE(ec);
        by_callback.set_value(rec.id);
    });
    EXPECT_GT(by_callback.get_future().get(), r.id);

    std::promise<rs::MessageId> by_then;
    producer.send("then").then(
        [&](std::error_code, const rs::Receipt& rec) { by_then.set_value(rec.id); });
    EXPECT_GT(by_then.get_future().get(), r.id);

    auto f = producer.send("wait");
    EXPECT_EQ(f.async_wait(asio::use_future).get().stream_key.name(), key);
    EXPECT_TRUE(f.ready());
    EXPECT_EQ(f.wait_for(0ms), std::future_status::ready);
}

// While the server refuses writes, at most max_unconfirmed sends are held;
// the rest fail at once (or block, with block_when_full), so memory is flat.
TEST_F(ProducerTest, BackpressureBoundsUnconfirmedSendsWhileTheServerIsPaused) {
    RedisServer own;
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(own.port()));
    const auto key = unique_key("paused");
    auto producer =
        streamer.create_producer(key, {.max_unconfirmed = 100, .block_when_full = false});
    own.cli({"CLIENT", "PAUSE", "1000", "WRITE"});
    std::vector<rs::SendFuture> held;
    int refused = 0;
    for (int i = 0; i < 1000; ++i) {
        auto f = producer.send("x");
        if (f.ready()) {
            std::error_code ec;
            f.get(ec);
            EXPECT_EQ(ec, rs::errc::queue_full);
            ++refused;
        } else {
            held.push_back(std::move(f));
        }
    }
    EXPECT_EQ(held.size(), 100u);
    EXPECT_EQ(refused, 900);
    for (auto& f : held)
        f.get();  // all confirmed once the pause ends
    EXPECT_EQ(std::stoll(own.cli({"XLEN", key})), 100);

    auto blocking = streamer.create_producer(key, {.max_unconfirmed = 10});
    own.cli({"CLIENT", "PAUSE", "300", "WRITE"});
    for (int i = 0; i < 10; ++i)
        blocking.send("y");
    auto eleventh = std::async(std::launch::async, [&] { return blocking.send("z").get(); });
    EXPECT_EQ(eleventh.wait_for(100ms), std::future_status::timeout);  // blocked while full
    eleventh.get();  // admitted and confirmed after the pause
    EXPECT_EQ(std::stoll(own.cli({"XLEN", key})), 111);
}

// A socket is asked for up to Socket::max_write (4 MiB) per system call and
// takes less: every write of a batch longer than that, copied or handed
// over, goes on where the last one stopped.
TEST_F(ProducerTest, BatchesLongerThanOneWriteAreStoredWhole) {
    const auto key = unique_key("long");
    auto producer = streamer_.create_producer(
        key, {.max_unconfirmed_bytes = 64 << 20, .max_batch_bytes = 32 << 20});
    std::vector<std::string> expected;
    std::vector<rs::SendFuture> futures;
    for (std::size_t i = 0; i < 6; ++i) {
        std::string p((5 << 20) + i * 4099, static_cast<char>('a' + i));
        p.replace(p.size() / 2, 1, std::to_string(i));  // no two alike, a mark mid-way
        expected.push_back(p);
        futures.push_back(i % 2 ? producer.send(std::move(p)) : producer.send(p));
    }
    for (auto& f : futures)
        f.get();
    const auto stored = rs::test::Direct(target()).xrange(key);
    ASSERT_EQ(stored.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(stored[i].field("msg") == expected[i]) << "entry " << i << " differs";
}

// max_unconfirmed_bytes counts what a send holds (its serialized XADD), not
// just the payload: bytes in extra fields count too.
TEST_F(ProducerTest, ByteBoundCountsFieldsAsWellAsThePayload) {
    RedisServer own;
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(own.port()));
    const auto key = unique_key("bytes");
    auto producer = streamer.create_producer(
        key, {.max_unconfirmed_bytes = 1000 * 1024, .block_when_full = false});
    own.cli({"CLIENT", "PAUSE", "1000", "WRITE"});
    const std::string big(100 * 1024, 'f');
    const rs::Field fields[] = {{"blob", big}};
    std::vector<rs::SendFuture> held;
    for (int i = 0; i < 20; ++i) {
        auto f = producer.send("", {.fields = fields});
        if (!f.ready()) held.push_back(std::move(f));
    }
    // 1000 KiB holds nine sends of a little over 100 KiB, never twenty.
    EXPECT_EQ(held.size(), 9u);
    for (auto& f : held)
        f.get();
    EXPECT_EQ(std::stoll(own.cli({"XLEN", key})), 9);
}

TEST_F(ProducerTest, LostConnectionFailsUnconfirmedSendsRetryablyThenRecovers) {
    RedisServer own;
    rs::ConnectOptions opts;
    opts.connection.client_name = "producer-victim";
    opts.connection.reconnect.initial_delay = 10ms;
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(own.port()), opts);
    const auto key = unique_key("lost");
    auto producer = streamer.create_producer(key);
    own.cli({"CLIENT", "PAUSE", "2000", "WRITE"});
    std::vector<rs::SendFuture> in_flight;
    for (int i = 0; i < 10; ++i)
        in_flight.push_back(producer.send("x"));
    // Wait until the XADDs are written (blocked by the pause), then cut the connection.
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (own.cli({"CLIENT", "LIST"}).find("name=producer-victim") == std::string::npos ||
           own.cli({"CLIENT", "LIST"}).find("cmd=xadd") == std::string::npos) {
        ASSERT_LT(std::chrono::steady_clock::now(), end);
        std::this_thread::sleep_for(5ms);
    }
    own.cli({"CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"});
    own.cli({"CLIENT", "UNPAUSE"});
    // Sends written to the lost connection fail retryably (never replayed:
    // the caller decides); those still queued in the producer (at most two
    // batches are in flight) go out on the new connection.
    std::size_t failed = 0;
    for (auto& f : in_flight) {
        std::error_code ec;
        f.get(ec);
        if (!ec) continue;
        EXPECT_EQ(ec, rs::condition::retryable) << ec.message();
        ++failed;
    }
    EXPECT_GE(failed, 1u) << "the written XADDs died with the connection";
    EXPECT_NO_THROW(producer.send("after").get());  // reconnected by itself
    EXPECT_EQ(std::stoull(own.cli({"XLEN", key})), in_flight.size() - failed + 1)
        << "what did not fail is there once; what failed is not";
}

TEST_F(ProducerTest, StreamerParsesStreamsAndReportsBadUrlsAndConnectFailures) {
    auto s = rs::Streamer::connect(url() + "/orders,app:events");
    ASSERT_EQ(s.streams().size(), 2u);
    EXPECT_EQ(s.streams()[1].name(), "app:events");
    try {
        rs::Streamer::connect("redis://user:s3cret@127.0.0.1:notaport");
        FAIL();
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::invalid_url);
        EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos);
    }
    std::uint16_t closed_port;
    {
        RedisServer gone;
        closed_port = gone.port();
    }
    try {
        rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(closed_port));
        FAIL();
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::connect_failed);
    }
}

}  // namespace

namespace {

TEST(StreamerAsync, AsyncConnectOnTheCallersExecutor) {
    RedisServer own;
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    auto fut = rs::Streamer::async_connect(
        io.get_executor(), "redis://127.0.0.1:" + std::to_string(own.port()), {}, asio::use_future);
    {
        rs::Streamer streamer = fut.get();
        const auto key = unique_key("async-connect");
        auto producer = streamer.create_producer(key);
        EXPECT_EQ(producer.send("x").get().stream_key.name(), key);
    }  // the Streamer closes its connections; the caller's context keeps running
    auto bad = rs::Streamer::async_connect(io.get_executor(), "nope://x", {}, asio::use_future);
    try {
        bad.get();
        FAIL();
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), rs::errc::invalid_url);
    }
    work.reset();
    runner.join();
}

}  // namespace

TEST_F(ProducerTest, DisconnectWithTheServerGoneWaitsAtMostEndTimeoutAndFailsTheRest) {
    RedisServer own;
    rs::ConnectOptions opts;
    opts.connection.reconnect.initial_delay = 10ms;
    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(own.port()), opts);
    auto producer =
        streamer.create_producer(unique_key("gone"), rs::ProducerOptions{.end_timeout = 100ms});
    producer.send("confirmed").get();
    own.stop();
    std::vector<rs::SendFuture> pending;
    for (int i = 0; i < 10; ++i)
        pending.push_back(producer.send("never"));
    // Sends written before the client saw the server go fail at once with
    // connection_lost; the others wait for a reconnect that never comes,
    // and disconnect() gives up on them after end_timeout (not after the
    // 30 s delivery_timeout; 2 s leave room for a loaded machine).
    const auto start = std::chrono::steady_clock::now();
    streamer.disconnect();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    for (auto& f : pending) {
        std::error_code ec;
        f.get(ec);
        EXPECT_TRUE(ec) << "a send to a server that is gone must fail, not vanish";
    }
}

#if defined(ASIO_HAS_CO_AWAIT)
// The seed's processing loop as a coroutine: await the next message, await
// the receipt of what it produced.
TEST_F(ProducerTest, CoroutinesAwaitSendsAndMessages) {
    const auto in = unique_key("co-in");
    const auto out = unique_key("co-out");
    auto consumer = streamer_.create_consumer(
        {in}, {.auto_stream_reset = rs::AutoStreamReset::earliest, .block_time = 100ms});
    auto producer = streamer_.create_producer(out);
    auto source = streamer_.create_producer(in);
    for (int i = 0; i < 3; ++i)
        source.send("m" + std::to_string(i));
    auto done = asio::co_spawn(
        streamer_.get_executor(),
        [&]() -> asio::awaitable<std::vector<rs::MessageId>> {
            std::vector<rs::MessageId> ids;
            for (int i = 0; i < 3; ++i) {
                const rs::Message m = co_await consumer.async_next(asio::use_awaitable);
                const rs::Receipt r = co_await producer.send(std::string(m.payload()) + "!")
                                          .async_wait(asio::use_awaitable);
                ids.push_back(r.id);
            }
            co_return ids;
        },
        asio::use_future);
    const auto ids = done.get();
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_LT(ids[0], ids[1]);
    EXPECT_EQ(server().cli({"XLEN", out}), "3");
}
#endif
