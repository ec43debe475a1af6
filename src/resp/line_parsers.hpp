// Strict parsers for the payload of RESP header and number lines. Inline:
// they sit on the reader's hot path (every element starts with a length).
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace redstream::resp::detail {

/// Decimal int64: optional '-', then 1 to 19 digits, nothing else.
inline bool parse_int64(std::string_view s, std::int64_t& out) noexcept {
    const char* p = s.data();
    const char* end = p + s.size();
    const bool negative = p != end && *p == '-';
    if (negative) ++p;
    if (p == end || end - p > 19) return false;
    std::uint64_t v = 0;
    for (; p != end; ++p) {
        const unsigned digit = static_cast<unsigned char>(*p) - '0';
        if (digit > 9) return false;
        v = v * 10 + digit;
    }
    // 19 digits fit in uint64 without wrapping; only the int64 range is left.
    const std::uint64_t limit = static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1 : 0);
    if (v > limit) return false;
    out = negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
    return true;
}

/// RESP3 double: decimal or exponent form, "inf", "-inf", "nan".
inline bool is_double(std::string_view s) noexcept {
    if (s.empty() || s.front() == '+') return false;
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    // Out-of-range finite literals are still doubles (they round to inf/0).
    return r.ptr == s.data() + s.size() &&
           (r.ec == std::errc{} || r.ec == std::errc::result_out_of_range);
}

/// RESP3 big number: optional '-', then one or more digits.
inline bool is_big_number(std::string_view s) noexcept {
    if (!s.empty() && s.front() == '-') s.remove_prefix(1);
    if (s.empty()) return false;
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace redstream::resp::detail
