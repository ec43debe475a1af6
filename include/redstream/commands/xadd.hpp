// XADD: append an entry to a stream.
#pragma once

#include <optional>
#include <string_view>
#include <system_error>

#include <redstream/commands/types.hpp>

namespace redstream::commands {

struct XAddOptions {
    /// The new entry's id: `*` (server-picked), `<ms>-*` or explicit.
    XAddId id{};
    /// NOMKSTREAM: do not create a missing stream (the reply is then nil).
    bool nomkstream = false;
    /// Trim the stream in the same call (MAXLEN/MINID, =/~, LIMIT).
    TrimOptions trim{};
};

/// Appends `XADD key [NOMKSTREAM] [MAXLEN|MINID =|~ n [LIMIT c]] id f v ...`.
/// `fields` must not be empty (the server rejects it).
void xadd(resp::Request& req, std::string_view key, FieldList fields, const XAddOptions& opts = {});

/// Reply: the new entry's id; nullopt when NOMKSTREAM found no stream.
/// Errors: the server's code (e.g. wrongtype; server_error for an id not
/// greater than the last one), or unexpected_reply.
std::optional<MessageId> decode_xadd(const resp::Value& v, std::error_code& ec) noexcept;

}  // namespace redstream::commands
