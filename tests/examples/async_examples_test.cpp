// The coroutine and callback examples: pings sent with async_send() come
// back through async_next(), and a signal cancels both loops cleanly.
#include <csignal>
#include <string>
#include <vector>

#include <asio/detail/config.hpp>  // ASIO_HAS_CO_AWAIT

#include "examples/example_fixture.hpp"

namespace redstream::test {
namespace {

class AsyncExampleTest : public ExampleTest, public ::testing::WithParamInterface<const char*> {
  protected:
    void SetUp() override {
#if !defined(ASIO_HAS_CO_AWAIT)
        if (std::string(GetParam()) == REDSTREAM_EXAMPLE_COROUTINE)
            GTEST_SKIP() << "Asio has no coroutine support with this compiler";
#endif
    }
};

TEST_P(AsyncExampleTest, EveryPingComesBack) {
    const auto r = run(GetParam(), {"--stream", url("pings"), "--interval", "0", "--count", "5"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = lines_of(r.out);
    const auto sent = starting_with(lines, "sent ");
    const auto received = starting_with(lines, "received ");
    ASSERT_EQ(sent.size(), 5u) << r.out;
    ASSERT_EQ(received.size(), 5u) << r.out;
    const auto entries = read_all("pings");
    ASSERT_EQ(entries.size(), 5u);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto tail = entries[i].id().to_string() + " ping " + std::to_string(i);
        EXPECT_EQ(sent[i], "sent " + tail);
        EXPECT_EQ(received[i], "received " + tail);
    }
}

TEST_P(AsyncExampleTest, SigintCancelsBothLoops) {
    PipedProcess child({GetParam(), "--stream", url("pings"), "--interval", "20ms"});
    const auto deadline = std::chrono::steady_clock::now() + example_timeout;
    std::string line;
    std::size_t received = 0;
    while (received < 2 && child.read_line(line, deadline))
        received += line.starts_with("received ");
    ASSERT_EQ(received, 2u);
    child.kill(SIGINT);
    read_to_end(child);
    EXPECT_EQ(child.wait(), 0);
}

INSTANTIATE_TEST_SUITE_P(Examples, AsyncExampleTest,
                         ::testing::Values(REDSTREAM_EXAMPLE_COROUTINE, REDSTREAM_EXAMPLE_CALLBACK),
                         [](const auto& info) {
                             return std::string(info.param) == REDSTREAM_EXAMPLE_COROUTINE
                                        ? "coroutine"
                                        : "callback";
                         });

}  // namespace
}  // namespace redstream::test
