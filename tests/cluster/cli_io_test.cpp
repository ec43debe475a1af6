// `redstream produce` and `consume` on the shared 3+3 cluster: a stream
// sharded over the masters is written and read back whole, every message
// once, in real time and in a group; -e ends on an empty stream there too.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <redstream/cluster/slot.hpp>

#include "cli/cli_runner.hpp"
#include "cluster_env.hpp"

namespace rs = redstream;
namespace cluster = redstream::cluster;
using rs::test::run_cli;
using rs::test::shared_cluster;
using rs::test::unique_key;
using namespace std::chrono_literals;

namespace {

rs::test::ProcessResult cli(std::vector<std::string> args, std::string_view input = {}) {
    args.insert(args.begin(), {"--url", shared_cluster().url()});
    return run_cli(std::move(args), input, 60s);
}

// `consume -e` output as (key, payload) per line, with -f '%k %p\n'.
std::vector<std::pair<std::string, std::string>> read_all(std::vector<std::string> args) {
    args.insert(args.begin(), {"consume", "-e", "-f", "%k %p\\n"});
    const auto r = cli(args);
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t at = 0;
    while (at < r.out.size()) {
        const auto nl = r.out.find('\n', at);
        const auto line = r.out.substr(at, nl - at);
        const auto space = line.find(' ');
        out.emplace_back(line.substr(0, space), line.substr(space + 1));
        at = nl + 1;
    }
    return out;
}

std::string numbered_lines(int n) {
    std::string input;
    for (int i = 0; i < n; ++i)
        input += "m" + std::to_string(i) + "\n";
    return input;
}

TEST(ClusterCli, ProduceOverSixShardsAndConsumeGetsEveryMessageOnce) {
    const auto stream = unique_key("cli-io");
    constexpr int n = 600;
    const auto sent = cli({"produce", "--shards", "6", stream}, numbered_lines(n));
    ASSERT_EQ(sent.status, 0) << sent.err;
    EXPECT_EQ(sent.out, "{\"sent\":600,\"confirmed\":600,\"failed\":0}\n");

    std::set<std::string> payloads;
    std::map<std::string, int> per_key;
    for (const auto& [key, payload] : read_all({stream})) {
        EXPECT_TRUE(payloads.insert(payload).second) << "twice: " << payload;
        ++per_key[key];
    }
    EXPECT_EQ(payloads.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(per_key.size(), 6U);
    std::set<std::size_t> masters;
    for (const auto& [key, count] : per_key) {
        EXPECT_EQ(count, n / 6) << key << " (round-robin)";
        masters.insert(shared_cluster().master_of(cluster::key_slot(key)));
    }
    EXPECT_GE(masters.size(), 2U) << "6 shards of one stream live on several masters";
}

TEST(ClusterCli, AGroupReadsEveryShardOnceAndResumes) {
    const auto stream = unique_key("cli-io");
    ASSERT_EQ(cli({"produce", "--shards", "6", stream}, numbered_lines(120)).status, 0);
    std::set<std::string> payloads;
    for (const auto& [key, payload] : read_all({"--group", "g", stream}))
        EXPECT_TRUE(payloads.insert(payload).second) << key << " " << payload;
    EXPECT_EQ(payloads.size(), 120U);
    EXPECT_TRUE(read_all({"--group", "g", stream}).empty()) << "all acked: nothing new";
    ASSERT_EQ(cli({"produce", "--shards", "6", stream}, "late\n").status, 0);
    const auto again = read_all({"--group", "g", stream});
    ASSERT_EQ(again.size(), 1U);
    EXPECT_EQ(again[0].second, "late");
}

TEST(ClusterCli, ExitOnAMissingStreamIsPrompt) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(read_all({unique_key("cli-io-missing")}).empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
