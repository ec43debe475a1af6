#include "field_text.hpp"

#include "cli.hpp"

namespace redstream::cli {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

char unescaped(char c) {
    switch (c) {
        case 'n':
            return '\n';
        case 't':
            return '\t';
        case 'r':
            return '\r';
        case '0':
            return '\0';
        default:
            return c;
    }
}

// One `name=value` token from `pos`, which it leaves after the token.
OwnedField parse_token(std::string_view line, std::size_t& pos) {
    OwnedField field;
    std::string* part = &field.first;
    bool has_equals = false;
    for (; pos < line.size() && !is_blank(line[pos]); ++pos) {
        const char c = line[pos];
        if (c == '\\') {
            if (++pos == line.size()) throw UsageError("a field ends with a lone backslash");
            *part += unescaped(line[pos]);
        } else if (c == '=' && !has_equals) {
            has_equals = true;
            part = &field.second;
        } else {
            *part += c;
        }
    }
    if (!has_equals) throw UsageError("'" + field.first + "' is not a field (expected name=value)");
    if (field.first.empty()) throw UsageError("a field has an empty name");
    return field;
}

}  // namespace

std::vector<OwnedField> parse_fields_line(std::string_view line) {
    std::vector<OwnedField> fields;
    std::size_t pos = 0;
    while (true) {
        while (pos < line.size() && is_blank(line[pos]))
            ++pos;
        if (pos == line.size()) return fields;
        fields.push_back(parse_token(line, pos));
    }
}

void append_field_text(std::string& out, std::string_view text, bool is_name) {
    for (const char c : text) {
        switch (c) {
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\0':
                out += "\\0";
                break;
            case ' ':
            case '\\':
                out += '\\', out += c;
                break;
            case '=':
                if (is_name) out += '\\';
                out += c;
                break;
            default:
                out += c;
        }
    }
}

}  // namespace redstream::cli
