#include <redstream/commands/xadd.hpp>

#include "detail.hpp"

namespace redstream::commands {

void xadd(resp::Request& req, std::string_view key, FieldList fields, const XAddOptions& opts) {
    auto b = req.command("XADD");
    b.arg(key);
    if (opts.nomkstream) b.arg("NOMKSTREAM");
    opts.trim.write(b);
    opts.id.write(b);
    for (const auto& [field, value] : fields)
        b.arg(field).arg(value);
}

std::optional<MessageId> decode_xadd(const resp::Value& v, std::error_code& ec) noexcept {
    if (detail::failed(v, ec) || v.is_null()) return std::nullopt;
    const auto id = detail::to_id(v);
    if (!id) detail::unexpected(ec);
    return id;
}

}  // namespace redstream::commands
