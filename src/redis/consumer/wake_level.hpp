// When a read loop paused for room should be woken. At half of the bound
// (prefetch), a read goes out while the user still has half a queue to work
// on: its round trip hides behind that half, which is what a user that is
// slower than reads needs. A user that takes messages faster than a read
// comes back waits for every read however early it goes out; for it, early
// reads only make reads smaller: more round trips, more thread wake-ups.
// When prefetch is smaller than a batch (a load-balanced member's 100), such
// a user gets whole reads instead: woken when the queue is empty, and no read
// for the few places that takes free under a backlog. Which user this is
// comes from two measured times: a read's round trip, and the time the user
// takes per message. Sans-I/O: the inbox gives it the times.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace redstream::detail {

class WakeLevel {
  public:
    using Clock = std::chrono::steady_clock;

    /// `batch_size`: the most entries one read asks for (SIZE_MAX: all the room).
    explicit WakeLevel(std::size_t batch_size) noexcept : batch_size_(batch_size) {}

    /// The queue level at or below which a paused reader is woken, under a
    /// bound of `limit` messages.
    std::size_t level(std::size_t limit) const noexcept {
        return whole_reads(limit) ? whole_read_level(limit) : limit / 2;
    }
    /// Whether reads wait for room for a whole read: the user outruns reads,
    /// and waking at half would not leave room for a whole batch.
    bool whole_reads(std::size_t limit) const noexcept {
        return outrun_ && whole_read_level(limit) < limit / 2;
    }

    /// The reader is woken at `now` with `queued` messages left: the user
    /// took the ones since the last push in the time since then.
    void on_wake(Clock::time_point now, std::size_t queued, std::size_t limit) noexcept;
    /// A read brought `added` messages at `now`, leaving `queued`.
    void on_push(Clock::time_point now, std::size_t added, std::size_t queued,
                 std::size_t limit) noexcept;

    /// Smoothed times (zero: not measured yet), for tests.
    Clock::duration read_time() const noexcept { return read_time_; }
    Clock::duration take_time() const noexcept { return take_time_; }

  private:
    /// Woken at or below this level, a read still asks for a whole batch.
    std::size_t whole_read_level(std::size_t limit) const noexcept {
        return limit - (batch_size_ < limit ? batch_size_ : limit);
    }
    void decide(std::size_t limit) noexcept;

    const std::size_t batch_size_;
    bool outrun_ = false;          // the user takes messages faster than reads come
    Clock::duration read_time_{};  // wake to the push of what the read brought
    Clock::duration take_time_{};  // per message the user takes
    std::optional<Clock::time_point> woken_at_;
    std::optional<Clock::time_point> pushed_at_;
    std::size_t pushed_level_ = 0;  // queued just after the last push
};

}  // namespace redstream::detail
