// Writing records for the logging hook (redstream/core/log.hpp). Callers
// ask log_enabled() before they format anything, so that a quiet process
// pays one atomic load per place that could log.
#pragma once

#include <atomic>
#include <string_view>

#include <redstream/core/log.hpp>

namespace redstream::detail {

extern std::atomic<int> log_threshold;  // a LogLevel; off until a handler is set

inline bool log_enabled(LogLevel level) noexcept {
    return static_cast<int>(level) >= log_threshold.load(std::memory_order_relaxed);
}

/// Hands one record to the handler, if one is set for `level`.
void log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace redstream::detail
