#include "transport.hpp"

#include <atomic>

namespace redstream::detail {

namespace {
// Constant-initialized, so redstream-tls may register from a static
// initializer that runs before any of the core's.
std::atomic<TlsContextFactory> tls_factory_{nullptr};

std::variant<Stream::Tcp, Stream::Tls, Stream::Unix> make_stream(const asio::any_io_executor& ex,
                                                                 Transport transport,
                                                                 TlsContext* tls) {
    if (transport == Transport::unix_socket) return Stream::Unix(ex);
    if (transport == Transport::tls && tls) return tls->make_stream(ex);
    return Stream::Tcp(ex);
}
}  // namespace

void register_tls(TlsContextFactory factory) noexcept {
    tls_factory_.store(factory, std::memory_order_release);
}

TlsContextFactory tls_factory() noexcept {
    return tls_factory_.load(std::memory_order_acquire);
}

Stream::Stream(const asio::any_io_executor& ex, Transport transport, TlsContext* tls)
    : stream_(make_stream(ex, transport, tls)) {}

Stream::Tcp* Stream::tcp() noexcept {
    if (auto* t = std::get_if<Tls>(&stream_)) return &(*t)->socket();
    return std::get_if<Tcp>(&stream_);
}

void Stream::close() noexcept {
    std::visit(
        [](auto& s) {
            asio::error_code ignored;
            if constexpr (std::is_same_v<std::decay_t<decltype(s)>, Tls>)
                s->socket().close(ignored);
            else
                s.close(ignored);
        },
        stream_);
}

}  // namespace redstream::detail
