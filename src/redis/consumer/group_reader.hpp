// The group reader (resumable, load_balanced): creates each key's group,
// re-reads the member's own pending list, then XREADGROUP `>` into the
// prefetch queue. Acks go over the side connection (the commit loop), never
// behind a blocking read.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "group_state.hpp"

#include "core.hpp"

namespace redstream::detail {

class GroupReader {
  public:
    GroupReader(ConsumerCore& core, ReadLane& lane);

    const GroupState& state() const noexcept { return state_; }
    void add(const StreamKey& stream, ShardId shard, std::string key, bool found_later);
    void remove(const StreamKey& stream, ShardId shard) { state_.remove(stream, shard); }
    /// Why the start failed (a missing stream), when the error code alone
    /// does not say it.
    const std::string& start_failure() const noexcept { return start_failure_; }

    bool needs_create() const noexcept { return state_.needs_create(); }
    void create_groups();
    /// Whether a read may go: keys to read and room in the queue.
    bool read_due() const { return state_.readable() && core_.inbox.room_for_read(); }
    void read(std::size_t incoming = 0);  // `incoming`: a page not yet queued
    /// How many keys have a group (are read or claimed from).
    std::size_t created_keys() const noexcept;

  private:
    void on_groups_created(std::error_code ec);
    void wait_for_entries();  // turns found every key empty: XREAD BLOCK as a wake-up
    void on_woken(std::error_code ec);
    void saw(std::string_view key, MessageId id);  // newest id seen in a key (wake-ups)
    void on_read(std::error_code ec);
    void on_lost_group();
    void ack_deleted();  // pending entries without a body: acked, never delivered
    void read_ahead();

    ConsumerCore& core_;
    ReadLane& lane_;
    GroupState state_;
    resp::Request req_;
    net::Response resp_;
    std::vector<commands::StreamPage> pages_;
    std::vector<std::string> creating_;         // keys of the XGROUP CREATEs in flight, in order
    std::vector<std::string> reading_pending_;  // pending-phase keys of the read in flight
    std::string start_failure_;
    ReadTurns turns_;
    std::map<std::string, MessageId, std::less<>> seen_;  // wake-up ids, group turns
};

}  // namespace redstream::detail
