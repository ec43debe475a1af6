#include "hostile_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace redstream::test::hostile {
namespace {

// A field of /proc/self/status given in kB, in bytes.
std::uint64_t status_bytes(std::string_view field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.compare(0, field.size(), field) != 0 || line[field.size()] != ':') continue;
        return std::stoull(line.substr(field.size() + 1)) * 1024;
    }
    throw std::runtime_error("no " + std::string(field) + " in /proc/self/status");
}

}  // namespace

void die_of_hang(std::string_view what, std::chrono::milliseconds limit) {
    ADD_FAILURE() << what << " did not return within " << limit.count() << " ms";
    std::fprintf(stderr, "\nHANG: %.*s did not return within %lld ms; exiting\n",
                 static_cast<int>(what.size()), what.data(), static_cast<long long>(limit.count()));
    std::fflush(stderr);
    std::fflush(stdout);
    std::_Exit(1);
}

Watchdog::Watchdog(std::chrono::milliseconds limit) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = test ? std::string(test->test_suite_name()) + "." + test->name() : "test";
    thread_ = std::thread([this, limit, name = std::move(name)] {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, limit, [this] { return done_; })) die_of_hang(name, limit);
    });
}

Watchdog::~Watchdog() {
    {
        const std::lock_guard lock(mutex_);
        done_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

std::uint64_t rss_bytes() {
    return status_bytes("VmRSS");
}

RssGrowth::RssGrowth() {
    // "5" resets the peak to the current resident set (Linux 4.0+).
    std::ofstream reset("/proc/self/clear_refs");
    reset << "5";
    reset.close();
    if (!reset) throw std::runtime_error("cannot reset VmHWM through /proc/self/clear_refs");
    base_ = rss_bytes();
}

std::uint64_t RssGrowth::peak() const {
    const auto peak = status_bytes("VmHWM");
    return peak > base_ ? peak - base_ : 0;
}

std::string mib(std::uint64_t bytes) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
    return out.str();
}

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

}  // namespace redstream::test::hostile
