// A real-time consumer's decisions on cluster replies, against two scripted
// nodes (no real cluster): a read ended by -UNBLOCKED (a failover demoted
// the node) is read again on the same node, and one answered MOVED goes to
// the new owner; each time from after the last id delivered, never `$` or
// the start again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <redstream/redstream.hpp>

#include "support/cluster_replies.hpp"
#include "support/hostile_server.hpp"

namespace rs = redstream;
using rs::test::Action;
using rs::test::all_slots_on;
using rs::test::Command;
using rs::test::redirect;
using rs::test::ScriptedServer;
using rs::test::Session;
using namespace std::chrono_literals;

namespace {

// An XREAD reply (RESP2) with one entry of key `key`.
std::string one_entry(const std::string& key, const std::string& id, const std::string& payload) {
    const auto bulk = [](const std::string& s) {
        return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
    };
    return "*1\r\n*2\r\n" + bulk(key) + "*1\r\n*2\r\n" + bulk(id) + "*2\r\n" + bulk("msg") +
           bulk(payload);
}

// The ids XREADs started from, in the order they came (thread-safe).
class StartIds {
  public:
    void add(const Command& cmd) {
        const std::lock_guard lock(mutex_);
        ids_.push_back(cmd.args.back());
    }
    std::vector<std::string> get() const {
        const std::lock_guard lock(mutex_);
        return ids_;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> ids_;
};

TEST(ConsumerRedirect, UnblockedAndMovedReadsResumeAfterTheLastDeliveredId) {
    ScriptedServer a, b;
    const std::string key = "orders";
    // Once A has sent MOVED, both say the slot is B's (as a real cluster
    // would after the move), so a refresh does not send the consumer back.
    auto moved = std::make_shared<std::atomic<bool>>(false);
    const auto a_port = a.port(), b_port = b.port();
    const auto slots = [moved, a_port, b_port](const Command&,
                                               const Session&) -> std::optional<Action> {
        return Action::reply(all_slots_on(*moved ? b_port : a_port));
    };
    a.on("CLUSTER", slots);
    b.on("CLUSTER", slots);
    auto a_reads = std::make_shared<StartIds>();
    auto b_reads = std::make_shared<StartIds>();
    a.on("XREAD", [=](const Command& cmd, const Session&) -> std::optional<Action> {
        a_reads->add(cmd);
        switch (a_reads->get().size()) {
            case 1:
                return Action::reply(one_entry(key, "1-1", "first"));
            case 2:
                return Action::error(
                    "UNBLOCKED force unblock from blocking operation, instance state changed "
                    "(master -> replica?)");
            case 3:
                *moved = true;
                return Action::error(redirect("MOVED", key, b_port));
            default:
                return std::nullopt;  // nothing more: null after BLOCK
        }
    });
    b.on("XREAD", [=](const Command& cmd, const Session&) -> std::optional<Action> {
        b_reads->add(cmd);
        if (b_reads->get().size() == 1) return Action::reply(one_entry(key, "1-2", "second"));
        return std::nullopt;
    });

    auto streamer = rs::Streamer::connect("redis://127.0.0.1:" + std::to_string(a_port) +
                                          "/?cluster=yes&protocol=2");
    rs::ConsumerOptions o;
    o.auto_stream_reset = rs::AutoStreamReset::earliest;
    o.discover_shards = false;
    o.block_time = 200ms;
    auto consumer = streamer.create_consumer({rs::StreamKey(key)}, o);
    auto first = consumer.next_for(5s);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->payload(), "first");
    auto second = consumer.next_for(5s);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->payload(), "second");
    EXPECT_EQ(second->id(), (rs::MessageId{1, 2}));
    EXPECT_FALSE(consumer.last_error()) << consumer.last_error().message();

    const auto on_a = a_reads->get();
    ASSERT_GE(on_a.size(), 3U);
    EXPECT_EQ(on_a[0], "0-0") << "earliest starts at the beginning";
    EXPECT_EQ(on_a[1], "1-1") << "after the entry delivered";
    EXPECT_EQ(on_a[2], "1-1") << "UNBLOCKED: the same node again, from the same id";
    const auto on_b = b_reads->get();
    ASSERT_GE(on_b.size(), 1U);
    EXPECT_EQ(on_b[0], "1-1") << "MOVED: the new owner, from the same id";
}

}  // namespace
