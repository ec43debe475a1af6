// Small POSIX helpers for the test fixtures: run a program without a shell,
// find a free loopback port, make and remove a temporary directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
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
/// capturing stdout and stderr, with stdin read from `stdin_path`. Kills it
/// after `timeout`. Throws std::runtime_error if the program cannot be found
/// or started.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30),
                          const std::string& stdin_path = "/dev/null");

/// Starts argv[0] (searched in PATH) in the background with stdin from
/// /dev/null and stdout+stderr appended to `output_file`. The child gets
/// SIGKILL when the calling thread's process dies (PR_SET_PDEATHSIG).
pid_t spawn_process(const std::vector<std::string>& argv, const std::string& output_file);

/// A child process whose stdout the test reads line by line through a pipe,
/// as it is written (stdin is /dev/null, stderr is the test's own). The child
/// gets SIGKILL when the test process dies (PR_SET_PDEATHSIG) and when this
/// object goes away while it runs; it is always reaped.
class PipedProcess {
  public:
    /// Starts argv[0] (searched in PATH). A `pipe_size` (bytes, rounded up
    /// to a page by the kernel; 0: the default, 64 KiB) bounds how far the
    /// child can write ahead of the reader before it blocks. Throws
    /// std::runtime_error if the program cannot be found, std::system_error
    /// if it cannot be started.
    explicit PipedProcess(const std::vector<std::string>& argv, std::size_t pipe_size = 0);
    ~PipedProcess();
    PipedProcess(const PipedProcess&) = delete;
    PipedProcess& operator=(const PipedProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }

    /// The next line of the child's stdout, without its newline (a last
    /// line without one counts too). False at end of file: the child has
    /// exited or closed its stdout, and every line it wrote was returned.
    /// Throws std::runtime_error if neither happens by `deadline`.
    bool read_line(std::string& line, std::chrono::steady_clock::time_point deadline);

    /// Sends `signal` to the child; nothing once it has been reaped.
    void kill(int signal) noexcept;

    /// Waits for the child to exit and reaps it (once; later calls return
    /// the same). Exit code, or 128 + signal number if killed by a signal.
    int wait();

  private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string buffer_;  // read but not yet returned, from buffer_start_
    std::size_t buffer_start_ = 0;
    std::optional<int> status_;  // once reaped
};

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
