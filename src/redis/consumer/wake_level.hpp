// When a read loop paused for room is woken, and whether under a backlog it
// waits for room for a whole read. At half of the bound (prefetch) a read
// goes out while the user still has half a queue to work on, and that read
// is still a whole batch when prefetch is at least twice the batch size (the
// real-time default). With a prefetch smaller than that (a load-balanced
// member's 100, batch 1000), half would mean reads of half the prefetch,
// twice the round trips and thread wake-ups of a hiredis loop reading the
// same bound; and reading ahead whatever room takes free meanwhile made
// pairs of reads of 99 and 1. Such a reader is woken when an eighth is left:
// reads of seven eighths, with an eighth of the queue still to work on while
// the read is out (enough to hide a round trip behind a handler of ~10 µs a
// message), and under a backlog no read for less. Fixed, not measured, so
// that every member of a group reads the same amount: a member's share of a
// backlog follows its read size. Pure: the inbox asks it under its lock.
#pragma once

#include <cstddef>

namespace redstream::detail {

/// Woken at or below this queue level, a read still asks for a whole batch.
constexpr std::size_t whole_read_level(std::size_t limit, std::size_t batch_size) noexcept {
    return limit - (batch_size < limit ? batch_size : limit);
}

/// Whether reads wait for room for (nearly) the whole bound: half the bound
/// would not leave room for a whole batch.
constexpr bool whole_reads(std::size_t limit, std::size_t batch_size) noexcept {
    return whole_read_level(limit, batch_size) < limit / 2;
}

/// The queue level at or below which a paused reader is woken, under a
/// bound of `limit` messages.
constexpr std::size_t wake_level(std::size_t limit, std::size_t batch_size) noexcept {
    if (!whole_reads(limit, batch_size)) return limit / 2;
    const auto floor = whole_read_level(limit, batch_size);
    return floor > limit / 8 ? floor : limit / 8;
}

}  // namespace redstream::detail
