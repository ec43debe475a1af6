// The scripted hostile server itself (issue 9 §8): a redstream client
// handshakes against its defaults in both protocols, and it does what a
// script says, at the pace it says, and sees what the client does. The
// protocol-abuse tests rely on all of this.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include <redstream/net/client.hpp>

#include "fault/hostile_support.hpp"
#include "support/hostile_server.hpp"

namespace redstream::test {
namespace {

using namespace std::chrono_literals;
using hostile::since;
using hostile::Watchdog;

// A bare socket to the server, for checks below the client library.
class RawClient {
  public:
    explicit RawClient(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return connected_; }
    bool send(const std::string& bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(bytes.size());
    }
    // Reads until `want` bytes came, the peer closed, or `timeout` passed.
    std::string read(std::size_t want, std::chrono::milliseconds timeout) {
        std::string out;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        char buf[64 * 1024];
        while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10) <= 0) continue;
            const auto n = ::recv(fd_, buf, std::min(sizeof buf, want - out.size()), 0);
            if (n <= 0) break;
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

  private:
    int fd_;
    bool connected_ = false;
};

std::string command(std::string_view name) {
    return "*1\r\n$" + std::to_string(name.size()) + "\r\n" + std::string(name) + "\r\n";
}

TEST(HostileServer, ClientHandshakesWithResp3ByDefault) {
    Watchdog dog(20s);
    ScriptedServer server;
    net::SyncClient client(server.config(3));
    client.connect();
    EXPECT_EQ(client.async_client().protocol(), 3);
    EXPECT_EQ(client.exec_one("PING").root().str(), "PONG");
    EXPECT_EQ(server.count("hello"), 1U);  // names are counted in any case
    EXPECT_GE(server.count("PING"), 1U);
}

TEST(HostileServer, RefusedHelloLeadsToResp2) {
    Watchdog dog(20s);
    ScriptedServer server;
    server.on("HELLO", Action::error("ERR unknown command 'HELLO', with args beginning with: '3'"));
    net::SyncClient client(server.config(3));
    client.connect();
    EXPECT_EQ(client.async_client().protocol(), 2);
    EXPECT_EQ(server.count("HELLO"), 1U);
    const auto reply = client.exec_one("XADD", "k", "*", "msg", "x");
    EXPECT_TRUE(reply.root().is_string()) << reply.root().str();
}

TEST(HostileServer, PipelinedCommandsAreAnsweredInOrder) {
    Watchdog dog(20s);
    ScriptedServer server;
    server.on("SLOW", Action::reply("+slow\r\n").after(200ms));
    RawClient raw(server.port());
    ASSERT_TRUE(raw.connected());
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(raw.send(command("SLOW") + command("PING") + command("NOSUCH")));
    const std::string expected = "+slow\r\n+PONG\r\n-ERR unknown command 'NOSUCH'\r\n";
    EXPECT_EQ(raw.read(expected.size(), 2s), expected);
    EXPECT_GE(since(start), 200ms);  // the delay holds back what comes after too
    EXPECT_EQ(server.received(), (std::vector<std::string>{"SLOW", "PING", "NOSUCH"}));
}

TEST(HostileServer, GeneratedReplyKeepsItsLimitAndRate) {
    Watchdog dog(20s);
    ScriptedServer server;
    constexpr std::uint64_t limit = 1024 * 1024;
    constexpr std::uint64_t rate = 4 * 1024 * 1024;
    server.on("BIG", endless_array(limit, rate));
    RawClient raw(server.port());
    ASSERT_TRUE(raw.connected());
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(raw.send(command("BIG") + command("PING")));
    const auto bytes = raw.read(limit, 5s);
    const auto elapsed = since(start);
    ASSERT_EQ(bytes.size(), limit);
    EXPECT_EQ(bytes.substr(0, 19), "*16000000\r\n:1\r\n:1\r\n");
    // 1 MiB at 4 MiB/s, less the first 64 KiB sent at once: 234 ms at least.
    EXPECT_GE(elapsed, 230ms);
    EXPECT_LE(elapsed, 2s);
    // At its limit it is silent: the PING behind it is never answered.
    EXPECT_EQ(raw.read(1, 200ms), "");
    EXPECT_EQ(server.bytes_written(), limit);
}

TEST(HostileServer, SeesTheClientClose) {
    Watchdog dog(20s);
    ScriptedServer server;
    net::SyncClient client(server.config());
    client.connect();
    ASSERT_TRUE(server.wait_for_accepted(1, 2s));
    EXPECT_EQ(server.closed_by_client(), 0U);
    client.close();
    EXPECT_TRUE(server.wait_for_closed_by_client(1, 2s));
    EXPECT_EQ(server.open_connections(), 0U);
}

TEST(HostileServer, ClosesAndResetsWhenScripted) {
    Watchdog dog(20s);
    ScriptedServer server;
    server.on("BYE", Action::close());
    server.on("RST", Action::reset());
    for (const auto* name : {"BYE", "RST"}) {
        RawClient raw(server.port());
        ASSERT_TRUE(raw.connected());
        ASSERT_TRUE(raw.send(command("PING") + command(name)));
        EXPECT_EQ(raw.read(100, 2s), "+PONG\r\n") << name;  // then end of stream
    }
    EXPECT_EQ(server.closed_by_client(), 0U);
    EXPECT_EQ(server.open_connections(), 0U);
}

}  // namespace
}  // namespace redstream::test
