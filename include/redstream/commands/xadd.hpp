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

/// One message as a producer sends it: XADD to `stream` (or, when `shard`
/// is set, to the shard key `stream:shard`) of `payload_field payload` and
/// then the `extra` fields.
struct XAddMessage {
    std::string_view stream;
    std::optional<std::uint64_t> shard{};
    std::string_view payload_field;
    std::string_view payload;
    FieldList extra{};
    /// The key's hash slot when the caller knows it (it sends to the same
    /// key over and over); hashed otherwise.
    std::optional<std::uint16_t> slot{};
    /// Write the payload by reference (resp::CommandBuilder::arg_by_reference):
    /// the caller keeps its bytes alive until the request is written.
    bool payload_by_reference = false;
};

/// The most bytes xadd(req, m, opts) appends: what a producer counts as
/// held until the send is confirmed.
std::size_t xadd_size(const XAddMessage& m, const XAddOptions& opts) noexcept;

/// Appends the XADD of `m` with its argument count known up front, so the
/// command is written once in place, never moved; its key's slot is recorded.
void xadd(resp::Request& req, const XAddMessage& m, const XAddOptions& opts);

/// Reply: the new entry's id; nullopt when NOMKSTREAM found no stream.
/// Errors: the server's code (e.g. wrongtype; server_error for an id not
/// greater than the last one), or unexpected_reply.
std::optional<MessageId> decode_xadd(const resp::Value& v, std::error_code& ec) noexcept;

}  // namespace redstream::commands
