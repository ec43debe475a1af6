#include "latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace redstream::cli {

namespace {
constexpr double ns_per_ms = 1e6;

// The nearest-rank percentile: the smallest sample at or above q of them.
double rank(const std::vector<std::int64_t>& sorted, double q) {
    const auto n = static_cast<double>(sorted.size());
    auto at = static_cast<std::size_t>(std::ceil(q * n));
    at = std::clamp<std::size_t>(at, 1, sorted.size()) - 1;
    return static_cast<double>(sorted[at]) / ns_per_ms;
}
}  // namespace

LatencySummary summarize(std::vector<std::int64_t>& ns) {
    LatencySummary s;
    if (ns.empty()) return s;
    std::sort(ns.begin(), ns.end());
    s.samples = ns.size();
    s.p50_ms = rank(ns, 0.50);
    s.p99_ms = rank(ns, 0.99);
    s.p999_ms = rank(ns, 0.999);
    s.max_ms = static_cast<double>(ns.back()) / ns_per_ms;
    double sum = 0;
    for (const auto v : ns)
        sum += static_cast<double>(v);
    s.mean_ms = sum / static_cast<double>(ns.size()) / ns_per_ms;
    return s;
}

}  // namespace redstream::cli
