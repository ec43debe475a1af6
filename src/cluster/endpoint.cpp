#include <redstream/cluster/endpoint.hpp>

#include <charconv>

namespace redstream::cluster {

namespace {

// Decimal digits only (from_chars would also take a sign on some inputs we
// must refuse, and stops silently at trailing garbage): 1..65535.
std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<HostPort> parse_endpoint(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        // A bracket anywhere else is not an address we can connect to.
        if (host.find_first_of("[]") != std::string_view::npos) return std::nullopt;
    }
    const auto number = parse_port(port);
    if (!number) return std::nullopt;
    // "?" is how Redis 7 writes a hostname it was asked to prefer but does
    // not have; like "", it stands for the host that sent the reply.
    if (host == "?") host = {};
    return HostPort{std::string(host), *number};
}

std::string endpoint_name(const HostPort& endpoint) {
    const bool ipv6 = endpoint.host.find(':') != std::string::npos;
    std::string name;
    name.reserve(endpoint.host.size() + 8);
    if (ipv6) name += '[';
    name += endpoint.host;
    if (ipv6) name += ']';
    name += ':';
    name += std::to_string(endpoint.port);
    return name;
}

}  // namespace redstream::cluster
