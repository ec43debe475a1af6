#include "message_format.hpp"

#include <cstdio>

#include "cli.hpp"
#include "field_text.hpp"
#include "json_text.hpp"
#include "time_spec.hpp"

namespace redstream::cli {

namespace {

char escaped(char c) {
    switch (c) {
        case 'n':
            return '\n';
        case 't':
            return '\t';
        case 'r':
            return '\r';
        case '0':
            return '\0';
        case '\\':
            return '\\';
        default:
            throw UsageError(std::string("unknown escape \\") + c + " in the format");
    }
}

std::string_view field_value(const Message& m, std::string_view name) {
    // The last of a repeated name, as message_json() keeps it.
    const auto fields = m.fields();
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)
        if (it->first == name) return it->second;
    return {};
}

void append_number(std::string& out, std::uint64_t n) {
    out += std::to_string(n);
}

// `name=value name2=value2`; for people, after two spaces and with what a
// terminal would mangle escaped.
void append_fields(const Message& m, std::string& out, bool visible) {
    std::string text;
    bool first = true;
    for (const auto& [name, value] : m.fields()) {
        text += first ? (visible ? "  " : "") : " ";
        first = false;
        append_field_text(text, name, true);
        text += '=';
        append_field_text(text, value, false);
    }
    if (visible)
        append_visible(out, text);
    else
        out += text;
}

}  // namespace

void MessageFormat::add(Kind kind, std::string text) {
    if (kind == Kind::text && !pieces_.empty() && pieces_.back().kind == Kind::text) {
        pieces_.back().text += text;
        return;
    }
    pieces_.push_back({kind, std::move(text)});
}

MessageFormat MessageFormat::parse(std::string_view spec, std::string_view payload_field) {
    MessageFormat f;
    for (std::size_t i = 0; i < spec.size(); ++i) {
        const char c = spec[i];
        if (c == '\\' || c == '%') {
            if (i + 1 == spec.size())
                throw UsageError(std::string("the format ends with a lone ") + c);
            const char d = spec[++i];
            if (c == '\\') {
                f.add(Kind::text, std::string(1, escaped(d)));
                continue;
            }
            switch (d) {
                case 's':
                    f.add(Kind::stream);
                    break;
                case 'k':
                    f.add(Kind::key);
                    break;
                case 'S':
                    f.add(Kind::shard);
                    break;
                case 'i':
                    f.add(Kind::id);
                    break;
                case 't':
                    f.add(Kind::timestamp);
                    break;
                case 'T':
                    f.add(Kind::time);
                    break;
                case 'p':
                    f.add(Kind::payload);
                    break;
                case 'f':
                    f.add(Kind::fields);
                    break;
                case 'd':
                    f.add(Kind::deliveries);
                    break;
                case '%':
                    f.add(Kind::text, "%");
                    break;
                case '{': {
                    const auto end = spec.find('}', i + 1);
                    if (end == std::string_view::npos)
                        throw UsageError("%{ without a closing } in the format");
                    const auto name = spec.substr(i + 1, end - i - 1);
                    f.add(name == payload_field ? Kind::payload : Kind::field, std::string(name));
                    i = end;
                    break;
                }
                default:
                    throw UsageError(std::string("unknown directive %") + d + " in the format");
            }
        } else {
            f.add(Kind::text, std::string(1, c));
        }
    }
    return f;
}

MessageFormat MessageFormat::people() {
    MessageFormat f;
    f.add(Kind::key);
    f.add(Kind::text, " ");
    f.add(Kind::id);
    f.add(Kind::text, " ");
    f.add(Kind::visible_payload);
    f.add(Kind::visible_fields);
    f.add(Kind::text, "\n");
    return f;
}

void MessageFormat::append(const Message& m, std::string& out) const {
    for (const auto& p : pieces_) {
        switch (p.kind) {
            case Kind::text:
                out += p.text;
                break;
            case Kind::stream:
                out += m.stream_key().name();
                break;
            case Kind::key:
                out += m.redis_key();
                break;
            case Kind::shard:
                append_number(out, m.shard_id().value);
                break;
            case Kind::id:
                out += m.id().to_string();
                break;
            case Kind::timestamp:
                out += std::to_string(m.timestamp().time_since_epoch().count());
                break;
            case Kind::time:
                out += format_time(m.timestamp());
                break;
            case Kind::payload:
                out += m.payload();
                break;
            case Kind::field:
                out += field_value(m, p.text);
                break;
            case Kind::deliveries:
                append_number(out, m.delivery_count());
                break;
            case Kind::visible_payload:
                append_visible(out, m.payload());
                break;
            case Kind::fields:
                append_fields(m, out, false);
                break;
            case Kind::visible_fields:
                append_fields(m, out, true);
                break;
        }
    }
}

void append_visible(std::string& out, std::string_view bytes) {
    const bool utf8 = is_utf8(bytes);
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (u < 0x20 || u == 0x7f || (u >= 0x80 && !utf8)) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            out += hex;
        } else {
            out += c;
        }
    }
}

}  // namespace redstream::cli
