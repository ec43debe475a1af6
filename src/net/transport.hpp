// One byte stream to a server, whichever the transport: TCP, TLS over TCP, or
// a unix socket. A thin Asio wrapper; the protocol lives elsewhere.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <variant>

#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include <redstream/net/config.hpp>

namespace redstream::detail {

/// Builds the TLS context from the options (CA, client certificate, verify mode).
std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& options,
                                                     std::error_code& ec);

class Stream {
  public:
    using Tcp = asio::ip::tcp::socket;
    using Tls = asio::ssl::stream<asio::ip::tcp::socket>;
    using Unix = asio::local::stream_protocol::socket;

    /// Not yet connected: the socket exists from the start of an attempt so
    /// that close() can abort the attempt at any stage (connect, TLS).
    /// `tls`: wrap TCP in TLS with this context; ignored for unix sockets.
    Stream(const asio::any_io_executor& ex, Transport transport, asio::ssl::context* tls);

    template <class Handler>
    void async_read_some(asio::mutable_buffer buf, Handler&& h) {
        std::visit([&](auto& s) { s.async_read_some(buf, std::forward<Handler>(h)); }, stream_);
    }
    /// Writes all of `bufs` (one buffer, or a span of them that the caller
    /// keeps alive until the handler runs).
    template <class Buffers, class Handler>
    void async_write(const Buffers& bufs, Handler&& h) {
        std::visit([&](auto& s) { asio::async_write(s, bufs, std::forward<Handler>(h)); }, stream_);
    }

    Tls* tls() noexcept { return std::get_if<Tls>(&stream_); }
    Unix* unix_socket() noexcept { return std::get_if<Unix>(&stream_); }
    /// The TCP socket, bare or under TLS; null for a unix socket.
    Tcp* tcp() noexcept;

    /// Closes the socket; pending operations complete with operation_aborted.
    void close() noexcept;

  private:
    std::variant<Tcp, Tls, Unix> stream_;
};

}  // namespace redstream::detail
