#include <redstream/commands/xclaim.hpp>

#include "detail.hpp"

namespace redstream::commands {

void xclaim(resp::Request& req, std::string_view key, std::string_view group,
            std::string_view consumer, std::chrono::milliseconds min_idle, IdList ids,
            const XClaimOptions& opts) {
    auto b = req.command("XCLAIM");
    b.key(key).arg(group).arg(consumer).arg(static_cast<std::int64_t>(min_idle.count()));
    for (const auto& id : ids)
        b.arg(id);
    if (opts.idle) b.arg("IDLE").arg(static_cast<std::int64_t>(opts.idle->count()));
    if (opts.time_ms) b.arg("TIME").arg(*opts.time_ms);
    if (opts.retry_count) b.arg("RETRYCOUNT").arg(*opts.retry_count);
    if (opts.force) b.arg("FORCE");
    if (opts.justid) b.arg("JUSTID");
    if (opts.last_id) b.arg("LASTID").arg(*opts.last_id);
}

void xautoclaim(resp::Request& req, std::string_view key, std::string_view group,
                std::string_view consumer, std::chrono::milliseconds min_idle, MessageId start,
                const XAutoClaimOptions& opts) {
    auto b = req.command("XAUTOCLAIM");
    b.key(key).arg(group).arg(consumer).arg(static_cast<std::int64_t>(min_idle.count()));
    b.arg(start);
    if (opts.count) b.arg("COUNT").arg(*opts.count);
    if (opts.justid) b.arg("JUSTID");
}

namespace {

// The claimed part is entries (`[id, fields]`) or, with JUSTID, bare ids;
// an empty list fits both.
bool decode_claimed(const resp::Value& v, XAutoClaimReply& out) {
    if (!detail::is_list(v)) return false;
    std::error_code ec;
    const bool ids_only = v.size() > 0 && (*v.begin()).is_string();
    if (ids_only) {
        out.ids = decode_ids(v, ec);
        return !ec;
    }
    out.entries = decode_entries(v, ec);
    if (ec) return false;
    out.ids.reserve(out.entries.size());
    for (const auto& e : out.entries)
        out.ids.push_back(e.id);
    return true;
}

}  // namespace

XAutoClaimReply decode_xautoclaim(const resp::Value& v, std::error_code& ec) {
    XAutoClaimReply out;
    if (detail::failed(v, ec)) return out;
    // Redis 6.2 replies with two elements, 7.0+ adds the deleted ids.
    if (!detail::is_list(v) || v.size() < 2 || v.size() > 3) {
        detail::unexpected(ec);
        return out;
    }
    auto it = v.begin();
    const auto next = detail::to_id(*it);
    ++it;
    bool ok = next && decode_claimed(*it, out);
    if (ok && v.size() == 3) {
        ++it;
        std::error_code inner;
        out.deleted = decode_ids(*it, inner);
        ok = !inner && detail::is_list(*it);
    }
    if (!ok) {
        detail::unexpected(ec);
        return {};
    }
    out.next = *next;
    return out;
}

}  // namespace redstream::commands
