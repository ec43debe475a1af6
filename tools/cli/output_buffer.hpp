// What `consume` writes, gathered and written to a file descriptor with
// write(2) in large pieces: binary-safe, no stdio buffering to second-guess,
// and a reader that went away (`| head`, EPIPE) is noticed rather than fatal.
#pragma once

#include <string>

namespace redstream::cli {

class OutputBuffer {
  public:
    /// Past this many bytes gathered, the caller should flush.
    static constexpr std::size_t flush_at = std::size_t{64} << 10;

    explicit OutputBuffer(int fd) : fd_(fd) {}

    /// Append here.
    std::string& text() noexcept { return text_; }
    bool full() const noexcept { return text_.size() >= flush_at; }
    /// Writes everything gathered; false if the output is closed or failed
    /// (then broken() and every later flush fails too).
    bool flush();
    bool broken() const noexcept { return broken_; }
    /// The errno of the failed write (EPIPE: the reader went away).
    int error() const noexcept { return error_; }

  private:
    int fd_;
    std::string text_;
    bool broken_ = false;
    int error_ = 0;
};

}  // namespace redstream::cli
