// XINFO STREAM [FULL], XINFO GROUPS, XINFO CONSUMERS: introspection.
// Replies are RESP3 maps or RESP2 flat key/value arrays; both decode the
// same. Keys a newer server adds are ignored, keys it lacks stay default.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

/// Appends `XINFO STREAM key`.
void xinfo_stream(resp::Request& req, std::string_view key);

/// Fields both forms of XINFO STREAM report.
struct XInfoStreamCommon {
    /// Entries in the stream.
    std::uint64_t length = 0;
    /// Radix-tree keys and nodes (memory layout).
    std::uint64_t radix_tree_keys = 0;
    std::uint64_t radix_tree_nodes = 0;
    /// The id of the last entry ever added (even if deleted since).
    MessageId last_generated_id{};
    /// The largest id deleted or trimmed (Redis 7+).
    MessageId max_deleted_entry_id{};
    /// Entries ever added (Redis 7+).
    std::uint64_t entries_added = 0;
    /// The first entry's id as recorded by the stream (Redis 7+).
    MessageId recorded_first_entry_id{};
};

/// Reply of XINFO STREAM.
struct XInfoStream : XInfoStreamCommon {
    /// Consumer groups of the stream.
    std::uint64_t groups = 0;
    /// First and last entries (empty for an empty stream).
    std::optional<StreamEntry> first_entry{};
    std::optional<StreamEntry> last_entry{};
};

/// Errors: server_error for a missing key, wrongtype, or unexpected_reply.
XInfoStream decode_xinfo_stream(const resp::Value& v, std::error_code& ec);

/// Appends `XINFO STREAM key FULL [COUNT n]`; `count` limits entries and
/// pending lists (server default 10, 0 = all); not sent when empty.
void xinfo_stream_full(resp::Request& req, std::string_view key,
                       std::optional<std::uint64_t> count = {});

/// One entry of a group's pending list (FULL form).
struct GroupPendingEntry {
    MessageId id{};                      ///< The entry id.
    std::string_view consumer;           ///< Its owner.
    std::uint64_t delivery_time_ms = 0;  ///< Unix time (ms) of the last delivery.
    std::uint64_t deliveries = 0;        ///< Delivery count.
};

/// One entry of a consumer's pending list (FULL form).
struct ConsumerPendingEntry {
    MessageId id{};                      ///< The entry id.
    std::uint64_t delivery_time_ms = 0;  ///< Unix time (ms) of the last delivery.
    std::uint64_t deliveries = 0;        ///< Delivery count.
};

/// A consumer of a group (FULL form).
struct XInfoFullConsumer {
    std::string_view name;                          ///< Consumer name.
    std::uint64_t seen_time_ms = 0;                 ///< Unix time (ms) of its last attempt.
    std::optional<std::uint64_t> active_time_ms{};  ///< Last successful read (Redis 7.2+).
    std::uint64_t pel_count = 0;                    ///< Its pending entries.
    std::vector<ConsumerPendingEntry> pending;      ///< Up to COUNT of them.
};

/// A consumer group (FULL form).
struct XInfoFullGroup {
    std::string_view name;                       ///< Group name.
    MessageId last_delivered_id{};               ///< Last id delivered to the group.
    std::optional<std::int64_t> entries_read{};  ///< Read counter; empty when unknown.
    std::optional<std::int64_t> lag{};           ///< Entries not yet delivered; empty when unknown.
    std::uint64_t pel_count = 0;                 ///< Pending entries of the group.
    std::vector<GroupPendingEntry> pending;      ///< Up to COUNT of them.
    std::vector<XInfoFullConsumer> consumers;    ///< The group's consumers.
};

/// Reply of XINFO STREAM FULL.
struct XInfoStreamFull : XInfoStreamCommon {
    /// Up to COUNT entries from the start.
    std::vector<StreamEntry> entries;
    /// Every group with its pending list and consumers.
    std::vector<XInfoFullGroup> groups;
};

/// Errors: server_error for a missing key, wrongtype, or unexpected_reply.
XInfoStreamFull decode_xinfo_stream_full(const resp::Value& v, std::error_code& ec);

/// Appends `XINFO GROUPS key`.
void xinfo_groups(resp::Request& req, std::string_view key);

/// One group of XINFO GROUPS.
struct XInfoGroup {
    std::string_view name;                       ///< Group name.
    std::uint64_t consumers = 0;                 ///< Number of consumers.
    std::uint64_t pending = 0;                   ///< Pending entries.
    MessageId last_delivered_id{};               ///< Last id delivered to the group.
    std::optional<std::int64_t> entries_read{};  ///< Read counter (nil when unknown).
    std::optional<std::int64_t> lag{};           ///< Undelivered entries (nil when unknown).
};

/// Errors: server_error for a missing key, wrongtype, or unexpected_reply.
std::vector<XInfoGroup> decode_xinfo_groups(const resp::Value& v, std::error_code& ec);

/// Appends `XINFO CONSUMERS key group`.
void xinfo_consumers(resp::Request& req, std::string_view key, std::string_view group);

/// One consumer of XINFO CONSUMERS.
struct XInfoConsumer {
    std::string_view name;              ///< Consumer name.
    std::uint64_t pending = 0;          ///< Its pending entries.
    std::chrono::milliseconds idle{0};  ///< Since its last attempted interaction.
    /// Since its last successful read (Redis 7.2+; empty before, or never read).
    std::optional<std::chrono::milliseconds> inactive{};
};

/// Errors: nogroup, server_error for a missing key, or unexpected_reply.
std::vector<XInfoConsumer> decode_xinfo_consumers(const resp::Value& v, std::error_code& ec);

}  // namespace redstream::commands
