// Typed stream commands (XADD, XTRIM, XDEL, XLEN, XSETID, XRANGE, XREVRANGE,
// XREAD) against a real redis-server, in RESP2 and RESP3.
#include <gtest/gtest.h>

#include <memory>
#include <string>
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

class StreamCommands : public ::testing::TestWithParam<int> {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }

    void SetUp() override {
        client_ = std::make_unique<net::SyncClient>(server().config(GetParam()));
        client_->connect();
        ASSERT_EQ(client_->async_client().protocol(), GetParam());
    }

    // Runs the one command `build` appends and returns its reply.
    template <class Build>
    resp::Reply run(Build&& build) {
        resp::Request req;
        build(req);
        return client_->exec(req).at(0);
    }

    MessageId add(std::string_view key, const XAddOptions& opts = {},
                  std::vector<Field> fields = {{"f", "v"}}) {
        const auto r = run([&](auto& req) { xadd(req, key, fields, opts); });
        std::error_code ec;
        const auto id = decode_xadd(r.root(), ec);
        EXPECT_FALSE(ec) << r.root().str();
        return id.value_or(MessageId{});
    }

    void add_many(std::string_view key, int n) {
        resp::Request req;
        const std::vector<Field> f = {{"f", "v"}};
        for (int i = 0; i < n; ++i)
            xadd(req, key, f);
        client_->exec(req);
    }

    std::uint64_t length(std::string_view key) {
        std::error_code ec;
        const auto n = decode_count(run([&](auto& req) { xlen(req, key); }).root(), ec);
        EXPECT_FALSE(ec);
        return n;
    }

    std::vector<MessageId> ids_of(std::string_view key) {
        const auto r = run([&](auto& req) { xrange(req, key); });
        std::error_code ec;
        std::vector<MessageId> ids;
        for (const auto& e : decode_xrange(r.root(), ec))
            ids.push_back(e.id);
        EXPECT_FALSE(ec);
        return ids;
    }

    std::unique_ptr<net::SyncClient> client_;
};

TEST_P(StreamCommands, XAddIdsAndFieldOrder) {
    const auto key = unique_key("xadd");
    EXPECT_EQ(add(key, {.id = XAddId::exact({5, 1})}), (MessageId{5, 1}));
    EXPECT_EQ(add(key, {.id = XAddId::auto_seq(5)}), (MessageId{5, 2}));
    EXPECT_EQ(add(key, {.id = XAddId::auto_seq(7)}), (MessageId{7, 0}));
    EXPECT_GT(add(key), (MessageId{7, 0}));
    const std::string bin("x\0\r\ny", 5);
    const auto id = add(key, {}, {{"z", "1"}, {"a", bin}, {"z", "3"}});
    const auto r = run([&](auto& req) { xrange(req, key, RangeBound::inclusive(id)); });
    std::error_code ec;
    const auto entries = decode_xrange(r.root(), ec);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(std::vector<Field>(entries[0].fields.begin(), entries[0].fields.end()),
              (std::vector<Field>{{"z", "1"}, {"a", bin}, {"z", "3"}}));
    // An id not above the top is refused with the server's error.
    const auto bad = run([&](auto& req) {
        xadd(req, key, std::vector<Field>{{"f", "v"}}, {.id = XAddId::exact({5, 1})});
    });
    decode_xadd(bad.root(), ec);
    EXPECT_EQ(ec, errc::server_error);
    EXPECT_NE(bad.root().str().find("equal or smaller"), std::string_view::npos);
}

TEST_P(StreamCommands, XAddNomkstreamCreatesNothing) {
    const auto key = unique_key("nomk");
    const auto r = run([&](auto& req) {
        xadd(req, key, std::vector<Field>{{"f", "v"}}, {.nomkstream = true});
    });
    std::error_code ec;
    EXPECT_EQ(decode_xadd(r.root(), ec), std::nullopt);
    EXPECT_FALSE(ec);
    EXPECT_EQ(client_->exec_one("EXISTS", key).root().to_int(), 0);
    add(key);
    EXPECT_TRUE(add(key, {.nomkstream = true}) > MessageId{});
    EXPECT_EQ(length(key), 2u);
}

