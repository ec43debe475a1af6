#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/core/url.hpp>
#include <redstream/net/config.hpp>

#include <string>
#include <vector>

namespace redstream {
namespace {

StreamUrl parse_ok(std::string_view text) {
    std::error_code ec;
    std::string why;
    auto url = StreamUrl::parse(text, ec, &why);
    EXPECT_FALSE(ec) << text << ": " << why;
    return url;
}

std::string parse_error(std::string_view text) {
    std::error_code ec;
    std::string why;
    StreamUrl::parse(text, ec, &why);
    EXPECT_EQ(ec, make_error_code(errc::invalid_url)) << text;
    return why;
}

TEST(Url, HostOnlyDefaults) {
    const auto url = parse_ok("redis://localhost");
    EXPECT_EQ(url.transport, Transport::tcp);
    ASSERT_EQ(url.nodes.size(), 1u);
    EXPECT_EQ(url.nodes[0], (HostPort{"localhost", 6379}));
    EXPECT_FALSE(url.username);
    EXPECT_FALSE(url.password);
    EXPECT_FALSE(url.db);
    EXPECT_TRUE(url.streams.empty());
}

TEST(Url, HostPortAndTls) {
    const auto url = parse_ok("rediss://cache.example.com:6380");
    EXPECT_EQ(url.transport, Transport::tls);
    EXPECT_EQ(url.nodes.at(0), (HostPort{"cache.example.com", 6380}));
}

TEST(Url, SchemeIsCaseInsensitive) {
    EXPECT_EQ(parse_ok("REDISS://h").transport, Transport::tls);
}

TEST(Url, UserAndPassword) {
    const auto url = parse_ok("redis://alice:s3cret@h:7000");
    EXPECT_EQ(url.username, "alice");
    EXPECT_EQ(url.password, "s3cret");
    EXPECT_EQ(url.nodes.at(0), (HostPort{"h", 7000}));
}

TEST(Url, PasswordOnly) {
    const auto url = parse_ok("redis://:s3cret@h");
    EXPECT_FALSE(url.username);
    EXPECT_EQ(url.password, "s3cret");
}

TEST(Url, UserOnly) {
    const auto url = parse_ok("redis://alice@h");
    EXPECT_EQ(url.username, "alice");
    EXPECT_FALSE(url.password);
}

TEST(Url, PasswordMayContainColonsAndEscapes) {
    const auto url = parse_ok("redis://u%40x:pa:ss%2F%3F%40@h");
    EXPECT_EQ(url.username, "u@x");
    EXPECT_EQ(url.password, "pa:ss/?@");
}

TEST(Url, SeveralHostsAndIpv6) {
    const auto url = parse_ok("redis://h1:6379,h2:6380,[::1]:6381,[fe80::1],10.0.0.1");
    ASSERT_EQ(url.nodes.size(), 5u);
    EXPECT_EQ(url.nodes[0], (HostPort{"h1", 6379}));
    EXPECT_EQ(url.nodes[1], (HostPort{"h2", 6380}));
    EXPECT_EQ(url.nodes[2], (HostPort{"::1", 6381}));
    EXPECT_EQ(url.nodes[3], (HostPort{"fe80::1", 6379}));
    EXPECT_EQ(url.nodes[4], (HostPort{"10.0.0.1", 6379}));
}

TEST(Url, PathDb) {
    EXPECT_EQ(parse_ok("redis://h/3").db, 3);
    EXPECT_EQ(parse_ok("redis://h/").db, std::nullopt);
    EXPECT_EQ(parse_ok("redis://h/0").db, 0);
}

TEST(Url, PathStreams) {
    const auto url = parse_ok("redis://h/stream_a,stream_b,%E2%9C%93%2C");
    EXPECT_FALSE(url.db);
    EXPECT_EQ(url.streams, (std::vector<std::string>{"stream_a", "stream_b", "\u2713,"}));
}

TEST(Url, PathDbThenStreams) {
    const auto url = parse_ok("redis://u:p@h1:6379,h2:6380/2/orders,audit");
    EXPECT_EQ(url.db, 2);
    EXPECT_EQ(url.streams, (std::vector<std::string>{"orders", "audit"}));
    EXPECT_EQ(url.nodes.size(), 2u);
}

TEST(Url, EncodedDigitsAreAStreamName) {
    const auto url = parse_ok("redis://h/%342");
    EXPECT_FALSE(url.db);
    EXPECT_EQ(url.streams, (std::vector<std::string>{"42"}));
}

TEST(Url, Query) {
    const auto url = parse_ok("redis://h/s?db=4&client_name=my%20app&protocol=2&timeout_ms=250");
    EXPECT_EQ(url.db, 4);
    EXPECT_EQ(url.client_name, "my app");
    EXPECT_EQ(url.protocol, 2);
    EXPECT_EQ(url.timeout_ms, 250u);
    EXPECT_EQ(parse_ok("redis://h?name=x&&protocol=3").client_name, "x");
    EXPECT_EQ(parse_ok("redis://h?name=x&&protocol=3").protocol, 3);
    EXPECT_EQ(parse_ok("redis://h?cluster=yes").cluster, true);
    EXPECT_EQ(parse_ok("redis://h?cluster=no").cluster, false);
    EXPECT_FALSE(parse_ok("redis://h").cluster);
    EXPECT_EQ(parse_ok("redis://h?cluster=yes").redacted(), "redis://h:6379?cluster=yes");
}

TEST(Url, Unix) {
    const auto url = parse_ok("unix:///var/run/redis%20x.sock?db=1&name=c");
    EXPECT_EQ(url.transport, Transport::unix_socket);
    EXPECT_TRUE(url.nodes.empty());
    EXPECT_EQ(url.socket_path, "/var/run/redis x.sock");
    EXPECT_EQ(url.db, 1);
    EXPECT_EQ(url.client_name, "c");
}

TEST(Url, UnixWithCredentials) {
    const auto url = parse_ok("unix://bob:pw@/tmp/r.sock");
    EXPECT_EQ(url.username, "bob");
    EXPECT_EQ(url.password, "pw");
    EXPECT_EQ(url.socket_path, "/tmp/r.sock");
}

struct BadUrl {
    const char* url;
    const char* why_contains;
};

class UrlError : public ::testing::TestWithParam<BadUrl> {};

TEST_P(UrlError, SaysWhatIsWrong) {
    const auto why = parse_error(GetParam().url);
    EXPECT_NE(why.find(GetParam().why_contains), std::string::npos)
        << GetParam().url << " -> " << why;
}

INSTANTIATE_TEST_SUITE_P(
    All, UrlError,
    ::testing::Values(
        BadUrl{"localhost:6379", "missing scheme"}, BadUrl{"", "missing scheme"},
        BadUrl{"://h", "missing scheme"}, BadUrl{"http://h", "unknown scheme 'http'"},
        BadUrl{"redis://h:99999", "invalid port: not a number in 1..65535"},
        BadUrl{"redis://h:0", "invalid port: not a number in 1..65535"},
        BadUrl{"redis://h:", "empty port"},
        BadUrl{"redis://h:abc", "invalid port: not a number in 1..65535"},
        BadUrl{"redis://h:1234567", "invalid port: not a number in 1..65535"},
        BadUrl{"redis://h:+80", "invalid port: not a number in 1..65535"},
        BadUrl{"redis://h1,h2:x", "invalid port (host 2): not a number in 1..65535"},
        BadUrl{"redis://h1:1,h2,", "empty host (host 3)"}, BadUrl{"redis://", "empty host"},
        BadUrl{"redis://u:p@", "empty host"}, BadUrl{"redis://h1,,h2", "empty host"},
        BadUrl{"redis://:6379", "empty host"}, BadUrl{"redis://[::1", "unterminated '['"},
        BadUrl{"redis://[::1]x", "unexpected text after ']'"}, BadUrl{"redis://[]", "empty host"},
        BadUrl{"redis://[::1 ]:1", "host contains a space"},
        BadUrl{"redis://[u:pass]", "invalid IPv6 address in brackets"},
        BadUrl{"redis://[::1%]", "invalid IPv6 address in brackets"},
        BadUrl{"redis://my host", "host contains a space"},
        BadUrl{"redis://h%20x", "host contains a character other than"},
        BadUrl{"redis://h\tx", "host contains a control character"},
        BadUrl{"redis://h!x:1", "host contains a character other than"},
        BadUrl{"redis://h\x7f", "host contains a control character"},
        BadUrl{"redis://h/x/s", "db must be a number 0.."},
        BadUrl{"redis://h/99999999999", "db must be a number 0.."},
        BadUrl{"redis://h/?db=-1", "db must be a number 0.."},
        BadUrl{"redis://h/1?db=2", "db given twice"}, BadUrl{"redis://h/a,,b", "empty stream name"},
        BadUrl{"redis://h/1/", "empty stream name"}, BadUrl{"redis://h/a,", "empty stream name"},
        BadUrl{"redis://h/1/2/3", "too many path segments"},
        BadUrl{"redis://h?x=1", "unknown query parameter (known: db,"},
        BadUrl{"redis://h?protocol=4", "protocol must be 2 or 3"},
        BadUrl{"redis://h?timeout_ms=abc", "timeout_ms must be"},
        BadUrl{"redis://h?timeout_ms=4294967296", "timeout_ms must be"},
        BadUrl{"redis://h?cluster=1", "cluster must be yes or no"},
        BadUrl{"redis://h/a%zz", "bad percent escape in a stream name"},
        BadUrl{"redis://h/a%4", "bad percent escape"},
        BadUrl{"redis://u%g1@h", "bad percent escape in the user name"},
        BadUrl{"redis://u:p%@h", "bad percent escape in the password"},
        BadUrl{"redis://h?name=%%", "bad percent escape in query parameter 'name'"},
        BadUrl{"redis://h/s@x", "unexpected '@' after the host"},
        BadUrl{"unix://", "empty socket path"}, BadUrl{"unix:///", "empty socket path"},
        BadUrl{"unix://relative.sock", "must be absolute"},
        BadUrl{"unix:///tmp/x%ZZ", "bad percent escape in the socket path"},
        BadUrl{"unix:///tmp/x?foo=1", "unknown query parameter"},
        BadUrl{"unix:///tmp/x%00y", "socket path contains a control character"}));

TEST(Url, HostWithAnEmbeddedNulIsRefused) {
    using namespace std::string_literals;
    for (const auto& text :
         {"redis://h\0x"s, "redis://h\0"s, "redis://a,h\0.example:1"s, "redis://[::1\0]"s}) {
        const auto why = parse_error(text);
        EXPECT_NE(why.find("control character"), std::string::npos) << why;
        EXPECT_EQ(why.find('\0'), std::string::npos);
    }
}

TEST(Url, HostNamesThatStayValid) {
    const auto url =
        parse_ok("redis://my_host-1.example.com:1,10.0.0.2,[fe80::1%eth0]:3,[::ffff:1.2.3.4]");
    ASSERT_EQ(url.nodes.size(), 4u);
    EXPECT_EQ(url.nodes[0], (HostPort{"my_host-1.example.com", 1}));
    EXPECT_EQ(url.nodes[2], (HostPort{"fe80::1%eth0", 3}));
    EXPECT_EQ(url.nodes[3], (HostPort{"::ffff:1.2.3.4", 6379}));
}

TEST(Url, ErrorsNeverContainThePassword) {
    const std::vector<std::string> bad = {
        "redis://user:s3cret",          // '@' forgotten: the password sits where a port goes
        "redis://user:s3cret@",         // no host
        "redis://user:s3cret@h:port",   // bad port after credentials
        "redis://user:s3cret@h:99999",  // port out of range
        "redis://user:s3/cret@h",       // unencoded '/' in the password
        "redis://user:s3?cret@h",       // unencoded '?' in the password
        "redis://user:s3cret/x@h",      // '/' after the password
        "redis://user:s3cret?x=1",      // query right after the password
        "redis://user:s3cret/db",       // path right after the password
        "redis://:s3cret",              // password-only, no '@'
        "redis://user:s3cret@h/x/y",    // bad db with credentials
        "redis://user:s3cret@h?bad=1",  // bad query with credentials
        "redis://user:s3cret%zz@h",     // bad escape in the password
        "redis://user:pa:ss@h:s3cret",  // the password where the port goes
        "redis://s3cret:s3cret@[::1",   // same text as user and password
        "unix://user:s3cret",           // unix without '@/'
        "unix://user:s3cret@/x?y=1",    // unix with a bad query
        "user:s3cret@h",                // no scheme
        "x:s3cret://h",                 // scheme-like prefix with the password
        "http://user:s3cret@h",         // unknown scheme
        "redis://u:99999",              // a numeric password where the port goes
        "redis://u:34567/x/y",          // a valid-looking one followed by a bad path
        "redis://u:345,s3cret:x",       // a password with ',': split into two hosts
        "redis://u:345,s3 cret",        // ... whose second part is not a host
        "redis://u:345?s3cret",         // a password with '?': split into a query
        "redis://[u:s3cret]",           // a bracketed "host"
        "redis://[::1]s3cret",          // text after the brackets
    };
    for (const auto& text : bad) {
        std::error_code ec;
        std::string why;
        StreamUrl::parse(text, ec, &why);
        EXPECT_TRUE(ec) << text;
        EXPECT_EQ(why.find("s3"), std::string::npos) << text << " -> " << why;
        EXPECT_EQ(why.find("345"), std::string::npos) << text << " -> " << why;
        EXPECT_EQ(why.find("999"), std::string::npos) << text << " -> " << why;
        try {
            StreamUrl::parse(text);
            ADD_FAILURE() << "no exception for " << text;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), make_error_code(errc::invalid_url));
            EXPECT_EQ(std::string(e.what()).find("s3"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find("345"), std::string::npos) << e.what();
        }
        EXPECT_THROW(net::ConnectionConfig::from_url(text), Error) << text;
    }
}

TEST(Url, ThrowingFormCarriesTheReason) {
    try {
        StreamUrl::parse("http://h");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), errc::invalid_url);
        EXPECT_NE(std::string(e.what()).find("unknown scheme 'http'"), std::string::npos);
    }
}

