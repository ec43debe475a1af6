#include "support/syn_blackhole.hpp"

#include <stdexcept>
#include <string>

namespace redstream::test {

SynBlackhole::SynBlackhole(std::uint16_t port)
    : listener_(listen_loopback(port, 0)), port_(local_port(listener_.get())) {
    // The queue is empty, so this one completes at once and fills it.
    filler_ = connect_loopback(port_);
    if (!filler_)
        throw std::runtime_error("cannot fill the accept queue of port " + std::to_string(port_));
}

}  // namespace redstream::test
