// XPENDING: inspect a consumer group's pending entries list (PEL).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

/// Appends the summary form `XPENDING key group`.
void xpending(resp::Request& req, std::string_view key, std::string_view group);

/// Reply of the summary form.
struct XPendingSummary {
    /// Pending entries of one consumer.
    struct Consumer {
        /// Consumer name (a view into the reply).
        std::string_view name;
        /// Its pending entries.
        std::uint64_t pending = 0;
    };
    /// Pending entries in the group.
    std::uint64_t count = 0;
    /// Smallest and largest pending ids (empty when nothing is pending).
    std::optional<MessageId> smallest{};
    std::optional<MessageId> largest{};
    /// Consumers with at least one pending entry.
    std::vector<Consumer> consumers;
};

/// Errors: the server's code (nogroup, wrongtype) or unexpected_reply.
XPendingSummary decode_xpending_summary(const resp::Value& v, std::error_code& ec);

struct XPendingOptions {
    static constexpr std::uint64_t default_count = 100;

    /// IDLE: only entries idle at least this long; not sent when empty.
    std::optional<std::chrono::milliseconds> min_idle{};
    /// Start of the id range (`-`, an id, or `(id` exclusive).
    RangeBound start = RangeBound::min();
    /// End of the id range (`+`, an id, or `(id` exclusive).
    RangeBound end = RangeBound::max();
    /// Most entries returned (required by the server).
    std::uint64_t count = default_count;
    /// Only entries of this consumer; empty for all.
    std::string_view consumer{};
};

/// Appends the extended form `XPENDING key group [IDLE ms] start end count [consumer]`.
void xpending(resp::Request& req, std::string_view key, std::string_view group,
              const XPendingOptions& opts);

/// One pending entry of the extended form.
struct PendingEntry {
    /// The entry id.
    MessageId id{};
    /// Its current owner (a view into the reply).
    std::string_view consumer;
    /// Time since it was last delivered.
    std::chrono::milliseconds idle{0};
    /// How many times it was delivered.
    std::uint64_t deliveries = 0;
};

/// Errors: the server's code (nogroup, wrongtype) or unexpected_reply.
std::vector<PendingEntry> decode_xpending(const resp::Value& v, std::error_code& ec);

}  // namespace redstream::commands
