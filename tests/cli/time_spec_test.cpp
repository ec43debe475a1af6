// The command line's positions and durations (tools/cli/time_spec.hpp).
#include <gtest/gtest.h>

#include "cli.hpp"
#include "time_spec.hpp"

namespace rs = redstream;
namespace cli = redstream::cli;
using namespace std::chrono_literals;
using K = cli::Position::Kind;

namespace {
const rs::Timestamp now{1'764'756'000'000ms};  // 2025-12-03T10:00:00Z
}

TEST(CliTimeSpec, DurationsAddTheirUnits) {
    EXPECT_EQ(cli::parse_duration("250ms", "x"), 250ms);
    EXPECT_EQ(cli::parse_duration("5m", "x"), 5min);
    EXPECT_EQ(cli::parse_duration("1h30m", "x"), 90min);
    EXPECT_EQ(cli::parse_duration("2d", "x"), 48h);
    for (const char* bad : {"", "5", "m", "5x", "1h-", "-5m"})
        EXPECT_THROW(cli::parse_duration(bad, "--x"), cli::UsageError) << bad;
}

TEST(CliTimeSpec, NamedPositionsIdsAndTimes) {
    EXPECT_EQ(cli::parse_position("beginning", now, "x").kind, K::beginning);
    EXPECT_EQ(cli::parse_position("end", now, "x").kind, K::end);
    const auto id = cli::parse_position("1700000000000-7", now, "x");
    ASSERT_EQ(id.kind, K::id);
    EXPECT_EQ(id.id, (rs::MessageId{1700000000000, 7}));
    const auto bare = cli::parse_position("42", now, "x");
    EXPECT_EQ(bare.kind, K::id);
    EXPECT_EQ(bare.id, (rs::MessageId{42, 0}));

    const auto utc = cli::parse_position("2025-12-03T10:00:00Z", now, "x");
    ASSERT_EQ(utc.kind, K::time);
    EXPECT_EQ(utc.time, now);
    EXPECT_EQ(cli::parse_position("2025-12-03T11:00:00.250+01:00", now, "x").time, now + 250ms);
    EXPECT_EQ(cli::parse_position("@1764756000000", now, "x").time, now);
}

TEST(CliTimeSpec, RelativeTimesCountFromNow) {
    EXPECT_EQ(cli::parse_position("-1h", now, "x").time, now - 1h);
    EXPECT_EQ(cli::parse_position("@-5m", now, "x").time, now - 5min);
    EXPECT_EQ(cli::parse_position("+10s", now, "x").time, now + 10s);
}

TEST(CliTimeSpec, AnythingElseIsAUsageErrorNamingTheOption) {
    for (const char* bad : {"", "yesterday", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
                            "2025-12-03T10:00:00", "@x", "1-2-3"}) {
        try {
            cli::parse_position(bad, now, "--from");
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const cli::UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("--from"), std::string::npos) << e.what();
        }
    }
}

TEST(CliTimeSpec, TimesAreWrittenInRfc3339Utc) {
    EXPECT_EQ(cli::format_time(now + 123ms), "2025-12-03T10:00:00.123Z");
    EXPECT_EQ(cli::format_time(rs::Timestamp{0ms}), "1970-01-01T00:00:00.000Z");
}
