// A re-read of a member's pending entries delivers only what the XPENDING
// pipelined before it listed. Between the two commands other clients may run
// (this member's own acks on its commit connection, a claim), so the read
// can return an entry the listing lacks; its count is unknown, and it is read
// again with the pending list rather than delivered with a count of 0. That
// interleaving cannot be forced on a real server, so a scripted one answers
// as Redis would have.
#include <atomic>
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include <redstream/redis/streamer.hpp>

#include "fault/hostile_support.hpp"
#include "support/hostile_server.hpp"

namespace redstream::test {
namespace {

using namespace std::chrono_literals;
using hostile::bounded;
using hostile::Watchdog;

std::string bulk(std::string_view s) {
    return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// One XPENDING (extended form) line: [id, consumer, idle, deliveries].
std::string pending_line(std::string_view id, int deliveries) {
    return "*4\r\n" + bulk(id) + bulk("worker") + ":5\r\n:" + std::to_string(deliveries) + "\r\n";
}

// One entry of key `k` with the payload field "msg".
std::string entry(std::string_view id, std::string_view payload) {
    return "*2\r\n" + bulk(id) + "*2\r\n" + bulk("msg") + bulk(payload);
}

// The first re-read: the listing has 1-0 only (2-0 became the member's
// after the XPENDING), the read returns both. The second: 2-0 listed and
// read. Then the pending list is empty, and `>` reads find nothing.
TEST(RereadCounts, AnEntryTheListingLacksIsReadAgainWithItsCount) {
    Watchdog dog(40s);
    ScriptedServer server;
    std::atomic<int> listings{0};
    std::atomic<int> reads{0};
    server.on("XGROUP", Action::reply("+OK\r\n"));
    server.on("XACK", Action::reply(":1\r\n"));
    server.on("XPENDING", [&](const Command&, const Session&) -> std::optional<Action> {
        switch (++listings) {
            case 1:
                return Action::reply("*1\r\n" + pending_line("1-0", 1));
            case 2:
                return Action::reply("*1\r\n" + pending_line("2-0", 2));
            default:
                return Action::reply("*0\r\n");
        }
    });
    server.on("XREADGROUP", [&](const Command& cmd, const Session&) -> std::optional<Action> {
        if (cmd.args.back() == ">") return Action::reply("_\r\n").after(50ms);
        switch (++reads) {
            case 1:
                return Action::reply("%1\r\n" + bulk("k") + "*2\r\n" + entry("1-0", "a") +
                                     entry("2-0", "b"));
            case 2:
                return Action::reply("%1\r\n" + bulk("k") + "*1\r\n" + entry("2-0", "b"));
            default:
                return Action::reply("%1\r\n" + bulk("k") + "*0\r\n");
        }
    });
    auto streamer =
        bounded(10s, "Streamer::connect", [&] { return Streamer::connect(server.url()); });
    ConsumerOptions opts;
    opts.mode = ConsumerMode::resumable;
    opts.group = "g";
    opts.consumer = "worker";
    opts.auto_commit = AutoCommit::disabled;
    auto c = streamer.create_consumer({StreamKey("k")}, opts);
    auto first = c.next_for(5s);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->payload(), "a");
    EXPECT_EQ(first->delivery_count(), 2u);  // listed once, this read counts one more
    auto second = c.next_for(5s);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->payload(), "b");
    EXPECT_EQ(second->delivery_count(), 3u) << "delivered with the first read's unknown count";
    EXPECT_FALSE(c.next_for(200ms)) << "an entry came twice";
    EXPECT_GE(reads.load(), 3) << "the pending phase ended early";
}

}  // namespace
}  // namespace redstream::test
