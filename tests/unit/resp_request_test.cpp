// Exact bytes of serialized commands.
#include <redstream/resp/request.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace redstream::resp {
namespace {

using namespace std::string_literals;

TEST(RespRequest, PushStrings) {
    Request req;
    req.push("SET", "key", std::string("value"));
    EXPECT_EQ(req.payload(), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    EXPECT_EQ(req.commands(), 1U);
}

TEST(RespRequest, PushNumbers) {
    Request req;
    req.push("X", 42, -7, std::numeric_limits<std::uint64_t>::max(),
             std::numeric_limits<std::int64_t>::min(), 0U);
    EXPECT_EQ(req.payload(),
              "*6\r\n$1\r\nX\r\n$2\r\n42\r\n$2\r\n-7\r\n$20\r\n18446744073709551615\r\n"
              "$20\r\n-9223372036854775808\r\n$1\r\n0\r\n");
}

TEST(RespRequest, PushDoubles) {
    Request req;
    req.push("D", 1.5, -0.25, 1e300);
    EXPECT_EQ(req.payload(), "*4\r\n$1\r\nD\r\n$3\r\n1.5\r\n$5\r\n-0.25\r\n$6\r\n1e+300\r\n");
}

TEST(RespRequest, PushMessageId) {
    Request req;
    req.push("XACK", "s", "g", MessageId{1526985054069, 3}, MessageId::max());
    EXPECT_EQ(req.payload(),
              "*5\r\n$4\r\nXACK\r\n$1\r\ns\r\n$1\r\ng\r\n$15\r\n1526985054069-3\r\n"
              "$41\r\n18446744073709551615-18446744073709551615\r\n");
}

TEST(RespRequest, EmptyAndBinaryArguments) {
    Request req;
    req.push("SET", "", "a\r\n\0b"s);
    EXPECT_EQ(req.payload(), "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\r\n\0b\r\n"s);
}

TEST(RespRequest, BuilderWithManyArguments) {
    Request req;
    std::string expected_args = "$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n";
    {
        auto cmd = req.command("XADD");
        cmd.arg("s").arg("*");
        for (int i = 0; i < 500; ++i) {
            cmd.arg("f" + std::to_string(i)).arg(i);
            const std::string f = "f" + std::to_string(i);
            const std::string v = std::to_string(i);
            expected_args += "$" + std::to_string(f.size()) + "\r\n" + f + "\r\n";
            expected_args += "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
        }
    }
    EXPECT_EQ(req.payload(), "*1003\r\n" + expected_args);
    EXPECT_EQ(req.commands(), 1U);
}

TEST(RespRequest, FinishIsIdempotent) {
    Request req;
    auto cmd = req.command("PING");
    EXPECT_EQ(req.commands(), 0U);
    cmd.finish();
    cmd.finish();
    EXPECT_EQ(req.payload(), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(req.commands(), 1U);
}

TEST(RespRequest, SeveralCommands) {
    Request req;
    req.push("PING");
    req.command("GET").arg("k");
    req.push("INCRBY", "n", 10);
    EXPECT_EQ(req.payload(),
              "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
              "*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$2\r\n10\r\n");
    EXPECT_EQ(req.commands(), 3U);
    EXPECT_FALSE(req.empty());
    req.clear();
    EXPECT_TRUE(req.empty());
    EXPECT_EQ(req.payload(), "");
}

TEST(RespRequest, Config) {
    Request req(Request::Config{.fail_if_not_connected = true});
    EXPECT_TRUE(req.config().fail_if_not_connected);
}

}  // namespace
}  // namespace redstream::resp
