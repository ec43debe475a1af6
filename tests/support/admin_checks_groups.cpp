// The checks on groups, pending entries and claims, errors, and the async
// forms.
#include "support/admin_checks.hpp"

#include <asio/detail/config.hpp>  // ASIO_HAS_CO_AWAIT

#include "support/admin_checks_util.hpp"

#if defined(ASIO_HAS_CO_AWAIT)
#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#endif

namespace redstream::test::admin_checks {
namespace {

using namespace util;

// Reads `count` entries of every key as `consumer` of `group`, on its
// master: they become pending there.
void read_as(Direct& direct, const IdsByKey& ids, const std::string& group,
             const std::string& consumer, int count) {
    for (const auto& [key, list] : ids)
        direct.run(key, {"XREADGROUP", "GROUP", group, consumer, "COUNT", std::to_string(count),
                         "STREAMS", key, ">"});
}

// Claims the four smallest pending ids of `all` (a's, of every key) for b,
// then checks on each key's master that b owns them.
void claim_smallest_four(const Admin& admin, Direct& direct, const StreamKey& stream,
                         const std::vector<PendingEntryInfo>& all) {
    std::vector<EntryRef> wanted;
    for (std::size_t i = 0; i < 4; ++i)
        wanted.push_back({all[i].key, all[i].id});
    const auto claimed = admin.claim(stream, "g", "b", 0ms, wanted);
    ASSERT_EQ(claimed.size(), 4u);
    for (const auto& w : wanted)
        EXPECT_NE(std::find(claimed.begin(), claimed.end(), w), claimed.end()) << w.key;
    for (const auto& w : wanted) {
        const auto reply =
            direct.run(w.key, {"XPENDING", w.key, "g", w.id.to_string(), w.id.to_string(), "1"});
        std::error_code ec;
        const auto entries = commands::decode_xpending(reply.root(), ec);
        ASSERT_EQ(entries.size(), 1u) << w.key;
        EXPECT_EQ(entries[0].consumer, "b") << w.key << " asked of its master";
    }
    const auto after = admin.pending_summary(stream, "g");
    ASSERT_EQ(after.consumers.size(), 2u);
    EXPECT_EQ(after.consumers[0].name, "a");
    EXPECT_EQ(after.consumers[0].pending, 14u);
    EXPECT_EQ(after.consumers[1].name, "b");
    EXPECT_EQ(after.consumers[1].pending, 4u);
    // Not idle long enough: nothing moves.
    EXPECT_TRUE(admin.claim(stream, "g", "c", 1h, wanted).empty());
}

}  // namespace

void group_ops_apply_to_every_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    Direct direct(t);
    const auto name = spread_prefix(t, "groups", 6) + "groups";
    const StreamKey stream(name);
    const auto ids = produce(streamer, name, 6, 60);
    expect_spread(t, ids);

    EXPECT_EQ(admin.create_group(stream, "g"), 6u);
    EXPECT_EQ(admin.create_group(stream, "g"), 0u) << "every key has it already";
    for (const auto& [key, list] : ids)
        EXPECT_EQ(direct.groups(key), (std::map<std::string, MessageId>{{"g", list.back()}}))
            << key << ": created at $, the key's own end";

    // No later than any key's 6th id, so every key has at least 4 entries
    // after it (ids of different keys are not ordered alike: each key has
    // its own sequence within a millisecond).
    MessageId middle = ids.begin()->second[5];
    for (const auto& [key, list] : ids)
        middle = std::min(middle, list[5]);
    EXPECT_EQ(admin.set_group_id(stream, "g", commands::StreamStart::after(middle)), 6u);
    for (const auto& [key, list] : ids)
        EXPECT_EQ(direct.groups(key).at("g"), middle) << key;

    // 2 entries after `middle` per key become pending, then go with c1.
    read_as(direct, ids, "g", "c1", 2);
    for (const auto& [key, list] : ids)
        EXPECT_EQ(direct.consumers(key, "g"), 1u) << key;
    EXPECT_EQ(admin.delete_consumer(stream, "g", "c1"), 12u);
    for (const auto& [key, list] : ids)
        EXPECT_EQ(direct.consumers(key, "g"), 0u) << key;

    EXPECT_EQ(admin.destroy_group(stream, "g"), 6u);
    for (const auto& [key, list] : ids)
        EXPECT_TRUE(direct.groups(key).empty()) << key;
    EXPECT_EQ(admin.destroy_group(stream, "g"), 0u);

    // A stream without keys: nogroup, unless mkstream creates the plain key.
    const StreamKey fresh(prefix() + "fresh");
    expect_error([&] { admin.create_group(fresh, "g"); }, errc::nogroup, "create without keys");
    EXPECT_EQ(admin.create_group(fresh, "g", commands::StreamStart::beginning(), true), 1u);
    EXPECT_EQ(direct.groups(std::string(fresh.name())).count("g"), 1u);
}

