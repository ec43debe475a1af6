// SCAN, TYPE and DEL: the key commands that finding and removing streams
// needs. Each names at most one key, so each is safe on a Redis Cluster
// (SCAN names none: send it to every master).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

struct ScanOptions {
    /// MATCH: a glob the keys must match; not sent when empty.
    std::string_view match{};
    /// COUNT: how much work the server does per call (keys it looks at, not
    /// keys it returns); not sent when empty (server default 10).
    std::optional<std::uint64_t> count{};
    /// TYPE: only keys of this type (`stream`; Redis 6+); not sent when empty.
    std::string_view type{};
};

/// Appends `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`. Start with
/// cursor "0" and pass each reply's cursor until it is "0" again. A key may
/// be returned more than once; one present for the whole scan is returned.
void scan(resp::Request& req, std::string_view cursor, const ScanOptions& opts = {});

/// Reply of SCAN (views into the reply).
struct ScanReply {
    /// The cursor for the next call; "0" when the scan is complete.
    std::string_view cursor;
    /// The keys of this call (possibly none).
    std::vector<std::string_view> keys;

    bool done() const noexcept { return cursor == "0"; }
};

/// Errors: the server's code, or unexpected_reply.
ScanReply decode_scan(const resp::Value& v, std::error_code& ec);

/// Appends `TYPE key`.
void type(resp::Request& req, std::string_view key);

/// Reply of TYPE: "stream", "string", ..., "none" for a missing key (a view
/// into the reply). Errors: the server's code, or unexpected_reply.
std::string_view decode_type(const resp::Value& v, std::error_code& ec);

/// Appends `DEL key`: one key per command, so that it never spans hash slots.
/// Reply: decode_count (1 if the key existed).
void del(resp::Request& req, std::string_view key);

}  // namespace redstream::commands
