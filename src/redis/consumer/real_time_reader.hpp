// The real-time reader: resolves each key's start id (XREVRANGE), then
// XREAD BLOCK after the last id it delivered, into the prefetch queue; seek,
// rewind and the end lookup move it (real_time_seek.cpp).
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
    RealTimeReader(ConsumerCore& core, ReadLane& lane);

    const ReadState& state() const noexcept { return state_; }
    void add(const StreamKey& stream, ShardId shard, std::string key, ReadState::Origin origin);
    void remove(const StreamKey& stream, ShardId shard) { state_.remove(stream, shard); }
    /// Forgets that turns found every key empty (a key was added).
    void new_keys() noexcept { turns_.quiet = 0; }

    /// The next request, when the lane is free: the start ids still
    /// unresolved, else a read if there is room. False if neither is due.
    bool needs_resolution() const noexcept { return state_.needs_resolution(); }
    /// A rewind to the end waits for its lookup: the old position is not read.
    bool waiting_for_ends() const noexcept { return end_lookups_ > 0; }
    void resolve();
    bool read_due() const { return state_.readable() && core_.inbox.room_for_read(); }
    void read(std::size_t incoming = 0);  // `incoming`: a page not yet queued

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
    void on_resolved(std::error_code ec, std::uint64_t generation);
    void on_read(std::error_code ec, std::uint64_t generation);
    void keep_first(std::size_t limit);  // a blocking read's cut to the room
    void read_ahead();                   // the next read, before this page is handed over
    void reposition(std::uint64_t epoch);
    void on_ends(std::error_code ec, EndLookup& lookup);

    ConsumerCore& core_;
    ReadLane& lane_;
    ReadState state_;
    resp::Request req_;
    net::Response resp_;
    std::vector<commands::StreamPage> pages_;
    std::vector<std::string> resolving_;  // keys of the XREVRANGEs in flight, in order
    ReadTurns turns_;
    std::size_t read_limit_ = 0;   // a blocking read over a turn's room: keep this many
    std::size_t end_lookups_ = 0;  // rewind_to_end lookups out
};

}  // namespace redstream::detail
