// Which stream a key belongs to, for listings (sans-I/O): Redis glob
// matching, and the rule that makes `X:N` shard N of stream X.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <redstream/core/stream.hpp>

namespace redstream::detail {

/// True if `text` matches the Redis glob `pattern` as SCAN MATCH does: `*`
/// any run, `?` any byte, `[abc]`, `[^abc]`, `[a-z]` (either order), `\x`
/// the byte x; case-sensitive. One backtrack point (the last `*`), no recursion: O(pattern × text)
/// at worst.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

/// The MATCH to send so that SCAN finds every key of every stream whose
/// name matches `pattern`: `pattern*` (the shards `name:N` too), or
/// `pattern` itself when it already ends in an unescaped `*`.
std::string scan_match_for(std::string_view pattern);

/// A key's stream and shard.
struct KeyOwner {
    std::string stream;
    ShardId shard;
};

/// The stream a key found by SCAN MATCH scan_match_for(pattern) belongs to:
/// `X:N` (N canonical decimal) is shard N of X when X matches `pattern`;
/// otherwise a key that matches `pattern` is a stream of its own (shard 0);
/// otherwise nullopt (it only matched the wider MATCH sent).
std::optional<KeyOwner> owner_of(std::string_view pattern, std::string_view key);

}  // namespace redstream::detail
