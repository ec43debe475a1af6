// The socket to a server, whichever the transport: TCP, TLS over TCP, or a
// unix socket. A thin Asio wrapper; the protocol lives elsewhere. TLS comes
// from the redstream-tls library through the TlsStream interface (tls.hpp),
// so nothing here depends on OpenSSL.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>

#include <redstream/net/config.hpp>

#include "tls.hpp"

namespace redstream::net::detail {

class Socket {
    /// asio::transfer_all, but not 64 KiB at a time: a batch goes out in as
    /// few system calls as the socket's buffer allows.
    struct WriteAll {
        std::size_t operator()(const std::error_code& ec, std::size_t) const noexcept {
            return ec ? 0 : max_write;
        }
    };

  public:
    /// The most one system call is asked to write.
    static constexpr std::size_t max_write = 4 * 1024 * 1024;

    using Tcp = asio::ip::tcp::socket;
    using Tls = std::unique_ptr<TlsStream>;
    using Unix = asio::local::stream_protocol::socket;

    /// Not yet connected: the socket exists from the start of an attempt so
    /// that close() can abort the attempt at any stage (connect, TLS).
    /// `tls`: wrap TCP in TLS with this context; ignored for unix sockets.
    Socket(const asio::any_io_executor& ex, Transport transport, TlsContext* tls);

    template <class Handler>
    void async_read_some(asio::mutable_buffer buf, Handler&& h) {
        std::visit(
            [&](auto& s) {
                if constexpr (std::is_same_v<std::decay_t<decltype(s)>, Tls>)
                    s->async_read_some(buf, TlsStream::IoHandler(std::forward<Handler>(h)));
                else
                    s.async_read_some(buf, std::forward<Handler>(h));
            },
            socket_);
    }
    /// Writes all of `bufs` (one buffer, or a span of them that the caller
    /// keeps alive until the handler runs): a gathered write.
    template <class Buffers, class Handler>
    void async_write(const Buffers& bufs, Handler&& h) {
        std::visit(
            [&](auto& s) {
                if constexpr (std::is_same_v<std::decay_t<decltype(s)>, Tls>) {
                    if constexpr (std::is_convertible_v<const Buffers&, asio::const_buffer>) {
                        const asio::const_buffer one(bufs);
                        s->async_write(std::span<const asio::const_buffer>(&one, 1),
                                       TlsStream::IoHandler(std::forward<Handler>(h)));
                    } else {
                        s->async_write(std::span<const asio::const_buffer>(bufs),
                                       TlsStream::IoHandler(std::forward<Handler>(h)));
                    }
                } else {
                    asio::async_write(s, bufs, WriteAll{}, std::forward<Handler>(h));
                }
            },
            socket_);
    }

    TlsStream* tls() noexcept {
        auto* t = std::get_if<Tls>(&socket_);
        return t ? t->get() : nullptr;
    }
    Unix* unix_socket() noexcept { return std::get_if<Unix>(&socket_); }
    /// The TCP socket, bare or under TLS; null for a unix socket.
    Tcp* tcp() noexcept;

    /// Closes the socket; pending operations complete with operation_aborted.
    void close() noexcept;

  private:
    std::variant<Tcp, Tls, Unix> socket_;
};

}  // namespace redstream::net::detail
