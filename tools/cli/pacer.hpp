// A steady rate without busy-waiting: message n goes out at start + n/rate,
// so a late one is followed by others at once until the schedule is met
// again (open loop; the average rate holds). Sleeps in slices, so a Ctrl-C
// is honoured within a tenth of a second.
#pragma once

#include <chrono>
#include <cstdint>

namespace redstream::cli {

class Pacer {
  public:
    using Clock = std::chrono::steady_clock;

    /// `per_second` > 0.
    explicit Pacer(double per_second);

    /// When the next message is due.
    Clock::time_point due() const noexcept;
    /// Sleeps until the next message is due and counts it; false (at once)
    /// when stop_requested().
    bool wait();

  private:
    Clock::time_point start_;
    double interval_ns_;
    std::uint64_t sent_ = 0;
};

}  // namespace redstream::cli
