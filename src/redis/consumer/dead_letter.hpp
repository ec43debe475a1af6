// Dead letters: an entry delivered ConsumerOptions::max_deliveries times is
// not delivered again but moved to a dead-letter stream, so a poison message
// never blocks its group nor loops forever. The move is one server-side
// script: it acks the entry first and only if that removed it from the
// pending list (so two members racing for it cannot both move it) adds it to
// the dead-letter stream; a dead-letter key of the wrong type is refused
// before anything changes, so an entry is never acked without being moved.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <redstream/commands/types.hpp>
#include <redstream/resp/request.hpp>
#include <redstream/resp/value.hpp>

namespace redstream::detail {

/// Where the dead letters of `key` go: `configured`, or else a key in the
/// same cluster hash slot: `{<key>}:dead`, or `<key>:dead` when `key` has
/// a hash tag (or braces that make it hard to give one).
std::string dead_letter_key(std::string_view configured, std::string_view key);

/// Appends the script (one EVAL) that moves entry `e` of `key`, read in
/// `group`, to `dead_key`: the entry's fields, then the origin fields of
/// DeadLetterFields.
void dead_letter(resp::Request& req, std::string_view key, std::string_view dead_key,
                 std::string_view group, const commands::StreamEntry& e, std::uint64_t deliveries);

enum class DeadLetterOutcome : std::uint8_t {
    moved,        ///< Acked and added to the dead-letter stream.
    not_pending,  ///< Someone acked it first: nothing changed.
    failed,       ///< The server refused (wrong type, cross slot...): nothing changed.
};

/// Reads one reply of dead_letter(); `ec` says why it failed.
DeadLetterOutcome decode_dead_letter(const resp::Value& v, std::error_code& ec);

}  // namespace redstream::detail
