// Tests of the fixture's TLS mode: the generated certificates work, and the
// port really speaks only TLS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <filesystem>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {
namespace {

// Sends an inline PING in plain text and returns whatever comes back within a second.
std::string plain_text_ping(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "socket failed";
    timeval timeout{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        constexpr std::string_view ping = "PING\r\n";
        ::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL);
        std::array<char, 256> buffer{};
        ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n > 0) reply.assign(buffer.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return reply;
}

std::string raw_cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"redis-cli"};
    argv.insert(argv.end(), args.begin(), args.end());
    return trim_right(run_process(argv).out);
}

TEST(HarnessTlsTest, ServerAnswersOverTls) {
    RedisServer server({.tls = true});
    EXPECT_NE(server.port(), 6379);
    EXPECT_TRUE(std::filesystem::exists(server.ca_file()));
    EXPECT_TRUE(std::filesystem::exists(server.client_cert_file()));
    EXPECT_TRUE(std::filesystem::exists(server.client_key_file()));
    EXPECT_EQ(server.cli({"PING"}), "PONG");

    net::ConnectionConfig config = server.config();
    EXPECT_EQ(config.transport, Transport::tls);
    EXPECT_EQ(config.tls.ca_file, server.ca_file());
    EXPECT_TRUE(config.tls.verify_peer);
    EXPECT_EQ(config.tls.cert_file, "");
}

TEST(HarnessTlsTest, CertificateNamesLocalhostAndLoopback) {
    RedisServer server({.tls = true});
    const std::string port = std::to_string(server.port());
    for (const char* host : {"127.0.0.1", "localhost"}) {
        EXPECT_EQ(raw_cli({"-h", host, "-p", port, "--tls", "--cacert", server.ca_file(), "--sni",
                           host, "PING"}),
                  "PONG")
            << host;
    }
}

TEST(HarnessTlsTest, PlainTextGetsNoPong) {
    RedisServer server({.tls = true});
    EXPECT_EQ(plain_text_ping(server.port()).find("PONG"), std::string::npos);
}

TEST(HarnessTlsTest, UnknownCaIsRejected) {
    RedisServer server({.tls = true});
    RedisServer other({.tls = true});
    // The other server's CA did not sign this server's certificate.
    auto reply = raw_cli({"-h", "127.0.0.1", "-p", std::to_string(server.port()), "--tls",
                          "--cacert", other.ca_file(), "PING"});
    EXPECT_EQ(reply.find("PONG"), std::string::npos) << reply;
}

TEST(HarnessTlsTest, ClientCertificateRequired) {
    RedisServer server({.tls = true, .tls_require_client_cert = true});
    EXPECT_EQ(server.cli({"PING"}), "PONG");  // cli() presents the client certificate

    auto reply = raw_cli({"-h", "127.0.0.1", "-p", std::to_string(server.port()), "--tls",
                          "--cacert", server.ca_file(), "PING"});
    EXPECT_EQ(reply.find("PONG"), std::string::npos) << reply;

    net::ConnectionConfig config = server.config();
    EXPECT_EQ(config.tls.cert_file, server.client_cert_file());
    EXPECT_EQ(config.tls.key_file, server.client_key_file());
}

TEST(HarnessTlsTest, TlsWithPasswordStopAndStart) {
    RedisServer server({.tls = true, .requirepass = "pw"});
    EXPECT_EQ(server.cli({"PING"}), "PONG");
    EXPECT_EQ(server.config().password, "pw");
    server.stop();
    server.start();
    EXPECT_EQ(server.cli({"PING"}), "PONG");
}

}  // namespace
}  // namespace redstream::test
