#include "wake_level.hpp"

#include <algorithm>

namespace redstream::detail {

void WakeLevel::on_wake(Clock::time_point now, std::size_t queued, std::size_t limit) noexcept {
    // Every take since the push found the queue non-empty: their pace is the
    // user's, with no wait for a read in it.
    if (pushed_at_ && pushed_level_ > queued) {
        const auto taken = static_cast<Clock::rep>(pushed_level_ - queued);
        const auto sample = (now - *pushed_at_) / taken;
        take_time_ = take_time_.count() <= 0 ? sample : take_time_ + (sample - take_time_) / 4;
        decide(limit);
    }
    woken_at_ = now;
}

void WakeLevel::on_push(Clock::time_point now, std::size_t added, std::size_t queued,
                        std::size_t limit) noexcept {
    if (added == 0) return;
    if (woken_at_) {
        // Down at once, up by a quarter of at most four times: a read that
        // blocked on a quiet stream is not a round trip.
        const auto sample = now - *woken_at_;
        if (read_time_.count() <= 0 || sample < read_time_)
            read_time_ = sample;
        else
            read_time_ += (std::min(sample, 4 * read_time_) - read_time_) / 4;
        woken_at_.reset();
        decide(limit);
    }
    pushed_at_ = now;
    pushed_level_ = queued;
}

// The user outruns reads when it takes more than half a queue while one read
// is out; it no longer does below a quarter. The gap keeps the choice from
// flapping: a read overlapped with a busy user comes back later than one
// the user waits for.
void WakeLevel::decide(std::size_t limit) noexcept {
    if (read_time_.count() <= 0 || take_time_.count() <= 0) return;
    const auto per_read = static_cast<std::size_t>(read_time_ / take_time_);
    if (per_read > limit / 2)
        outrun_ = true;
    else if (per_read < limit / 4)
        outrun_ = false;
}

}  // namespace redstream::detail
