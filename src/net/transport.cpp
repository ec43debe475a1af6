#include "transport.hpp"

#include <redstream/core/error.hpp>

namespace redstream::detail {

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& options,
                                                     std::error_code& ec) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    asio::error_code aec;
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1,
                     aec);
    if (!options.ca_file.empty()) ctx->load_verify_file(options.ca_file, aec);
    if (!aec && !options.ca_dir.empty()) ctx->add_verify_path(options.ca_dir, aec);
    if (!aec && options.ca_file.empty() && options.ca_dir.empty())
        ctx->set_default_verify_paths(aec);
    if (!aec && !options.cert_file.empty()) ctx->use_certificate_chain_file(options.cert_file, aec);
    if (!aec && !options.key_file.empty())
        ctx->use_private_key_file(options.key_file, asio::ssl::context::pem, aec);
    if (!aec)
        ctx->set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none,
                             aec);
    if (aec) {
        ec = make_error_code(errc::tls_failed);
        return nullptr;
    }
    return ctx;
}

namespace {
std::variant<Stream::Tcp, Stream::Tls, Stream::Unix> make_stream(const asio::any_io_executor& ex,
                                                                 Transport transport,
                                                                 asio::ssl::context* tls) {
    if (transport == Transport::unix_socket) return Stream::Unix(ex);
    if (transport == Transport::tls && tls)
        return std::variant<Stream::Tcp, Stream::Tls, Stream::Unix>(std::in_place_type<Stream::Tls>,
                                                                    ex, *tls);
    return Stream::Tcp(ex);
}
}  // namespace

Stream::Stream(const asio::any_io_executor& ex, Transport transport, asio::ssl::context* tls)
    : stream_(make_stream(ex, transport, tls)) {}

Stream::Tcp* Stream::tcp() noexcept {
    if (auto* t = std::get_if<Tls>(&stream_)) return &t->next_layer();
    return std::get_if<Tcp>(&stream_);
}

void Stream::close() noexcept {
    std::visit(
        [](auto& s) {
            asio::error_code ignored;
            if constexpr (std::is_same_v<std::decay_t<decltype(s)>, Tls>)
                s.lowest_layer().close(ignored);
            else
                s.close(ignored);
        },
        stream_);
}

}  // namespace redstream::detail
