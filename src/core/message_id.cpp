#include <redstream/core/message_id.hpp>

#include <charconv>

namespace redstream {
namespace {

bool parse_u64(std::string_view text, std::uint64_t& out) noexcept {
    if (text.empty()) return false;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

}  // namespace

std::optional<MessageId> MessageId::parse(std::string_view text) noexcept {
    MessageId id;
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        if (!parse_u64(text, id.ms)) return std::nullopt;
        return id;
    }
    if (!parse_u64(text.substr(0, dash), id.ms) || !parse_u64(text.substr(dash + 1), id.seq))
        return std::nullopt;
    return id;
}

std::size_t MessageId::format(char* out) const noexcept {
    char* end = out + max_text_size;
    auto r = std::to_chars(out, end, ms);
    *r.ptr++ = '-';
    r = std::to_chars(r.ptr, end, seq);
    return static_cast<std::size_t>(r.ptr - out);
}

std::string MessageId::to_string() const {
    char buf[max_text_size];
    return std::string(buf, format(buf));
}

}  // namespace redstream
