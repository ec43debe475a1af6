// The fault proxy itself (issue 9, section 8): each mode does what it says,
// observed with plain sockets (and net::SyncClient) through the proxy to a real
// redis-server.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <gtest/gtest.h>

#include <redstream/net/client.hpp>

#include "fault/fault_helpers.hpp"
#include "support/fault_proxy.hpp"
#include "support/loopback_socket.hpp"
#include "support/redis_server.hpp"
#include "support/syn_blackhole.hpp"

namespace rs = redstream;
using namespace std::chrono_literals;
using rs::test::Closer;
using rs::test::Direction;
using rs::test::FaultProxy;
using rs::test::ProxyMode;
using rs::test::ProxyStats;
using rs::test::RedisServer;
using rs::test::UniqueFd;

namespace {

constexpr std::string_view ping = "PING\r\n";
constexpr std::string_view pong = "+PONG\r\n";

void send_all(const UniqueFd& fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        ASSERT_GT(n, 0) << "send: " << std::strerror(errno);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Reads until `size` bytes came, the peer closed, or `limit` passed.
// `largest_read` gets the largest single read.
std::string receive(const UniqueFd& fd, std::size_t size, std::chrono::milliseconds limit,
                    std::size_t* largest_read = nullptr) {
    std::string data;
    const auto end = std::chrono::steady_clock::now() + limit;
    while (data.size() < size) {
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        pollfd p{fd.get(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[4096];
        const auto n = ::recv(fd.get(), buf, std::min(sizeof buf, size - data.size()), 0);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
        if (largest_read) *largest_read = std::max(*largest_read, static_cast<std::size_t>(n));
    }
    return data;
}

// True when the peer reset the connection within `limit`.
bool reset_by_peer(const UniqueFd& fd, std::chrono::milliseconds limit) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
    char c;
    return ::recv(fd.get(), &c, 1, 0) < 0 && errno == ECONNRESET;
}

int tcp_state(const UniqueFd& fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    ::getsockopt(fd.get(), IPPROTO_TCP, TCP_INFO, &info, &len);
    return info.tcpi_state;
}

// A non-blocking connect that has not completed (yet): EINPROGRESS.
UniqueFd start_connect(std::uint16_t port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    EXPECT_TRUE(rc == 0 || errno == EINPROGRESS) << std::strerror(errno);
    return fd;
}

class FaultProxyTest : public ::testing::Test {
  protected:
    static RedisServer& server() {
        static RedisServer s;
        return s;
    }
    // Returns once the proxy has accepted it too.
    UniqueFd connect_client() {
        const auto before = proxy_.stats().accepted;
        auto fd = rs::test::connect_loopback(proxy_.port());
        EXPECT_TRUE(fd) << "cannot connect to the proxy";
        EXPECT_TRUE(
            proxy_.wait_until([before](const ProxyStats& s) { return s.accepted > before; }, 2s));
        return fd;
    }

    rs::test::Watchdog watchdog_{30s};
    FaultProxy proxy_{server().port()};
};

TEST_F(FaultProxyTest, PassForwardsBothWaysAndCountsTheConnection) {
    auto client = connect_client();
    send_all(client, ping);
    EXPECT_EQ(receive(client, pong.size(), 2s), pong);
    auto s = proxy_.stats();
    EXPECT_EQ(s.accepted, 1u);
    EXPECT_EQ(s.live, 1u);
    EXPECT_EQ(s.upstream_bytes, ping.size());
    EXPECT_EQ(s.downstream_bytes, pong.size());
    client.reset();
    ASSERT_TRUE(proxy_.wait_client_closed(1, 2s));
    s = proxy_.stats();
    EXPECT_EQ(s.live, 0u);
    ASSERT_EQ(s.closed_by.size(), 1u);
    EXPECT_EQ(s.closed_by[0], Closer::client);
}

TEST_F(FaultProxyTest, SyncClientWorksThroughTheProxy) {
    auto config = server().config();
    config.nodes = {{"127.0.0.1", proxy_.port()}};
    rs::net::SyncClient client(config);
    client.connect();
    EXPECT_EQ(client.exec_one("PING").root().str(), "PONG");
    EXPECT_EQ(proxy_.stats().accepted, 1u);
}

TEST_F(FaultProxyTest, StalledDownstreamHoldsRepliesUntilPass) {
    auto client = connect_client();
    proxy_.set_mode(Direction::downstream, ProxyMode::stall());
    send_all(client, ping);
    ASSERT_TRUE(
        proxy_.wait_until([](const ProxyStats& s) { return s.upstream_bytes == ping.size(); }, 2s));
    EXPECT_EQ(receive(client, pong.size(), 300ms), "");
    EXPECT_EQ(proxy_.stats().live, 1u);  // both connections stay open
    proxy_.set_mode(Direction::downstream, ProxyMode::pass());
    EXPECT_EQ(receive(client, pong.size(), 2s), pong);
}

TEST_F(FaultProxyTest, StalledUpstreamReadsNothingSoTheSenderFillsUp) {
    auto client = connect_client();
    proxy_.set_mode(Direction::upstream, ProxyMode::stall());
    rs::test::set_nonblocking(client.get());
    // Only the kernel's buffers take bytes: the sender must block long
    // before this much is written.
    constexpr std::size_t limit = 64 * 1024 * 1024;
    const std::string chunk(4096, 'x');
    std::size_t written = 0;
    while (written < limit) {
        const auto n = ::send(client.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n < 0) break;
        written += static_cast<std::size_t>(n);
    }
    EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
    EXPECT_LT(written, limit);
    auto s = proxy_.stats();
    EXPECT_EQ(s.upstream_bytes, 0u);
    EXPECT_EQ(s.live, 1u);
}

TEST_F(FaultProxyTest, ClientCloseIsSeenWhileStalled) {
    auto first = connect_client();
    auto second = connect_client();
    proxy_.set_mode(ProxyMode::stall());
    first.reset();  // FIN
    ASSERT_TRUE(proxy_.wait_client_closed(1, 1s));
    rs::test::close_with_reset(second);  // RST
    ASSERT_TRUE(proxy_.wait_client_closed(2, 1s));
    const auto s = proxy_.stats();
    EXPECT_EQ(s.live, 0u);
    EXPECT_EQ(s.closed_by, (std::vector<Closer>{Closer::client, Closer::client}));
}

TEST_F(FaultProxyTest, DripPacesTheBytesOfEachDirection) {
    const auto key = rs::test::unique_key("drip");
    const std::string value(40, 'v');
    server().cli({"SET", key, value});
    const std::string reply = "$40\r\n" + value + "\r\n";
    auto client = connect_client();
    proxy_.set_mode(Direction::downstream, ProxyMode::drip(1, 10ms));
    rs::test::Stopwatch clock;
    send_all(client, "GET " + key + "\r\n");
    std::size_t largest = 0;
    EXPECT_EQ(receive(client, reply.size(), 5s, &largest), reply);
    EXPECT_GE(clock.elapsed(), 350ms);  // 47 bytes at 1 per 10 ms
    EXPECT_LE(largest, 2u);

    proxy_.set_mode(Direction::downstream, ProxyMode::pass());
    proxy_.set_mode(Direction::upstream, ProxyMode::drip(1, 20ms));
    clock.restart();
    send_all(client, ping);
    EXPECT_EQ(receive(client, pong.size(), 5s), pong);
    EXPECT_GE(clock.elapsed(), 80ms);  // 6 bytes at 1 per 20 ms
}

TEST_F(FaultProxyTest, InjectWritesBytesOnceIntoEitherDirection) {
    auto client = connect_client();
    proxy_.inject(Direction::downstream, "-ERR injected\r\n");
    EXPECT_EQ(receive(client, 15, 2s), "-ERR injected\r\n");
    proxy_.inject(Direction::upstream, std::string(ping));  // the server answers it
    EXPECT_EQ(receive(client, pong.size(), 2s), pong);
    send_all(client, ping);  // nothing injected twice
    EXPECT_EQ(receive(client, 64, 300ms), pong);
}

TEST_F(FaultProxyTest, InjectedBytesWaitBehindAStall) {
    auto client = connect_client();
    proxy_.set_mode(Direction::downstream, ProxyMode::stall());
    proxy_.inject(Direction::downstream, "garbage");
    EXPECT_EQ(receive(client, 7, 200ms), "");
    proxy_.set_mode(Direction::downstream, ProxyMode::pass());
    EXPECT_EQ(receive(client, 7, 2s), "garbage");
}

TEST_F(FaultProxyTest, ResetSendsAnRstToBothSides) {
    const auto baseline = server().cli({"CLIENT", "LIST"});
    auto client = connect_client();
    send_all(client, ping);
    ASSERT_EQ(receive(client, pong.size(), 2s), pong);
    proxy_.reset();
    EXPECT_TRUE(reset_by_peer(client, 2s));
    const auto s = proxy_.stats();
    EXPECT_EQ(s.closed_by_proxy, 1u);
    EXPECT_EQ(s.live, 0u);
    // The server lost its side too: only redis-cli's own connection is left.
    EXPECT_TRUE(rs::test::eventually(
        [] {
            return server().cli({"INFO", "clients"}).find("connected_clients:1\r") !=
                   std::string::npos;
        },
        2s));
    auto again = connect_client();  // the proxy still accepts
    send_all(again, ping);
    EXPECT_EQ(receive(again, pong.size(), 2s), pong);
}

TEST_F(FaultProxyTest, ServerCloseIsForwardedAfterItsLastReply) {
    auto client = connect_client();
    send_all(client, "QUIT\r\n");
    EXPECT_EQ(receive(client, 64, 2s), "+OK\r\n");  // then end of file
    ASSERT_TRUE(proxy_.wait_until([](const ProxyStats& s) { return s.closed_by_server == 1; }, 2s));
}

// Verifies on this kernel what SynBlackhole relies on: a connect stays in
// SYN_SENT (the kernel would retry for minutes).
TEST_F(FaultProxyTest, BlackholeDropsNewConnectsAndKeepsLiveOnes) {
    auto live = connect_client();
    proxy_.set_blackhole(true);
    {
        auto pending = start_connect(proxy_.port());
        pollfd p{pending.get(), POLLOUT, 0};
        EXPECT_EQ(::poll(&p, 1, 1500), 0) << "the connect completed or failed";
        EXPECT_EQ(tcp_state(pending), TCP_SYN_SENT);
    }
    send_all(live, ping);
    EXPECT_EQ(receive(live, pong.size(), 2s), pong);
    proxy_.set_blackhole(false);
    auto later = connect_client();
    send_all(later, ping);
    EXPECT_EQ(receive(later, pong.size(), 2s), pong);
}

TEST_F(FaultProxyTest, SynBlackholeAloneDropsConnects) {
    rs::test::SynBlackhole hole;
    auto pending = start_connect(hole.port());
    pollfd p{pending.get(), POLLOUT, 0};
    EXPECT_EQ(::poll(&p, 1, 1000), 0);
    EXPECT_EQ(tcp_state(pending), TCP_SYN_SENT);
}

TEST_F(FaultProxyTest, DestructorClosesEverythingEvenWhileStalled) {
    auto proxy = std::make_unique<FaultProxy>(server().port());
    auto client = rs::test::connect_loopback(proxy->port());
    ASSERT_TRUE(proxy->wait_until([](const ProxyStats& s) { return s.live == 1; }, 2s));
    proxy->set_mode(ProxyMode::stall());
    rs::test::finish_within(2s, "~FaultProxy", [&] { proxy.reset(); });
    EXPECT_EQ(receive(client, 1, 2s), "");  // end of file, not a hang
}

}  // namespace
