// Outcomes of a producer's sends, counted from their completion handlers
// (which run on the Streamer's I/O thread): confirmed, failed, the first
// error's text, and a bounded wait until every send reported.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>

namespace redstream::cli {

class SendTally {
  public:
    /// One send completed.
    void record(std::error_code ec);
    /// Waits until `sent` sends completed or `deadline` passed; true if they did.
    bool wait_for_all(std::uint64_t sent, std::chrono::steady_clock::time_point deadline);

    std::uint64_t confirmed() const;
    std::uint64_t failed() const;
    /// The first failure's text (empty if none).
    std::string first_error() const;

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::uint64_t confirmed_ = 0;
    std::uint64_t failed_ = 0;
    std::string first_error_;
};

}  // namespace redstream::cli