TEST_P(StreamCommands, XAddMaxlenExactVersusApproximate) {
    const auto exact = unique_key("exact");
    const auto approx = unique_key("approx");
    resp::Request req;
    const std::vector<Field> f = {{"f", "v"}};
    for (int i = 0; i < 300; ++i) {
        xadd(req, exact, f, {.trim = TrimOptions::maxlen(10)});
        xadd(req, approx, f, {.trim = TrimOptions::maxlen(10, TrimMode::approximate)});
    }
    client_->exec(req);
    EXPECT_EQ(length(exact), 10u);
    // `~` only drops whole radix-tree nodes (100 entries by default).
    EXPECT_GT(length(approx), 10u);
    EXPECT_LT(length(approx), 300u);
}

TEST_P(StreamCommands, XAddMinidAndLimit) {
    const auto key = unique_key("minid");
    for (std::uint64_t ms = 1; ms <= 10; ++ms)
        add(key, {.id = XAddId::exact({ms, 0})});
    add(key, {.id = XAddId::exact({11, 0}), .trim = TrimOptions::minid({5, 0})});
    EXPECT_EQ(ids_of(key).front(), (MessageId{5, 0}));
    EXPECT_EQ(length(key), 7u);

    const auto limited = unique_key("limit");
    add_many(limited, 250);
    add(limited, {.trim = TrimOptions::maxlen(0, TrimMode::approximate, 100)});
    EXPECT_EQ(length(limited), 151u);  // at most 100 evicted: one whole node
}

TEST_P(StreamCommands, XTrimStrategies) {
    const auto key = unique_key("trim");
    add_many(key, 250);
    std::error_code ec;
    auto n = decode_count(run([&](auto& req) {
                              xtrim(req, key, TrimOptions::maxlen(0, TrimMode::approximate, 100));
                          }).root(),
                          ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, 100u);
    EXPECT_EQ(length(key), 150u);
    n = decode_count(run([&](auto& req) { xtrim(req, key, TrimOptions::maxlen(3)); }).root(), ec);
    EXPECT_EQ(n, 147u);
    EXPECT_EQ(length(key), 3u);
    const auto ids = ids_of(key);
    n = decode_count(run([&](auto& req) { xtrim(req, key, TrimOptions::minid(ids[2])); }).root(),
                     ec);
    EXPECT_EQ(n, 2u);
    EXPECT_EQ(ids_of(key), std::vector<MessageId>{ids[2]});
}

TEST_P(StreamCommands, XDelAndXLen) {
    const auto key = unique_key("del");
    EXPECT_EQ(length(key), 0u);
    const auto a = add(key);
    const auto b = add(key);
    add(key);
    std::error_code ec;
    const std::vector<MessageId> ids = {a, b, MessageId{1, 1}};
    EXPECT_EQ(decode_count(run([&](auto& req) { xdel(req, key, ids); }).root(), ec), 2u);
    EXPECT_EQ(length(key), 1u);
}

TEST_P(StreamCommands, XSetIdWithEntriesAddedAndMaxDeleted) {
    const auto key = unique_key("setid");
    add(key, {.id = XAddId::exact({10, 0})});
    std::error_code ec;
    decode_ok(
        run([&](auto& req) {
            xsetid(req, key, {100, 0}, {.entries_added = 50, .max_deleted_id = MessageId{99, 0}});
        }).root(),
        ec);
    ASSERT_FALSE(ec);
    const auto r = run([&](auto& req) { xinfo_stream(req, key); });
    const auto info = decode_xinfo_stream(r.root(), ec);
    ASSERT_FALSE(ec);
    EXPECT_EQ(info.last_generated_id, (MessageId{100, 0}));
    EXPECT_EQ(info.entries_added, 50u);
    EXPECT_EQ(info.max_deleted_entry_id, (MessageId{99, 0}));
    EXPECT_EQ(add(key, {.id = XAddId::auto_seq(100)}), (MessageId{100, 1}));
    const auto bad = run([&](auto& req) { xsetid(req, key, {1, 0}); });
    decode_ok(bad.root(), ec);
    EXPECT_EQ(ec, errc::server_error);
}

