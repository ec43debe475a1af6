// The logging hook's switch: quiet by default, a threshold, replacing and
// removing the handler, the level names.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <redstream/core/detail/log.hpp>
#include <redstream/core/log.hpp>

namespace rs = redstream;
using rs::LogLevel;

namespace {

// Every record handled, as "level component message".
struct Records {
    std::vector<std::string> lines;
    rs::LogHandler handler() {
        return [this](LogLevel level, std::string_view component, std::string_view message) {
            lines.push_back(std::string(rs::to_string(level)) + " " + std::string(component) + " " +
                            std::string(message));
        };
    }
};

// Leaves the process quiet again, whatever a test did.
struct QuietAfter {
    ~QuietAfter() { rs::set_log_handler(LogLevel::off, {}); }
};

TEST(Log, QuietByDefault) {
    EXPECT_FALSE(rs::detail::log_enabled(LogLevel::error));
    rs::detail::log(LogLevel::error, "net", "nobody hears this");  // no handler: nothing
}

TEST(Log, OnlyRecordsAtOrAboveTheThresholdReachTheHandler) {
    QuietAfter quiet;
    Records r;
    rs::set_log_handler(LogLevel::warning, r.handler());
    EXPECT_FALSE(rs::detail::log_enabled(LogLevel::info));
    EXPECT_TRUE(rs::detail::log_enabled(LogLevel::warning));
    rs::detail::log(LogLevel::debug, "cluster", "a");
    rs::detail::log(LogLevel::info, "net", "b");
    rs::detail::log(LogLevel::warning, "net", "c");
    rs::detail::log(LogLevel::error, "consumer", "d");
    EXPECT_EQ(r.lines, (std::vector<std::string>{"warning net c", "error consumer d"}));
}

TEST(Log, ASecondHandlerReplacesTheFirstAndOffOrEmptyMakesItQuiet) {
    QuietAfter quiet;
    Records first, second;
    rs::set_log_handler(LogLevel::debug, first.handler());
    rs::set_log_handler(LogLevel::debug, second.handler());
    rs::detail::log(LogLevel::info, "net", "x");
    EXPECT_TRUE(first.lines.empty());
    EXPECT_EQ(second.lines.size(), 1U);

    rs::set_log_handler(LogLevel::off, second.handler());
    EXPECT_FALSE(rs::detail::log_enabled(LogLevel::error));
    rs::set_log_handler(LogLevel::debug, {});
    EXPECT_FALSE(rs::detail::log_enabled(LogLevel::error));
    rs::detail::log(LogLevel::error, "net", "y");
    EXPECT_EQ(second.lines.size(), 1U);
}

// What a handler refers to may go once set_log_handler() returned: a call
// in progress on another thread is waited for, and no later one comes.
TEST(Log, OnceReplacedTheOldHandlerIsNeverCalledAgain) {
    QuietAfter quiet;
    std::atomic<bool> replaced{false};
    std::atomic<int> late{0}, calls{0};
    rs::set_log_handler(LogLevel::info, [&](LogLevel, std::string_view, std::string_view) {
        if (replaced.load()) ++late;
        ++calls;
    });
    std::atomic<bool> stop{false};
    std::thread logger([&] {
        while (!stop.load())
            rs::detail::log(LogLevel::info, "net", "busy");
    });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (calls.load() < 100 && std::chrono::steady_clock::now() < until)
        std::this_thread::yield();
    EXPECT_GE(calls.load(), 100) << "the logger thread did not log";
    rs::set_log_handler(LogLevel::info, [](LogLevel, std::string_view, std::string_view) {});
    replaced = true;
    stop = true;
    logger.join();
    EXPECT_EQ(late.load(), 0);
}

TEST(Log, LevelNames) {
    EXPECT_EQ(rs::to_string(LogLevel::debug), "debug");
    EXPECT_EQ(rs::to_string(LogLevel::info), "info");
    EXPECT_EQ(rs::to_string(LogLevel::warning), "warning");
    EXPECT_EQ(rs::to_string(LogLevel::error), "error");
    EXPECT_EQ(rs::to_string(LogLevel::off), "off");
}

}  // namespace
