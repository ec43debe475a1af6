// A progress line on stderr for long commands (produce, dump, restore):
// redrawn in place with a carriage return, at most every 100 ms, and only
// when stderr is a terminal — a script sees only the final summary.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace redstream::cli {

class Progress {
  public:
    /// `total`: the work to do when known (then a bar and a percentage).
    /// `enabled`: draw at all (usually Context::stderr_is_terminal()).
    Progress(std::string label, std::optional<std::uint64_t> total, bool enabled);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// `done` units so far, and a note after the count (e.g. "3 failed").
    void update(std::uint64_t done, const std::string& note = {});
    /// Draws the last state and ends the line.
    void finish();

  private:
    void draw();

    std::string label_;
    std::optional<std::uint64_t> total_;
    bool enabled_;
    bool drawn_ = false;
    std::uint64_t done_ = 0;
    std::string note_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace redstream::cli
