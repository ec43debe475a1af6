// Decoding helpers shared by the command families (not installed).
// All of them check types and sizes before indexing: any well-formed reply,
// of any shape, must give unexpected_reply rather than undefined behaviour.
#pragma once

#include <redstream/commands/types.hpp>
#include <redstream/core/error.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace redstream::commands::detail {

/// Sets `ec` and returns true if `v` is an error reply or an invalid cursor.
inline bool failed(const resp::Value& v, std::error_code& ec) noexcept {
    if (!v.valid()) {
        ec = make_error_code(errc::unexpected_reply);
        return true;
    }
    if (v.is_error()) {
        ec = resp::error_of(v);
        return true;
    }
    ec.clear();
    return false;
}

inline void unexpected(std::error_code& ec) noexcept {
    ec = make_error_code(errc::unexpected_reply);
}

/// RESP2 arrays and RESP3 arrays, sets and pushes all list values.
inline bool is_list(const resp::Value& v) noexcept {
    return v.valid() && (v.type() == resp::Type::array || v.type() == resp::Type::set);
}

/// A RESP3 map, or a RESP2 flat array of alternating key, value.
inline bool is_pairs(const resp::Value& v) noexcept {
    return v.valid() && (v.type() == resp::Type::map || v.type() == resp::Type::array) &&
           v.size() % 2 == 0;
}

inline std::optional<MessageId> to_id(const resp::Value& v) noexcept {
    if (!v.valid() || !v.is_string()) return std::nullopt;
    return MessageId::parse(v.str());
}

/// A non-negative integer (RESP integer, or a RESP2 string holding one).
inline std::optional<std::uint64_t> to_count(const resp::Value& v) noexcept {
    if (!v.valid()) return std::nullopt;
    const auto n = v.to_int();
    if (!n || *n < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*n);
}

/// Decodes `[id, [f, v, ...]]` or `[id, nil]`; false for any other shape.
bool to_entry(const resp::Value& v, StreamEntry& out) noexcept;

/// Calls `fn(key, value)` for each pair of a map-shaped reply (map or flat
/// array). Returns false if `v` has neither shape or `fn` returns false.
template <class Fn>
bool for_each_pair(const resp::Value& v, Fn&& fn) {
    if (!is_pairs(v)) return false;
    auto it = v.begin();
    for (std::size_t i = 0; i < v.size(); i += 2) {
        const resp::Value key = *it;
        ++it;
        const resp::Value value = *it;
        ++it;
        if (!key.is_string() || !fn(key.str(), value)) return false;
    }
    return true;
}

}  // namespace redstream::commands::detail
