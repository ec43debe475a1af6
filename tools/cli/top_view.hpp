// What `redstream top` shows, without I/O: one sample of every stream (and
// group) per refresh, rates from the difference of two samples, and the
// screen or JSON lines made of them. cmd_top.cpp takes the samples.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <redstream/core/message_id.hpp>

#include "json_text.hpp"

namespace redstream::cli {

/// A consumer group over every key of a stream that has it.
struct TopGroup {
    std::string name;
    std::uint64_t consumers = 0;  ///< Summed over the keys.
    std::uint64_t pending = 0;    ///< Delivered, not yet acked.
    /// Entries not yet delivered; nullopt when a key cannot tell.
    std::optional<std::uint64_t> lag{};
    /// Entries the group has read (its counter); nullopt when a key cannot tell.
    std::optional<std::uint64_t> read{};
    /// Entries read per second since the last sample; nullopt for the first.
    std::optional<double> rate{};
};

/// A stream (its keys `name` and `name:N` together).
struct TopStream {
    std::string name;
    std::uint64_t keys = 0;
    std::uint64_t length = 0;
    /// Entries ever added (Redis 7 counts them; before, the length).
    std::uint64_t added = 0;
    std::optional<MessageId> last_id{};  ///< The newest over its keys.
    /// Entries added per second since the last sample; nullopt for the first.
    std::optional<double> rate{};
    std::vector<TopGroup> groups;  ///< By name.
};

/// One refresh.
struct TopSample {
    std::chrono::steady_clock::time_point at{};
    std::chrono::system_clock::time_point wall{};
    std::vector<TopStream> streams;  ///< By name.
    bool truncated = false;          ///< More keys matched than were listed.
};

/// Fills the rates of `now` from `before` (the previous sample): the change
/// of `added` (of `read` for groups) over the time between them. A stream or
/// group that is new, or whose counter went back (deleted and made again),
/// has no rate.
void fill_rates(TopSample& now, const TopSample& before);

/// What the screen shows: a title, a header and a row per stream and per
/// group (indented under its stream), each at most `width` columns, and at
/// most `height` lines in all (the last then says how many were left out).
std::vector<std::string> top_screen(const TopSample& s, const std::string& pattern,
                                    std::chrono::milliseconds interval, std::size_t width,
                                    std::size_t height);

/// The screen as written to a terminal: cursor home, each line cleared to
/// its end, the rest of the screen cleared. Redraws in place.
std::string top_frame(const std::vector<std::string>& lines);

/// One JSON object per stream and per group (after its stream): time,
/// stream, [group,] and the numbers; null for what is unknown.
std::vector<Json> top_json(const TopSample& s);

}  // namespace redstream::cli
