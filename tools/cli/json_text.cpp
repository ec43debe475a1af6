#include "json_text.hpp"

#include <array>
#include <cstdint>

#include "cli.hpp"
#include "time_spec.hpp"

namespace redstream::cli {

namespace {
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace

bool is_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        static constexpr std::array<std::uint32_t, 5> min_of{0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_of[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t v = static_cast<unsigned char>(in[i]) << 16 |
                                static_cast<unsigned char>(in[i + 1]) << 8 |
                                static_cast<unsigned char>(in[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6)
            out += alphabet[(v >> shift) & 0x3F];
    }
    if (const auto rest = in.size() - i; rest > 0) {
        std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += alphabet[(v >> 18) & 0x3F];
        out += alphabet[(v >> 12) & 0x3F];
        out += rest == 2 ? alphabet[(v >> 6) & 0x3F] : '=';
        out += '=';
    }
    return out;
}

std::string base64_decode(std::string_view in) {
    if (in.size() % 4 != 0) throw UsageError("base64 text of a length not a multiple of 4");
    std::string out;
    out.reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        const bool last = i + 4 == in.size();
        const int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=') : 0;
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const int s = k >= 4 - pad ? 0 : sextet(in[i + static_cast<std::size_t>(k)]);
            if (s < 0) throw UsageError("base64 text with a character outside its alphabet");
            v = v << 6 | static_cast<std::uint32_t>(s);
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>(v >> 8 & 0xFF);
        if (pad < 1) out += static_cast<char>(v & 0xFF);
    }
    return out;
}

Json text_value(std::string_view bytes) {
    if (is_utf8(bytes)) return Json(std::string(bytes));
    return Json{{"base64", base64_encode(bytes)}};
}

std::string bytes_of(const Json& value, std::string_view what) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.size() == 1 && value.contains("base64") &&
        value["base64"].is_string())
        return base64_decode(value["base64"].get<std::string>());
    if (value.is_number() || value.is_boolean()) return value.dump();
    throw UsageError(std::string(what) + " is neither a string nor {\"base64\": \"...\"}");
}

Json message_json(const Message& m) {
    Json j;
    j["stream"] = text_value(m.stream_key().name());
    j["key"] = text_value(m.redis_key());
    j["shard"] = m.shard_id().value;
    j["id"] = m.id().to_string();
    j["time"] = format_time(m.timestamp());
    j["timestamp"] = m.timestamp().time_since_epoch().count();
    j["payload"] = text_value(m.payload());
    if (!m.fields().empty()) {
        Json fields = Json::object();
        for (const auto& [name, value] : m.fields()) {
            const std::string key =
                is_utf8(name) ? std::string(name) : "base64:" + base64_encode(name);
            fields[key] = text_value(value);
        }
        j["fields"] = std::move(fields);
    }
    if (m.delivery_count() > 0) j["deliveries"] = m.delivery_count();
    return j;
}

}  // namespace redstream::cli
