// SIGINT and SIGTERM ask a long-lived example to stop. The handler only sets
// a flag (about all a signal handler may safely do); the example's loop looks
// at it between messages and then ends the way it always ends: flushing its
// producer and committing its acks. (The coroutine and callback examples
// use asio::signal_set instead, which fits an event loop.)
#pragma once

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace example {

/// How long a loop waits for a message before it looks at the flag again:
/// the longest a stop request waits to be seen.
inline constexpr std::chrono::milliseconds stop_check_interval{200};

inline std::atomic<bool> stop_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

/// Makes SIGINT and SIGTERM set the flag. Call it early in main().
inline void stop_on_signals() {
    struct sigaction action {};
    action.sa_handler = [](int) { stop_flag.store(true, std::memory_order_relaxed); };
    // Restart interrupted system calls: a write to stdout cut by the signal
    // would otherwise fail, and the line with it.
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

/// True once SIGINT or SIGTERM arrived.
inline bool stop_requested() {
    return stop_flag.load(std::memory_order_relaxed);
}

/// Sleeps until `when`, or less if a stop is requested meanwhile.
inline void sleep_until(std::chrono::steady_clock::time_point when) {
    while (!stop_requested()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= when) return;
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(when - now, stop_check_interval));
    }
}

}  // namespace example
