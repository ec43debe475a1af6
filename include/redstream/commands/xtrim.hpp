// XTRIM, XDEL, XLEN, XSETID: stream size and bookkeeping.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

/// Appends `XTRIM key MAXLEN|MINID =|~ threshold [LIMIT n]`. `trim.strategy`
/// must not be `none`. Reply: decode_count (entries evicted).
void xtrim(resp::Request& req, std::string_view key, const TrimOptions& trim);

/// Appends `XDEL key id...`. Reply: decode_count (entries deleted).
void xdel(resp::Request& req, std::string_view key, IdList ids);

/// Appends `XLEN key`. Reply: decode_count (0 for a missing key).
void xlen(resp::Request& req, std::string_view key);

struct XSetIdOptions {
    /// ENTRIESADDED: the stream's count of entries ever added; not sent when empty.
    std::optional<std::uint64_t> entries_added{};
    /// MAXDELETEDID: the largest id deleted so far; not sent when empty.
    std::optional<MessageId> max_deleted_id{};
};

/// Appends `XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]`.
/// Reply: OK (decode_ok). Errors: server_error (missing key, or an id
/// smaller than the stream's last entry).
void xsetid(resp::Request& req, std::string_view key, MessageId last_id,
            const XSetIdOptions& opts = {});

}  // namespace redstream::commands
