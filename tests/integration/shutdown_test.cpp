// After Streamer::disconnect() every pending and every later operation
// completes with shutting_down: no handler is lost, no sync call blocks
// (issue 9 §1, "After Streamer::disconnect()").
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::RedisServer;
using rs::test::unique_key;

namespace {

// Every wait below is far longer than the operation should take; none may
// be reached.
constexpr auto bound = 5s;

class ShutdownTest : public ::testing::Test {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }
    static std::string url() { return "redis://127.0.0.1:" + std::to_string(server().port()); }
    static rs::ConsumerOptions group_options(rs::AutoCommit commit) {
        rs::ConsumerOptions o;
        o.mode = rs::ConsumerMode::resumable;
        o.auto_commit = commit;
        o.group = unique_key("g");
        o.mkstream = true;
        o.block_time = 100ms;
        return o;
    }

    // A callback's result, awaited with a deadline.
    template <class... T>
    struct Outcome {
        std::shared_ptr<std::promise<std::error_code>> p =
            std::make_shared<std::promise<std::error_code>>();
        std::future<std::error_code> f = p->get_future();
        auto handler() {
            return [p = p](std::error_code ec, T...) { p->set_value(ec); };
        }
        std::error_code get() {
            if (f.wait_for(bound) != std::future_status::ready) {
                ADD_FAILURE() << "the handler never ran";
                return {};
            }
            return f.get();
        }
    };

    rs::Streamer streamer_ = rs::Streamer::connect(url());
};

TEST_F(ShutdownTest, ProducerCallsAfterDisconnectCompleteWithShuttingDown) {
    const auto key = unique_key("p");
    auto producer = streamer_.create_producer(key);
    auto before = producer.send("before");
    ASSERT_FALSE(before.get().id.to_string().empty());
    streamer_.disconnect();

    Outcome<rs::Receipt> sent;
    producer.async_send(rs::StreamKey(key), "after", sent.handler());
    EXPECT_EQ(sent.get(), rs::errc::shutting_down);

    Outcome<rs::Receipt> then_after;
    producer.send("after").then(
        [p = then_after.p](std::error_code ec, const rs::Receipt&) { p->set_value(ec); });
    EXPECT_EQ(then_after.get(), rs::errc::shutting_down);

    // A future completed before the disconnect still runs its continuation.
    Outcome<rs::Receipt> then_before;
    before.then([p = then_before.p](std::error_code ec, const rs::Receipt&) { p->set_value(ec); });
    EXPECT_EQ(then_before.get(), std::error_code{});

    Outcome<> flushed;
    producer.async_flush(flushed.handler());
    EXPECT_EQ(flushed.get(), std::error_code{});  // nothing is left to flush
    producer.flush();

    try {
        producer.trim(rs::StreamKey(key),
                      {.strategy = rs::commands::TrimOptions::Strategy::maxlen, .max_len = 0});
        ADD_FAILURE() << "trim() after disconnect did not throw";
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::shutting_down);
    }
}

TEST_F(ShutdownTest, ConsumerCallsAfterDisconnectCompleteWithShuttingDown) {
    const auto key = unique_key("c");
    auto consumer =
        streamer_.create_consumer({rs::StreamKey(key)}, group_options(rs::AutoCommit::disabled));
    streamer_.disconnect();

    Outcome<rs::Message> next;
    consumer.async_next(next.handler());
    EXPECT_EQ(next.get(), rs::errc::shutting_down);
    Outcome<> committed;
    consumer.async_commit(committed.handler());
    EXPECT_EQ(committed.get(), rs::errc::shutting_down);
    Outcome<std::vector<rs::GroupStreamStats>> stats;
    consumer.async_group_stats(stats.handler());
    EXPECT_EQ(stats.get(), rs::errc::shutting_down);

    auto sync = std::async(std::launch::async, [&] {
        int thrown = 0;
        try {
            consumer.commit();
        } catch (const rs::Error& e) {
            thrown += e.code() == rs::errc::shutting_down;
        }
        try {
            consumer.group_stats();
        } catch (const rs::Error& e) {
            thrown += e.code() == rs::errc::shutting_down;
        }
        return thrown;
    });
    ASSERT_EQ(sync.wait_for(bound), std::future_status::ready) << "a sync call blocks";
    EXPECT_EQ(sync.get(), 2);
}

// What waits when disconnect() comes completes then.
TEST_F(ShutdownTest, PendingOperationsCompleteAtDisconnect) {
    const auto key = unique_key("pending");
    auto consumer =
        streamer_.create_consumer({rs::StreamKey(key)}, group_options(rs::AutoCommit::rolling));
    Outcome<rs::Message> next;
    consumer.async_next(next.handler());

    // A producer whose one slot is taken by a send the paused server holds:
    // the next async send waits for room.
    auto producer =
        streamer_.create_producer(unique_key("held"), {.max_unconfirmed = 1, .end_timeout = 200ms});
    server().cli({"CLIENT", "PAUSE", "1500", "WRITE"});
    auto held = producer.send("held");
    Outcome<rs::Receipt> waiting;
    producer.async_send(rs::StreamKey(unique_key("held")), "waits for room", waiting.handler());

    streamer_.disconnect();
    EXPECT_EQ(next.get(), rs::errc::shutting_down);
    const auto ec = waiting.get();
    EXPECT_TRUE(ec == rs::errc::shutting_down || ec == rs::errc::timeout) << ec.message();
    std::error_code held_ec;
    ASSERT_EQ(held.wait_for(bound), std::future_status::ready);
    held.get(held_ec);
    EXPECT_TRUE(held_ec) << "a send unconfirmed at disconnect must fail, not vanish";
    server().cli({"CLIENT", "UNPAUSE"});
}

}  // namespace
