#include "top_view.hpp"

#include <algorithm>
#include <cstdio>

#include "time_spec.hpp"

namespace redstream::cli {

namespace {

constexpr std::size_t min_name_width = 14;
constexpr std::size_t max_name_width = 40;
constexpr std::size_t title_lines = 3;  // title, blank, header

template <class T>
const T* find_named(const std::vector<T>& sorted, const std::string& name) {
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                                     [](const T& x, const std::string& n) { return x.name < n; });
    return it != sorted.end() && it->name == name ? &*it : nullptr;
}

std::optional<double> rate_of(std::uint64_t now, std::uint64_t before, double secs) {
    if (now < before) return std::nullopt;  // the counter restarted
    return static_cast<double>(now - before) / secs;
}

// Screen columns a UTF-8 text takes (one per code point: good enough for
// names and numbers).
std::size_t columns(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Cuts `s` to `width` columns, never inside a code point.
std::string fit(std::string s, std::size_t width) {
    std::size_t cols = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((s[i] & 0xC0) == 0x80) continue;
        if (++cols > width) {
            s.resize(i);
            break;
        }
    }
    return s;
}

std::string pad(std::string s, std::size_t width) {
    const auto cols = columns(s);
    if (cols < width) s.append(width - cols, ' ');
    return s;
}

// A name as the terminal may show it: control bytes (and bytes of text that
// is not UTF-8) as \xNN, so a key can neither move the cursor nor garble
// the screen.
std::string printable(const std::string& name) {
    const bool utf8 = is_utf8(name);
    std::string out;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += ch;
        }
    }
    return out;
}

std::string number(std::optional<std::uint64_t> v) {
    return v ? std::to_string(*v) : "-";
}

std::string rate_text(std::optional<double> r) {
    if (!r) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", *r);
    return text;
}

std::string row(const std::string& name, std::size_t name_width,
                const std::vector<std::string>& cells) {
    static constexpr int widths[] = {4, 9, 9, 9, 7, 4};
    std::string line = pad(fit(name, name_width), name_width);
    for (std::size_t i = 0; i < cells.size() && i < std::size(widths); ++i) {
        char cell[64];
        std::snprintf(cell, sizeof cell, " %*s", widths[i], cells[i].c_str());
        line += cell;
    }
    return line;
}

std::string interval_text(std::chrono::milliseconds d) {
    const auto ms = d.count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

Json optional_json(std::optional<std::uint64_t> v) {
    return v ? Json(*v) : Json(nullptr);
}

Json optional_json(std::optional<double> v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace

void fill_rates(TopSample& now, const TopSample& before) {
    const double secs = std::chrono::duration<double>(now.at - before.at).count();
    if (secs <= 0) return;
    for (auto& s : now.streams) {
        const auto* old = find_named(before.streams, s.name);
        if (old == nullptr) continue;
        s.rate = rate_of(s.added, old->added, secs);
        for (auto& g : s.groups) {
            const auto* og = find_named(old->groups, g.name);
            if (og != nullptr && g.read && og->read) g.rate = rate_of(*g.read, *og->read, secs);
        }
    }
}

std::vector<std::string> top_screen(const TopSample& s, const std::string& pattern,
                                    std::chrono::milliseconds interval, std::size_t width,
                                    std::size_t height) {
    std::size_t name_width = min_name_width;
    for (const auto& st : s.streams) {
        name_width = std::max(name_width, columns(printable(st.name)));
        for (const auto& g : st.groups)
            name_width = std::max(name_width, 2 + columns(printable(g.name)));
    }
    name_width = std::min(name_width, max_name_width);
    const auto wall = std::chrono::time_point_cast<std::chrono::milliseconds>(s.wall);
    std::vector<std::string> lines;
    lines.push_back("redstream top  " + printable(pattern) + "  every " + interval_text(interval) +
                    "  " + format_time(wall) + "  " + std::to_string(s.streams.size()) +
                    " streams" + (s.truncated ? " (more keys matched than listed)" : "") +
                    "  Ctrl-C quits");
    lines.emplace_back();
    lines.push_back(
        row("STREAM / GROUP", name_width, {"KEYS", "LENGTH", "RATE/s", "LAG", "PENDING", "CONS"}) +
        "  LAST ID");
    std::vector<std::string> body;
    for (const auto& st : s.streams) {
        body.push_back(row(printable(st.name), name_width,
                           {std::to_string(st.keys), std::to_string(st.length), rate_text(st.rate),
                            "", "", ""}) +
                       "  " + (st.last_id ? st.last_id->to_string() : "-"));
        for (const auto& g : st.groups)
            body.push_back(row("  " + printable(g.name), name_width,
                               {"", "", rate_text(g.rate), number(g.lag), std::to_string(g.pending),
                                std::to_string(g.consumers)}));
    }
    const auto room = height > title_lines ? height - title_lines : 1;
    if (body.size() > room) {
        const auto left_out = body.size() - (room - 1);
        body.resize(room - 1);
        body.push_back("... " + std::to_string(left_out) + " more rows (a narrower PATTERN?)");
    }
    lines.insert(lines.end(), body.begin(), body.end());
    for (auto& l : lines)
        l = fit(std::move(l), width);
    return lines;
}

std::string top_frame(const std::vector<std::string>& lines) {
    std::string frame = "\x1b[H";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        frame += lines[i];
        frame += "\x1b[K";
        // No newline after the last line: on the screen's last row it would scroll.
        if (i + 1 < lines.size()) frame += '\n';
    }
    frame += "\x1b[J";
    return frame;
}

std::vector<Json> top_json(const TopSample& s) {
    const auto time = format_time(std::chrono::time_point_cast<std::chrono::milliseconds>(s.wall));
    std::vector<Json> out;
    for (const auto& st : s.streams) {
        Json j;
        j["time"] = time;
        j["stream"] = text_value(st.name);
        j["keys"] = st.keys;
        j["length"] = st.length;
        j["last_id"] = st.last_id ? Json(st.last_id->to_string()) : Json(nullptr);
        j["rate"] = optional_json(st.rate);
        out.push_back(std::move(j));
        for (const auto& g : st.groups) {
            Json jg;
            jg["time"] = time;
            jg["stream"] = text_value(st.name);
            jg["group"] = text_value(g.name);
            jg["consumers"] = g.consumers;
            jg["pending"] = g.pending;
            jg["lag"] = optional_json(g.lag);
            jg["rate"] = optional_json(g.rate);
            out.push_back(std::move(jg));
        }
    }
    return out;
}

}  // namespace redstream::cli
