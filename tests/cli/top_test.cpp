// `redstream top`: its rates and screen without a server (top_view.hpp), and
// its JSON lines against a real one while entries are added and read.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "json_text.hpp"
#include "support/redis_server.hpp"
#include "top_view.hpp"

namespace cli = redstream::cli;
namespace rt = redstream::test;
using namespace std::chrono_literals;

namespace {

cli::TopSample sample_at(std::chrono::steady_clock::time_point at, std::uint64_t added,
                         std::optional<std::uint64_t> read) {
    cli::TopSample s;
    s.at = at;
    cli::TopStream st;
    st.name = "orders";
    st.keys = 3;
    st.length = added;
    st.added = added;
    st.last_id = redstream::MessageId{1700000000000, 2};
    st.groups.push_back({"billing", 2, 5, 7, read, {}});
    s.streams.push_back(st);
    return s;
}

std::vector<cli::Json> json_lines(const std::string& out) {
    std::vector<cli::Json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        lines.push_back(cli::Json::parse(line));
    return lines;
}

}  // namespace

TEST(CliTop, RatesAreCounterChangesOverTime) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto before = sample_at(t0, 100, 40);
    auto now = sample_at(t0 + 2s, 300, 90);
    cli::fill_rates(now, before);
    ASSERT_TRUE(now.streams[0].rate);
    EXPECT_DOUBLE_EQ(*now.streams[0].rate, 100.0);
    ASSERT_TRUE(now.streams[0].groups[0].rate);
    EXPECT_DOUBLE_EQ(*now.streams[0].groups[0].rate, 25.0);

    // A counter that went back (the stream was made again) or a group that
    // cannot count has no rate; nor does a stream not seen before.
    auto again = sample_at(t0 + 3s, 10, std::nullopt);
    cli::fill_rates(again, now);
    EXPECT_FALSE(again.streams[0].rate);
    EXPECT_FALSE(again.streams[0].groups[0].rate);
    auto first = sample_at(t0, 1, 1);
    first.streams[0].name = "new";
    cli::fill_rates(first, before);
    EXPECT_FALSE(first.streams[0].rate);
}

TEST(CliTop, TheScreenFitsTheTerminal) {
    auto s = sample_at(std::chrono::steady_clock::now(), 10, 4);
    s.streams[0].rate = 12.5;
    const auto lines = cli::top_screen(s, "ord*", 1s, 79, 24);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_NE(lines[0].find("ord*"), std::string::npos);
    EXPECT_NE(lines[0].find("every 1s"), std::string::npos);
    EXPECT_EQ(lines[3].rfind("orders", 0), 0u);
    EXPECT_NE(lines[3].find("12.5"), std::string::npos);
    EXPECT_NE(lines[3].find("1700000000000-2"), std::string::npos);
    EXPECT_EQ(lines[4].rfind("  billing", 0), 0u);
    for (const auto& l : lines)
        EXPECT_LE(l.size(), 79u) << l;

    // Narrow and short: lines cut, rows beyond the height summed up.
    for (int i = 0; i < 30; ++i) {
        auto more = s.streams[0];
        more.name = "s" + std::to_string(100 + i);
        s.streams.push_back(more);
    }
    const auto small = cli::top_screen(s, "*", 500ms, 30, 10);
    ASSERT_EQ(small.size(), 10u);
    EXPECT_NE(small.back().find("more rows"), std::string::npos);
    for (const auto& l : small)
        EXPECT_LE(l.size(), 30u) << l;
}

TEST(CliTop, NamesCannotDriveTheTerminal) {
    auto s = sample_at(std::chrono::steady_clock::now(), 1, 1);
    s.streams[0].name = "evil\x1b[2J\xff";
    const auto lines = cli::top_screen(s, "*", 1s, 200, 24);
    EXPECT_EQ(lines[3].find('\x1b'), std::string::npos);
    EXPECT_NE(lines[3].find("evil\\x1b[2J\\xff"), std::string::npos);
    const auto frame = cli::top_frame({"a", "b"});
    EXPECT_EQ(frame, "\x1b[Ha\x1b[K\nb\x1b[K\x1b[J");
}

TEST(CliTop, JsonHasALinePerStreamAndGroup) {
    auto s = sample_at(std::chrono::steady_clock::now(), 10, std::nullopt);
    s.wall = std::chrono::system_clock::time_point(1700000000123ms);
    s.streams[0].rate = 2.5;
    const auto lines = cli::top_json(s);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].dump(),
              R"({"time":"2023-11-14T22:13:20.123Z","stream":"orders","keys":3,"length":10,)"
              R"("last_id":"1700000000000-2","rate":2.5})");
    EXPECT_EQ(lines[1].dump(),
              R"({"time":"2023-11-14T22:13:20.123Z","stream":"orders","group":"billing",)"
              R"("consumers":2,"pending":5,"lag":7,"rate":null})");
}

// Against a server: three refreshes of JSON lines; the stream grows between
// them, so its rate is positive, and the group's lag is what it did not read.
TEST(CliTop, ReportsRatesAndLagOfAServer) {
    rt::RedisServer server;
    const auto url = "redis://127.0.0.1:" + std::to_string(server.port());
    server.cli({"XADD", "top:a", "*", "k", "v"});
    server.cli({"XADD", "top:a:1", "*", "k", "v"});
    server.cli({"XGROUP", "CREATE", "top:a", "g", "0"});
    server.cli({"XADD", "top:b", "*", "k", "v"});
    // Entries keep arriving while top runs.
    std::vector<std::string> writer{"sh", "-c",
                                    "for i in $(seq 1 40); do redis-cli -p " +
                                        std::to_string(server.port()) +
                                        " XADD top:a '*' k v >/dev/null; sleep 0.02; done"};
    const auto pid = rt::spawn_process(writer, server.dir() + "/writer.log");
    const auto r =
        rt::run_cli({"top", "top:a", "--url", url, "--interval", "300ms", "--iterations", "3"});
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = json_lines(r.out);
    ASSERT_EQ(lines.size(), 6u) << r.out;  // a stream and a group line per refresh
    EXPECT_EQ(lines[0]["stream"], "top:a");
    EXPECT_EQ(lines[0]["keys"], 2);
    EXPECT_TRUE(lines[0]["rate"].is_null());
    EXPECT_EQ(lines[1]["group"], "g");
    double rates = 0;
    for (const std::size_t i : {2u, 4u}) {
        ASSERT_TRUE(lines[i]["rate"].is_number()) << lines[i];
        rates += lines[i]["rate"].get<double>();
    }
    EXPECT_GT(rates, 0);
    const auto length = lines[4]["length"].get<std::uint64_t>();
    // Nobody reads: the lag is every entry of the plain key (counted a
    // moment after the length, so perhaps a few more).
    EXPECT_GE(lines[5]["lag"].get<std::uint64_t>() + 1, length);
    EXPECT_EQ(lines[5]["pending"], 0);
}

TEST(CliTop, BadArgumentsExitTwo) {
    const auto r = rt::run_cli({"top", "--interval", "soon", "--url", "redis://127.0.0.1:1"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--interval"), std::string::npos) << r.err;
    EXPECT_EQ(rt::run_cli({"top", "--iterations", "x"}).status, 2);
}
