// The clock and consumer examples: ticks written, and printed back by a
// real-time consumer from the beginning or from the end.
#include <csignal>
#include <string>
#include <vector>

#include "examples/example_fixture.hpp"

namespace redstream::test {
namespace {

using ClockTest = ExampleTest;
using ConsumerTest = ExampleTest;

TEST_F(ClockTest, WritesCountTicksAndPrintsTheirIds) {
    const auto r =
        run(REDSTREAM_EXAMPLE_CLOCK, {"--stream", url("clock"), "--interval", "0", "--count", "5"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(server().cli({"XLEN", "clock"}), "5");
    const auto entries = read_all("clock");
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 5u) << r.out;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].payload(), "tick " + std::to_string(i));
        EXPECT_EQ(lines[i], entries[i].id().to_string() + " tick " + std::to_string(i));
    }
}

TEST_F(ClockTest, WaitsTheIntervalBetweenTicks) {
    const auto start = std::chrono::steady_clock::now();
    const auto r = run(REDSTREAM_EXAMPLE_CLOCK,
                       {"--stream", url("clock"), "--interval", "100ms", "--count", "3"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
    const auto entries = read_all("clock");
    ASSERT_EQ(entries.size(), 3u);
    // Ids carry the server's milliseconds: the ticks are 100 ms apart.
    EXPECT_GE(entries[2].id().ms - entries[0].id().ms, 190u);
}

TEST_F(ConsumerTest, FromTheBeginningPrintsWhatWasProduced) {
    const std::vector<std::string> sent{"one", "two", "three with spaces"};
    const auto ids = produce("events", sent);
    const auto r = run(REDSTREAM_EXAMPLE_CONSUMER,
                       {"--stream", url("events"), "--from", "beginning", "--count", "3"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3u) << r.out;
    for (std::size_t i = 0; i < sent.size(); ++i)
        EXPECT_EQ(lines[i], ids[i].to_string() + " " + sent[i]);
}

TEST_F(ConsumerTest, FromTheEndPrintsOnlyNewMessagesAndStopsOnSigint) {
    produce("events", {"old 1", "old 2"});
    PipedProcess consumer({REDSTREAM_EXAMPLE_CONSUMER, "--stream", url("events")});
    ASSERT_TRUE(a_reader_is_blocked());
    const auto ids = produce("events", {"new 1", "new 2"});
    const auto deadline = std::chrono::steady_clock::now() + example_timeout;
    std::string line;
    ASSERT_TRUE(consumer.read_line(line, deadline));
    EXPECT_EQ(line, ids[0].to_string() + " new 1");
    ASSERT_TRUE(consumer.read_line(line, deadline));
    EXPECT_EQ(line, ids[1].to_string() + " new 2");
    consumer.kill(SIGINT);
    EXPECT_TRUE(read_to_end(consumer).empty());
    EXPECT_EQ(consumer.wait(), 0);
}

TEST_F(ConsumerTest, ReadsSeveralStreams) {
    produce("a", {"from a"});
    produce("b", {"from b"});
    const auto r = run(REDSTREAM_EXAMPLE_CONSUMER,
                       {"--stream", url("a,b"), "--from", "beginning", "--count", "2"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(" from a\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" from b\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace redstream::test
