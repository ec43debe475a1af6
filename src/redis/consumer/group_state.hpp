// The position bookkeeping of a group consumer (resumable, load_balanced),
// without I/O: for each key, whether its group must be created, whether the
// consumer is still reading its own pending entries, or is taking new ones.
// The consumer's actor sends the commands; tests step it directly.
//
// The rule this class exists for: on start and after every reconnect a
// member first re-reads its own pending list (XREADGROUP with id 0,
// advancing past what it got) until that is empty, and only then asks for
// new entries (`>`). Entries delivered before a crash or a lost connection
// are therefore delivered again, never stuck in the pending list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/commands/types.hpp>
#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/redis/consumer.hpp>

namespace redstream::detail {

struct GroupCursor {
    enum class Phase : std::uint8_t {
        create,   ///< The group must be created (XGROUP CREATE) before reading.
        pending,  ///< Re-reading the member's own pending entries after `after`.
        fresh,    ///< Reading entries never delivered to the group (`>`).
    };
    StreamKey stream;  ///< The stream it belongs to.
    ShardId shard;     ///< Its shard (0 for the plain key `name`).
    std::string key;   ///< The Redis key.
    Phase phase = Phase::create;
    MessageId after;  ///< Phase::pending: read pending entries after this id.
    /// Found by a shard scan after the consumer started: the key did not
    /// exist then, so all of it is new, and its group is created at 0.
    bool found_later = false;
    std::uint16_t slot = 0;  ///< The key's hash slot (which lane reads it).

    /// The id to send in XREADGROUP for this key (only when readable).
    commands::StreamStart start() const noexcept {
        return phase == Phase::pending ? commands::StreamStart::after(after)
                                       : commands::StreamStart::undelivered();
    }
};

class GroupState {
  public:
    explicit GroupState(AutoStreamReset reset) noexcept : reset_(reset) {}

    /// Adds a key; its group is created first (see create_start()). False
    /// if already read.
    bool add(const StreamKey& stream, ShardId shard, std::string key, bool found_later = false);
    /// Stops reading the keys of (stream, shard) (`name:shard`, and `name`
    /// for shard 0). Returns how many were removed.
    std::size_t remove(const StreamKey& stream, ShardId shard);

    /// Stops reading one key (a shard-less stream's missing plain key).
    bool remove_key(std::string_view key);

    const std::vector<GroupCursor>& cursors() const noexcept { return cursors_; }
    const GroupCursor* find(std::string_view key) const noexcept;

    /// True if some key's group must be created before it is read.
    bool needs_create() const noexcept;
    /// True if some key can be read now.
    bool readable() const noexcept;
    /// True if some key is still in its pending phase: such a read returns
    /// at once, so it must not block.
    bool reading_pending() const noexcept;

    /// Where the group of `c` is created: `0` (earliest, the history) or `$`
    /// (latest), and `0` for a key found later: the consumer's start is before
    /// its first entry, so `0` is exactly "from the start", with no clock to
    /// compare (`$` would skip what was written before the scan found it).
    /// `$` is safe otherwise: the server fixes the group's position once, at
    /// creation; reads never send it.
    commands::StreamStart create_start(const GroupCursor& c) const noexcept;
    /// The group of `key` exists now (created, or BUSYGROUP: it already did):
    /// read its own pending entries first.
    void created(std::string_view key);
    /// The group or the key vanished (NOGROUP): create it again, where the
    /// reset policy says (a key found later too). Entries added meanwhile may
    /// be lost; the caller reports that.
    void lost_group(std::string_view key);
    /// The connection was re-established (or, with `slot`, that slot's keys
    /// moved to another node): every key (of `slot`) re-reads its pending
    /// list.
    void reconnected(std::optional<std::uint16_t> slot = std::nullopt);

    /// One key's part of an XREADGROUP reply: `count` entries, the last one
    /// `last`. A pending-phase read that returns nothing ends that phase, so
    /// call it for every pending-phase key of the request, with 0 for a key
    /// the reply left out.
    void read(std::string_view key, std::size_t count, std::optional<MessageId> last);

  private:
    GroupCursor* find_mut(std::string_view key) noexcept;

    AutoStreamReset reset_;
    std::vector<GroupCursor> cursors_;
};

}  // namespace redstream::detail
