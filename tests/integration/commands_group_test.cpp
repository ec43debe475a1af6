// Consumer-group commands (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
// XAUTOCLAIM, XINFO) against a real redis-server, in RESP2 and RESP3.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <redstream/commands/commands.hpp>
#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>

#include "support/redis_server.hpp"

namespace redstream::commands {
namespace {

using namespace std::chrono_literals;
using test::RedisServer;
using test::unique_key;

class GroupCommands : public ::testing::TestWithParam<int> {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }

    void SetUp() override {
        client_ = std::make_unique<net::SyncClient>(server().config(GetParam()));
        client_->connect();
        key_ = unique_key("grp");
    }

    template <class Build>
    resp::Reply run(Build&& build) {
        resp::Request req;
        build(req);
        return client_->exec(req).at(0);
    }

    MessageId add(std::uint64_t ms) {
        const std::string n = std::to_string(ms);  // the field views it
        const std::vector<Field> f = {{"n", n}};
        std::error_code ec;
        const auto id = decode_xadd(run([&](auto& req) {
                                        xadd(req, key_, f, {.id = XAddId::exact({ms, 0})});
                                    }).root(),
                                    ec);
        EXPECT_FALSE(ec);
        return id.value_or(MessageId{});
    }

    void create_group(std::string_view group, StreamStart start = StreamStart::beginning(),
                      XGroupCreateOptions opts = {}) {
        std::error_code ec;
        decode_ok(run([&](auto& req) { xgroup_create(req, key_, group, start, opts); }).root(), ec);
        ASSERT_FALSE(ec) << ec.message();
    }

    std::vector<StreamEntry> read_group(std::string_view consumer, StreamStart start,
                                        XReadGroupOptions opts, resp::Reply& keep) {
        const std::vector<StreamOffset> s = {{key_, start}};
        keep = run([&](auto& req) { xreadgroup(req, "g", consumer, s, opts); });
        std::error_code ec;
        auto pages = decode_xread(keep.root(), ec);
        EXPECT_FALSE(ec) << ec.message();
        return pages.empty() ? std::vector<StreamEntry>{} : pages[0].entries;
    }

    std::vector<PendingEntry> pending(XPendingOptions opts = {}) {
        std::error_code ec;
        keep_ = run([&](auto& req) { xpending(req, key_, "g", opts); });
        auto out = decode_xpending(keep_.root(), ec);
        EXPECT_FALSE(ec);
        return out;
    }

    XInfoGroup group_info(std::string_view name) {
        std::error_code ec;
        keep_ = run([&](auto& req) { xinfo_groups(req, key_); });
        for (const auto& g : decode_xinfo_groups(keep_.root(), ec))
            if (g.name == name) return g;
        ADD_FAILURE() << "no group " << name << " " << ec.message();
        return {};
    }

