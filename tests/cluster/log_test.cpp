// The logging hook on the shared cluster: each slot map the router takes is
// said, with where it came from and what it holds.
#include <gtest/gtest.h>

#include <string>

#include <redstream/redstream.hpp>

#include "cluster_env.hpp"
#include "support/log_recorder.hpp"

namespace rs = redstream;

namespace {

TEST(ClusterLog, ASlotMapRefreshIsLoggedWithItsMasters) {
    rs::test::Recorder log(rs::LogLevel::debug);
    auto streamer = rs::Streamer::connect(rs::test::shared_cluster().url());
    EXPECT_GE(log.count("debug cluster slot map from 127.0.0.1:"), 1U);
    bool whole = false;
    for (const auto& line : log.lines())
        whole = whole || line.ends_with(": 3 masters, 16384 slots served");
    EXPECT_TRUE(whole) << "no record of the whole map";
}

}  // namespace
