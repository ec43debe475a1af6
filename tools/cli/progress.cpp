#include "progress.hpp"

#include <algorithm>
#include <cstdio>

namespace redstream::cli {

namespace {
constexpr auto redraw_every = std::chrono::milliseconds(100);
constexpr int bar_width = 30;
}  // namespace

Progress::Progress(std::string label, std::optional<std::uint64_t> total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
    if (drawn_) finish();
}

void Progress::update(std::uint64_t done, const std::string& note) {
    done_ = done;
    note_ = note;
    const auto now = std::chrono::steady_clock::now();
    if (!enabled_ || now - last_draw_ < redraw_every) return;
    last_draw_ = now;
    draw();
}

void Progress::finish() {
    if (!enabled_) return;
    draw();
    std::fputc('\n', stderr);
    std::fflush(stderr);
    drawn_ = false;
    enabled_ = false;  // once
}

void Progress::draw() {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
    // \r back to the line's start, \x1b[K clears what a longer line left.
    std::fprintf(stderr, "\r%s ", label_.c_str());
    if (total_ && *total_ > 0) {
        const double frac =
            std::min(1.0, static_cast<double>(done_) / static_cast<double>(*total_));
        const int filled = static_cast<int>(frac * bar_width);
        std::fprintf(stderr, "[%s%s] %3d%% %llu/%llu", std::string(filled, '#').c_str(),
                     std::string(bar_width - filled, '.').c_str(), static_cast<int>(frac * 100),
                     static_cast<unsigned long long>(done_),
                     static_cast<unsigned long long>(*total_));
    } else {
        std::fprintf(stderr, "%llu", static_cast<unsigned long long>(done_));
    }
    std::fprintf(stderr, "  %.0f/s", rate);
    if (!note_.empty()) std::fprintf(stderr, "  %s", note_.c_str());
    std::fputs("\x1b[K", stderr);
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace redstream::cli
