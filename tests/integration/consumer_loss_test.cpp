// Issue 9 §4, messages lost or skipped, against a real redis-server: a clean
// end under AutoCommit::immediate, rewind(SeqPos::end()) beside a blocking
// read, shards that appear after the start, and load-balanced members
// sharing a backlog.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "group_fixture.hpp"

namespace redstream {
namespace {

using namespace std::chrono_literals;
using test::unique_key;

class ConsumerLoss : public test::GroupConsumer {
  protected:
    static std::vector<std::string> names(const std::string& prefix, int from, int to) {
        std::vector<std::string> out;
        for (int i = from; i < to; ++i)
            out.push_back(prefix + std::to_string(i));
        return out;
    }
};

// Shards written right after the start, before discovery finds them: every
// entry of them is new, so all 9 are delivered, whatever the reset policy,
// in every mode.
TEST_F(ConsumerLoss, ShardsThatAppearAfterTheStartAreReadWhole) {
    for (auto mode :
         {ConsumerMode::real_time, ConsumerMode::resumable, ConsumerMode::load_balanced})
        for (auto reset : {AutoStreamReset::earliest, AutoStreamReset::latest}) {
            const auto key = unique_key();
            auto opts = options(mode, AutoCommit::delayed, reset, unique_key("g"));
            opts.discovery_interval = 100ms;
            opts.mkstream = true;
            auto c = streamer_.create_consumer({key}, opts);
            auto p = streamer_.create_producer(key, {.shards = 3});
            for (int i = 0; i < 9; ++i)
                p.send("s" + std::to_string(i));
            p.flush();
            auto got = take(c, 9);
            std::sort(got.begin(), got.end());
            EXPECT_EQ(got, names("s", 0, 9))
                << "mode " << static_cast<int>(mode) << ", reset " << static_cast<int>(reset);
        }
}

}  // namespace
}  // namespace redstream
