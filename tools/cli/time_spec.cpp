#include "time_spec.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "cli.hpp"

namespace redstream::cli {

namespace {

[[noreturn]] void bad(std::string_view what, std::string_view text, std::string_view why) {
    throw UsageError(std::string(what) + ": '" + std::string(text) + "' " + std::string(why));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads `count` digits at `pos`, or fails.
bool digits(std::string_view s, std::size_t& pos, std::size_t count, int& out) {
    if (pos + count > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (!is_digit(s[pos + i])) return false;
        out = out * 10 + (s[pos + i] - '0');
    }
    pos += count;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

std::int64_t days_from_civil(int y, int m, int d) {
    using namespace std::chrono;
    const year_month_day date{year{y}, month{static_cast<unsigned>(m)},
                              day{static_cast<unsigned>(d)}};
    return sys_days(date).time_since_epoch().count();
}

// RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); `t` or a space for T.
bool parse_rfc3339(std::string_view s, Timestamp& out) {
    std::size_t p = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, p, 4, y) || !expect(s, p, '-') || !digits(s, p, 2, mo) || !expect(s, p, '-') ||
        !digits(s, p, 2, d))
        return false;
    if (p >= s.size() || (s[p] != 'T' && s[p] != 't' && s[p] != ' ')) return false;
    ++p;
    if (!digits(s, p, 2, h) || !expect(s, p, ':') || !digits(s, p, 2, mi) || !expect(s, p, ':') ||
        !digits(s, p, 2, sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
    {
        using namespace std::chrono;
        if (!year_month_day{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}}
                 .ok())
            return false;  // 2026-02-30
    }
    std::int64_t ms = 0;
    if (p < s.size() && s[p] == '.') {
        ++p;
        int scale = 100;
        const std::size_t start = p;
        for (; p < s.size() && is_digit(s[p]); ++p, scale /= 10)
            ms += scale * (s[p] - '0');
        if (p == start) return false;
    }
    std::int64_t offset_min = 0;
    if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
        ++p;
    } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
        const int sign = s[p] == '-' ? -1 : 1;
        ++p;
        int oh = 0, om = 0;
        if (!digits(s, p, 2, oh) || !expect(s, p, ':') || !digits(s, p, 2, om)) return false;
        offset_min = sign * (oh * 60 + om);
    } else {
        return false;
    }
    if (p != s.size()) return false;
    const std::int64_t secs =
        days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    out = Timestamp(std::chrono::milliseconds(secs * 1000 + ms));
    return true;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty()) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what) {
    using namespace std::chrono;
    if (text.empty()) bad(what, text, "is not a duration (e.g. 250ms, 5m, 1h30m)");
    milliseconds total{0};
    std::size_t p = 0;
    while (p < text.size()) {
        const std::size_t start = p;
        while (p < text.size() && is_digit(text[p]))
            ++p;
        std::uint64_t n = 0;
        if (!parse_u64(text.substr(start, p - start), n))
            bad(what, text, "is not a duration (e.g. 250ms, 5m, 1h30m)");
        const std::size_t unit_start = p;
        while (p < text.size() && !is_digit(text[p]))
            ++p;
        const auto unit = text.substr(unit_start, p - unit_start);
        std::uint64_t scale = 0;
        if (unit == "ms")
            scale = 1;
        else if (unit == "s")
            scale = 1000;
        else if (unit == "m")
            scale = 60'000;
        else if (unit == "h")
            scale = 3'600'000;
        else if (unit == "d")
            scale = 86'400'000;
        else
            bad(what, text, "has no unit (ms, s, m, h or d) after a number");
        if (n > UINT64_MAX / scale / 2) bad(what, text, "is too long");
        total += milliseconds(static_cast<std::int64_t>(n * scale));
    }
    return total;
}

Position parse_position(std::string_view text, Timestamp now, std::string_view what) {
    using K = Position::Kind;
    if (text == "beginning" || text == "earliest" || text == "start") return {K::beginning};
    if (text == "end" || text == "latest" || text == "now") return {K::end};
    if (text.empty()) bad(what, text, "is empty");
    std::string_view rest = text;
    if (rest.front() == '@') rest.remove_prefix(1);
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
        const bool back = rest.front() == '-';
        const auto d = parse_duration(rest.substr(1), what);
        return {K::time, {}, back ? now - d : now + d};
    }
    if (text.front() == '@') {
        std::uint64_t ms = 0;
        if (!parse_u64(rest, ms)) bad(what, text, "is not @MILLISECONDS, @-DURATION or @+DURATION");
        return {K::time, {}, Timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(ms)))};
    }
    if (const auto id = MessageId::parse(text)) return {K::id, *id};
    Timestamp t{};
    if (parse_rfc3339(text, t)) return {K::time, {}, t};
    bad(what, text,
        "is not beginning, end, an id (MS-SEQ), an RFC 3339 time or a relative time (-1h, @-5m)");
}

std::string format_time(Timestamp t) {
    const auto ms = t.time_since_epoch().count();
    const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    const auto frac = static_cast<int>(ms - static_cast<std::int64_t>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%.*s.%03dZ", static_cast<int>(n), buf, frac);
    return out;
}

}  // namespace redstream::cli
