// XGROUP: create, move, and destroy consumer groups and consumers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

struct XGroupCreateOptions {
    /// MKSTREAM: create the stream (empty) if it does not exist.
    bool mkstream = false;
    /// ENTRIESREAD: how many entries the group has read so far, which lets
    /// the server compute the group's lag; not sent when empty.
    std::optional<std::int64_t> entries_read{};
};

/// Appends `XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]`.
/// `start` is `new_entries()` ($) or `after(id)` (the last delivered id).
/// Reply: OK (decode_ok). Errors: busygroup, or server_error when the stream
/// is missing without MKSTREAM.
void xgroup_create(resp::Request& req, std::string_view key, std::string_view group,
                   StreamStart start, const XGroupCreateOptions& opts = {});

/// Appends `XGROUP CREATECONSUMER key group consumer`.
/// Reply: decode_flag (true if the consumer was created). Errors: nogroup.
void xgroup_createconsumer(resp::Request& req, std::string_view key, std::string_view group,
                           std::string_view consumer);

struct XGroupSetIdOptions {
    /// ENTRIESREAD: the group's new read counter; not sent when empty.
    std::optional<std::int64_t> entries_read{};
};

/// Appends `XGROUP SETID key group id|$ [ENTRIESREAD n]`.
/// Reply: OK (decode_ok). Errors: nogroup.
void xgroup_setid(resp::Request& req, std::string_view key, std::string_view group,
                  StreamStart start, const XGroupSetIdOptions& opts = {});

/// Appends `XGROUP DESTROY key group`. Reply: decode_flag (true if
/// a group was destroyed). Errors: server_error for a missing stream.
void xgroup_destroy(resp::Request& req, std::string_view key, std::string_view group);

/// Appends `XGROUP DELCONSUMER key group consumer`. Its pending entries are
/// dropped: claim them first. Reply: decode_count (pending entries the
/// consumer had). Errors: nogroup.
void xgroup_delconsumer(resp::Request& req, std::string_view key, std::string_view group,
                        std::string_view consumer);

}  // namespace redstream::commands
