#include <redstream/commands/keys.hpp>

#include "detail.hpp"

namespace redstream::commands {

void scan(resp::Request& req, std::string_view cursor, const ScanOptions& opts) {
    auto b = req.command("SCAN");
    b.arg(cursor);
    if (!opts.match.empty()) b.arg("MATCH").arg(opts.match);
    if (opts.count) b.arg("COUNT").arg(*opts.count);
    if (!opts.type.empty()) b.arg("TYPE").arg(opts.type);
}

ScanReply decode_scan(const resp::Value& v, std::error_code& ec) {
    ScanReply out;
    if (detail::failed(v, ec)) return out;
    if (!detail::is_list(v) || v.size() != 2) {
        detail::unexpected(ec);
        return out;
    }
    auto it = v.begin();
    const resp::Value cursor = *it;
    ++it;
    const resp::Value keys = *it;
    if (!cursor.is_string() || cursor.str().empty() || !detail::is_list(keys)) {
        detail::unexpected(ec);
        return out;
    }
    out.keys.reserve(keys.size());
    for (const resp::Value k : keys) {
        if (!k.is_string()) {
            detail::unexpected(ec);
            return {};
        }
        out.keys.push_back(k.str());
    }
    out.cursor = cursor.str();
    return out;
}

void type(resp::Request& req, std::string_view key) {
    req.command("TYPE").key(key);
}

std::string_view decode_type(const resp::Value& v, std::error_code& ec) {
    if (detail::failed(v, ec)) return {};
    if (!v.is_string() || v.str().empty()) {
        detail::unexpected(ec);
        return {};
    }
    return v.str();
}

void del(resp::Request& req, std::string_view key) {
    req.command("DEL").key(key);
}

}  // namespace redstream::commands
