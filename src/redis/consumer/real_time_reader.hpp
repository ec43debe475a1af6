// The real-time reader: resolves each key's start id (XREVRANGE), then
// XREAD BLOCK after the last id it delivered, into the prefetch queue; seek,
// rewind and the end lookup move it (real_time_seek.cpp). One reader keeps
// every key's position; its requests go over the lanes (one standalone, one
// per slot group on a cluster), each lane reading the keys it serves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>
#include "read_state.hpp"

#include "core.hpp"

namespace redstream::detail {

class RealTimeReader {
  public:
    explicit RealTimeReader(ConsumerCore& core);

    const ReadState& state() const noexcept { return state_; }
    /// False if the key is read already (or was unassigned): see ReadState::add().
    bool add(const StreamKey& stream, ShardId shard, std::string key, ReadState::Origin origin) {
        return state_.add(stream, shard, std::move(key), origin);
    }
    void remove(const StreamKey& stream, ShardId shard) { state_.remove(stream, shard); }

    /// Some key (that `lane` serves) waits for its start id.
    bool needs_resolution() const noexcept { return state_.needs_resolution(); }
    bool needs_resolution(const ReadLane& lane) const noexcept;
    /// A rewind to the end waits for its lookup: the old position is not read.
    bool waiting_for_ends() const noexcept { return end_lookups_ > 0; }
    /// Looks the start ids of the keys `lane` serves up.
    void resolve(ReadLane& lane);
    /// Whether `lane` has keys to read, and the queue room.
    bool read_due(const ReadLane& lane) const;
    void read(ReadLane& lane, std::size_t incoming = 0);  // `incoming`: a page not yet queued

    /// Moves to `pos` (not SeqPos::end(): rewind_to_end()) or `t`, explicit
    /// ids, so whatever is added after the call is delivered. `epoch`: the
    /// inbox's seek epoch of the call.
    void rewind(SeqPos pos, std::uint64_t epoch);
    void seek(Timestamp t, std::uint64_t epoch);
    /// Looks every key's newest id up over the side connection (never behind
    /// the blocking read) and moves there; `done` completes then, with the
    /// lookup's error if it failed.
    void rewind_to_end(std::uint64_t epoch, BasicCompletion<std::error_code> done);

  private:
    struct EndLookup;
    void on_resolved(ReadLane& lane, std::error_code ec, std::uint64_t generation);
    void on_read(ReadLane& lane, std::error_code ec, std::uint64_t generation);
    void keep_first(ReadLane& lane);  // a blocking read's cut to the room
    void read_ahead(ReadLane& lane);  // the next read, before this page is handed over
    void reposition(std::uint64_t epoch);
    void on_ends(std::error_code ec, EndLookup& lookup);

    ConsumerCore& core_;
    ReadState state_;
    std::size_t end_lookups_ = 0;  // rewind_to_end lookups out
};

}  // namespace redstream::detail
