#include <redstream/commands/types.hpp>

#include <charconv>

#include "detail.hpp"

namespace redstream::commands {

std::optional<std::string_view> FieldRange::find(std::string_view name) const noexcept {
    for (const auto& [field, value] : *this)
        if (field == name) return value;
    return std::nullopt;
}

void XAddId::write(resp::CommandBuilder& b) const {
    switch (kind_) {
        case Kind::automatic:
            b.arg("*");
            return;
        case Kind::exact:
            b.arg(id_);
            return;
        case Kind::auto_seq: {
            char buf[MessageId::max_text_size];
            auto r = std::to_chars(buf, buf + sizeof buf - 2, id_.ms);
            *r.ptr++ = '-';
            *r.ptr++ = '*';
            b.arg(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
            return;
        }
    }
}

void StreamStart::write(resp::CommandBuilder& b) const {
    switch (kind_) {
        case Kind::after:
            b.arg(id_);
            return;
        case Kind::new_entries:
            b.arg("$");
            return;
        case Kind::undelivered:
            b.arg(">");
            return;
    }
}

void RangeBound::write(resp::CommandBuilder& b) const {
    switch (kind_) {
        case Kind::min:
            b.arg("-");
            return;
        case Kind::max:
            b.arg("+");
            return;
        case Kind::inclusive:
            b.arg(id_);
            return;
        case Kind::exclusive: {
            char buf[MessageId::max_text_size + 1];
            buf[0] = '(';
            const auto n = id_.format(buf + 1);
            b.arg(std::string_view(buf, n + 1));
            return;
        }
    }
}

void TrimOptions::write(resp::CommandBuilder& b) const {
    if (strategy == Strategy::none) return;
    b.arg(strategy == Strategy::maxlen ? "MAXLEN" : "MINID");
    b.arg(mode == TrimMode::exact ? "=" : "~");
    if (strategy == Strategy::maxlen)
        b.arg(max_len);
    else
        b.arg(min_id);
    if (limit) b.arg("LIMIT").arg(*limit);
}

void decode_ok(const resp::Value& v, std::error_code& ec) noexcept {
    if (detail::failed(v, ec)) return;
    if (!v.is_string() || v.str() != "OK") detail::unexpected(ec);
}

std::uint64_t decode_count(const resp::Value& v, std::error_code& ec) noexcept {
    if (detail::failed(v, ec)) return 0;
    const auto n = v.type() == resp::Type::integer ? detail::to_count(v) : std::nullopt;
    if (!n) detail::unexpected(ec);
    return n.value_or(0);
}

namespace detail {

bool to_entry(const resp::Value& v, StreamEntry& out) noexcept {
    if (v.type() != resp::Type::array || v.size() != 2) return false;
    auto it = v.begin();
    const auto id = to_id(*it);
    if (!id) return false;
    ++it;
    const resp::Value body = *it;
    out.id = *id;
    if (body.is_null()) {
        out.fields = FieldRange();
        out.is_deleted = true;
        return true;
    }
    if (!is_pairs(body)) return false;
    out.fields = FieldRange(body);
    out.is_deleted = false;
    return true;
}

}  // namespace detail

std::vector<StreamEntry> decode_entries(const resp::Value& v, std::error_code& ec) {
    std::vector<StreamEntry> entries;
    if (detail::failed(v, ec) || v.is_null()) return entries;
    if (!detail::is_list(v)) {
        detail::unexpected(ec);
        return entries;
    }
    entries.resize(v.size());
    std::size_t i = 0;
    for (const resp::Value item : v) {
        if (!detail::to_entry(item, entries[i++])) {
            detail::unexpected(ec);
            return {};
        }
    }
    return entries;
}

std::vector<MessageId> decode_ids(const resp::Value& v, std::error_code& ec) {
    std::vector<MessageId> ids;
    if (detail::failed(v, ec) || v.is_null()) return ids;
    if (!detail::is_list(v)) {
        detail::unexpected(ec);
        return ids;
    }
    ids.reserve(v.size());
    for (const resp::Value item : v) {
        const auto id = detail::to_id(item);
        if (!id) {
            detail::unexpected(ec);
            return {};
        }
        ids.push_back(*id);
    }
    return ids;
}

}  // namespace redstream::commands