    std::unique_ptr<net::SyncClient> client_;
    std::string key_;
    resp::Reply keep_;
};

TEST_P(GroupCommands, CreateMkstreamBusygroupAndEntriesRead) {
    std::error_code ec;
    decode_ok(
        run([&](auto& req) { xgroup_create(req, key_, "g", StreamStart::new_entries()); }).root(),
        ec);
    EXPECT_EQ(ec, errc::server_error);  // no stream without MKSTREAM
    create_group("g", StreamStart::new_entries(), {.mkstream = true});
    decode_ok(
        run([&](auto& req) { xgroup_create(req, key_, "g", StreamStart::beginning()); }).root(),
        ec);
    EXPECT_EQ(ec, errc::busygroup);
    for (std::uint64_t ms = 1; ms <= 5; ++ms)
        add(ms);
    create_group("h", StreamStart::after({2, 0}), {.entries_read = 2});
    const auto h = group_info("h");
    EXPECT_EQ(h.last_delivered_id, (MessageId{2, 0}));
    EXPECT_EQ(h.entries_read, 2);
    EXPECT_EQ(h.lag, 3);
    // SETID moves the group and its read counter.
    decode_ok(run([&](auto& req) {
                  xgroup_setid(req, key_, "h", StreamStart::after({4, 0}), {.entries_read = 4});
              }).root(),
              ec);
    ASSERT_FALSE(ec);
    const auto moved = group_info("h");
    EXPECT_EQ(moved.last_delivered_id, (MessageId{4, 0}));
    EXPECT_EQ(moved.entries_read, 4);
    EXPECT_EQ(moved.lag, 1);
    decode_ok(
        run([&](auto& req) { xgroup_setid(req, key_, "nope", StreamStart::beginning()); }).root(),
        ec);
    EXPECT_EQ(ec, errc::nogroup);
}

TEST_P(GroupCommands, ConsumersAndDestroy) {
    add(1);
    create_group("g");
    std::error_code ec;
    EXPECT_TRUE(decode_flag(
        run([&](auto& req) { xgroup_createconsumer(req, key_, "g", "c1"); }).root(), ec));
    EXPECT_FALSE(decode_flag(
        run([&](auto& req) { xgroup_createconsumer(req, key_, "g", "c1"); }).root(), ec));
    resp::Reply keep;
    read_group("c2", StreamStart::undelivered(), {}, keep);
    const auto r = run([&](auto& req) { xinfo_consumers(req, key_, "g"); });
    const auto consumers = decode_xinfo_consumers(r.root(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(consumers.size(), 2u);
    EXPECT_EQ(consumers[0].name, "c1");
    EXPECT_EQ(consumers[0].pending, 0u);
    EXPECT_EQ(consumers[1].name, "c2");
    EXPECT_EQ(consumers[1].pending, 1u);
    EXPECT_EQ(
        decode_count(run([&](auto& req) { xgroup_delconsumer(req, key_, "g", "c2"); }).root(), ec),
        1u);
    EXPECT_TRUE(decode_flag(run([&](auto& req) { xgroup_destroy(req, key_, "g"); }).root(), ec));
    EXPECT_FALSE(decode_flag(run([&](auto& req) { xgroup_destroy(req, key_, "g"); }).root(), ec));
    decode_xinfo_consumers(run([&](auto& req) { xinfo_consumers(req, key_, "g"); }).root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
}

TEST_P(GroupCommands, ReadGroupPendingNoackAndAck) {
    for (std::uint64_t ms = 1; ms <= 4; ++ms)
        add(ms);
    create_group("g");
    resp::Reply keep;
    auto got = read_group("c", StreamStart::undelivered(), {.count = 2}, keep);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].fields.find("n"), "1");
    // Its own history (id 0) returns the same pending entries.
    got = read_group("c", StreamStart::beginning(), {}, keep);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].id, (MessageId{2, 0}));
    // NOACK delivers without adding to the pending list.
    got = read_group("c", StreamStart::undelivered(), {.count = 1, .noack = true}, keep);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(pending().size(), 2u);
    // XACK counts only what was pending.
    const std::vector<MessageId> ids = {{1, 0}, {3, 0}, {9, 9}};
    std::error_code ec;
    EXPECT_EQ(decode_xack(run([&](auto& req) { xack(req, key_, "g", ids); }).root(), ec), 1u);
    EXPECT_EQ(pending().size(), 1u);
    // Nothing new: BLOCK times out with nil.
    read_group("c", StreamStart::undelivered(), {.count = 1}, keep);
    got = read_group("c", StreamStart::undelivered(), {.block = 50ms}, keep);
    EXPECT_TRUE(got.empty());
}

TEST_P(GroupCommands, DeletedPendingEntryComesBackAsIdWithNil) {
    add(1);
    add(2);
    create_group("g");
    resp::Reply keep;
    read_group("c", StreamStart::undelivered(), {}, keep);
    std::error_code ec;
    const std::vector<MessageId> del = {{1, 0}};
    EXPECT_EQ(decode_count(run([&](auto& req) { xdel(req, key_, del); }).root(), ec), 1u);
    const auto got = read_group("c", StreamStart::beginning(), {}, keep);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].id, (MessageId{1, 0}));
    EXPECT_TRUE(got[0].deleted());
    EXPECT_TRUE(got[0].fields.empty());
    EXPECT_FALSE(got[1].deleted());
    EXPECT_EQ(got[1].fields.find("n"), "2");
    EXPECT_EQ(decode_xack(run([&](auto& req) { xack(req, key_, "g", del); }).root(), ec), 1u);
}

