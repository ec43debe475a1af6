#include "table.hpp"

#include <algorithm>
#include <cinttypes>

#include "json_text.hpp"

namespace redstream::cli {

namespace {

// Bytes the UTF-8 sequence starting with `lead` claims (1 for a stray byte).
std::size_t sequence_length(unsigned char lead) noexcept {
    if (lead < 0xc0) return 1;
    if (lead < 0xe0) return 2;
    if (lead < 0xf0) return 3;
    return 4;
}

void escape_byte(std::string& out, unsigned char c) {
    switch (c) {
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        case '\\':
            out += "\\\\";
            return;
        default:
            break;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
}

std::string pad(const std::string& cell, std::size_t width, Table::Align how) {
    const auto w = display_width(cell);
    if (w >= width) return cell;
    const std::string fill(width - w, ' ');
    return how == Table::Align::right ? fill + cell : cell + fill;
}

}  // namespace

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), align_(headers_.size(), Align::left) {}

Table& Table::align(std::size_t column, Align how) {
    if (column < align_.size()) align_[column] = how;
    return *this;
}

void Table::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    rows_.push_back(std::move(cells));
}

std::string Table::render() const {
    std::vector<std::size_t> width(headers_.size());
    for (std::size_t c = 0; c < headers_.size(); ++c) {
        width[c] = display_width(headers_[c]);
        for (const auto& row : rows_)
            width[c] = std::max(width[c], display_width(row[c]));
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c > 0) text += "  ";
            text += pad(cells[c], width[c], align_[c]);
        }
        text.erase(text.find_last_not_of(' ') + 1);
        out += text;
        out += '\n';
    };
    line(headers_);
    for (const auto& row : rows_)
        line(row);
    return out;
}

void Table::print(std::FILE* out) const {
    const auto text = render();
    std::fwrite(text.data(), 1, text.size(), out);
}

std::size_t display_width(std::string_view text) noexcept {
    std::size_t n = 0;
    for (const char c : text)
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
    return n;
}

std::string printable(std::string_view text, std::size_t max) {
    std::string out;
    std::size_t points = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (max > 0 && points == max) {
            out += "…";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        const auto len = sequence_length(c);
        if (c < 0x20 || c == 0x7f || c == '\\') {
            escape_byte(out, c);
            ++i;
        } else if (c < 0x80 || (i + len <= text.size() && is_utf8(text.substr(i, len)))) {
            out.append(text.substr(i, c < 0x80 ? 1 : len));
            i += c < 0x80 ? 1 : len;
        } else {
            escape_byte(out, c);
            ++i;
        }
        ++points;
    }
    return out;
}

std::string format_bytes(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(units)) {
        value /= 1024.0;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return buf;
}

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count());
    char buf[48];
    if (ms < 1000) {
        std::snprintf(buf, sizeof buf, "%" PRIu64 "ms", ms);
    } else if (ms < 60'000) {
        std::snprintf(buf, sizeof buf, "%" PRIu64 ".%" PRIu64 "s", ms / 1000, ms % 1000 / 100);
    } else if (ms < 3'600'000) {
        std::snprintf(buf, sizeof buf, "%" PRIu64 "m%02" PRIu64 "s", ms / 60'000, ms / 1000 % 60);
    } else if (ms < 86'400'000) {
        std::snprintf(buf, sizeof buf, "%" PRIu64 "h%02" PRIu64 "m", ms / 3'600'000,
                      ms / 60'000 % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%" PRIu64 "d%" PRIu64 "h", ms / 86'400'000,
                      ms / 3'600'000 % 24);
    }
    return buf;
}

}  // namespace redstream::cli
