// One connection through the FaultProxy: the client's socket, the socket to
// the server, and the bytes on their way in each direction. Used only on the
// proxy's thread.
#pragma once

#include <poll.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/fault_proxy.hpp"
#include "support/loopback_socket.hpp"

namespace redstream::test::detail {

using Modes = std::array<ProxyMode, 2>;  // indexed by Direction

class ProxyLink {
  public:
    /// Both sockets non-blocking; `index` is the connection's accept number.
    ProxyLink(UniqueFd client, UniqueFd server, std::size_t index);

    std::size_t index() const noexcept { return index_; }
    /// Who closed it; Closer::none while it is open.
    Closer closer() const noexcept { return closer_; }

    /// What to wait for on each socket under `modes`.
    void poll_events(const Modes& modes, pollfd& client, pollfd& server) const;
    /// Reads and writes what poll() reported as ready; may close the link.
    void on_events(const Modes& modes, short client_revents, short server_revents);

    /// Queues `bytes` after what direction `d` already holds.
    void inject(Direction d, std::string_view bytes);
    /// Drip: lets direction `d` write `bytes` more (not cumulative).
    void refill(Direction d, std::size_t bytes) noexcept { pipes_[at(d)].budget = bytes; }
    /// Closes both sockets with an RST.
    void reset() noexcept;
    /// Bytes written in direction `d` since the last call.
    std::uint64_t take_written(Direction d) noexcept;

  private:
    // One direction: bytes read, waiting in buffer[sent..] to be written.
    struct Pipe {
        std::string buffer;
        std::size_t sent = 0;
        std::size_t budget = 0;  // drip: bytes it may still write this interval
        std::uint64_t written = 0;
        std::size_t pending() const noexcept { return buffer.size() - sent; }
    };

    static std::size_t at(Direction d) noexcept { return static_cast<std::size_t>(d); }
    bool can_read(Direction d, const ProxyMode& mode) const noexcept;
    bool can_write(Direction d, const ProxyMode& mode) const noexcept;
    int source(Direction d) const noexcept;
    int sink(Direction d) const noexcept;
    // Each returns false when the link was closed.
    bool read(Direction d);
    bool write(Direction d, const ProxyMode& mode);
    void close(Closer who) noexcept;

    UniqueFd client_;
    UniqueFd server_;
    std::array<Pipe, 2> pipes_;
    std::size_t index_;
    Closer closer_ = Closer::none;
    bool server_eof_ = false;  // the server sent FIN; close once its bytes are out
};

}  // namespace redstream::test::detail
