// Lines from a file descriptor (stdin for `produce`), read in large chunks
// with read(2) so that a line may hold any byte but '\n' and be megabytes
// long, up to a cap that keeps memory bounded. A Ctrl-C interrupts a read
// that waits on a terminal or a pipe (the signal handler is installed
// without SA_RESTART), so the caller can stop promptly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace redstream::cli {

/// A line longer than the cap, or a read error: what() says which line.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class InputLines {
  public:
    /// The longest line accepted by default (64 MiB, without its newline).
    static constexpr std::size_t default_max_line = std::size_t{64} << 20;

    enum class Result { line, end, interrupted };

    explicit InputLines(int fd, std::size_t max_line = default_max_line);

    /// The next line, without its '\n' (a last line without one counts
    /// too); `end` at end of input; `interrupted` once stop_requested().
    /// Throws InputError for a line longer than max_line or a read error.
    Result next(std::string& line);
    /// Lines returned so far (the number of the last one).
    std::uint64_t line_number() const noexcept { return lines_; }

  private:
    bool fill();  // false at end of input; throws InputError

    int fd_;
    std::size_t max_line_;
    std::string buffer_;
    std::size_t start_ = 0;    // of the line being assembled in buffer_
    std::size_t scanned_ = 0;  // bytes from start_ known to hold no '\n'
    bool eof_ = false;
    bool interrupted_ = false;
    std::uint64_t lines_ = 0;
};

}  // namespace redstream::cli
