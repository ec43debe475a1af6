#include "naming.hpp"

#include "../consumer/read_state.hpp"

namespace redstream::detail {
namespace {

// Matches one pattern element (at p) against byte `c`; sets `next` to
// where the element ends. Unterminated classes run to the end of the pattern.
bool match_one(std::string_view pattern, std::size_t p, unsigned char c, std::size_t& next) {
    const auto n = pattern.size();
    if (pattern[p] == '?') {
        next = p + 1;
        return true;
    }
    if (pattern[p] == '\\' && p + 1 < n) {
        next = p + 2;
        return static_cast<unsigned char>(pattern[p + 1]) == c;
    }
    if (pattern[p] != '[') {
        next = p + 1;
        return static_cast<unsigned char>(pattern[p]) == c;
    }
    std::size_t i = p + 1;
    const bool negate = i < n && pattern[i] == '^';
    if (negate) ++i;
    bool hit = false;
    for (; i < n && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\' && i + 1 < n) {
            ++i;
            hit |= static_cast<unsigned char>(pattern[i]) == c;
        } else if (i + 2 < n && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            auto lo = static_cast<unsigned char>(pattern[i]);
            auto hi = static_cast<unsigned char>(pattern[i + 2]);
            if (lo > hi) std::swap(lo, hi);
            hit |= c >= lo && c <= hi;
            i += 2;
        } else {
            hit |= static_cast<unsigned char>(pattern[i]) == c;
        }
    }
    next = i < n ? i + 1 : n;
    return hit != negate;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, star_text = 0;  // the last `*` and where it began
    while (t < text.size()) {
        std::size_t next = 0;
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (p < pattern.size() &&
                   match_one(pattern, p, static_cast<unsigned char>(text[t]), next)) {
            p = next;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;  // the `*` takes one more byte
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::string scan_match_for(std::string_view pattern) {
    std::size_t backslashes = 0;
    if (!pattern.empty() && pattern.back() == '*')
        while (backslashes + 1 < pattern.size() &&
               pattern[pattern.size() - 2 - backslashes] == '\\')
            ++backslashes;
    if (!pattern.empty() && pattern.back() == '*' && backslashes % 2 == 0)
        return std::string(pattern);
    return std::string(pattern) + "*";
}

std::optional<KeyOwner> owner_of(std::string_view pattern, std::string_view key) {
    const auto colon = key.rfind(':');
    if (colon != std::string_view::npos && colon > 0) {
        const auto stream = key.substr(0, colon);
        if (auto shard = parse_shard_key(stream, key); shard && glob_match(pattern, stream))
            return KeyOwner{std::string(stream), *shard};
    }
    if (glob_match(pattern, key)) return KeyOwner{std::string(key), ShardId{0}};
    return std::nullopt;
}

}  // namespace redstream::detail
