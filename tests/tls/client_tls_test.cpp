// TLS connections: verification on by default, SNI / host name checks,
// client certificates, and the explicit opt-out.
#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>

#include "support/redis_server.hpp"

namespace rs = redstream;
using rs::test::RedisServer;

namespace {

RedisServer& tls_server() {
    static RedisServer s(rs::test::ServerOptions{.tls = true});
    return s;
}

std::error_code try_connect(const rs::net::ConnectionConfig& cfg) {
    rs::net::SyncClient c(cfg);
    std::error_code ec;
    c.connect(ec);
    if (!ec) {
        EXPECT_EQ(c.exec_one("ECHO", "tls").root().str(), "tls");
    }
    return ec;
}

TEST(ClientTls, VerifiesTheServerWithTheGivenCa) {
    for (int protocol : {2, 3}) {
        auto cfg = tls_server().config(protocol);
        ASSERT_EQ(cfg.transport, rs::Transport::tls);
        EXPECT_FALSE(try_connect(cfg)) << "protocol " << protocol;
    }
}

TEST(ClientTls, UnknownCaIsRejectedByDefault) {
    auto cfg = tls_server().config();
    cfg.tls.ca_file.clear();  // system CAs do not know the test CA
    EXPECT_EQ(try_connect(cfg), rs::errc::tls_failed);
}

TEST(ClientTls, VerificationCanBeTurnedOffExplicitly) {
    auto cfg = tls_server().config();
    cfg.tls.ca_file.clear();
    cfg.tls.verify_peer = false;
    EXPECT_FALSE(try_connect(cfg));
}

TEST(ClientTls, HostNameMustMatchTheCertificate) {
    auto cfg = tls_server().config();
    cfg.tls.server_name = "not-the-server.example";
    EXPECT_EQ(try_connect(cfg), rs::errc::tls_failed);
    cfg.tls.server_name = "localhost";  // in the certificate's names
    EXPECT_FALSE(try_connect(cfg));
}

TEST(ClientTls, ClientCertificateWhenTheServerRequiresOne) {
    RedisServer mtls(rs::test::ServerOptions{.tls = true, .tls_require_client_cert = true});
    auto cfg = mtls.config();
    ASSERT_FALSE(cfg.tls.cert_file.empty());
    EXPECT_FALSE(try_connect(cfg));
    cfg.tls.cert_file.clear();
    cfg.tls.key_file.clear();
    EXPECT_TRUE(try_connect(cfg));  // refused without one
}

TEST(ClientTls, PlainTextClientAgainstTlsPortFails) {
    auto cfg = tls_server().config();
    cfg.transport = rs::Transport::tcp;
    cfg.connect_timeout = std::chrono::milliseconds(500);
    EXPECT_TRUE(try_connect(cfg));
}

}  // namespace
