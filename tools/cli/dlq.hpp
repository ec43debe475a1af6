// `redstream dlq STREAM`: the dead letters group consumers wrote for the
// keys of STREAM (ConsumerOptions::max_deliveries), listed (dlq.cpp) or
// moved back to the keys they came from (--replay, dlq_replay.cpp).
//
// Where they are: a group consumer writes the dead letters of key K to
// `{K}:dead` (`K:dead` when K has braces), in K's hash slot, or to the one
// key ConsumerOptions::dead_letter_key names (--dead-key here). A dead letter
// is the entry's own fields, then DeadLetterFields: origin (K), group, id
// (in K) and deliveries. The default keys are found by SCAN on every master,
// so dead letters of a shard key deleted since are found too.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>

#include "cli.hpp"

namespace redstream::cli {

class RouterClient;

struct DlqArgs {
    std::string stream;
    bool replay = false;
    std::string group;
    std::optional<std::uint64_t> count{};
    bool dry_run = false;
    std::string dead_key;
};

/// A dead letter, owned.
struct DeadLetter {
    std::string dead_key;   ///< The dead-letter stream it is in.
    MessageId id{};         ///< Its id there.
    std::string origin;     ///< DeadLetterFields::origin: the key it came from.
    std::string group;      ///< DeadLetterFields::group.
    std::string origin_id;  ///< DeadLetterFields::id, as written.
    std::optional<std::uint64_t> deliveries{};
    /// The entry's own fields, in order (the DeadLetterFields left out).
    std::vector<std::pair<std::string, std::string>> fields;
};

/// Where a group consumer with the default ConsumerOptions::dead_letter_key
/// puts the dead letters of `key`.
std::string default_dead_key(std::string_view key);

/// `key` is `stream` or one of its shards `stream:N`.
bool is_key_of(std::string_view stream, std::string_view key);

/// Up to `count` entries of `dead_key` after `after` (exclusive; nullopt:
/// from the start), as dead letters; an entry without an origin field has
/// an empty origin.
std::vector<DeadLetter> read_dead_letters(RouterClient& link, const std::string& dead_key,
                                          std::optional<MessageId> after, std::uint64_t count);

/// --replay: moves the dead letters args selects back; returns the exit code.
int replay_dead_letters(Context& ctx, RouterClient& link, const std::vector<std::string>& dead_keys,
                        const DlqArgs& args);

/// The dead letters args selects, over `dead_keys`, a page at a time:
/// `fn(page)` for each non-empty page; stops after args.count (if given) or
/// `default_count` (if not 0) letters, or when `fn` returns false.
using PageFn = std::function<bool(std::vector<DeadLetter>& page)>;
void for_each_selected(RouterClient& link, const std::vector<std::string>& dead_keys,
                       const DlqArgs& args, std::uint64_t default_count, const PageFn& fn);

void add_dlq_command(CLI::App& app, Context& ctx);

}  // namespace redstream::cli
