// SCAN ... TYPE stream on every master in turn (the one server standalone),
// with a cursor per master, over the router's shared connection to each: the
// way consumers discover shards (consumer/discovery.cpp), for the
// administration API. Bounded: it stops once `limit` keys were kept.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "job.hpp"

namespace redstream::detail {

struct KeyScanSpec {
    /// SCAN's MATCH.
    std::string match;
    /// Keys to keep of those matched (e.g. shards of one stream); none: all.
    std::function<bool(std::string_view)> keep;
    /// Most keys kept; the scan stops there, `truncated` if more may match.
    std::size_t limit = 0;
};

/// The keys kept, each once, in the order found.
using KeyScanThen =
    std::function<void(std::error_code, std::vector<std::string> keys, bool truncated)>;

void scan_keys(const AdminEnv& env, KeyScanSpec spec, KeyScanThen then);

}  // namespace redstream::detail
