#include <redstream/commands/xpending.hpp>

#include "detail.hpp"

namespace redstream::commands {

void xpending(resp::Request& req, std::string_view key, std::string_view group) {
    req.command("XPENDING").key(key).arg(group);
}

void xpending(resp::Request& req, std::string_view key, std::string_view group,
              const XPendingOptions& opts) {
    auto b = req.command("XPENDING");
    b.key(key).arg(group);
    if (opts.min_idle) b.arg("IDLE").arg(static_cast<std::int64_t>(opts.min_idle->count()));
    opts.start.write(b);
    opts.end.write(b);
    b.arg(opts.count);
    if (!opts.consumer.empty()) b.arg(opts.consumer);
}

namespace {

// `[[name, "count"], ...]` (the count is a string in both protocols), or nil.
bool decode_consumers(const resp::Value& v, XPendingSummary& out) {
    if (v.is_null()) return true;
    if (!detail::is_list(v)) return false;
    out.consumers.reserve(v.size());
    for (const resp::Value item : v) {
        if (!detail::is_list(item) || item.size() != 2) return false;
        auto it = item.begin();
        const resp::Value name = *it;
        ++it;
        const auto count = detail::to_count(*it);
        if (!name.is_string() || !count) return false;
        out.consumers.push_back({name.str(), *count});
    }
    return true;
}

// An id, or nil when nothing is pending.
bool decode_optional_id(const resp::Value& v, std::optional<MessageId>& out) {
    if (v.is_null()) return true;
    out = detail::to_id(v);
    return out.has_value();
}

}  // namespace

XPendingSummary decode_xpending_summary(const resp::Value& v, std::error_code& ec) {
    XPendingSummary out;
    if (detail::failed(v, ec)) return out;
    if (!detail::is_list(v) || v.size() != 4) {
        detail::unexpected(ec);
        return out;
    }
    auto it = v.begin();
    const auto count = detail::to_count(*it);
    bool ok = count.has_value();
    ok = ok && decode_optional_id(*++it, out.smallest);
    ok = ok && decode_optional_id(*++it, out.largest);
    ok = ok && decode_consumers(*++it, out);
    if (!ok) {
        detail::unexpected(ec);
        return {};
    }
    out.count = *count;
    return out;
}

namespace {

bool decode_pending_entry(const resp::Value& v, PendingEntry& out) {
    if (!detail::is_list(v) || v.size() != 4) return false;
    auto it = v.begin();
    const auto id = detail::to_id(*it);
    const resp::Value consumer = *++it;
    const auto idle = detail::to_count(*++it);
    const auto deliveries = detail::to_count(*++it);
    if (!id || !consumer.is_string() || !idle || !deliveries) return false;
    out = {*id, consumer.str(), std::chrono::milliseconds(*idle), *deliveries};
    return true;
}

}  // namespace

std::vector<PendingEntry> decode_xpending(const resp::Value& v, std::error_code& ec) {
    std::vector<PendingEntry> out;
    if (detail::failed(v, ec)) return out;
    if (!detail::is_list(v)) {
        detail::unexpected(ec);
        return out;
    }
    out.resize(v.size());
    std::size_t i = 0;
    for (const resp::Value item : v) {
        if (!decode_pending_entry(item, out[i++])) {
            detail::unexpected(ec);
            return {};
        }
    }
    return out;
}

}  // namespace redstream::commands
