// A loopback port where TCP connects never complete: the SYNs are dropped,
// as by a firewall or a host that is gone, so connect() stays in SYN_SENT
// until the caller gives up (the kernel itself would retry for minutes).
//
// How: Linux drops a SYN that arrives while the listener's accept queue is
// full (tcp_conn_request: "listen overflow"), also with syncookies on. A
// listener with backlog 0 holds one established connection in its queue; we
// make that connection ourselves and never accept it. Checked on Linux 6.x:
// a second connect() stays in SYN-SENT (ss -tn) for as long as the port
// exists; the FaultProxy self-tests check it again on every run.
#pragma once

#include <cstdint>

#include "support/loopback_socket.hpp"

namespace redstream::test {

class SynBlackhole {
  public:
    /// Listens on 127.0.0.1:`port` (0: any free port) and fills the queue.
    /// Throws std::system_error.
    explicit SynBlackhole(std::uint16_t port = 0);

    std::uint16_t port() const noexcept { return port_; }

  private:
    UniqueFd listener_;
    UniqueFd filler_;  // the connection that fills the accept queue
    std::uint16_t port_ = 0;
};

}  // namespace redstream::test
