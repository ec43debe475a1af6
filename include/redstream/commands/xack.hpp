// XACK: acknowledge entries of a consumer group.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

/// Appends `XACK key group id...`. `ids` must not be empty.
void xack(resp::Request& req, std::string_view key, std::string_view group, IdList ids);

/// Reply: how many entries were removed from the pending list (ids not
/// pending, or of a missing group, count 0: compare with what you sent).
/// Errors: the server's code (wrongtype) or unexpected_reply.
inline std::uint64_t decode_xack(const resp::Value& v, std::error_code& ec) noexcept {
    return decode_count(v, ec);
}

}  // namespace redstream::commands