void pending_and_claim_per_key(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    Direct direct(t);
    const auto name = spread_prefix(t, "pending", 6) + "pending";
    const StreamKey stream(name);
    const auto ids = produce(streamer, name, 6, 60);
    expect_spread(t, ids);
    ASSERT_EQ(admin.create_group(stream, "g", commands::StreamStart::beginning()), 6u);
    read_as(direct, ids, "g", "a", 3);  // 18 pending, 3 per key

    const auto summary = admin.pending_summary(stream, "g");
    EXPECT_EQ(summary.count, 18u);
    EXPECT_EQ(summary.consumers.size(), 1u);
    ASSERT_EQ(summary.shards.size(), 6u);
    for (const auto& s : summary.shards) {
        EXPECT_EQ(s.count, 3u) << s.key;
        EXPECT_EQ(s.smallest, ids.at(s.key)[0]) << s.key;
        EXPECT_EQ(s.largest, ids.at(s.key)[2]) << s.key;
    }

    auto all = admin.pending(stream, "g");
    ASSERT_EQ(all.size(), 18u);
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                               [](const auto& a, const auto& b) { return a.id < b.id; }));
    for (const auto& e : all) {
        EXPECT_EQ(e.consumer, "a");
        EXPECT_EQ(e.deliveries, 1u);
        const auto& list = ids.at(e.key);
        EXPECT_NE(std::find(list.begin(), list.begin() + 3, e.id), list.begin() + 3) << e.key;
    }
    PendingOptions five;
    five.count = 5;
    const auto first = admin.pending(stream, "g", five);
    ASSERT_EQ(first.size(), 5u);
    EXPECT_EQ(first.back().id, all[4].id) << "the smallest ids over all keys";
    PendingOptions of_b;
    of_b.consumer = "b";
    EXPECT_TRUE(admin.pending(stream, "g", of_b).empty());

    claim_smallest_four(admin, direct, stream, all);
}

void errors_are_reported(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    auto admin = streamer.admin();
    const auto name = prefix() + "errors";
    const StreamKey stream(name);
    produce(streamer, name, 3, 3);
    const StreamKey missing(prefix() + "missing");

    expect_error([&] { admin.pending_summary(missing, "g"); }, errc::nogroup, "no keys");
    expect_error([&] { admin.pending_summary(stream, "g"); }, errc::nogroup, "no group");
    expect_error([&] { admin.set_group_id(stream, "g", {}); }, errc::nogroup, "setid");
    expect_error([&] { admin.delete_consumer(stream, "g", "c"); }, errc::nogroup, "delconsumer");
    expect_error([&] { admin.trim(stream, {}); }, errc::invalid_argument, "trim, no strategy");
    expect_error([&] { admin.streams("*", 0); }, errc::invalid_argument, "limit 0");
    expect_error([&] { admin.create_group(stream, ""); }, errc::invalid_argument, "no name");
    expect_error(
        [&] {
            admin.claim(stream, "g", "c", 0ms, {{"elsewhere", {1, 1}}});
        },
        errc::invalid_argument, "a key of another stream");
    expect_error(
        [&] {
            admin.claim(stream, "g", "c", 0ms, {{name + ":0", {1, 1}}});
        },
        errc::nogroup, "claim without the group");
    EXPECT_EQ(admin.trim(missing, commands::TrimOptions::maxlen(1)), 0u);

    AdminOptions small;
    small.max_keys = 2;
    expect_error([&] { streamer.admin(small).stream_info(stream); }, errc::invalid_argument,
                 "more keys than max_keys");

    expect_error([] { Admin().streams(); }, errc::not_connected, "default-constructed");
    streamer.disconnect();
    expect_error([&] { admin.stream_info(stream); }, errc::shutting_down, "after disconnect");
}

#if defined(ASIO_HAS_CO_AWAIT)

void async_forms_work(const Target& t) {
    auto streamer = Streamer::connect(t.url);
    const auto admin = streamer.admin();
    const auto name = prefix() + "async";
    const auto ids = produce(streamer, name, 4, 40);
    // Every argument a temporary, as the initiation runs after the call.
    auto body = [admin, name]() -> asio::awaitable<std::vector<std::uint64_t>> {
        std::vector<std::uint64_t> n;
        const auto token = asio::use_awaitable;
        const auto list = co_await admin.async_streams(name + "*", 100, token);
        n.push_back(list.keys);
        const auto info = co_await admin.async_stream_info(StreamKey(name), token);
        n.push_back(info.length());
        n.push_back(co_await admin.async_create_group(
            StreamKey(name), std::string("g"), commands::StreamStart::beginning(), false, token));
        n.push_back(co_await admin.async_set_group_id(StreamKey(name), std::string("g"),
                                                      commands::StreamStart::beginning(), token));
        const auto pending = co_await admin.async_pending(StreamKey(name), std::string("g"),
                                                          PendingOptions(), token);
        n.push_back(pending.size());
        const auto summary =
            co_await admin.async_pending_summary(StreamKey(name), std::string("g"), token);
        n.push_back(summary.count);
        const auto claimed = co_await admin.async_claim(
            StreamKey(name), std::string("g"), std::string("b"), std::chrono::milliseconds(0),
            std::vector<EntryRef>(), token);
        n.push_back(claimed.size());
        n.push_back(co_await admin.async_delete_consumer(StreamKey(name), std::string("g"),
                                                         std::string("b"), token));
        n.push_back(co_await admin.async_destroy_group(StreamKey(name), std::string("g"), token));
        n.push_back(
            co_await admin.async_trim(StreamKey(name), commands::TrimOptions::maxlen(1), token));
        n.push_back(co_await admin.async_delete_stream(StreamKey(name), token));
        co_return n;
    };
    const auto n = asio::co_spawn(streamer.get_executor(), body, asio::use_future).get();
    const std::vector<std::uint64_t> expected{4, 40, 4, 4, 0, 0, 0, 0, 4, 36, 4};
    EXPECT_EQ(n, expected);
    EXPECT_EQ(ids.size(), 4u);

    // Errors complete the operation; use_awaitable throws them.
    auto failing = [admin]() -> asio::awaitable<std::error_code> {
        try {
            co_await admin.async_pending_summary(StreamKey("no-such-stream"), std::string("g"),
                                                 asio::use_awaitable);
        } catch (const std::system_error& e) {
            co_return e.code();
        }
        co_return std::error_code();
    };
    EXPECT_EQ(asio::co_spawn(streamer.get_executor(), failing, asio::use_future).get(),
              errc::nogroup);
}

#else

void async_forms_work(const Target&) {}

#endif

}  // namespace redstream::test::admin_checks
