// Binary-safe text in JSON: a string that is valid UTF-8 is written as a JSON
// string, anything else as {"base64": "..."}; both are read back. So
// `produce -J` and `consume -J` round-trip every byte of every payload.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <redstream/core/stream.hpp>

namespace redstream::cli {

using Json = nlohmann::ordered_json;

bool is_utf8(std::string_view bytes) noexcept;
std::string base64_encode(std::string_view bytes);
/// Throws UsageError on a character outside the alphabet or bad padding.
std::string base64_decode(std::string_view text);

/// `bytes` as a JSON string, or {"base64": ...} when it is not UTF-8.
Json text_value(std::string_view bytes);
/// The bytes of a text_value(); throws UsageError, naming `what`, for
/// anything else.
std::string bytes_of(const Json& value, std::string_view what);

/// A message as `consume -J` writes it: stream, key, shard, id, time (RFC
/// 3339), timestamp (ms), payload, fields (in order; a repeated name keeps
/// its last value), deliveries (group reads only).
Json message_json(const Message& m);

}  // namespace redstream::cli
