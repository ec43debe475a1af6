// The group reader (resumable, load_balanced): creates each key's group,
// re-reads the member's own pending list, then XREADGROUP `>` into the
// prefetch queue. Acks go over the side connection (the commit loop), never
// behind a blocking read. One reader keeps every key's phase; its requests
// go over the lanes (one standalone, one per slot group on a cluster).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "group_state.hpp"

#include "core.hpp"

namespace redstream::detail {

class GroupReader {
  public:
    explicit GroupReader(ConsumerCore& core);

    const GroupState& state() const noexcept { return state_; }
    /// False if the key is read already.
    bool add(const StreamKey& stream, ShardId shard, std::string key, bool found_later) {
        return state_.add(stream, shard, std::move(key), found_later);
    }
    void remove(const StreamKey& stream, ShardId shard) { state_.remove(stream, shard); }
    /// Why the start failed (a missing stream), when the error code alone
    /// does not say it.
    const std::string& start_failure() const noexcept { return start_failure_; }

    /// Some key (that `lane` serves) waits for its group to be created.
    bool needs_create() const noexcept { return state_.needs_create(); }
    bool needs_create(const ReadLane& lane) const noexcept;
    void create_groups(ReadLane& lane);
    /// Whether `lane` may read: keys to read and room in the queue.
    bool read_due(const ReadLane& lane) const;
    void read(ReadLane& lane, std::size_t incoming = 0);  // `incoming`: a page not yet queued

    /// How many keys have a group (are read or claimed from).
    std::size_t created_keys() const noexcept;

  private:
    bool has_keys(const ReadLane& lane) const noexcept;  // with a group, that it serves
    void on_groups_created(ReadLane& lane, std::error_code ec);
    // Turns found every key empty: XREAD BLOCK as a wake-up.
    void wait_for_entries(ReadLane& lane, const std::vector<const GroupCursor*>& keys);
    void on_woken(ReadLane& lane, std::error_code ec);
    void saw(std::string_view key, MessageId id);  // newest id seen in a key (wake-ups)
    void on_read(ReadLane& lane, std::error_code ec);
    void on_lost_group(ReadLane& lane);
    void reread_pending(const ReadLane& lane);
    void ack_deleted(
        const ReadLane& lane);  // pending entries without a body: acked, never delivered
    void read_ahead(ReadLane& lane);

    ConsumerCore& core_;
    GroupState state_;
    std::string start_failure_;
    std::map<std::string, MessageId, std::less<>> seen_;  // wake-up ids, group turns
};

}  // namespace redstream::detail
