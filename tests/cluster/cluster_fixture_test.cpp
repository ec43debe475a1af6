// The fixture itself: a bring-up that fails half-way leaves no process behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cluster_env.hpp"

namespace {

using namespace std::chrono_literals;

// redis-server processes whose parent is this test program (zombies
// excluded: those have exited).
int live_redis_children() {
    int count = 0;
    const auto self = std::to_string(::getpid());
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream stat(entry.path() / "stat");
        std::string pid, comm, state, ppid;
        if (!(stat >> pid >> comm >> state >> ppid)) continue;
        if (comm == "(redis-server)" && ppid == self && state != "Z") ++count;
    }
    return count;
}

TEST(RedisClusterFixture, FailedBringUpStopsEveryNode) {
    const int before = live_redis_children();
    EXPECT_EQ(before, int(redstream::test::shared_cluster().size()));
    // No time to get ready: the constructor throws once it has started the
    // servers, before it creates the cluster.
    EXPECT_THROW(redstream::test::RedisCluster(
                     {.masters = 3, .replicas_per_master = 0, .ready_timeout = 1ms}),
                 std::runtime_error);
    EXPECT_EQ(live_redis_children(), before);
}

}  // namespace
