// TLS as a plug-in of the connection layer. The core library has no TLS code
// and does not link OpenSSL: a program that never connects with rediss://
// loads none of it. The separate library redstream-tls (src/tls, CMake target
// redstream::tls) implements these interfaces on asio::ssl and registers its
// factory from a static initializer; without it a rediss:// connect fails
// with errc::invalid_argument, saying to link redstream::tls.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>

#include <redstream/net/config.hpp>

namespace redstream::net::detail {

/// TLS over a TCP socket. Completion handlers run through the executor the
/// stream was made with (the connection's strand). One read and one write
/// may be outstanding at a time.
class TlsStream {
  public:
    using Handler = std::function<void(std::error_code)>;
    using IoHandler = std::function<void(std::error_code, std::size_t)>;

    virtual ~TlsStream() = default;

    /// The TCP socket underneath: connect it, then call async_handshake.
    virtual asio::ip::tcp::socket& socket() noexcept = 0;
    /// Client handshake. `name` goes into SNI (unless it is an IP address)
    /// and, with `verify_peer`, is checked against the certificate.
    virtual void async_handshake(const std::string& name, bool verify_peer, Handler h) = 0;
    virtual void async_read_some(asio::mutable_buffer buf, IoHandler h) = 0;
    /// Writes all of `bufs`; the buffers' bytes must stay alive until the
    /// handler runs (the span itself need not).
    virtual void async_write(std::span<const asio::const_buffer> bufs, IoHandler h) = 0;
};

/// The TLS settings of one client (CA, client certificate, verify mode),
/// loaded once and shared by its connections.
class TlsContext {
  public:
    virtual ~TlsContext() = default;
    virtual std::unique_ptr<TlsStream> make_stream(const asio::any_io_executor& ex) = 0;
};

/// Loads a context; fails with errc::tls_failed.
using TlsContextFactory = std::shared_ptr<TlsContext> (*)(const TlsOptions& options,
                                                          std::error_code& ec);

/// Called by redstream-tls when it is loaded. Thread-safe; null unregisters.
void register_tls(TlsContextFactory factory) noexcept;
/// The registered factory, or null when redstream-tls is not linked.
TlsContextFactory tls_factory() noexcept;

/// What a rediss:// connect says when no TLS support is linked in.
inline constexpr const char* tls_not_linked_message =
    "rediss:// needs TLS support, which is a separate library: link redstream::tls "
    "(find_package(redstream COMPONENTS tls)) or pkg-config redstream-tls";

}  // namespace redstream::net::detail
