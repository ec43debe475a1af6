// Whole writes and plain reads on file descriptors, for the commands that
// move bytes (dump's stdout, restore's stdin): no stdio buffering to flush,
// and EINTR from Ctrl-C handled where it may come.
#pragma once

#include <cstddef>
#include <string_view>

namespace redstream::cli {

/// Writes every byte of `bytes` to `fd`, retrying short writes and EINTR.
/// Throws std::system_error (EPIPE when the reader went away), `what`
/// naming the output.
void write_all(int fd, std::string_view bytes, const char* what);

/// Reads at most `size` bytes from `fd`; 0 at end of file. Retries EINTR
/// unless stop_requested() (then returns 0 too: the caller checks it).
/// Throws std::system_error, `what` naming the input.
std::size_t read_some(int fd, char* buffer, std::size_t size, const char* what);

}  // namespace redstream::cli