TEST_P(GroupCommands, NogroupIsMapped) {
    add(1);
    const std::vector<StreamOffset> s = {{key_, StreamStart::undelivered()}};
    std::error_code ec;
    decode_xread(run([&](auto& req) { xreadgroup(req, "nope", "c", s); }).root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
    decode_xpending_summary(run([&](auto& req) { xpending(req, key_, "nope"); }).root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
}

TEST_P(GroupCommands, PendingSummaryAndExtended) {
    for (std::uint64_t ms = 1; ms <= 4; ++ms)
        add(ms);
    create_group("g");
    resp::Reply keep;
    std::error_code ec;
    auto summary =
        decode_xpending_summary(run([&](auto& req) { xpending(req, key_, "g"); }).root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(summary.count, 0u);
    EXPECT_FALSE(summary.smallest);
    read_group("a", StreamStart::undelivered(), {.count = 3}, keep);
    read_group("b", StreamStart::undelivered(), {}, keep);
    const auto sr = run([&](auto& req) { xpending(req, key_, "g"); });
    summary = decode_xpending_summary(sr.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(summary.count, 4u);
    EXPECT_EQ(summary.smallest, (MessageId{1, 0}));
    EXPECT_EQ(summary.largest, (MessageId{4, 0}));
    ASSERT_EQ(summary.consumers.size(), 2u);
    EXPECT_EQ(summary.consumers[0].name, "a");
    EXPECT_EQ(summary.consumers[0].pending, 3u);

    EXPECT_EQ(pending({.start = RangeBound::exclusive({1, 0}), .count = 2}).size(), 2u);
    EXPECT_EQ(
        pending({.start = RangeBound::exclusive({1, 0}), .end = RangeBound::exclusive({4, 0})})
            .size(),
        2u);
    const auto of_b = pending({.consumer = "b"});
    ASSERT_EQ(of_b.size(), 1u);
    EXPECT_EQ(of_b[0].id, (MessageId{4, 0}));
    EXPECT_EQ(of_b[0].consumer, "b");
    EXPECT_EQ(of_b[0].deliveries, 1u);
    EXPECT_TRUE(pending({.min_idle = 3600s}).empty());
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(pending({.min_idle = 10ms}).size(), 4u);
}

TEST_P(GroupCommands, ClaimOptionsShowInPending) {
    for (std::uint64_t ms = 1; ms <= 4; ++ms)
        add(ms);
    create_group("g");
    resp::Reply keep;
    read_group("a", StreamStart::undelivered(), {.count = 2}, keep);
    std::error_code ec;
    const std::vector<MessageId> one = {{1, 0}};
    // Not idle long enough: nothing claimed.
    auto r = run([&](auto& req) { xclaim(req, key_, "g", "b", 3600s, one); });
    EXPECT_TRUE(decode_xclaim(r.root(), ec).empty());
    // IDLE and RETRYCOUNT are set on the claimed entry.
    r = run([&](auto& req) {
        xclaim(req, key_, "g", "b", 0ms, one, {.idle = 500000ms, .retry_count = 7});
    });
    auto claimed = decode_xclaim(r.root(), ec);
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].fields.find("n"), "1");
    auto p = pending({.end = RangeBound::inclusive({1, 0})});
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].consumer, "b");
    EXPECT_EQ(p[0].deliveries, 7u);
    EXPECT_GE(p[0].idle, 500000ms);
    // JUSTID returns ids and does not count a delivery.
    r = run([&](auto& req) { xclaim(req, key_, "g", "c", 0ms, one, {.justid = true}); });
    EXPECT_EQ(decode_xclaim_justid(r.root(), ec), one);
    p = pending({.end = RangeBound::inclusive({1, 0})});
    EXPECT_EQ(p.at(0).consumer, "c");
    EXPECT_EQ(p.at(0).deliveries, 7u);
    // TIME sets the last delivery time (so the idle time) from a Unix time.
    const auto now_ms =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    const std::vector<MessageId> two = {{2, 0}};
    run([&](auto& req) { xclaim(req, key_, "g", "c", 0ms, two, {.time_ms = now_ms - 90000}); });
    p = pending({.start = RangeBound::inclusive({2, 0}), .end = RangeBound::inclusive({2, 0})});
    EXPECT_GE(p.at(0).idle, 90000ms);
    // FORCE claims an id never delivered; LASTID moves the group forward.
    const std::vector<MessageId> four = {{4, 0}};
    r = run([&](auto& req) { xclaim(req, key_, "g", "c", 0ms, four); });
    EXPECT_TRUE(decode_xclaim(r.root(), ec).empty());
    r = run([&](auto& req) {
        xclaim(req, key_, "g", "c", 0ms, four,
               {.force = true, .justid = true, .last_id = MessageId{4, 0}});
    });
    EXPECT_EQ(decode_xclaim_justid(r.root(), ec), four);
    EXPECT_EQ(pending({.consumer = "c"}).size(), 3u);
    EXPECT_EQ(group_info("g").last_delivered_id, (MessageId{4, 0}));
}

