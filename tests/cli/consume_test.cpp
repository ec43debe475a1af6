// `redstream consume`: its format strings, the -e bookkeeping and argument
// checks directly, then the tool against a server of its own per test:
// binary-safe output, shards, positions, following, groups, bad arguments.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "cli.hpp"
#include "cli_io_support.hpp"
#include "consume_plan.hpp"
#include "drain_tracker.hpp"
#include "message_format.hpp"

namespace rs = redstream;
namespace cli = redstream::cli;
namespace rt = redstream::test;
using namespace std::string_literals;
using namespace std::chrono_literals;

namespace {

rs::Message message(const std::vector<rs::Field>& fields, std::string_view payload,
                    std::uint64_t deliveries = 0) {
    const rs::MessageId id{1'700'000'000'123, 5};
    return rs::Message({rs::StreamKey("orders"), rs::ShardId{2}, id, rs::timestamp_of(id)}, payload,
                       fields, nullptr, "orders:2", deliveries);
}

std::string formatted(std::string_view spec, const rs::Message& m) {
    std::string out;
    cli::MessageFormat::parse(spec, "msg").append(m, out);
    return out;
}

TEST(CliMessageFormat, EveryDirectiveAndEscape) {
    const std::vector<rs::Field> fields{{"user", "ann"}, {"note", "a b"}, {"user", "bob"}};
    const auto payload = "pay\0load"s;
    const auto m = message(fields, payload, 3);
    EXPECT_EQ(formatted("%s|%k|%S|%i|%t|%T|%d|%%", m),
              "orders|orders:2|2|1700000000123-5|1700000000123|2023-11-14T22:13:20.123Z|3|%");
    EXPECT_EQ(formatted("%p\\0%{user}%{missing}%{msg}\\n\\t\\r\\\\", m),
              "pay\0load\0bobpay\0load\n\t\r\\"s);
    EXPECT_EQ(formatted("%f", m), "user=ann note=a\\ b user=bob");
    for (const char* bad : {"%q", "%", "\\", "%{user", "\\x"})
        EXPECT_THROW(formatted(bad, m), cli::UsageError) << bad;
}

TEST(CliMessageFormat, ThePeopleViewEscapesWhatATerminalWouldMangle) {
    const std::vector<rs::Field> fields{{"k", "v\n"}};
    std::string out;
    cli::MessageFormat::people().append(message(fields, "a\x1b[31m\n\xff"), out);
    EXPECT_EQ(out, "orders:2 1700000000123-5 a\\x1b[31m\\n\\xff  k=v\\n\n");
    out.clear();
    cli::MessageFormat::people().append(message({}, "caf\xc3\xa9"), out);
    EXPECT_EQ(out, "orders:2 1700000000123-5 caf\xc3\xa9\n");
}

TEST(CliDrainTracker, WaitsForEachKeysNewestIdAtTheStart) {
    cli::DrainTracker t(std::nullopt, std::nullopt);
    t.start({{"a", rs::MessageId{5, 0}}, {"b", std::nullopt}, {"c", rs::MessageId{3, 0}}});
    EXPECT_EQ(t.waiting(), 2U);  // b is empty
    EXPECT_TRUE(t.wants("a", {4, 0}));
    EXPECT_FALSE(t.wants("b", {9, 0})) << "b held nothing at the start";
    EXPECT_FALSE(t.wants("new", {1, 0})) << "nor did a key that appeared later";
    EXPECT_TRUE(t.wants("a", {5, 0}));
    EXPECT_FALSE(t.wants("a", {6, 0})) << "past the end at the start";
    EXPECT_FALSE(t.done());
    // c's newest entry was deleted: a look-up lowers its target to what is left.
    t.refresh({{"c", rs::MessageId{2, 0}}});
    EXPECT_FALSE(t.done());
    EXPECT_TRUE(t.wants("c", {2, 0}));
    EXPECT_TRUE(t.done());

    cli::DrainTracker empty(std::nullopt, std::nullopt);
    empty.start({});
    EXPECT_TRUE(empty.done());
}

TEST(CliDrainTracker, FromUntilAndGroups) {
    cli::DrainTracker from(rs::MessageId{10, 0}, std::nullopt);
    from.start({{"old", rs::MessageId{9, 0}}, {"new", rs::MessageId{12, 0}}});
    EXPECT_EQ(from.waiting(), 1U) << "a key ending before --from has nothing to read";

    cli::DrainTracker until(std::nullopt, rs::MessageId{5, 0});
    until.start({{"a", rs::MessageId{9, 0}}, {"b", rs::MessageId{4, 0}}});
    EXPECT_TRUE(until.wants("a", {5, 0}));
    EXPECT_FALSE(until.wants("a", {7, 0})) << "past --until: not printed, and a is done";
    EXPECT_EQ(until.waiting(), 1U);
    EXPECT_TRUE(until.wants("b", {4, 0}));
    EXPECT_TRUE(until.done());

    cli::DrainTracker group(std::nullopt, std::nullopt);
    group.start({{"a", rs::MessageId{9, 0}, rs::MessageId{9, 0}, 2}});
    EXPECT_FALSE(group.done()) << "entries pending in the group may still come";
    group.refresh({{"a", rs::MessageId{9, 0}, rs::MessageId{9, 0}, 0}});
    EXPECT_TRUE(group.done());
    // Idle long enough, what is still pending is other members'.
    cli::DrainTracker others(std::nullopt, std::nullopt);
    others.start({{"a", rs::MessageId{9, 0}, rs::MessageId{9, 0}, 2}});
    others.refresh({{"a", rs::MessageId{9, 0}, rs::MessageId{9, 0}, 2}}, false);
    EXPECT_FALSE(others.done());
    others.refresh({{"a", rs::MessageId{9, 0}, rs::MessageId{9, 0}, 2}}, true);
    EXPECT_TRUE(others.done());
}

TEST(CliConsumePlan, DefaultsAndChecks) {
    const rs::Timestamp now(std::chrono::milliseconds(1'000'000));
    cli::ConsumeArgs a;
    a.streams = {"s", "s", "t"};
    auto p = cli::make_consume_plan(a, "msg", true, now);
    EXPECT_EQ(p.streams.size(), 2U);
    EXPECT_EQ(p.from.kind, cli::Position::Kind::end);
    EXPECT_EQ(p.options.mode, rs::ConsumerMode::real_time);
    EXPECT_TRUE(p.json);
    a.exit_at_end = true;
    a.group = "g";
    a.count = 5;
    a.format = "%p";
    p = cli::make_consume_plan(a, "msg", true, now);
    EXPECT_EQ(p.from.kind, cli::Position::Kind::beginning);
    EXPECT_EQ(p.options.mode, rs::ConsumerMode::resumable);
    EXPECT_EQ(p.options.auto_commit, rs::AutoCommit::rolling);
    EXPECT_EQ(p.options.prefetch_or_default(), 5U) << "reads no more ahead than it prints";
    EXPECT_FALSE(p.json) << "-f wins over JSON";
    a.until = "@999000";  // in the past: drain
    a.exit_at_end = false;
    EXPECT_TRUE(cli::make_consume_plan(a, "msg", false, now).drain);
    EXPECT_EQ(cli::make_consume_plan(a, "msg", false, now).until,
              (rs::MessageId{999'000, UINT64_MAX}));

    auto bad = [&now](cli::ConsumeArgs b) {
        EXPECT_THROW(cli::make_consume_plan(b, "msg", false, now), cli::UsageError);
    };
    cli::ConsumeArgs base;
    base.streams = {"s"};
    auto b = base;
    b.mode = "sideways";
    bad(b);
    b = base;
    b.ack = "rolling";  // real-time has no acks
    bad(b);
    b = base;
    b.mode = "load-balanced";
    b.from = "-1h";  // a position for a group needs the group's name
    bad(b);
    b = base;
    b.until = "beginning";
    bad(b);
    b = base;
    b.streams = {""};
    bad(b);
}

class CliConsume : public rt::CliServerTest {
  protected:
    void add(const std::string& stream, const std::string& id, const std::string& payload) {
        server_.cli({"XADD", stream, id, "msg", payload});
    }
    std::string run_ok(std::vector<std::string> args) {
        const auto r = cli(std::move(args));
        EXPECT_EQ(r.status, 0) << r.err;
        return r.out;
    }
};

TEST_F(CliConsume, FormatsWriteBytesRawAndJsonRoundTripsThem) {
    std::string bytes;
    for (int b = 0; b < 256; ++b)
        bytes += static_cast<char>(b);
    const cli::Json in{{"payload", cli::text_value(bytes)}};
    ASSERT_EQ(cli({"produce", "-J", "bin"}, in.dump() + "\n").status, 0);
    EXPECT_EQ(run_ok({"consume", "-e", "-f", "%p", "bin"}), bytes);
    EXPECT_EQ(rt::json_lines(run_ok({"consume", "-e", "bin"})).at(0)["payload"]["base64"],
              cli::base64_encode(bytes));

    server_.cli({"XADD", "f", "1700000000123-5", "msg", "hello", "user", "ann", "note", "a b"});
    EXPECT_EQ(run_ok({"consume", "-e", "-f", "%s|%k|%S|%i|%t|%T|%p|%{user}|%%|%f\\n", "f"}),
              "f|f|0|1700000000123-5|1700000000123|2023-11-14T22:13:20.123Z|hello|ann|%|"
              "user=ann note=a\\ b\n");
    // -f '%f' output reads back with produce --fields.
    ASSERT_EQ(
        cli({"produce", "--fields", "copy"}, run_ok({"consume", "-e", "-f", "%f\\n", "f"})).status,
        0);
    EXPECT_EQ(run_ok({"consume", "-e", "-f", "%{note}\\n", "copy"}), "a b\n");
}

TEST_F(CliConsume, EveryShardIsReadAndTheAliasTailWorks) {
    std::string input;
    for (int i = 0; i < 50; ++i)
        input += "m" + std::to_string(i) + "\n";
    ASSERT_EQ(cli({"produce", "--shards", "5", "s"}, input).status, 0);
    std::set<std::string> seen, keys;
    for (const auto& j : rt::json_lines(run_ok({"tail", "-e", "s"}))) {
        EXPECT_TRUE(seen.insert(j["payload"].get<std::string>()).second) << j.dump();
        keys.insert(j["key"].get<std::string>());
    }
    EXPECT_EQ(seen.size(), 50U);
    EXPECT_EQ(keys.size(), 5U);
}

TEST_F(CliConsume, FromUntilAndCount) {
    add("s", "1000-0", "a");
    add("s", "2000-0", "b");
    add("s", "2000-1", "c");
    add("s", "3000-0", "d");
    const auto ps = [this](std::vector<std::string> more) {
        std::string joined;
        for (const auto& p : payloads("s", std::move(more)))
            joined += p;
        return joined;
    };
    EXPECT_EQ(ps({}), "abcd");
    EXPECT_EQ(ps({"--from", "beginning"}), "abcd");
    EXPECT_EQ(ps({"--from", "2000-1"}), "cd");
    EXPECT_EQ(ps({"--from", "@2000"}), "bcd");
    EXPECT_EQ(ps({"--from", "1970-01-01T00:00:02Z"}), "bcd");
    EXPECT_EQ(ps({"--from", "end"}), "");
    EXPECT_EQ(ps({"--until", "2000-0"}), "ab");
    EXPECT_EQ(ps({"--from", "2000", "--until", "@2000"}), "bc");
    EXPECT_EQ(ps({"--count", "2"}), "ab");
    // An --until in the past reads what is there and exits, without -e.
    EXPECT_EQ(run_ok({"consume", "-f", "%p", "--from", "beginning", "--until", "@2999", "s"}),
              "abc");
    // Relative to now: only what was added in the last hour.
    ASSERT_EQ(cli({"produce", "s"}, "now\n").status, 0);
    EXPECT_EQ(ps({"--from", "-1h"}), "now");
}

TEST_F(CliConsume, ExitOnAnEmptyOrMissingStreamIsPrompt) {
    server_.cli({"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"});
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"consume", "-e", "missing"},
             {"consume", "-e", "empty"},
             {"consume", "-e", "--group", "g", "missing"},
             {"consume", "-e", "--group", "g", "empty"},
             {"consume", "-e", "--from", "end", "empty", "missing"}}) {
        const auto start = std::chrono::steady_clock::now();
        const auto r = cli(args, {}, 10s);
        EXPECT_EQ(r.status, 0) << args.back() << ": " << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_LT(std::chrono::steady_clock::now() - start, 3s) << args.back();
    }
    EXPECT_EQ(keys(), 1) << "a group read of a missing stream with -e creates nothing";
}

TEST_F(CliConsume, AnUntilAheadStopsOnceItPassed) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = cli({"consume", "--until", "+1s", "quiet"}, {}, 15s);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(CliConsume, FollowsNewMessagesAndCtrlCEndsWith130) {
    rt::PipedProcess tail({rt::cli_path(), "--url", url(), "consume", "-f", "%p\\n", "live"});
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    // The tail starts at the end it looked up; until it has, sends may be
    // before its start, so send until one shows.
    std::string line;
    bool shown = false;
    for (int i = 0; !shown && std::chrono::steady_clock::now() < deadline; ++i) {
        ASSERT_EQ(cli({"produce", "live"}, "ping\n").status, 0);
        try {
            shown = tail.read_line(line, std::chrono::steady_clock::now() + 200ms);
        } catch (const std::runtime_error&) {  // nothing within 200 ms yet
        }
    }
    ASSERT_TRUE(shown);
    ASSERT_EQ(cli({"produce", "live"}, "after\n").status, 0);
    while (line != "after")
        ASSERT_TRUE(tail.read_line(line, deadline));
    tail.kill(SIGINT);
    EXPECT_EQ(tail.wait(), 130);
}

TEST_F(CliConsume, AGroupResumesWhereItStoppedAndAcksWhatItPrinted) {
    ASSERT_EQ(cli({"produce", "s"}, "1\n2\n3\n4\n5\n").status, 0);
    EXPECT_EQ(run_ok({"consume", "-e", "--group", "g", "-f", "%p%d ", "s"}), "11 21 31 41 51 ");
    ASSERT_EQ(cli({"produce", "s"}, "6\n7\n8\n").status, 0);
    EXPECT_EQ(run_ok({"consume", "-e", "--group", "g", "-f", "%p", "s"}), "678");
    EXPECT_EQ(server_.cli({"XPENDING", "s", "g"}).substr(0, 1), "0");

    // --count: what was read and not printed stays pending for the next run.
    ASSERT_EQ(cli({"produce", "s"}, "9\nA\nB\nC\n").status, 0);
    EXPECT_EQ(run_ok({"consume", "--count", "2", "--group", "g", "-f", "%p", "s"}), "9A");
    EXPECT_EQ(run_ok({"consume", "-e", "--group", "g", "-f", "%p", "s"}), "BC");
    EXPECT_EQ(server_.cli({"XPENDING", "s", "g"}).substr(0, 1), "0");

    // load_balanced, acks committed before reading on; a new group at --from.
    EXPECT_EQ(run_ok({"consume", "-e", "--group", "lb", "--mode", "load_balanced", "--member", "m1",
                      "--ack", "disabled", "--from", "-1h", "-f", "%p", "s"}),
              "123456789ABC");
    EXPECT_EQ(server_.cli({"XPENDING", "s", "lb"}).substr(0, 1), "0");
}

TEST_F(CliConsume, BadArgumentsExitTwoWithOneLineAndTouchNothing) {
    const std::vector<std::vector<std::string>> bad{
        {"consume", "s", "--from", "garbage"},
        {"consume", "s", "--until", "beginning"},
        {"consume", "s", "--until", "soon"},
        {"consume", "s", "--mode", "bogus"},
        {"consume", "s", "--group", "g", "--mode", "real_time"},
        {"consume", "s", "--ack", "rolling"},
        {"consume", "s", "--group", "g", "--ack", "sometimes"},
        {"consume", "s", "--group", "", "-e"},
        {"consume", "s", "--mode", "resumable", "--from", "-1h"},
        {"consume", "s", "-f", "%q"},
        {"consume", "s", "--count", "0"},
        {"consume", "s", "--nope"},
        {"consume"},
    };
    for (const auto& args : bad) {
        const auto r = cli(args, {}, 10s);
        EXPECT_EQ(r.status, 2) << args.back() << ": " << r.err;
        EXPECT_EQ(rt::split_lines(r.err).size(), 1U) << r.err;
        EXPECT_EQ(r.out, "");
    }
    EXPECT_EQ(keys(), 0);
}

}  // namespace
