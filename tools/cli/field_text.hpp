// Fields as text on one line: `name=value name2=value2`, separated by spaces
// or tabs. A backslash keeps the next character as it is (`\ `, `\=`, `\\`),
// except `\n`, `\t`, `\r` and `\0`, which stand for those bytes; so any
// name and value can be written, and `consume -f '%f\n'` output reads back
// with `produce --fields`.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace redstream::cli {

using OwnedField = std::pair<std::string, std::string>;

/// Parses a line of fields; throws UsageError saying what is wrong (a token
/// without `=`, an empty name, a trailing backslash).
std::vector<OwnedField> parse_fields_line(std::string_view line);

/// Appends `text` escaped so that parse_fields_line() reads it back as one
/// name (`is_name`: `=` escaped too) or value.
void append_field_text(std::string& out, std::string_view text, bool is_name);

}  // namespace redstream::cli