TEST_P(GroupCommands, AutoClaimCursorAndDeletedIds) {
    for (std::uint64_t ms = 1; ms <= 3; ++ms)
        add(ms);
    create_group("g");
    resp::Reply keep;
    read_group("a", StreamStart::undelivered(), {}, keep);
    std::error_code ec;
    // COUNT 1 over three pending entries: a cursor to continue from.
    auto r = run([&](auto& req) { xautoclaim(req, key_, "g", "b", 0ms, {}, {.count = 1}); });
    auto out = decode_xautoclaim(r.root(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(out.entries.size(), 1u);
    EXPECT_EQ(out.entries[0].id, (MessageId{1, 0}));
    EXPECT_EQ(out.next, (MessageId{2, 0}));
    EXPECT_TRUE(out.deleted.empty());
    // A pending entry deleted from the stream is reported and dropped from the PEL.
    const std::vector<MessageId> del = {{2, 0}};
    run([&](auto& req) { xdel(req, key_, del); });
    r = run([&](auto& req) { xautoclaim(req, key_, "g", "b", 0ms, out.next, {.justid = true}); });
    out = decode_xautoclaim(r.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(out.ids, (std::vector<MessageId>{{3, 0}}));
    EXPECT_TRUE(out.entries.empty());
    EXPECT_EQ(out.deleted, del);
    EXPECT_EQ(out.next, MessageId::min());
    const auto p = pending();
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].consumer, "b");
    EXPECT_EQ(p[1].consumer, "b");
    EXPECT_EQ(p[1].deliveries, 1u);  // JUSTID does not count a delivery
    decode_xautoclaim(run([&](auto& req) { xautoclaim(req, key_, "x", "b", 0ms, {}); }).root(), ec);
    EXPECT_EQ(ec, errc::nogroup);
}

TEST_P(GroupCommands, InfoStreamAndFull) {
    for (std::uint64_t ms = 1; ms <= 3; ++ms)
        add(ms);
    create_group("g");
    resp::Reply keep;
    read_group("a", StreamStart::undelivered(), {.count = 2}, keep);
    std::error_code ec;
    auto r = run([&](auto& req) { xinfo_stream(req, key_); });
    const auto info = decode_xinfo_stream(r.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(info.length, 3u);
    EXPECT_EQ(info.groups, 1u);
    EXPECT_EQ(info.entries_added, 3u);
    EXPECT_EQ(info.last_generated_id, (MessageId{3, 0}));
    EXPECT_EQ(info.recorded_first_entry_id, (MessageId{1, 0}));
    ASSERT_TRUE(info.first_entry && info.last_entry);
    EXPECT_EQ(info.first_entry->fields.find("n"), "1");
    EXPECT_EQ(info.last_entry->id, (MessageId{3, 0}));

    r = run([&](auto& req) { xinfo_stream_full(req, key_, 1); });
    const auto full = decode_xinfo_stream_full(r.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(full.length, 3u);
    EXPECT_EQ(full.entries.size(), 1u);  // COUNT 1
    ASSERT_EQ(full.groups.size(), 1u);
    const auto& g = full.groups[0];
    EXPECT_EQ(g.name, "g");
    EXPECT_EQ(g.pel_count, 2u);
    EXPECT_EQ(g.pending.size(), 1u);  // COUNT 1
    EXPECT_EQ(g.entries_read, 2);
    EXPECT_EQ(g.lag, 1);
    ASSERT_EQ(g.consumers.size(), 1u);
    EXPECT_EQ(g.consumers[0].name, "a");
    EXPECT_EQ(g.consumers[0].pel_count, 2u);
    EXPECT_GT(g.consumers[0].seen_time_ms, 0u);

    decode_xinfo_stream(run([&](auto& req) { xinfo_stream(req, unique_key("none")); }).root(), ec);
    EXPECT_EQ(ec, errc::server_error);
}

INSTANTIATE_TEST_SUITE_P(Resp, GroupCommands, ::testing::Values(2, 3),
                         [](const auto& info) { return "resp" + std::to_string(info.param); });

}  // namespace
}  // namespace redstream::commands
