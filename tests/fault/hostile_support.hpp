// What the hostile-server tests share: a watchdog and deadline-bound calls,
// so that a call that hangs fails its test fast instead of running into
// ctest's timeout, and the process's memory as /proc reports it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define REDSTREAM_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REDSTREAM_HOSTILE_ASAN 1
#endif
#endif

namespace redstream::test::hostile {

/// True in an AddressSanitizer build (its allocator holds freed memory).
#ifdef REDSTREAM_HOSTILE_ASAN
inline constexpr bool under_asan = true;
#else
inline constexpr bool under_asan = false;
#endif

/// Reports a hang: a test failure, a line on stderr, then the process exits
/// with status 1 (a hung call cannot be unwound, and ctest must not wait).
[[noreturn]] void die_of_hang(std::string_view what, std::chrono::milliseconds limit);

/// Ends the process through die_of_hang() if it is still alive `limit` after
/// it was made: declared first in a test, it bounds everything the test
/// does, destructors included.
class Watchdog {
  public:
    explicit Watchdog(std::chrono::milliseconds limit);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_;
};

/// Runs `f` on a thread of its own and returns its result (or rethrows);
/// die_of_hang() if it does not return within `limit`.
template <class F>
auto bounded(std::chrono::milliseconds limit, std::string_view what, F&& f) {
    auto result = std::async(std::launch::async, std::forward<F>(f));
    if (result.wait_for(limit) != std::future_status::ready) die_of_hang(what, limit);
    return result.get();
}

/// The process's resident set (VmRSS), in bytes.
std::uint64_t rss_bytes();

/// The most the resident set grows over a stretch of a test: made at its
/// start, it resets the kernel's peak (VmHWM, via /proc/self/clear_refs).
class RssGrowth {
  public:
    RssGrowth();
    /// Peak resident set since construction minus the resident set then.
    std::uint64_t peak() const;

  private:
    std::uint64_t base_;
};

/// "12.3 MiB".
std::string mib(std::uint64_t bytes);

/// Milliseconds since `start`.
std::chrono::milliseconds since(std::chrono::steady_clock::time_point start);

}  // namespace redstream::test::hostile
