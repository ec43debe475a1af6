#include "send_tally.hpp"

namespace redstream::cli {

void SendTally::record(std::error_code ec) {
    {
        const std::lock_guard lock(mutex_);
        if (!ec) {
            ++confirmed_;
        } else {
            if (failed_++ == 0) first_error_ = ec.message();
        }
    }
    changed_.notify_all();
}

bool SendTally::wait_for_all(std::uint64_t sent, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline,
                               [this, sent] { return confirmed_ + failed_ >= sent; });
}

std::uint64_t SendTally::confirmed() const {
    const std::lock_guard lock(mutex_);
    return confirmed_;
}

std::uint64_t SendTally::failed() const {
    const std::lock_guard lock(mutex_);
    return failed_;
}

std::string SendTally::first_error() const {
    const std::lock_guard lock(mutex_);
    return first_error_;
}

}  // namespace redstream::cli
