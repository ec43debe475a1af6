// Small POSIX helpers for the test fixtures: run a program without a shell,
// find a free loopback port, make and remove a temporary directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redstream::test {

struct ProcessResult {
    /// Exit code; 128 + signal number if killed by a signal; -1 on timeout.
    int status = -1;
    std::string out;  ///< Everything written to stdout.
    std::string err;  ///< Everything written to stderr.
};

/// Runs argv[0] (searched in PATH) with the given arguments and waits for it,
/// capturing stdout and stderr. Kills it after `timeout`. Throws
/// std::runtime_error if the program cannot be found or started.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Starts argv[0] (searched in PATH) in the background with stdin from
/// /dev/null and stdout+stderr appended to `output_file`. The child gets
/// SIGKILL when the calling thread's process dies (PR_SET_PDEATHSIG).
pid_t spawn_process(const std::vector<std::string>& argv, const std::string& output_file);

/// The full path of `program` found in PATH (or `program` itself when it
/// contains a slash); throws std::runtime_error when there is none.
std::string find_program(std::string_view program);

/// A loopback TCP port that was free a moment ago (never 6379).
std::uint16_t find_free_port();

/// Creates a fresh private directory "<tmp>/<prefix>XXXXXX" and returns its path.
std::string make_temp_dir(std::string_view prefix);

/// The last `max_lines` lines of a text file ("" if it cannot be read).
std::string file_tail(const std::string& path, std::size_t max_lines = 30);

/// Removes trailing whitespace (newlines included).
std::string trim_right(std::string text);

}  // namespace redstream::test
