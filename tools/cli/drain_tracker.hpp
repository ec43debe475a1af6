// When `consume -e` (and --until) is done: every key of the streams read is
// drained to what it held at the start. The newest id of each key is looked
// up before the consumer starts (Admin::stream_info); a key is done once the
// consumer delivered that id (or one past it, if it was deleted meanwhile),
// or when there was nothing to wait for. No I/O: the command feeds it the
// look-ups and the messages, and the unit tests step it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/message_id.hpp>

namespace redstream::cli {

/// One key as a look-up saw it.
struct KeyEnd {
    std::string key;                  ///< The Redis key.
    std::optional<MessageId> last{};  ///< Its newest entry; none when empty.
    /// Group modes: the group's last delivered id, if the key has the group.
    std::optional<MessageId> group_delivered{};
    /// Group modes: entries delivered to the group and not yet acked.
    std::uint64_t group_pending = 0;
};

class DrainTracker {
  public:
    /// `from`: the first id read (nullopt: from the beginning, or a group's
    /// own position); `until`: the last id wanted (nullopt: no bound).
    DrainTracker(std::optional<MessageId> from, std::optional<MessageId> until);

    /// The keys and their ends at the start: each key's target is its newest
    /// id, or the first id past `until` when the key holds entries past it.
    void start(const std::vector<KeyEnd>& ends);
    /// A later look-up: a key whose entries up to its target were deleted
    /// waits only for what is left, and a group that delivered the target
    /// (to another member, say) finishes its key once nothing is pending
    /// there, or once `settled`: this reader has been idle long enough to
    /// have re-read its own pending entries (which it does first), so what
    /// is still pending belongs to other members.
    void refresh(const std::vector<KeyEnd>& ends, bool settled = false);

    /// Whether to print a message of `key`; notes that the key reached its
    /// target. Messages past `until`, past a key's target, or of keys that
    /// held nothing at the start are not printed.
    bool wants(std::string_view key, MessageId id);

    /// Every key reached its target.
    bool done() const noexcept { return waiting_ == 0; }
    /// Keys still waited for.
    std::size_t waiting() const noexcept { return waiting_; }

  private:
    struct Key {
        MessageId target{};
        std::optional<MessageId> seen{};  // the newest id delivered
        bool reached = false;
    };
    void reach(Key& k);
    void check(Key& k, const KeyEnd& end, bool settled);

    std::optional<MessageId> from_;
    std::optional<MessageId> until_;
    std::map<std::string, Key, std::less<>> keys_;
    std::size_t waiting_ = 0;
};

}  // namespace redstream::cli
