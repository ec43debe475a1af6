// XREAD and XREADGROUP: read entries from one or more streams.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

/// One stream of a read and where to read it from.
struct StreamOffset {
    /// The stream key.
    std::string_view key;
    /// XREAD: `after(id)` or `new_entries()` ($). XREADGROUP: `undelivered()`
    /// (>) for new entries, or `after(id)` for this consumer's pending entries.
    StreamStart start{};
};

struct XReadOptions {
    /// COUNT: most entries per stream; not sent when empty (server: unbounded).
    std::optional<std::uint64_t> count{};
    /// BLOCK: wait this long for entries (0 = forever); not sent when empty.
    /// The request timeout must exceed it.
    std::optional<std::chrono::milliseconds> block{};
};

struct XReadGroupOptions {
    /// COUNT: most entries per stream; not sent when empty.
    std::optional<std::uint64_t> count{};
    /// BLOCK: wait this long for entries (0 = forever); not sent when empty.
    std::optional<std::chrono::milliseconds> block{};
    /// NOACK: do not add delivered entries to the pending list. Entries are
    /// then lost if the consumer crashes before processing them.
    bool noack = false;
};

/// Appends `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...`.
void xread(resp::Request& req, std::span<const StreamOffset> streams,
           const XReadOptions& opts = {});

/// Appends `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK]
/// STREAMS key... id...`.
void xreadgroup(resp::Request& req, std::string_view group, std::string_view consumer,
                std::span<const StreamOffset> streams, const XReadGroupOptions& opts = {});

/// The entries read from one stream.
struct StreamPage {
    /// The stream key (a view into the reply).
    std::string_view key;
    /// Entries in id order; pending entries whose body was deleted are kept
    /// with `deleted()` set.
    std::vector<StreamEntry> entries;
};

/// Reply of XREAD and XREADGROUP (RESP3 map or RESP2 array of [key, entries]):
/// one page per stream that had entries; empty when BLOCK timed out (nil).
/// Errors: the server's code (nogroup, wrongtype, ...) or unexpected_reply.
std::vector<StreamPage> decode_xread(const resp::Value& v, std::error_code& ec);

/// As decode_xread, into `out` (cleared first; its capacity is reused).
void decode_xread(const resp::Value& v, std::vector<StreamPage>& out, std::error_code& ec);

}  // namespace redstream::commands
