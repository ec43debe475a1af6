#include <redstream/commands/xread.hpp>

#include "detail.hpp"

namespace redstream::commands {
namespace {

void write_streams(resp::CommandBuilder& b, std::span<const StreamOffset> streams) {
    b.arg("STREAMS");
    for (const auto& s : streams)
        b.key(s.key);
    for (const auto& s : streams)
        s.start.write(b);
}

bool decode_page(const resp::Value& key, const resp::Value& entries, StreamPage& page) {
    if (!key.is_string() || !detail::is_list(entries)) return false;
    page.key = key.str();
    page.entries.resize(entries.size());
    std::size_t i = 0;
    for (const resp::Value item : entries)
        if (!detail::to_entry(item, page.entries[i++])) return false;
    return true;
}

// RESP3: a map of key -> entries.
bool decode_map(const resp::Value& v, std::vector<StreamPage>& out) {
    if (v.size() % 2 != 0) return false;
    out.resize(v.size() / 2);
    auto it = v.begin();
    for (auto& page : out) {
        const resp::Value key = *it;
        ++it;
        if (!decode_page(key, *it, page)) return false;
        ++it;
    }
    return true;
}

// RESP2: an array of [key, entries].
bool decode_array(const resp::Value& v, std::vector<StreamPage>& out) {
    out.resize(v.size());
    std::size_t i = 0;
    for (const resp::Value item : v) {
        if (item.type() != resp::Type::array || item.size() != 2) return false;
        auto it = item.begin();
        const resp::Value key = *it;
        ++it;
        if (!decode_page(key, *it, out[i++])) return false;
    }
    return true;
}

}  // namespace

void xread(resp::Request& req, std::span<const StreamOffset> streams, const XReadOptions& opts) {
    auto b = req.command("XREAD");
    if (opts.count) b.arg("COUNT").arg(*opts.count);
    if (opts.block) b.arg("BLOCK").arg(static_cast<std::int64_t>(opts.block->count()));
    write_streams(b, streams);
}

void xreadgroup(resp::Request& req, std::string_view group, std::string_view consumer,
                std::span<const StreamOffset> streams, const XReadGroupOptions& opts) {
    auto b = req.command("XREADGROUP");
    b.arg("GROUP").arg(group).arg(consumer);
    if (opts.count) b.arg("COUNT").arg(*opts.count);
    if (opts.block) b.arg("BLOCK").arg(static_cast<std::int64_t>(opts.block->count()));
    if (opts.noack) b.arg("NOACK");
    write_streams(b, streams);
}

void decode_xread(const resp::Value& v, std::vector<StreamPage>& out, std::error_code& ec) {
    out.clear();
    if (detail::failed(v, ec) || v.is_null()) return;
    bool ok = false;
    if (v.type() == resp::Type::map)
        ok = decode_map(v, out);
    else if (v.type() == resp::Type::array)
        ok = decode_array(v, out);
    if (!ok) {
        out.clear();
        detail::unexpected(ec);
    }
}

std::vector<StreamPage> decode_xread(const resp::Value& v, std::error_code& ec) {
    std::vector<StreamPage> out;
    decode_xread(v, out, ec);
    return out;
}

}  // namespace redstream::commands
