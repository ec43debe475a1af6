// What `redstream restore` writes to the server, one dump item at a time:
// XADDs with the entries' exact ids, pipelined in batches through the
// router, and XGROUP CREATE for the groups. It keeps count of what it wrote
// per key, so a failure can say exactly what is on the server.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/resp/request.hpp>

#include "dump_cmds.hpp"
#include "router_client.hpp"

namespace redstream::cli {

/// A restore that cannot go on: a key that has the entries already, a
/// group that exists, a command the server refused.
struct RestoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The last id ever added to each key (XINFO STREAM's last-generated-id),
/// nullopt for a key that does not exist; one pipelined request. Throws
/// RestoreError for a key that holds something other than a stream.
std::vector<std::optional<MessageId>> key_tops(RouterClient& router,
                                               std::span<const std::string> keys);

/// The message for an entry `id` that `key` cannot take, its last id being `top`.
std::string conflict_text(std::string_view key, MessageId id, MessageId top);

class RestoreWriter {
  public:
    RestoreWriter(RouterClient& router, const RestoreOptions& options);

    /// The entries and groups that follow go to `target` (a key record,
    /// renamed). Sends what is batched first.
    void begin_key(const std::string& target);
    /// Batches one entry; sends the batch when full. Throws RestoreError
    /// when the key has it (or a later one) already, without
    /// --skip-existing.
    void entry(MessageId id, std::span<const Field> fields);
    /// Creates a group on the current key (after sending what is batched).
    void group(std::string_view name, MessageId last_delivered);
    /// Sends what is batched; throws RestoreError for an XADD the server
    /// refused (after counting those of the batch it took).
    void flush();

    std::uint64_t entries_written() const noexcept { return written_; }
    std::uint64_t entries_skipped() const noexcept { return skipped_; }
    std::uint64_t groups_created() const noexcept { return groups_; }
    std::uint64_t groups_skipped() const noexcept { return groups_skipped_; }
    std::uint64_t keys() const noexcept { return keys_.size(); }
    /// What it wrote: "N entries to K keys (key: n, ...), G groups", or "nothing".
    std::string written_text() const;

  private:
    struct Key {
        std::string name;
        std::uint64_t written = 0;
    };
    struct Sent {
        std::size_t key;  // index into keys_
        MessageId id;
    };

    RouterClient& router_;
    const RestoreOptions& options_;
    std::vector<Key> keys_;
    std::optional<MessageId> top_;  // of the current key when it began
    resp::Request req_;
    std::vector<Sent> sent_;  // one per XADD in req_
    std::uint64_t written_ = 0;
    std::uint64_t skipped_ = 0;
    std::uint64_t groups_ = 0;
    std::uint64_t groups_skipped_ = 0;
};

}  // namespace redstream::cli
