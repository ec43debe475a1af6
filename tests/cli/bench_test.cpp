// `redstream bench`: small runs against a server of their own print sane,
// verified numbers and leave nothing behind; percentiles are by rank.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_io_support.hpp"
#include "latency_stats.hpp"

namespace cli = redstream::cli;
namespace rt = redstream::test;

namespace {

TEST(CliLatencyStats, NearestRankPercentiles) {
    std::vector<std::int64_t> ns;
    for (int i = 1000; i >= 1; --i)
        ns.push_back(i * 1'000'000LL);  // 1 .. 1000 ms, unsorted
    const auto s = cli::summarize(ns);
    EXPECT_EQ(s.samples, 1000U);
    EXPECT_DOUBLE_EQ(s.p50_ms, 500);
    EXPECT_DOUBLE_EQ(s.p99_ms, 990);
    EXPECT_DOUBLE_EQ(s.p999_ms, 999);
    EXPECT_DOUBLE_EQ(s.max_ms, 1000);
    EXPECT_DOUBLE_EQ(s.mean_ms, 500.5);
    std::vector<std::int64_t> none;
    EXPECT_EQ(cli::summarize(none).samples, 0U);
}

// Percentiles in order and within what the run could have taken.
void expect_sane(const cli::Json& latency, std::uint64_t samples) {
    EXPECT_EQ(latency["samples"], samples);
    const double p50 = latency["p50"], p99 = latency["p99"], p999 = latency["p99.9"],
                 max = latency["max"];
    EXPECT_GT(p50, 0);
    EXPECT_LE(p50, p99);
    EXPECT_LE(p99, p999);
    EXPECT_LE(p999, max);
    EXPECT_LT(max, 30'000) << "no sample beyond the run's deadline";
}

class CliBench : public rt::CliServerTest {};

TEST_F(CliBench, ProduceCountsEverySendAndLeavesNothingBehind) {
    const auto r = cli({"bench", "produce", "--count", "3000", "--size", "64", "--shards", "3"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = rt::json_lines(r.out).at(0);
    EXPECT_EQ(j["bench"], "produce");
    EXPECT_EQ(j["sent"], 3000);
    EXPECT_EQ(j["confirmed"], 3000);
    EXPECT_EQ(j["failed"], 0);
    EXPECT_EQ(j["stored"], 3000);
    EXPECT_EQ(j["verified"], true);
    EXPECT_GT(j["msgs_per_sec"].get<double>(), 0);
    EXPECT_GT(j["seconds"].get<double>(), 0);
    expect_sane(j["latency_ms"], 3000);
    EXPECT_EQ(keys(), 0) << "the temporary stream is deleted";
}

TEST_F(CliBench, ConsumeGetsEveryMessageOnceLiveAndOnReadBack) {
    const auto r = cli(
        {"bench", "consume", "--count", "400", "--rate", "4000", "--size", "32", "--shards", "3"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = rt::json_lines(r.out).at(0);
    EXPECT_EQ(j["bench"], "consume");
    EXPECT_EQ(j["sent"], 400);
    EXPECT_EQ(j["received"], 400);
    EXPECT_EQ(j["missing"], 0);
    EXPECT_EQ(j["duplicates"], 0);
    EXPECT_EQ(j["read_back"]["messages"], 400);
    EXPECT_GT(j["read_back"]["msgs_per_sec"].get<double>(), 0);
    EXPECT_EQ(j["verified"], true);
    expect_sane(j["latency_ms"], 400);
    EXPECT_EQ(keys(), 0);
}

TEST_F(CliBench, KeepAndANamedStreamStay) {
    ASSERT_EQ(cli({"bench", "produce", "--count", "10", "--keep"}).status, 0);
    EXPECT_EQ(keys(), 1);
    const auto r = cli({"bench", "produce", "--count", "10", "--stream", "mine"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(rt::json_lines(r.out).at(0)["stream"], "mine");
    EXPECT_EQ(server_.cli({"XLEN", "mine"}), "10");
}

TEST_F(CliBench, BadArgumentsExitTwo) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"bench", "consume", "--size", "8"},
                                               {"bench", "produce", "--rate", "0"},
                                               {"bench", "produce", "--count", "0"},
                                               {"bench", "--count", "5"},
                                               {"bench"}}) {
        const auto r = cli(args);
        EXPECT_EQ(r.status, 2) << args.back() << ": " << r.err;
        EXPECT_EQ(rt::split_lines(r.err).size(), 1U) << r.err;
    }
    EXPECT_EQ(keys(), 0);
}

}  // namespace
