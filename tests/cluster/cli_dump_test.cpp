// `redstream dump | redstream restore` on the shared 3+3 cluster: a stream
// of six shards spread over the masters is restored under a new name with
// every entry (id and fields, every byte) and group identical, each key read
// straight from the master that holds it; `top` sees all six keys.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "cli/dump_checks.hpp"
#include "cluster_env.hpp"
#include "support/redis_server.hpp"
#include "support/target.hpp"

namespace rt = redstream::test;
namespace checks = redstream::test::dump_checks;

namespace {

std::vector<std::string> shards_of(const std::string& name) {
    std::vector<std::string> keys;
    for (int i = 0; i < 6; ++i)
        keys.push_back(name + ":" + std::to_string(i));
    return keys;
}

}  // namespace

TEST(ClusterCliDump, ASixShardStreamIsRestoredUnderANewName) {
    const auto& c = rt::shared_cluster();
    const auto target = rt::cluster_target(c);
    const auto name = rt::unique_key("clidump");
    const auto keys = shards_of(name);
    ASSERT_GE(rt::masters_serving(target, keys), 2u) << "the shards should spread over masters";
    rt::Direct d(target);
    const auto entries = checks::fill(d, keys, 40);
    d.run(keys[1], {"XGROUP", "CREATE", keys[1], "g", "5-3"});
    d.run(keys[4], {"XGROUP", "CREATE", keys[4], "g", "$"});

    const auto dump = rt::run_cli({"dump", name, "--url", c.url(), "--page", "9"});
    ASSERT_EQ(dump.status, 0) << dump.err;
    EXPECT_NE(dump.err.find(std::to_string(entries) + " entries, 6 keys, 2 groups"),
              std::string::npos)
        << dump.err;

    const auto copy = name + ":copy";
    const auto restore =
        rt::run_cli({"restore", "--rename", name + "=" + copy, "--url", c.url()}, dump.out);
    ASSERT_EQ(restore.status, 0) << restore.err;
    EXPECT_NE(restore.out.find("\"entries\":" + std::to_string(entries)), std::string::npos)
        << restore.out;
    const auto copies = shards_of(copy);
    EXPECT_GE(rt::masters_serving(target, copies), 2u);
    checks::expect_same(d, keys, d, copies);

    // Again: every key is in the way now, and nothing is written.
    const auto again =
        rt::run_cli({"restore", "--rename", name + "=" + copy, "--url", c.url()}, dump.out);
    EXPECT_EQ(again.status, 1);
    EXPECT_NE(again.err.find("written before it: nothing"), std::string::npos) << again.err;

    const auto top = rt::run_cli({"top", copy, "--url", c.url(), "-J", "--iterations", "1"});
    ASSERT_EQ(top.status, 0) << top.err;
    EXPECT_NE(top.out.find("\"keys\":6,\"length\":" + std::to_string(entries)), std::string::npos)
        << top.out;
}
