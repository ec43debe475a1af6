#include "pacer.hpp"

#include <algorithm>
#include <thread>

#include "cli.hpp"

namespace redstream::cli {

namespace {
constexpr auto slice = std::chrono::milliseconds(100);
}  // namespace

Pacer::Pacer(double per_second) : start_(Clock::now()), interval_ns_(1e9 / per_second) {}

Pacer::Clock::time_point Pacer::due() const noexcept {
    return start_ + std::chrono::nanoseconds(
                        static_cast<std::int64_t>(static_cast<double>(sent_) * interval_ns_));
}

bool Pacer::wait() {
    const auto at = due();
    while (true) {
        if (stop_requested()) return false;
        const auto now = Clock::now();
        if (now >= at) break;
        std::this_thread::sleep_until(std::min(at, now + slice));
    }
    ++sent_;
    return true;
}

}  // namespace redstream::cli
