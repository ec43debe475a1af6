// One byte stream to a server, whichever the transport: TCP, TLS over TCP, or
// a unix socket. A thin Asio wrapper; the protocol lives elsewhere.
#pragma once

#include <memory>
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

    explicit Stream(Tcp s) : stream_(std::move(s)) {}
    Stream(Tcp s, asio::ssl::context& ctx) : stream_(std::in_place_type<Tls>, std::move(s), ctx) {}
    explicit Stream(Unix s) : stream_(std::move(s)) {}

    template <class Handler>
    void async_read_some(asio::mutable_buffer buf, Handler&& h) {
        std::visit([&](auto& s) { s.async_read_some(buf, std::forward<Handler>(h)); }, stream_);
    }
    template <class Handler>
    void async_write(asio::const_buffer buf, Handler&& h) {
        std::visit([&](auto& s) { asio::async_write(s, buf, std::forward<Handler>(h)); }, stream_);
    }

    Tls* tls() noexcept { return std::get_if<Tls>(&stream_); }
    Tcp* tcp() noexcept { return std::get_if<Tcp>(&stream_); }

    /// Closes the socket; pending operations complete with operation_aborted.
    void close() noexcept;

  private:
    std::variant<Tcp, Tls, Unix> stream_;
};

}  // namespace redstream::detail
