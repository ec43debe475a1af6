// The fixture of the group consumer tests: one redis-server for the whole
// program, a Streamer per test, and small helpers to send and take.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "support/eventually.hpp"
#include "support/redis_server.hpp"
#include "support/target.hpp"

namespace redstream::test {

using namespace std::chrono_literals;

class GroupConsumer : public ::testing::Test {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }
    // Where the shared checks (support/stream_checks.hpp) run.
    static Target target() { return standalone_target(server()); }
    void TearDown() override { streamer_.disconnect(); }

    static ConsumerOptions options(ConsumerMode mode, AutoCommit commit, AutoStreamReset reset,
                                   std::string group) {
        ConsumerOptions o;
        o.mode = mode;
        o.auto_commit = commit;
        o.auto_stream_reset = reset;
        o.group = std::move(group);
        o.block_time = 100ms;
        return o;
    }
    void send(const std::string& key, int n, const std::string& prefix) {
        auto p = streamer_.create_producer(key);
        for (int i = 0; i < n; ++i)
            p.send(prefix + std::to_string(i));
        p.flush();
    }
    static std::vector<std::string> take(Consumer& c, std::size_t n) {
        std::vector<std::string> out;
        while (out.size() < n) {
            auto m = c.next_for(5s);
            if (!m) {
                ADD_FAILURE() << "only " << out.size() << " of " << n << " messages arrived";
                break;
            }
            out.emplace_back(m->payload());
        }
        return out;
    }
    // XPENDING's count for the group.
    static long long pending(const std::string& key, const std::string& group) {
        const auto out = server().cli({"XPENDING", key, group});
        return std::stoll(out.substr(0, out.find('\n')));
    }
    // Clients blocked in a command (INFO clients): a blocking read still out.
    static int blocked_clients() {
        const auto info = server().cli({"INFO", "clients"});
        const auto at = info.find("blocked_clients:");
        return at == std::string::npos ? -1 : std::stoi(info.substr(at + 16));
    }
    // Polls `cond` for states the test cannot await (a timer in the consumer).
    template <class Cond>
    static bool eventually(Cond cond) {
        return test::eventually(cond);
    }
    static void expect_quiet(Consumer& c) {
        auto m = c.next_for(300ms);
        EXPECT_FALSE(m) << "unexpected " << m->payload();
    }

    Streamer streamer_ = Streamer::connect("redis://127.0.0.1:" + std::to_string(server().port()));
};

}  // namespace redstream::test
