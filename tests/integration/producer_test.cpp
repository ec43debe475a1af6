// Streamer and Producer against a real redis-server: receipts, ordering,
// sharding, trimming, per-send errors, backpressure, flush/end, reconnect.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#if defined(ASIO_HAS_CO_AWAIT)  // g++; Asio does not enable coroutines for clang 14 + libstdc++
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#endif

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/redis_server.hpp"

namespace rs = redstream;
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
    std::int64_t xlen(const std::string& key) { return std::stoll(server().cli({"XLEN", key})); }

    rs::Streamer streamer_ = rs::Streamer::connect(url());
};

TEST_F(ProducerTest, SendReturnsReceiptsInOrderAndStoresThePayload) {
    const auto key = unique_key("orders");
    auto producer = streamer_.create_producer(key);
    std::vector<rs::SendFuture> futures;
    for (int i = 0; i < 100; ++i)
        futures.push_back(producer.send("payload-" + std::to_string(i)));
    rs::MessageId last{};
    for (auto& f : futures) {
        const rs::Receipt r = f.get();
        EXPECT_EQ(r.stream_key.name(), key);
        EXPECT_EQ(r.shard_id.value, 0u);
        EXPECT_GT(r.id, last);  // receipts come back in send order
        EXPECT_EQ(r.timestamp, rs::timestamp_of(r.id));
        last = r.id;
    }
    EXPECT_EQ(xlen(key), 100);
    const auto first = server().cli({"XRANGE", key, "-", "+", "COUNT", "1"});
    EXPECT_NE(first.find("msg\npayload-0"), std::string::npos) << first;
}

// Issue 10 §2: a payload handed over (send(std::move(s))) at or above
// zero_copy_threshold is written from the string itself, held until it is
// written; smaller ones and lvalues are copied. Every entry is stored whole.
TEST_F(ProducerTest, HandedOverPayloadsAreStoredWholeAboveAndBelowTheThreshold) {
    const auto key = unique_key("owned");
    rs::ProducerOptions opts;
    opts.zero_copy_threshold = 4096;
    auto producer = streamer_.create_producer(key, opts);
    const auto payload_of = [](std::size_t i, std::size_t size) {
        std::string p(size, static_cast<char>('a' + i % 26));
        p.replace(0, std::to_string(i).size(), std::to_string(i));
        return p;
    };
    const std::size_t sizes[] = {10, 4095, 4096, 70000};
    std::vector<std::string> expected;
    std::vector<rs::SendFuture> futures;
    for (std::size_t i = 0; i < 40; ++i) {
        const auto size = sizes[i % 4];
        expected.push_back(payload_of(i, size));
        std::string owned = payload_of(i, size);
        if (i % 8 == 7)
            futures.push_back(producer.send(owned));  // an lvalue: copied
        else
            futures.push_back(producer.send(std::move(owned)));
    }
    for (auto& f : futures)
        f.get();
    producer.flush();
    ASSERT_EQ(xlen(key), 40);

    rs::net::SyncClient client(server().config());
    client.connect();
    const auto page = client.exec_one("XRANGE", key, "-", "+");
    ASSERT_EQ(page.root().size(), 40U);
    for (std::size_t i = 0; i < 40; ++i) {
        const auto fields = page.root()[i][1];
        EXPECT_EQ(fields[1].str(), expected[i]) << "entry " << i;
    }
}

TEST_F(ProducerTest, ExtraFieldsAndExplicitIds) {
    const auto key = unique_key("fields");
    auto producer = streamer_.create_producer(key);
    const rs::Field extra[] = {{"kind", "order"}, {"n", "7"}};
    auto r = producer.send("p", {.fields = extra, .id = rs::commands::XAddId::exact({5, 1})}).get();
    EXPECT_EQ(r.id, (rs::MessageId{5, 1}));
    EXPECT_EQ(server().cli({"XRANGE", key, "-", "+"}), "5-1\nmsg\np\nkind\norder\nn\n7");
    r = producer.send("q", {.id = rs::commands::XAddId::auto_seq(5)}).get();
    EXPECT_EQ(r.id, (rs::MessageId{5, 2}));
}