TEST(Url, RedactedHidesThePassword) {
    const auto url = parse_ok("redis://alice:s3cret@h1,[::1]:6380/2/a,b%20c?name=x&protocol=2");
    EXPECT_EQ(url.redacted(),
              "redis://alice:***@h1:6379,[::1]:6380/2/a,b%20c?client_name=x&protocol=2");
    EXPECT_EQ(parse_ok("rediss://:pw@h").redacted(), "rediss://:***@h:6379");
    EXPECT_EQ(parse_ok("redis://bob@h/s").redacted(), "redis://bob@h:6379/s");
    EXPECT_EQ(parse_ok("unix://u:pw@/tmp/a%20b.sock?db=3&timeout_ms=5").redacted(),
              "unix://u:***@/tmp/a%20b.sock?db=3&timeout_ms=5");
}

TEST(Url, RedactedRoundTrips) {
    for (const char* text : {"redis://h/%342", "redis://u:p@h:1/0/%2C,x", "rediss://[::1]:2/7",
                             "unix:///s.sock?db=2&client_name=a%26b&protocol=3"}) {
        const auto url = parse_ok(text);
        const auto again = parse_ok(url.redacted());
        EXPECT_EQ(again.nodes, url.nodes) << text;
        EXPECT_EQ(again.db, url.db) << text;
        EXPECT_EQ(again.streams, url.streams) << text;
        EXPECT_EQ(again.client_name, url.client_name) << text;
        EXPECT_EQ(again.socket_path, url.socket_path) << text;
    }
}

