// Percentiles of measured latencies, for `bench`: every sample is kept
// (the benches bound their count), sorted once, read by rank.
#pragma once

#include <cstdint>
#include <vector>

namespace redstream::cli {

struct LatencySummary {
    std::uint64_t samples = 0;
    double p50_ms = 0;
    double p99_ms = 0;
    double p999_ms = 0;
    double max_ms = 0;
    double mean_ms = 0;
};

/// Summarises `ns` (nanoseconds; sorted in place). All zero when empty.
LatencySummary summarize(std::vector<std::int64_t>& ns);

}  // namespace redstream::cli
