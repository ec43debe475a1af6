// XRANGE and XREVRANGE: entries by id range.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

/// Appends `XRANGE key start end [COUNT n]` (ascending ids). Bounds are `-`,
/// `+`, an id, or `(id` to exclude it; COUNT is not sent when empty.
void xrange(resp::Request& req, std::string_view key, RangeBound start = RangeBound::min(),
            RangeBound end = RangeBound::max(), std::optional<std::uint64_t> count = {});

/// Appends `XREVRANGE key end start [COUNT n]` (descending ids; note that
/// the upper bound comes first, as in Redis).
void xrevrange(resp::Request& req, std::string_view key, RangeBound end = RangeBound::max(),
               RangeBound start = RangeBound::min(), std::optional<std::uint64_t> count = {});

/// Reply of both: the entries in reply order. Errors: wrongtype, server_error
/// (e.g. an invalid range), or unexpected_reply.
inline std::vector<StreamEntry> decode_xrange(const resp::Value& v, std::error_code& ec) {
    return decode_entries(v, ec);
}

}  // namespace redstream::commands
