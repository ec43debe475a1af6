// What the administration commands (streams, groups, pending, claim, dlq,
// trim, delete, cluster) share: argument checks that end in exit code 2,
// positions in a group, and how ids and times are written.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/commands/types.hpp>
#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/redis/admin_types.hpp>

#include "json_text.hpp"
#include "time_spec.hpp"

namespace redstream::cli {

/// A stream named on the command line; UsageError for a name StreamKey
/// refuses (empty, too long).
StreamKey stream_arg(std::string_view name);

/// parse_duration(), and a bare `0` (no unit needed for nothing).
std::chrono::milliseconds duration_arg(std::string_view text, std::string_view what);

/// Where a group is moved to (`groups seek --to`, `groups create --from`):
/// the first entry it is to get next, as XGROUP takes it: `$` for the end,
/// else the last delivered id, `0` for the beginning.
commands::StreamStart group_start(const Position& to) noexcept;

/// Parses --to / --from for a group (beginning, end, an id or a time);
/// UsageError naming `what`.
commands::StreamStart group_start_arg(std::string_view text, std::string_view what);

/// `ms-seq`, and its time for people.
std::string id_text(const std::optional<MessageId>& id);
std::string id_time_text(const std::optional<MessageId>& id);
/// The id as a JSON string, null when empty.
Json id_json(const std::optional<MessageId>& id);
/// The id's time (RFC 3339) as JSON, null when empty.
Json id_time_json(const std::optional<MessageId>& id);

/// Writes one JSON line to stdout.
void print_json_line(const Json& line);

}  // namespace redstream::cli
