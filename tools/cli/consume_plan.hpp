// `consume`'s arguments as typed, and what they mean once checked: the
// consumer's options, where to start and stop, and how to print. Checking
// does no I/O, so a bad argument is reported before anything is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <redstream/redis/consumer.hpp>

#include "message_format.hpp"
#include "time_spec.hpp"

namespace redstream::cli {

struct ConsumeArgs {
    std::vector<std::string> streams;
    std::optional<std::string> from;
    std::optional<std::string> until;
    bool exit_at_end = false;
    std::optional<std::uint64_t> count;
    std::optional<std::string> format;
    std::optional<std::string> group;
    std::optional<std::string> member;
    std::optional<std::string> mode;
    std::optional<std::string> ack;
};

struct ConsumePlan {
    std::vector<StreamKey> streams;
    ConsumerOptions options;
    /// Where to start: a real-time consumer is moved there; a group that
    /// does not exist yet is created there.
    Position from;
    /// The last id wanted, if any.
    std::optional<MessageId> until;
    /// Stop once every key is drained to what it held at the start (-e, or
    /// an --until that has already passed).
    bool drain = false;
    std::optional<std::uint64_t> count;
    /// JSON lines (message_json) rather than `format`.
    bool json = false;
    MessageFormat format = MessageFormat::people();

    bool group_mode() const noexcept { return options.mode != ConsumerMode::real_time; }
    /// The tool acks what it wrote (AutoCommit::rolling and disabled).
    bool acks() const noexcept {
        return group_mode() && (options.auto_commit == AutoCommit::rolling ||
                                options.auto_commit == AutoCommit::disabled);
    }
};

/// Checks `args`; throws UsageError saying what is wrong. `json_output`:
/// -J was given or stdout is not a terminal.
ConsumePlan make_consume_plan(const ConsumeArgs& args, std::string_view payload_field,
                              bool json_output, Timestamp now);

/// The last id at or before `t` (an --until time includes its whole millisecond).
MessageId last_id_at(Timestamp t) noexcept;

}  // namespace redstream::cli
