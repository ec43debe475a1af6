// redstream-tls: TLS for rediss:// connections, on asio::ssl and OpenSSL.
// Linking this library is what makes rediss:// work: a static initializer
// registers the factory with the core (src/net/tls.hpp). So that a link
// keeps this object although nothing refers to it, the redstream::tls target
// and redstream-tls.pc pass `-Wl,-u,redstream_tls_anchor` (a static link) and
// --no-as-needed around the library (a shared one).
#include <vector>

#include <asio/ip/address.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include <redstream/core/error.hpp>

#include "../net/tls.hpp"

namespace redstream::net::detail {
namespace {

class AsioTlsStream final : public TlsStream {
  public:
    AsioTlsStream(const asio::any_io_executor& ex, asio::ssl::context& ctx) : stream_(ex, ctx) {}

    asio::ip::tcp::socket& socket() noexcept override { return stream_.next_layer(); }

    void async_handshake(const std::string& name, bool verify_peer, Handler h) override {
        asio::error_code not_ip;
        asio::ip::make_address(name, not_ip);
        if (not_ip)  // SNI takes names only
            SSL_set_tlsext_host_name(stream_.native_handle(), name.c_str());
        if (verify_peer) stream_.set_verify_callback(asio::ssl::host_name_verification(name));
        stream_.async_handshake(asio::ssl::stream_base::client, std::move(h));
    }

    void async_read_some(asio::mutable_buffer buf, IoHandler h) override {
        stream_.async_read_some(buf, std::move(h));
    }

    void async_write(std::span<const asio::const_buffer> bufs, IoHandler h) override {
        write_buffers_.assign(bufs.begin(), bufs.end());
        asio::async_write(stream_, write_buffers_, std::move(h));
    }

  private:
    asio::ssl::stream<asio::ip::tcp::socket> stream_;
    std::vector<asio::const_buffer> write_buffers_;  // the write in flight's pieces
};

class AsioTlsContext final : public TlsContext {
  public:
    asio::ssl::context ctx{asio::ssl::context::tls_client};

    std::unique_ptr<TlsStream> make_stream(const asio::any_io_executor& ex) override {
        return std::make_unique<AsioTlsStream>(ex, ctx);
    }
};

std::shared_ptr<TlsContext> make_tls_context(const TlsOptions& options, std::error_code& ec) {
    auto holder = std::make_shared<AsioTlsContext>();
    auto& ctx = holder->ctx;
    asio::error_code aec;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1,
                    aec);
    if (!options.ca_file.empty()) ctx.load_verify_file(options.ca_file, aec);
    if (!aec && !options.ca_dir.empty()) ctx.add_verify_path(options.ca_dir, aec);
    if (!aec && options.ca_file.empty() && options.ca_dir.empty())
        ctx.set_default_verify_paths(aec);
    if (!aec && !options.cert_file.empty()) ctx.use_certificate_chain_file(options.cert_file, aec);
    if (!aec && !options.key_file.empty())
        ctx.use_private_key_file(options.key_file, asio::ssl::context::pem, aec);
    if (!aec)
        ctx.set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none,
                            aec);
    if (aec) {
        ec = make_error_code(errc::tls_failed);
        return nullptr;
    }
    return holder;
}

struct Registrar {
    Registrar() noexcept { register_tls(&make_tls_context); }
    // An unloaded library's code is never called; connections already made
    // keep their context.
    ~Registrar() { register_tls(nullptr); }
};
const Registrar registrar;

}  // namespace
}  // namespace redstream::net::detail

// The symbol `-Wl,-u` names: referring to it pulls this object, and so the
// registrar above, out of libredstream-tls.a.
extern "C" {
extern const int redstream_tls_anchor;
[[gnu::used]] const int redstream_tls_anchor = 1;
}
