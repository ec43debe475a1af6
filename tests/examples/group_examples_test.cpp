// The group examples: resumable (restarts continue without loss or
// duplicates), load_balanced (the workers share the stream, each message
// processed once) and processor (every input transformed, nothing left
// pending).
#include <algorithm>
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "examples/example_fixture.hpp"

namespace redstream::test {
namespace {

using ResumableTest = ExampleTest;
using LoadBalancedTest = ExampleTest;
using ProcessorTest = ExampleTest;

std::vector<std::string> numbered(const std::string& prefix, std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(prefix + std::to_string(i));
    return out;
}

// What follows the first `skip` words of `line`.
std::string after(const std::string& line, int skip) {
    std::size_t at = 0;
    for (int i = 0; i < skip; ++i)
        at = line.find(' ', at) + 1;
    return line.substr(at);
}

// The payloads of `id payload` lines.
std::vector<std::string> payloads_of(const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines)
        out.push_back(after(l, 1));
    return out;
}

TEST_F(ResumableTest, ARestartContinuesWhereTheLastRunStopped) {
    const auto sent = numbered("m", 10);
    produce("jobs", sent);
    const auto first = run(REDSTREAM_EXAMPLE_RESUMABLE, {"--stream", url("jobs"), "--count", "4"});
    ASSERT_EQ(first.status, 0) << first.err;
    const auto second = run(REDSTREAM_EXAMPLE_RESUMABLE, {"--stream", url("jobs"), "--count", "6"});
    ASSERT_EQ(second.status, 0) << second.err;
    auto got = payloads_of(lines_of(first.out));
    ASSERT_EQ(got.size(), 4u) << first.out;
    const auto rest = payloads_of(lines_of(second.out));
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, sent);  // in order, none lost, none twice
    EXPECT_EQ(pending("jobs", "resumable"), 0u);
}

TEST_F(ResumableTest, SigtermCommitsAndTheNextRunGetsTheRest) {
    const auto sent = numbered("m", 1000);
    produce("jobs", sent);
    // A small pipe: the consumer is stopped well before the end.
    PipedProcess first({REDSTREAM_EXAMPLE_RESUMABLE, "--stream", url("jobs"), "--group", "g"},
                       4096);
    const auto deadline = std::chrono::steady_clock::now() + example_timeout;
    std::vector<std::string> lines;
    std::string line;
    while (lines.size() < 150 && first.read_line(line, deadline))
        lines.push_back(line);
    first.kill(SIGTERM);
    const auto tail = read_to_end(first);
    lines.insert(lines.end(), tail.begin(), tail.end());
    ASSERT_EQ(first.wait(), 0);
    ASSERT_LT(lines.size(), sent.size()) << "the stop came too late to test anything";

    const auto rest = std::to_string(sent.size() - lines.size());
    const auto second = run(REDSTREAM_EXAMPLE_RESUMABLE,
                            {"--stream", url("jobs"), "--group", "g", "--count", rest});
    ASSERT_EQ(second.status, 0) << second.err;
    auto got = payloads_of(lines);
    const auto more = payloads_of(lines_of(second.out));
    got.insert(got.end(), more.begin(), more.end());
    EXPECT_EQ(got, sent);
    EXPECT_EQ(pending("jobs", "g"), 0u);
}

TEST_F(LoadBalancedTest, TheWorkersShareTheStreamAndEachMessageIsProcessedOnce) {
    // More than three members' prefetch (100 each), so that every worker
    // gets some whatever the order they start reading in.
    const auto sent = numbered("job ", 600);
    produce("jobs", sent);
    const auto r = run(REDSTREAM_EXAMPLE_LOAD_BALANCED,
                       {"--stream", url("jobs"), "--workers", "3", "--count", "600"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = lines_of(r.out);
    std::map<std::string, std::size_t> per_worker;
    std::multiset<std::string> processed;
    for (const auto& l : starting_with(lines, "worker-")) {
        ++per_worker[l.substr(0, l.find(' '))];
        processed.insert(after(l, 2));  // `worker-I id payload`
    }
    EXPECT_EQ(processed.size(), sent.size());
    for (const auto& p : sent)
        EXPECT_EQ(processed.count(p), 1u) << p;
    ASSERT_EQ(per_worker.size(), 3u);
    for (const auto& [worker, n] : per_worker)
        EXPECT_GT(n, 0u) << worker;
    const auto final_line = starting_with(lines, "final ");
    ASSERT_EQ(final_line.size(), 1u) << r.out;
    EXPECT_NE(final_line[0].find(" lag=0 pending=0"), std::string::npos) << final_line[0];
    EXPECT_EQ(pending("jobs", "load-balanced"), 0u);
}

TEST_F(ProcessorTest, EveryInputIsTransformedAndNothingIsLeftPending) {
    const auto sent = numbered("word ", 300);
    produce("words", sent);
    const auto r = run(REDSTREAM_EXAMPLE_PROCESSOR,
                       {"--input", url("words"), "--output", "shouts", "--count", "300"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto out = payloads("shouts");
    ASSERT_EQ(out.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        EXPECT_EQ(out[i], "WORD " + std::to_string(i));
    EXPECT_EQ(pending("words", "processor"), 0u);
}

TEST_F(ProcessorTest, SigtermAcksWhatWasStoredAndARestartDoesTheRest) {
    const auto sent = numbered("w", 20'000);
    produce("words", sent);
    const std::vector<std::string> args{"--input", url("words"), "--output",
                                        "shouts",  "--name",     "p1"};
    {
        std::vector<std::string> argv{REDSTREAM_EXAMPLE_PROCESSOR};
        argv.insert(argv.end(), args.begin(), args.end());
        PipedProcess first(argv);
        ASSERT_TRUE(eventually(
            [&] {
                return std::stoull(server().cli({"XLEN", "shouts"})) > 0;
            },
            example_timeout));
        first.kill(SIGTERM);
        read_to_end(first);
        ASSERT_EQ(first.wait(), 0);
    }
    const auto done = std::stoull(server().cli({"XLEN", "shouts"}));
    ASSERT_LT(done, sent.size()) << "the stop came too late to test anything";
    // What the first run took and did not process is pending for p1, which
    // the second run re-reads first.
    auto more = args;
    more.insert(more.end(), {"--count", std::to_string(sent.size() - done)});
    const auto second = run(REDSTREAM_EXAMPLE_PROCESSOR, more);
    ASSERT_EQ(second.status, 0) << second.err;
    const auto out = payloads("shouts");
    // Every input once, in order: a clean stop neither loses nor duplicates.
    ASSERT_EQ(out.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        ASSERT_EQ(out[i], "W" + std::to_string(i));
    EXPECT_EQ(pending("words", "processor"), 0u);
}

}  // namespace
}  // namespace redstream::test
