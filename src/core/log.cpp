#include <redstream/core/detail/log.hpp>

#include <mutex>

namespace redstream {
namespace {

// Held while the handler runs: calls are one at a time, and once
// set_log_handler() returns the old handler is never called again.
// Recursive, so that a handler that makes redstream log does not deadlock.
std::recursive_mutex handler_mutex;
LogHandler handler;  // under handler_mutex

}  // namespace

namespace detail {

std::atomic<int> log_threshold{static_cast<int>(LogLevel::off)};

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (!log_enabled(level) || level == LogLevel::off) return;
    const std::lock_guard lock(handler_mutex);
    if (handler && log_enabled(level)) handler(level, component, message);
}

}  // namespace detail

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warning:
            return "warning";
        case LogLevel::error:
            return "error";
        case LogLevel::off:
            break;
    }
    return "off";
}

void set_log_handler(LogLevel threshold, LogHandler h) {
    const bool quiet = !h || threshold == LogLevel::off;
    const std::lock_guard lock(handler_mutex);
    handler = quiet ? LogHandler{} : std::move(h);
    detail::log_threshold.store(static_cast<int>(quiet ? LogLevel::off : threshold),
                                std::memory_order_relaxed);
}

}  // namespace redstream
