// Plain POSIX loopback sockets for the fault-injection helpers: owned
// descriptors, listeners, connects, and closing with a reset. Independent of
// the library under test on purpose.
#pragma once

#include <cstdint>
#include <utility>

namespace redstream::test {

/// An owned file descriptor, closed when it goes away.
class UniqueFd {
  public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Gives up ownership: the caller closes it.
    int release() noexcept { return std::exchange(fd_, -1); }
    /// Closes the current descriptor (if any) and owns `fd` instead.
    void reset(int fd = -1) noexcept;

  private:
    int fd_ = -1;
};

/// A non-blocking TCP listener on 127.0.0.1:`port` (0: any free port) with
/// SO_REUSEADDR, so that a port can be listened on again while connections
/// accepted on it are still open. Throws std::system_error.
UniqueFd listen_loopback(std::uint16_t port, int backlog);

/// A blocking connect to 127.0.0.1:`port`, giving up after `timeout_ms`.
/// Returns an invalid UniqueFd when refused or timed out.
UniqueFd connect_loopback(std::uint16_t port, int timeout_ms = 1000);

/// The local port a socket is bound to. Throws std::system_error.
std::uint16_t local_port(int fd);

/// Puts a descriptor into non-blocking mode. Throws std::system_error.
void set_nonblocking(int fd);

/// Closes a TCP socket so that the peer gets an RST, not a FIN (SO_LINGER 0).
void close_with_reset(UniqueFd& fd) noexcept;

}  // namespace redstream::test
