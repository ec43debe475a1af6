// A numeric host is connected to as it is: Asio's resolver, and the thread it
// starts, are only for host names (issue 10 §3: an idle consumer's memory).
#include <gtest/gtest.h>

#include <dirent.h>

#include <chrono>

#include <asio/io_context.hpp>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>

#include "support/redis_server.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;

namespace {

int thread_count() {
    DIR* dir = opendir("/proc/self/task");
    if (!dir) return -1;
    int n = 0;
    while (const dirent* e = readdir(dir))
        if (e->d_name[0] != '.') ++n;
    closedir(dir);
    return n;
}

// Connects on `io`, run by this thread.
std::error_code connect(asio::io_context& io, rs::net::Client& client) {
    bool done = false;
    std::error_code result = rs::make_error_code(rs::errc::timeout);
    client.async_connect([&](std::error_code ec) {
        result = ec;
        done = true;
    });
    const auto end = std::chrono::steady_clock::now() + 20s;
    while (!done && std::chrono::steady_clock::now() < end)
        io.run_one_for(100ms);
    return result;
}

rs::net::ConnectionConfig config_for(const char* host, std::uint16_t port) {
    rs::net::ConnectionConfig cfg;
    cfg.nodes = {rs::HostPort{host, port}};
    return cfg;
}

TEST(NumericHost, ConnectingTo127001StartsNoThread) {
    static rs::test::RedisServer server;
    asio::io_context io;
    rs::net::Client client(io.get_executor(), config_for("127.0.0.1", server.port()));
    const int before = thread_count();
    ASSERT_GT(before, 0);
    const auto ec = connect(io, client);
    ASSERT_FALSE(ec) << ec.message() << ": " << client.last_error();
    EXPECT_EQ(thread_count(), before);
    client.close();
}

// The same count does see the resolver's thread when a name is resolved, so
// the test above would notice one. The thread starts with the resolve,
// whether or not the connect that follows succeeds.
TEST(NumericHost, AHostNameGoesThroughTheResolverThread) {
    static rs::test::RedisServer server;
    asio::io_context io;
    rs::net::Client client(io.get_executor(), config_for("localhost", server.port()));
    const int before = thread_count();
    connect(io, client);
    EXPECT_EQ(thread_count(), before + 1);
    client.close();
}

}  // namespace
