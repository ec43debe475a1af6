// XCLAIM and XAUTOCLAIM: take over pending entries of other consumers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

struct XClaimOptions {
    /// IDLE: set the claimed entries' idle time to this (default: reset to 0).
    std::optional<std::chrono::milliseconds> idle{};
    /// TIME: set the idle time as if the last delivery was at this Unix time (ms).
    std::optional<std::uint64_t> time_ms{};
    /// RETRYCOUNT: set the delivery counter to this (default: incremented,
    /// unless JUSTID).
    std::optional<std::uint64_t> retry_count{};
    /// FORCE: create pending entries for ids not yet pending (if they exist
    /// in the stream).
    bool force = false;
    /// JUSTID: reply with ids only and do not increment the delivery counter.
    bool justid = false;
    /// LASTID: also move the group's last-delivered id forward to this.
    std::optional<MessageId> last_id{};
};

/// Appends `XCLAIM key group consumer min-idle-ms id... [IDLE ms] [TIME ms]
/// [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]`. Only entries idle at least
/// `min_idle` are claimed. `ids` must not be empty.
void xclaim(resp::Request& req, std::string_view key, std::string_view group,
            std::string_view consumer, std::chrono::milliseconds min_idle, IdList ids,
            const XClaimOptions& opts = {});

/// Reply without JUSTID: the claimed entries (`deleted()` for a pending id
/// whose entry is gone, if the server reports it). Errors: the server's code
/// (nogroup, wrongtype) or unexpected_reply.
inline std::vector<StreamEntry> decode_xclaim(const resp::Value& v, std::error_code& ec) {
    return decode_entries(v, ec);
}

/// Reply with JUSTID: the claimed ids.
inline std::vector<MessageId> decode_xclaim_justid(const resp::Value& v, std::error_code& ec) {
    return decode_ids(v, ec);
}

struct XAutoClaimOptions {
    /// COUNT: pending entries to claim per call (server default 100); the
    /// server scans at most 10x this many. Not sent when empty.
    std::optional<std::uint64_t> count{};
    /// JUSTID: reply with ids only and do not increment the delivery counter.
    bool justid = false;
};

/// Appends `XAUTOCLAIM key group consumer min-idle-ms start [COUNT n] [JUSTID]`.
/// `consumer` is the new owner. Start at `0-0` and pass the reply's `next`
/// until it is `0-0` again.
void xautoclaim(resp::Request& req, std::string_view key, std::string_view group,
                std::string_view consumer, std::chrono::milliseconds min_idle, MessageId start,
                const XAutoClaimOptions& opts = {});

/// Reply of XAUTOCLAIM.
struct XAutoClaimReply {
    /// Cursor for the next call; `0-0` when the scan is complete.
    MessageId next{};
    /// Claimed entries (without JUSTID).
    std::vector<StreamEntry> entries;
    /// Claimed ids (with JUSTID; also filled without it, from `entries`).
    std::vector<MessageId> ids;
    /// Pending ids whose entries no longer exist: the server removed them
    /// from the pending list (Redis 7+; empty before).
    std::vector<MessageId> deleted;
};

/// Decodes either form (with or without JUSTID). Errors: the server's code
/// (nogroup, wrongtype) or unexpected_reply.
XAutoClaimReply decode_xautoclaim(const resp::Value& v, std::error_code& ec);

}  // namespace redstream::commands
