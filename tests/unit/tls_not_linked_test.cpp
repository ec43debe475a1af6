// TLS is a separate library (redstream::tls), and this program does not link
// it: a rediss:// connect must fail at once with a clear error, never crash
// or fall back to plain TCP. (No server is needed: the connect stops before
// any socket is opened.)
#include <gtest/gtest.h>

#include <string>

#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

namespace rs = redstream;

namespace {

bool says_to_link_tls(const std::string& text) {
    return text.find("link redstream::tls") != std::string::npos;
}

TEST(TlsNotLinked, ClientConnectFailsWithInvalidArgument) {
    rs::net::SyncClient client(rs::net::ConnectionConfig::from_url("rediss://127.0.0.1:1"));
    std::error_code ec;
    client.connect(ec);
    EXPECT_EQ(ec, rs::errc::invalid_argument);
    EXPECT_EQ(&ec.category(), &rs::error_category());
    EXPECT_TRUE(says_to_link_tls(client.async_client().last_error()))
        << client.async_client().last_error();
}

TEST(TlsNotLinked, SyncConnectThrowsAndSaysWhatToLink) {
    rs::net::SyncClient client(rs::net::ConnectionConfig::from_url("rediss://localhost:1"));
    try {
        client.connect();
        FAIL() << "rediss:// connected without the TLS component";
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::invalid_argument);
        EXPECT_TRUE(says_to_link_tls(e.what())) << e.what();
    }
}

TEST(TlsNotLinked, StreamerConnectThrowsAndSaysWhatToLink) {
    try {
        auto streamer = rs::Streamer::connect("rediss://127.0.0.1:1");
        FAIL() << "rediss:// connected without the TLS component";
    } catch (const rs::Error& e) {
        EXPECT_EQ(e.code(), rs::errc::invalid_argument);
        EXPECT_TRUE(says_to_link_tls(e.what())) << e.what();
    }
}

}  // namespace
