// Positions and times as people type them on the command line: `beginning`,
// `end`, an entry id, an RFC 3339 time, or one relative to now (`-1h`,
// `@-5m`). No I/O, so the unit tests cover every form.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>

namespace redstream::cli {

/// Where to start (or stop) in a stream.
struct Position {
    enum class Kind { beginning, end, id, time };
    Kind kind = Kind::end;
    MessageId id{};    ///< Kind::id
    Timestamp time{};  ///< Kind::time
};

/// A duration: digits with a unit, possibly several (`250ms`, `5m`, `1h30m`,
/// `2d`; units ms, s, m, h, d). Throws UsageError, naming `what`.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what);

/// `beginning` (or `earliest`), `end` (or `latest`, `now`), an id `ms-seq`,
/// a time: RFC 3339 (`2026-12-03T10:00:00Z`, `...+01:00`, fractions), `@MS`
/// (Unix milliseconds), or relative to `now`: `-1h`, `@-5m`, `+10s`. A bare
/// number is an id (`ms`). Throws UsageError, naming `what`.
Position parse_position(std::string_view text, Timestamp now, std::string_view what);

/// RFC 3339 in UTC with milliseconds: `2026-12-03T10:00:00.123Z`.
std::string format_time(Timestamp t);

/// The first id at or after `t`.
inline MessageId id_at(Timestamp t) {
    const auto ms = t.time_since_epoch().count();
    return {ms < 0 ? 0 : static_cast<std::uint64_t>(ms), 0};
}

/// The id right before `id` (0-0 stays 0-0): e.g. the last delivered id of
/// a group that is to get `id` next.
inline MessageId id_before(MessageId id) noexcept {
    if (id.seq > 0) return {id.ms, id.seq - 1};
    if (id.ms > 0) return {id.ms - 1, UINT64_MAX};
    return id;
}

}  // namespace redstream::cli
