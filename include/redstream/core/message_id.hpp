// Stream entry ids: `ms-seq`, both parts 64-bit, kept lossless.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace redstream {

/// A Redis stream entry id (`<ms>-<seq>`). Ids are ordered but not contiguous.
struct MessageId {
    std::uint64_t ms = 0;   ///< Milliseconds part (usually a Unix time in ms).
    std::uint64_t seq = 0;  ///< Sequence within that millisecond.

    friend constexpr auto operator<=>(const MessageId&, const MessageId&) = default;

    /// The smallest id (`0-0`).
    static constexpr MessageId min() noexcept { return {0, 0}; }
    /// The largest id (`18446744073709551615-18446744073709551615`).
    static constexpr MessageId max() noexcept { return {UINT64_MAX, UINT64_MAX}; }

    /// The id right after this one; `max()` stays `max()`.
    constexpr MessageId next() const noexcept {
        if (seq != UINT64_MAX) return {ms, seq + 1};
        if (ms != UINT64_MAX) return {ms + 1, 0};
        return *this;
    }

    /// Parses `ms-seq` or a bare `ms` (seq 0). Nothing else: no `*`, `$`, `-`, `+`.
    static std::optional<MessageId> parse(std::string_view text) noexcept;

    /// Writes `ms-seq` into `out` (at least `max_text_size` bytes); returns the length.
    std::size_t format(char* out) const noexcept;
    std::string to_string() const;

    static constexpr std::size_t max_text_size = 41;
};

}  // namespace redstream
