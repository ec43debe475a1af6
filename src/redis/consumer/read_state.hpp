// The position bookkeeping of a real-time consumer, without I/O: which keys
// it reads, where each one continues, and how seek/rewind and the reset
// policy turn into concrete ids. The consumer's actor drives it and sends
// the commands; tests step it directly.
//
// The rule this class exists for: `$` is never sent. A key that must start
// "at the end" is resolved once to its newest id (XREVRANGE key + - COUNT 1)
// before it is read, and from then on it is read after an explicit id. A quiet
// key read next to a busy one therefore never skips what was added between
// two reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/redis/consumer.hpp>

namespace redstream::detail {

/// One key being read.
struct ReadCursor {
    StreamKey stream;  ///< The stream it belongs to.
    ShardId shard;     ///< Its shard (0 for the plain key `name`).
    std::string key;   ///< The Redis key.
    MessageId last;    ///< Read entries after this id (once resolved).
    /// False while the key must first be resolved to its newest id.
    bool resolved = true;
    std::uint16_t slot = 0;  ///< The key's hash slot (which lane reads it).
};

/// Where a key that joins the read set starts.
struct StartRule {
    /// Resolve to the key's newest id when it joins (`latest`, `SeqPos::end()`).
    bool at_end = false;
    /// Otherwise, read after this id.
    MessageId after;
};

class ReadState {
  public:
    /// How a key came to be read; decides its start (see add()).
    enum class Origin : std::uint8_t {
        initial,     ///< Named when the consumer was made, or found by the first scan.
        assigned,    ///< assign() by the user.
        discovered,  ///< Found by a later scan.
    };

    explicit ReadState(AutoStreamReset reset) noexcept;

    /// Adds a key. Starts: initial and assigned keys follow the reset policy
    /// (earliest: after 0-0; latest: resolved to the newest id) until a
    /// seek/rewind, then that position. Discovered keys did not exist when
    /// the consumer started (or was last rewound), so everything in them is
    /// new: they start after 0-0, or at the last seek/rewind id. Returns false
    /// if the key is already read, or is a discovered key the user unassigned.
    bool add(const StreamKey& stream, ShardId shard, std::string key, Origin origin);

    /// Stops reading the keys of (stream, shard): `name:shard`, and also the
    /// plain key `name` for shard 0. Later scans do not bring them back;
    /// assign() does. Returns how many keys were removed.
    std::size_t remove(const StreamKey& stream, ShardId shard);

    /// The keys to read, in a stable order.
    const std::vector<ReadCursor>& cursors() const noexcept { return cursors_; }
    const ReadCursor* find(std::string_view key) const noexcept;
    /// True if some key must be resolved before reads include it.
    bool needs_resolution() const noexcept;
    /// True if some key can be read now.
    bool readable() const noexcept;

    /// The newest id of `key` (nullopt: the key is empty or missing, so
    /// everything added later is new: start after 0-0).
    void resolve(std::string_view key, std::optional<MessageId> newest);
    /// An entry of `key` was read; the next read continues after it.
    void advance(std::string_view key, MessageId id);

    /// Every key restarts at `pos` (beginning: after 0-0; at(id): just before
    /// id, so id itself is read if it still exists; end: resolved to the
    /// newest id). Bumps generation().
    void rewind(SeqPos pos);
    /// The first entry at or after `t` in every key: an id bound, no lookup.
    void seek(Timestamp t);

    /// Changes with every rewind/seek, so results of reads started before
    /// can be recognised and dropped.
    std::uint64_t generation() const noexcept { return generation_; }

    /// The id just before `id` (XREAD is exclusive); 0-0 stays 0-0.
    static MessageId before(MessageId id) noexcept;

  private:
    static StartRule rule_for(SeqPos pos) noexcept;
    void start(ReadCursor& c, const StartRule& rule) const noexcept;
    bool excluded(std::string_view key) const noexcept;

    std::vector<ReadCursor> cursors_;
    std::vector<std::string> excluded_;  // unassigned keys that scans must not re-add
    StartRule user_rule_;                // initial and assigned keys
    StartRule discovered_rule_;          // keys found after the start
    std::uint64_t generation_ = 0;
};

/// The SCAN MATCH pattern for the shard keys of `stream`: the name with the
/// glob characters `*?[]\` escaped, then `:*`.
std::string shard_scan_pattern(std::string_view stream);

/// The shard of `key` if it is `stream:<n>` with n a canonical decimal
/// (no sign, no leading zero); else nullopt.
std::optional<ShardId> parse_shard_key(std::string_view stream, std::string_view key) noexcept;

}  // namespace redstream::detail
