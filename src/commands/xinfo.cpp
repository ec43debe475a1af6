#include <redstream/commands/xinfo.hpp>

#include <type_traits>

#include "detail.hpp"

namespace redstream::commands {

void xinfo_stream(resp::Request& req, std::string_view key) {
    req.command("XINFO").arg("STREAM").key(key);
}

void xinfo_stream_full(resp::Request& req, std::string_view key,
                       std::optional<std::uint64_t> count) {
    auto b = req.command("XINFO");
    b.arg("STREAM").key(key).arg("FULL");
    if (count) b.arg("COUNT").arg(*count);
}

void xinfo_groups(resp::Request& req, std::string_view key) {
    req.command("XINFO").arg("GROUPS").key(key);
}

void xinfo_consumers(resp::Request& req, std::string_view key, std::string_view group) {
    req.command("XINFO").arg("CONSUMERS").key(key).arg(group);
}

namespace {

bool set(const resp::Value& v, std::uint64_t& out) {
    const auto n = detail::to_count(v);
    if (n) out = *n;
    return n.has_value();
}

bool set(const resp::Value& v, MessageId& out) {
    const auto id = detail::to_id(v);
    if (id) out = *id;
    return id.has_value();
}

bool set(const resp::Value& v, std::string_view& out) {
    if (!v.is_string()) return false;
    out = v.str();
    return true;
}

bool set(const resp::Value& v, std::chrono::milliseconds& out) {
    std::uint64_t n = 0;
    if (!set(v, n)) return false;
    out = std::chrono::milliseconds(static_cast<std::int64_t>(n));
    return true;
}

// Counters the server reports as nil when it cannot know them (entries-read, lag).
template <class T>
bool set(const resp::Value& v, std::optional<T>& out) {
    if (v.is_null()) {
        out.reset();
        return true;
    }
    if constexpr (std::is_same_v<T, std::int64_t>) {
        out = v.to_int();
        return out.has_value();
    } else {
        T value{};
        if (!set(v, value)) return false;
        out = value;
        return true;
    }
}

// Times Redis 7.2+ reports as -1 when the event never happened.
template <class T>
bool set_if_happened(const resp::Value& v, std::optional<T>& out) {
    const auto n = v.is_null() ? std::optional<std::int64_t>(-1) : v.to_int();
    if (!n) return false;
    if (*n >= 0) out = T(*n);
    return true;
}

bool set(const resp::Value& v, std::optional<StreamEntry>& out) {
    if (v.is_null()) return true;
    StreamEntry e;
    if (!detail::to_entry(v, e)) return false;
    out = e;
    return true;
}

// Keys both XINFO STREAM forms share; nullopt when `key` is not one of them.
std::optional<bool> set_common(std::string_view key, const resp::Value& v, XInfoStreamCommon& out) {
    if (key == "length") return set(v, out.length);
    if (key == "radix-tree-keys") return set(v, out.radix_tree_keys);
    if (key == "radix-tree-nodes") return set(v, out.radix_tree_nodes);
    if (key == "last-generated-id") return set(v, out.last_generated_id);
    if (key == "max-deleted-entry-id") return set(v, out.max_deleted_entry_id);
    if (key == "entries-added") return set(v, out.entries_added);
    if (key == "recorded-first-entry-id") return set(v, out.recorded_first_entry_id);
    return std::nullopt;
}

// Runs `decode_one` over every element of a list reply.
template <class T, class Fn>
bool decode_list(const resp::Value& v, std::vector<T>& out, Fn&& decode_one) {
    if (!detail::is_list(v)) return false;
    out.resize(v.size());
    std::size_t i = 0;
    for (const resp::Value item : v)
        if (!decode_one(item, out[i++])) return false;
    return true;
}

template <class T>
T fail(std::error_code& ec) {
    detail::unexpected(ec);
    return T{};
}

}  // namespace

XInfoStream decode_xinfo_stream(const resp::Value& v, std::error_code& ec) {
    XInfoStream out;
    if (detail::failed(v, ec)) return out;
    const bool ok = detail::for_each_pair(v, [&](std::string_view key, const resp::Value& val) {
        if (const auto common = set_common(key, val, out)) return *common;
        if (key == "groups") return set(val, out.groups);
        if (key == "first-entry") return set(val, out.first_entry);
        if (key == "last-entry") return set(val, out.last_entry);
        return true;
    });
    return ok ? out : fail<XInfoStream>(ec);
}

namespace {

bool decode_group_pel_entry(const resp::Value& v, GroupPendingEntry& out) {
    if (!detail::is_list(v) || v.size() != 4) return false;
    auto it = v.begin();
    return set(*it, out.id) && set(*++it, out.consumer) && set(*++it, out.delivery_time_ms) &&
           set(*++it, out.deliveries);
}

bool decode_consumer_pel_entry(const resp::Value& v, ConsumerPendingEntry& out) {
    if (!detail::is_list(v) || v.size() != 3) return false;
    auto it = v.begin();
    return set(*it, out.id) && set(*++it, out.delivery_time_ms) && set(*++it, out.deliveries);
}

bool decode_full_consumer(const resp::Value& v, XInfoFullConsumer& out) {
    return detail::for_each_pair(v, [&](std::string_view key, const resp::Value& val) {
        if (key == "name") return set(val, out.name);
        if (key == "seen-time") return set(val, out.seen_time_ms);
        if (key == "active-time") return set_if_happened(val, out.active_time_ms);
        if (key == "pel-count") return set(val, out.pel_count);
        if (key == "pending") return decode_list(val, out.pending, decode_consumer_pel_entry);
        return true;
    });
}

bool decode_full_group(const resp::Value& v, XInfoFullGroup& out) {
    return detail::for_each_pair(v, [&](std::string_view key, const resp::Value& val) {
        if (key == "name") return set(val, out.name);
        if (key == "last-delivered-id") return set(val, out.last_delivered_id);
        if (key == "entries-read") return set(val, out.entries_read);
        if (key == "lag") return set(val, out.lag);
        if (key == "pel-count") return set(val, out.pel_count);
        if (key == "pending") return decode_list(val, out.pending, decode_group_pel_entry);
        if (key == "consumers") return decode_list(val, out.consumers, decode_full_consumer);
        return true;
    });
}

}  // namespace

XInfoStreamFull decode_xinfo_stream_full(const resp::Value& v, std::error_code& ec) {
    XInfoStreamFull out;
    if (detail::failed(v, ec)) return out;
    const bool ok = detail::for_each_pair(v, [&](std::string_view key, const resp::Value& val) {
        if (const auto common = set_common(key, val, out)) return *common;
        if (key == "entries") return decode_list(val, out.entries, detail::to_entry);
        if (key == "groups") return decode_list(val, out.groups, decode_full_group);
        return true;
    });
    return ok ? out : fail<XInfoStreamFull>(ec);
}

namespace {

bool decode_group(const resp::Value& v, XInfoGroup& out) {
    return detail::for_each_pair(v, [&](std::string_view key, const resp::Value& val) {
        if (key == "name") return set(val, out.name);
        if (key == "consumers") return set(val, out.consumers);
        if (key == "pending") return set(val, out.pending);
        if (key == "last-delivered-id") return set(val, out.last_delivered_id);
        if (key == "entries-read") return set(val, out.entries_read);
        if (key == "lag") return set(val, out.lag);
        return true;
    });
}

bool decode_consumer(const resp::Value& v, XInfoConsumer& out) {
    return detail::for_each_pair(v, [&](std::string_view key, const resp::Value& val) {
        if (key == "name") return set(val, out.name);
        if (key == "pending") return set(val, out.pending);
        if (key == "idle") return set(val, out.idle);
        if (key == "inactive") return set_if_happened(val, out.inactive);
        return true;
    });
}

}  // namespace

std::vector<XInfoGroup> decode_xinfo_groups(const resp::Value& v, std::error_code& ec) {
    std::vector<XInfoGroup> out;
    if (detail::failed(v, ec)) return out;
    return decode_list(v, out, decode_group) ? out : fail<std::vector<XInfoGroup>>(ec);
}

std::vector<XInfoConsumer> decode_xinfo_consumers(const resp::Value& v, std::error_code& ec) {
    std::vector<XInfoConsumer> out;
    if (detail::failed(v, ec)) return out;
    return decode_list(v, out, decode_consumer) ? out : fail<std::vector<XInfoConsumer>>(ec);
}

}  // namespace redstream::commands
