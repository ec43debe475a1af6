#include "socket.hpp"

namespace redstream::net::detail {

namespace {

std::variant<Socket::Tcp, Socket::Tls, Socket::Unix> make_socket(const asio::any_io_executor& ex,
                                                                 Transport transport,
                                                                 TlsContext* tls) {
    if (transport == Transport::unix_socket) return Socket::Unix(ex);
    if (transport == Transport::tls && tls) return tls->make_stream(ex);
    return Socket::Tcp(ex);
}
}  // namespace

Socket::Socket(const asio::any_io_executor& ex, Transport transport, TlsContext* tls)
    : socket_(make_socket(ex, transport, tls)) {}

Socket::Tcp* Socket::tcp() noexcept {
    if (auto* t = std::get_if<Tls>(&socket_)) return &(*t)->socket();
    return std::get_if<Tcp>(&socket_);
}

void Socket::close() noexcept {
    std::visit(
        [](auto& s) {
            asio::error_code ignored;
            if constexpr (std::is_same_v<std::decay_t<decltype(s)>, Tls>)
                s->socket().close(ignored);
            else
                s.close(ignored);
        },
        socket_);
}

}  // namespace redstream::net::detail