TEST(Config, FromUrl) {
    const auto cfg = net::ConnectionConfig::from_url(
        "rediss://alice:pw@h1:7000,h2/5?name=app&protocol=2&timeout_ms=1500");
    EXPECT_EQ(cfg.transport, Transport::tls);
    EXPECT_EQ(cfg.nodes, (std::vector<HostPort>{{"h1", 7000}, {"h2", 6379}}));
    EXPECT_EQ(cfg.username, "alice");
    EXPECT_EQ(cfg.password, "pw");
    EXPECT_EQ(cfg.db, 5);
    EXPECT_EQ(cfg.client_name, "app");
    EXPECT_EQ(cfg.protocol, 2);
    EXPECT_EQ(cfg.request_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(cfg.connect_timeout, std::chrono::milliseconds(1500));
}

TEST(Config, FromUrlKeepsDefaults) {
    const auto cfg = net::ConnectionConfig::from_url("redis://h");
    const net::ConnectionConfig defaults;
    EXPECT_EQ(cfg.protocol, defaults.protocol);
    EXPECT_EQ(cfg.db, 0);
    EXPECT_TRUE(cfg.password.empty());
    EXPECT_EQ(cfg.connect_timeout, defaults.connect_timeout);
    EXPECT_EQ(net::ConnectionConfig::from_url("redis://h?timeout_ms=0").connect_timeout,
              defaults.connect_timeout);
}

TEST(Config, FromUnixUrl) {
    const auto cfg = net::ConnectionConfig::from_url("unix:///tmp/r.sock?db=2");
    EXPECT_EQ(cfg.transport, Transport::unix_socket);
    EXPECT_EQ(cfg.socket_path, "/tmp/r.sock");
    EXPECT_TRUE(cfg.nodes.empty());
    EXPECT_EQ(cfg.db, 2);
}

}  // namespace
}  // namespace redstream
