// The shared 1M × 64 B backlog of the RSS benchmarks (rss, rss_consumer):
// filled once per server (bench::ensure_backlog in hiredis_util.hpp, or
// `rss_hiredis fill`). The consumer benchmarks use backlogs of their own
// (bench/consume.hpp), whose payloads differ per entry so that a checksum
// can tell a lost or repeated message.
#pragma once

#include <string>

namespace bench {

inline const std::string backlog_key = "bench:backlog";
inline const std::string backlog_payload(64, 'x');

}  // namespace bench