TEST_F(ProducerTest, ARejectedSendFailsAloneWithTheServersCode) {
    const auto key = unique_key("mixed");
    const auto wrong = unique_key("string");
    server().cli({"SET", wrong, "x"});
    auto producer = streamer_.create_generic_producer();
    auto ok1 = producer.send_to(key, "a");
    auto bad_type = producer.send_to(wrong, "b");
    auto bad_id = producer.send_to(key, "c", {.id = rs::commands::XAddId::exact({0, 1})});
    auto ok2 = producer.send_to(key, "d");
    std::error_code ec;
    EXPECT_FALSE((ok1.get(ec), ec));
    bad_type.get(ec);
    EXPECT_EQ(ec, rs::errc::wrongtype);
    bad_id.get(ec);  // ERR The ID specified in XADD is equal or smaller than ...
    EXPECT_EQ(ec, rs::errc::server_error);
    EXPECT_FALSE((ok2.get(ec), ec));
    EXPECT_EQ(xlen(key), 2);
}

TEST_F(ProducerTest, GenericProducerNeedsAStream) {
    auto producer = streamer_.create_generic_producer();
    std::error_code ec;
    producer.send("no stream").get(ec);
    EXPECT_EQ(ec, rs::errc::invalid_argument);
    EXPECT_THROW(rs::StreamKey(""), rs::Error);
    EXPECT_THROW(rs::StreamKey(std::string(513, 'k')), rs::Error);
}

TEST_F(ProducerTest, FlushMeansEverythingSentIsOnTheServer) {
    const auto key = unique_key("flush");
    auto producer = streamer_.create_producer(key);
    for (int i = 0; i < 5000; ++i)
        producer.send("x");  // futures ignored
    producer.flush();
    EXPECT_EQ(xlen(key), 5000);
    producer.end();
    std::error_code ec;
    producer.send("after end").get(ec);
    EXPECT_EQ(ec, rs::errc::shutting_down);
}

TEST_F(ProducerTest, RoundRobinShardingCoversEveryShardEvenly) {
    const auto key = unique_key("sharded");
    auto producer = streamer_.create_producer(key, {.shards = 3});
    std::vector<std::uint64_t> shards;
    for (int i = 0; i < 30; ++i)
        shards.push_back(producer.send("m").get().shard_id.value);
    for (int i = 0; i < 30; ++i)
        EXPECT_EQ(shards[i], static_cast<std::uint64_t>(i % 3));
    for (int s = 0; s < 3; ++s)
        EXPECT_EQ(xlen(key + ":" + std::to_string(s)), 10);
    EXPECT_EQ(xlen(key), 0);
}

TEST_F(ProducerTest, KeyHashKeepsAKeyOnOneShardAndCustomSharderIsUsed) {
    const auto key = unique_key("keyed");
    auto producer =
        streamer_.create_producer(key, {.shards = 4, .sharder = rs::Sharder::key_hash()});
    std::set<std::uint64_t> user_a, all;
    for (int i = 0; i < 20; ++i) {
        user_a.insert(producer.send("m", {.partition_key = "user-a"}).get().shard_id.value);
        all.insert(producer.send("m", {.partition_key = "user-" + std::to_string(i)})
                       .get()
                       .shard_id.value);
    }
    EXPECT_EQ(user_a.size(), 1u);
    EXPECT_GT(all.size(), 1u);

    auto custom = streamer_.create_producer(
        key, {.shards = 4,
              .sharder = rs::Sharder::custom([](const rs::StreamKey&, std::string_view k,
                                                std::uint64_t) { return k.size(); })});
    EXPECT_EQ(custom.send("m", {.partition_key = "abc"}).get().shard_id.value, 3u);
    EXPECT_EQ(custom.send("m", {.partition_key = "abcdef"}).get().shard_id.value, 2u);  // 6 % 4
}

TEST_F(ProducerTest, TrimPolicyAndTrimHelper) {
    const auto key = unique_key("trimmed");
    auto producer = streamer_.create_producer(key, {.trim = rs::commands::TrimOptions::maxlen(10)});
    for (int i = 0; i < 50; ++i)
        producer.send("x");
    producer.flush();
    EXPECT_EQ(xlen(key), 10);

    const auto other = unique_key("trim-now");
    auto plain = streamer_.create_producer(other, {.shards = 2});
    for (int i = 0; i < 40; ++i)
        plain.send("x");
    plain.flush();
    plain.trim(other, rs::commands::TrimOptions::maxlen(3));
    EXPECT_EQ(xlen(other + ":0"), 3);
    EXPECT_EQ(xlen(other + ":1"), 3);
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

TEST_F(ProducerTest, DisconnectFlushesProducers) {
    auto streamer = rs::Streamer::connect(url());
    const auto key = unique_key("disc");
    auto producer = streamer.create_producer(key);
    for (int i = 0; i < 2000; ++i)
        producer.send("x");
    streamer.disconnect();
    EXPECT_EQ(xlen(key), 2000);
    std::error_code ec;
    producer.send("late").get(ec);
    EXPECT_EQ(ec, rs::errc::shutting_down);
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
