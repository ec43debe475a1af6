// Records of the logging hook (redstream/core/log.hpp) for tests: installs
// itself as the handler and leaves the process quiet again.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <redstream/core/log.hpp>

namespace redstream::test {

// The records handled, as "level component message" (thread-safe); installs
// itself and leaves the process quiet again.
class Recorder {
  public:
    explicit Recorder(redstream::LogLevel threshold) {
        redstream::set_log_handler(
            threshold, [this](redstream::LogLevel level, std::string_view component,
                              std::string_view message) {
                const std::lock_guard lock(mutex_);
                lines_.push_back(std::string(redstream::to_string(level)) + " " +
                                 std::string(component) + " " + std::string(message));
            });
    }
    ~Recorder() { redstream::set_log_handler(redstream::LogLevel::off, {}); }

    std::vector<std::string> lines() const {
        const std::lock_guard lock(mutex_);
        return lines_;
    }
    // Records that start with `prefix`.
    std::size_t count(const std::string& prefix) const {
        const auto all = lines();
        return static_cast<std::size_t>(std::count_if(
            all.begin(), all.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

}  // namespace redstream::test
