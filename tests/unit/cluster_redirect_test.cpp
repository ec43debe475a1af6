// MOVED / ASK error texts, as Redis 7.0 writes them and as it must not.
#include <gtest/gtest.h>

#include <redstream/cluster/endpoint.hpp>
#include <redstream/cluster/redirect.hpp>
#include <redstream/core/error.hpp>

namespace redstream::cluster {
namespace {

Redirect redirect(RedirectKind kind, std::uint16_t slot, std::string host, std::uint16_t port) {
    return Redirect{kind, slot, HostPort{std::move(host), port}};
}

TEST(ParseRedirect, Moved) {
    EXPECT_EQ(parse_redirect("MOVED 3999 127.0.0.1:6381"),
              redirect(RedirectKind::moved, 3999, "127.0.0.1", 6381));
}

TEST(ParseRedirect, Ask) {
    EXPECT_EQ(parse_redirect("ASK 0 10.0.0.7:7000"),
              redirect(RedirectKind::ask, 0, "10.0.0.7", 7000));
}

TEST(ParseRedirect, WithTheLeadingDashOfTheWire) {
    EXPECT_EQ(parse_redirect("-MOVED 16383 127.0.0.1:7001"),
              redirect(RedirectKind::moved, 16383, "127.0.0.1", 7001));
}

TEST(ParseRedirect, HostName) {
    // Captured from 7.0.15 with cluster-preferred-endpoint-type hostname.
    EXPECT_EQ(parse_redirect("MOVED 15495 node2.example:43871"),
              redirect(RedirectKind::moved, 15495, "node2.example", 43871));
}

TEST(ParseRedirect, Ipv6SplitsAtTheLastColon) {
    EXPECT_EQ(parse_redirect("MOVED 1 ::1:6380"), redirect(RedirectKind::moved, 1, "::1", 6380));
    EXPECT_EQ(parse_redirect("ASK 2 2001:db8::17:7002"),
              redirect(RedirectKind::ask, 2, "2001:db8::17", 7002));
}

TEST(ParseRedirect, Ipv6InBrackets) {
    EXPECT_EQ(parse_redirect("MOVED 1 [::1]:6380"), redirect(RedirectKind::moved, 1, "::1", 6380));
    EXPECT_EQ(parse_redirect("MOVED 1 [fe80::1%eth0]:6380"),
              redirect(RedirectKind::moved, 1, "fe80::1%eth0", 6380));
}

TEST(ParseRedirect, UnknownHostMeansTheConnectionsHost) {
    // Both captured from 7.0.15: unknown-endpoint, and hostname with none set.
    EXPECT_EQ(parse_redirect("MOVED 15495 :43871"),
              redirect(RedirectKind::moved, 15495, "", 43871));
    EXPECT_EQ(parse_redirect("MOVED 15495 ?:43871"),
              redirect(RedirectKind::moved, 15495, "", 43871));
}

TEST(ParseRedirect, OtherErrorsAreNotRedirectsAndSayWhatTheyAre) {
    std::error_code ec;
    EXPECT_FALSE(parse_redirect("WRONGTYPE Operation against a key", ec));
    EXPECT_EQ(ec, errc::wrongtype);
    EXPECT_FALSE(parse_redirect("TRYAGAIN Multiple keys request during rehashing of slot", ec));
    EXPECT_EQ(ec, errc::tryagain);
    EXPECT_FALSE(parse_redirect("ERR unknown command", ec));
    EXPECT_EQ(ec, errc::server_error);
    EXPECT_FALSE(parse_redirect("", ec));
    EXPECT_EQ(ec, errc::server_error);
    // Prefixes are whole words, in capitals, as the server writes them.
    EXPECT_FALSE(parse_redirect("MOVEDX 1 h:1", ec));
    EXPECT_FALSE(parse_redirect("moved 1 h:1", ec));
    EXPECT_FALSE(parse_redirect("ASKING 1 h:1", ec));
    EXPECT_NE(ec, errc::unexpected_reply);
}

TEST(ParseRedirect, MalformedRedirectsAreUnexpectedReplies) {
    for (const char* text : {
             "MOVED",
             "MOVED ",
             "MOVED 3999",
             "MOVED 3999 ",
             "MOVED  3999 127.0.0.1:6381",       // two spaces
             "MOVED 3999 127.0.0.1:6381 extra",  // a word too many
             "MOVED 3999 127.0.0.1:6381 ",
             "MOVED 16384 127.0.0.1:6381",  // slot out of range
             "MOVED 99999999999 127.0.0.1:6381",
             "MOVED -1 127.0.0.1:6381",
             "MOVED +1 127.0.0.1:6381",
             "MOVED 0x10 127.0.0.1:6381",
             "MOVED abc 127.0.0.1:6381",
             "MOVED 3999 127.0.0.1",  // no port
             "MOVED 3999 127.0.0.1:",
             "MOVED 3999 127.0.0.1:0",
             "MOVED 3999 127.0.0.1:65536",
             "MOVED 3999 127.0.0.1:-1",
             "MOVED 3999 127.0.0.1:+80",
             "MOVED 3999 127.0.0.1:80x",
             "MOVED 3999 [::1:6380",  // unbalanced brackets
             "MOVED 3999 [::1]6380",
             "MOVED 3999 [::1]:",
             "MOVED 3999 ::1]:6380",
             "ASK 1",
             "ASK x y",
         }) {
        std::error_code ec;
        EXPECT_FALSE(parse_redirect(text, ec)) << text;
        EXPECT_EQ(ec, errc::unexpected_reply) << text;
    }
}

TEST(ParseRedirect, ClearsTheErrorOnSuccess) {
    std::error_code ec = make_error_code(errc::timeout);
    EXPECT_TRUE(parse_redirect("ASK 5 h:1", ec));
    EXPECT_FALSE(ec);
}

TEST(Endpoint, NamesBracketIpv6SoTheyParseBack) {
    EXPECT_EQ(endpoint_name(HostPort{"127.0.0.1", 7000}), "127.0.0.1:7000");
    EXPECT_EQ(endpoint_name(HostPort{"::1", 7000}), "[::1]:7000");
    EXPECT_EQ(endpoint_name(HostPort{"node.example", 1}), "node.example:1");
    for (const HostPort& hp : {HostPort{"::1", 7000}, HostPort{"10.1.2.3", 65535}}) {
        EXPECT_EQ(parse_endpoint(endpoint_name(hp)), hp);
    }
}

}  // namespace
}  // namespace redstream::cluster
