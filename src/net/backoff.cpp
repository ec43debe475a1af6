#include <redstream/net/detail/backoff.hpp>

#include <algorithm>
#include <cmath>

namespace redstream::net::detail {

double Backoff::next_unit() noexcept {
    // xorshift64*: plenty for spreading delays, and deterministic under a seed.
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<double>((state_ * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

std::chrono::milliseconds Backoff::next_delay() noexcept {
    const double initial = static_cast<double>(options_.initial_delay.count());
    const double cap = static_cast<double>(options_.max_delay.count());
    const double base =
        std::min(cap, initial * std::pow(std::max(1.0, options_.multiplier), attempts_));
    ++attempts_;
    const double jitter = std::clamp(options_.jitter, 0.0, 1.0);
    const double spread = 1.0 + jitter * (2.0 * next_unit() - 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(cap, base * spread)));
}

}  // namespace redstream::net::detail
