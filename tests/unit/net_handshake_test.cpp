// The handshake state machine, stepped with replies made from raw RESP bytes.
#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/net/detail/handshake.hpp>
#include <redstream/resp/reader.hpp>

#include "support/replies.hpp"

namespace rs = redstream;
using rs::net::detail::HandshakeFsm;
using rs::net::detail::HandshakeParams;
using Kind = HandshakeFsm::Action::Kind;
using rs::test::parse_reply;

namespace {

const char* hello_map = "%1\r\n$6\r\nserver\r\n$5\r\nredis\r\n";

}  // namespace

TEST(Handshake, Resp3WithEverythingSendsHelloThenSelectThenPing) {
    HandshakeParams p{3, "alice", "s3cret", 2, "app"};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    EXPECT_EQ(fsm.start(out).kind, Kind::send);
    EXPECT_EQ(out.payload(),
              "*7\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$6\r\ns3cret\r\n"
              "$7\r\nSETNAME\r\n$3\r\napp\r\n");
    auto a = fsm.on_reply(parse_reply(hello_map).root(), out);
    EXPECT_EQ(a.kind, Kind::send);
    EXPECT_EQ(out.payload(), "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+OK\r\n").root(), out).kind, Kind::send);
    EXPECT_EQ(out.payload(), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);
    EXPECT_EQ(fsm.protocol(), 3);
}

// A cluster replica's reader: READONLY after SELECT, before the PING that
// says the server is ready; a refusal (not a cluster node) fails the connect.
TEST(Handshake, ReadonlyComesBeforeThePingAndARefusalFails) {
    HandshakeParams p{3, "", "", 0, "", true};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    EXPECT_EQ(fsm.on_reply(parse_reply(hello_map).root(), out).kind, Kind::send);
    EXPECT_EQ(out.payload(), "*1\r\n$8\r\nREADONLY\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+OK\r\n").root(), out).kind, Kind::send);
    EXPECT_EQ(out.payload(), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);

    HandshakeFsm refused(p);
    refused.start(out);
    refused.on_reply(parse_reply(hello_map).root(), out);
    const auto a = refused.on_reply(
        parse_reply("-ERR This instance has cluster support disabled\r\n").root(), out);
    EXPECT_EQ(a.kind, Kind::fail);
    EXPECT_EQ(a.detail, "ERR This instance has cluster support disabled");
}

TEST(Handshake, PasswordOnlyAuthenticatesAsDefaultUser) {
    HandshakeParams p{3, "", "pw", 0, ""};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    EXPECT_EQ(out.payload(),
              "*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$2\r\npw\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply(hello_map).root(), out).kind, Kind::send);
    EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);
}

TEST(Handshake, FallsBackToResp2WhenHelloIsUnknown) {
    HandshakeParams p{3, "", "pw", 1, "app"};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    auto a = fsm.on_reply(parse_reply("-ERR unknown command 'HELLO'\r\n").root(), out);
    EXPECT_EQ(a.kind, Kind::send);
    EXPECT_EQ(out.payload(), "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
    fsm.on_reply(parse_reply("+OK\r\n").root(), out);
    EXPECT_EQ(out.payload(), "*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$3\r\napp\r\n");
    fsm.on_reply(parse_reply("+OK\r\n").root(), out);
    EXPECT_EQ(out.payload(), "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+OK\r\n").root(), out).kind, Kind::send);
    EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);
    EXPECT_EQ(fsm.protocol(), 2);
}

TEST(Handshake, NoprotoAlsoFallsBack) {
    HandshakeParams p{3, "", "", 0, ""};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    EXPECT_EQ(fsm.on_reply(parse_reply("-NOPROTO sorry\r\n").root(), out).kind, Kind::send);
    EXPECT_EQ(out.payload(), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);
    EXPECT_EQ(fsm.protocol(), 2);
}

TEST(Handshake, Resp2WithNothingToNegotiateStillPings) {
    HandshakeParams p{2, "", "", 0, ""};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    EXPECT_EQ(fsm.start(out).kind, Kind::send);
    EXPECT_EQ(out.payload(), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);
}

// A restarted server accepts connections (and HELLO, AUTH, SELECT) while it
// loads its data, but answers commands LOADING: not ready yet, in either
// protocol. The PING is asked again until it is answered.
TEST(Handshake, WaitsWhileTheServerIsLoadingInBothProtocols) {
    for (const int protocol : {2, 3}) {
        HandshakeParams p{protocol, "", "", 0, ""};
        HandshakeFsm fsm(p);
        rs::resp::Request out;
        fsm.start(out);
        if (protocol == 3) {
            EXPECT_EQ(fsm.on_reply(parse_reply(hello_map).root(), out).kind, Kind::send);
        }
        const std::string ping = "*1\r\n$4\r\nPING\r\n";
        ASSERT_EQ(out.payload(), ping);
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ(
                fsm.on_reply(parse_reply("-LOADING loading the dataset\r\n").root(), out).kind,
                Kind::retry);
            EXPECT_TRUE(fsm.loading());
            EXPECT_EQ(out.payload(), ping);  // the same PING goes again
        }
        EXPECT_EQ(fsm.on_reply(parse_reply("+PONG\r\n").root(), out).kind, Kind::done);
        EXPECT_FALSE(fsm.loading());
        EXPECT_EQ(fsm.protocol(), protocol);
    }
}

TEST(Handshake, PingRefusedOtherwiseFails) {
    HandshakeParams p{2, "", "", 0, ""};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    auto a = fsm.on_reply(parse_reply("-NOAUTH Authentication required.\r\n").root(), out);
    EXPECT_EQ(a.kind, Kind::fail);
    EXPECT_EQ(a.ec, rs::errc::noauth);
}

TEST(Handshake, WrongPasswordFailsWithAuthConditionAndNoPassword) {
    HandshakeParams p{3, "bob", "hunter2", 0, ""};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    auto a = fsm.on_reply(
        parse_reply("-WRONGPASS invalid username-password pair or user is disabled.\r\n").root(),
        out);
    EXPECT_EQ(a.kind, Kind::fail);
    EXPECT_EQ(a.ec, rs::errc::wrongpass);
    EXPECT_EQ(a.ec, rs::condition::auth);
    EXPECT_EQ(a.detail.find("hunter2"), std::string::npos);
}

TEST(Handshake, Resp2AuthFailureAndSelectFailure) {
    HandshakeParams p{2, "", "pw", 99, ""};
    {
        HandshakeFsm fsm(p);
        rs::resp::Request out;
        fsm.start(out);
        auto a = fsm.on_reply(parse_reply("-WRONGPASS nope\r\n").root(), out);
        EXPECT_EQ(a.ec, rs::errc::wrongpass);
    }
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    fsm.on_reply(parse_reply("+OK\r\n").root(), out);
    auto a = fsm.on_reply(parse_reply("-ERR DB index is out of range\r\n").root(), out);
    EXPECT_EQ(a.kind, Kind::fail);
    EXPECT_EQ(a.ec, rs::errc::server_error);
    EXPECT_EQ(a.detail, "ERR DB index is out of range");
}

TEST(Handshake, HelloAnsweredWithNonMapIsUnexpected) {
    HandshakeParams p{3, "", "", 0, ""};
    HandshakeFsm fsm(p);
    rs::resp::Request out;
    fsm.start(out);
    auto a = fsm.on_reply(parse_reply(":1\r\n").root(), out);
    EXPECT_EQ(a.kind, Kind::fail);
    EXPECT_EQ(a.ec, rs::errc::unexpected_reply);
}
