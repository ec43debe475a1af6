#include <redstream/commands/xadd.hpp>

#include "detail.hpp"

namespace redstream::commands {

void xadd(resp::Request& req, std::string_view key, FieldList fields, const XAddOptions& opts) {
    auto b = req.command("XADD");
    b.key(key);
    if (opts.nomkstream) b.arg("NOMKSTREAM");
    opts.trim.write(b);
    opts.id.write(b);
    for (const auto& [field, value] : fields)
        b.arg(field).arg(value);
}

namespace {

// Longest rendering of a trim or id argument (a 64-bit number, an id, `=`).
constexpr std::size_t max_number_arg = MessageId::max_text_size;

}  // namespace

std::size_t xadd_size(const XAddMessage& m, const XAddOptions& opts) noexcept {
    constexpr std::size_t shard_suffix = 21;  // ':' and up to 20 digits
    std::size_t n = resp::header_size(2 * m.extra.size() + 16) + resp::bulk_size(4) +
                    resp::bulk_size(m.stream.size() + (m.shard ? shard_suffix : 0)) +
                    resp::bulk_size(m.payload_field.size()) + resp::bulk_size(m.payload.size());
    if (opts.nomkstream) n += resp::bulk_size(10);
    n += (opts.trim.argc() + 1) * resp::bulk_size(max_number_arg);
    for (const auto& [field, value] : m.extra)
        n += resp::bulk_size(field.size()) + resp::bulk_size(value.size());
    return n;
}

void xadd(resp::Request& req, const XAddMessage& m, const XAddOptions& opts) {
    const std::size_t argc =
        2 + (opts.nomkstream ? 1 : 0) + opts.trim.argc() + 1 + 2 + 2 * m.extra.size();
    auto b = req.command("XADD", argc);
    if (m.shard && m.slot)
        b.shard_key_in_slot(m.stream, *m.shard, *m.slot);
    else if (m.shard)
        b.shard_key(m.stream, *m.shard);
    else if (m.slot)
        b.key_in_slot(m.stream, *m.slot);
    else
        b.key(m.stream);
    if (opts.nomkstream) b.arg("NOMKSTREAM");
    opts.trim.write(b);
    opts.id.write(b);
    b.arg(m.payload_field);
    if (m.payload_by_reference)
        b.arg_by_reference(m.payload);
    else
        b.arg(m.payload);
    for (const auto& [field, value] : m.extra)
        b.arg(field).arg(value);
}

std::optional<MessageId> decode_xadd(const resp::Value& v, std::error_code& ec) noexcept {
    if (detail::failed(v, ec) || v.is_null()) return std::nullopt;
    const auto id = detail::to_id(v);
    if (!id) detail::unexpected(ec);
    return id;
}

}  // namespace redstream::commands
