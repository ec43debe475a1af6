// The registry of the TLS plug-in (tls.hpp): the core library's only TLS
// code, a pointer that redstream-tls sets when it is linked.
#include "tls.hpp"

#include <atomic>

namespace redstream::net::detail {

namespace {
// Constant-initialized, so redstream-tls may register from a static
// initializer that runs before any of the core's.
std::atomic<TlsContextFactory> tls_factory_{nullptr};
}  // namespace

void register_tls(TlsContextFactory factory) noexcept {
    tls_factory_.store(factory, std::memory_order_release);
}

TlsContextFactory tls_factory() noexcept {
    return tls_factory_.load(std::memory_order_acquire);
}

}  // namespace redstream::net::detail
