#include <redstream/cluster/redirect.hpp>

#include <charconv>

#include <redstream/cluster/endpoint.hpp>
#include <redstream/cluster/slot.hpp>
#include <redstream/core/error.hpp>

namespace redstream::cluster {

namespace {

std::optional<std::uint16_t> parse_slot(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value >= slot_count) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<Redirect> parse_redirect(std::string_view text, std::error_code& ec) {
    if (text.starts_with('-')) text.remove_prefix(1);
    Redirect out;
    const auto first_space = text.find(' ');
    const auto word = text.substr(0, first_space);
    if (word == "MOVED") {
        out.kind = RedirectKind::moved;
    } else if (word == "ASK") {
        out.kind = RedirectKind::ask;
    } else {
        ec = make_error_code(server_error_code(text));
        return std::nullopt;
    }
    ec = make_error_code(errc::unexpected_reply);
    if (first_space == std::string_view::npos) return std::nullopt;
    // Exactly "<word> <slot> <endpoint>", single spaces: the server writes it
    // so, and anything looser would have to guess which word is the endpoint.
    const auto rest = text.substr(first_space + 1);
    const auto second_space = rest.find(' ');
    if (second_space == std::string_view::npos) return std::nullopt;
    const auto slot = parse_slot(rest.substr(0, second_space));
    const auto endpoint_text = rest.substr(second_space + 1);
    if (!slot || endpoint_text.find(' ') != std::string_view::npos) return std::nullopt;
    auto endpoint = parse_endpoint(endpoint_text);
    if (!endpoint) return std::nullopt;
    out.slot = *slot;
    out.target = std::move(*endpoint);
    ec.clear();
    return out;
}

std::optional<Redirect> parse_redirect(std::string_view text) {
    std::error_code ignored;
    return parse_redirect(text, ignored);
}

}  // namespace redstream::cluster
