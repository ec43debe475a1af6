// What the fault tests share: bounded waits that turn a hang into a fast
// failure, a stopwatch, open-descriptor counts, and reading a stream back
// with redis-cli.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "support/eventually.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {

/// Fails the running test and ends the process at once: a call that hangs
/// must fail fast, not run into ctest's timeout (and a hung call cannot be
/// unwound). Servers die with the process (PR_SET_PDEATHSIG).
[[noreturn]] inline void abort_hung_test(std::string_view what, std::chrono::milliseconds limit) {
    ADD_FAILURE() << what << " did not return within " << limit.count() << " ms (it hangs)";
    std::fprintf(stderr, "FATAL: %.*s hangs; ending the test process\n",
                 static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(1);
}

/// Runs `f()` on a thread of its own and returns its result (or rethrows its
/// exception); abort_hung_test() if it has not returned within `limit`.
template <class F>
auto finish_within(std::chrono::milliseconds limit, std::string_view what, F&& f) {
    std::packaged_task<std::invoke_result_t<F>()> task(std::forward<F>(f));
    auto result = task.get_future();
    std::thread worker(std::move(task));
    if (result.wait_for(limit) != std::future_status::ready) abort_hung_test(what, limit);
    worker.join();
    return result.get();
}

/// Bounds a whole test, destructors included: declare it first (a fixture's
/// first member), so that it is destroyed last.
class Watchdog {
  public:
    explicit Watchdog(std::chrono::milliseconds limit) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info ? std::string(info->test_suite_name()) + "." + info->name()
                                : std::string("the test");
        thread_ = std::thread([this, limit, name = std::move(name)] {
            std::unique_lock lock(mutex_);
            if (!done_cv_.wait_for(lock, limit, [this] { return done_; }))
                abort_hung_test(name + " (set-up, body and tear-down)", limit);
        });
    }
    ~Watchdog() {
        {
            const std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_cv_.notify_all();
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

  private:
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
    std::thread thread_;
};

/// Milliseconds since construction (or the last restart()).
class Stopwatch {
  public:
    void restart() { start_ = std::chrono::steady_clock::now(); }
    std::chrono::milliseconds elapsed() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start_);
    }

  private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// Descriptors this process has open now.
inline std::size_t count_open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

/// The ids of a stream whose entries have one field each (as a Producer
/// writes them), read with redis-cli.
inline std::set<std::string> stream_ids(const RedisServer& server, const std::string& key) {
    std::istringstream lines(server.cli({"XRANGE", key, "-", "+"}));
    std::set<std::string> ids;
    std::string line;
    for (std::size_t i = 0; std::getline(lines, line); ++i)
        if (i % 3 == 0 && !line.empty()) ids.insert(line);  // id, field, value
    return ids;
}

}  // namespace redstream::test