TEST_P(StreamCommands, XRangeBoundsAndCount) {
    const auto key = unique_key("range");
    for (std::uint64_t ms = 1; ms <= 5; ++ms)
        add(key, {.id = XAddId::exact({ms, 0})});
    std::error_code ec;
    auto ids = [&](const resp::Reply& r) {
        std::vector<std::uint64_t> out;
        for (const auto& e : decode_xrange(r.root(), ec))
            out.push_back(e.id.ms);
        return out;
    };
    EXPECT_EQ(ids(run([&](auto& req) { xrange(req, key); })),
              (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(ids(run([&](auto& req) {
                  xrange(req, key, RangeBound::exclusive({2, 0}), RangeBound::exclusive({5, 0}));
              })),
              (std::vector<std::uint64_t>{3, 4}));
    EXPECT_EQ(ids(run([&](auto& req) {
                  xrange(req, key, RangeBound::inclusive({2, 0}), RangeBound::max(), 2);
              })),
              (std::vector<std::uint64_t>{2, 3}));
    EXPECT_EQ(ids(run([&](auto& req) { xrevrange(req, key); })),
              (std::vector<std::uint64_t>{5, 4, 3, 2, 1}));
    EXPECT_EQ(ids(run([&](auto& req) {
                  xrevrange(req, key, RangeBound::exclusive({5, 0}), RangeBound::min(), 2);
              })),
              (std::vector<std::uint64_t>{4, 3}));
    EXPECT_FALSE(ec);
    EXPECT_TRUE(ids(run([&](auto& req) { xrange(req, unique_key("none")); })).empty());
}

TEST_P(StreamCommands, XReadSeveralStreamsCountAndBlock) {
    const auto a = unique_key("ra");
    const auto b = unique_key("rb");
    for (int i = 0; i < 3; ++i)
        add(a);
    const auto b1 = add(b);
    const std::vector<StreamOffset> from_start = {{a, StreamStart::beginning()},
                                                  {b, StreamStart::beginning()}};
    std::error_code ec;
    auto r = run([&](auto& req) { xread(req, from_start, {.count = 2}); });
    auto pages = decode_xread(r.root(), ec);
    ASSERT_FALSE(ec);
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_EQ(pages[0].key, a);
    EXPECT_EQ(pages[0].entries.size(), 2u);
    EXPECT_EQ(pages[1].key, b);
    EXPECT_EQ(pages[1].entries.at(0).id, b1);
    // After b's last id only a has entries.
    const std::vector<StreamOffset> after = {{a, StreamStart::beginning()},
                                             {b, StreamStart::after(b1)}};
    r = run([&](auto& req) { xread(req, after); });
    pages = decode_xread(r.root(), ec);
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_EQ(pages[0].entries.size(), 3u);
    // `$` with a short BLOCK times out with nil: no pages, no error.
    const std::vector<StreamOffset> fresh = {{a, StreamStart::new_entries()}};
    r = run([&](auto& req) { xread(req, fresh, {.block = 50ms}); });
    EXPECT_TRUE(decode_xread(r.root(), ec).empty());
    EXPECT_FALSE(ec);
}

TEST_P(StreamCommands, WrongTypeIsMapped) {
    const auto key = unique_key("str");
    client_->exec_one("SET", key, "x");
    std::error_code ec;
    decode_xadd(run([&](auto& req) { xadd(req, key, std::vector<Field>{{"f", "v"}}); }).root(), ec);
    EXPECT_EQ(ec, errc::wrongtype);
    decode_count(run([&](auto& req) { xlen(req, key); }).root(), ec);
    EXPECT_EQ(ec, errc::wrongtype);
    const std::vector<StreamOffset> s = {{key, StreamStart::beginning()}};
    decode_xread(run([&](auto& req) { xread(req, s); }).root(), ec);
    EXPECT_EQ(ec, errc::wrongtype);
}

INSTANTIATE_TEST_SUITE_P(Resp, StreamCommands, ::testing::Values(2, 3),
                         [](const auto& info) { return "resp" + std::to_string(info.param); });

}  // namespace
}  // namespace redstream::commands
