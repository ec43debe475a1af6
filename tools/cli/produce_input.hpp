// What `produce` makes of one input line: the payload, the fields and the
// partition key, in each of the three input forms. No I/O, so the unit tests
// cover every form.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "field_text.hpp"

namespace redstream::cli {

enum class InputFormat {
    lines,   ///< The line is the payload, byte for byte.
    fields,  ///< `name=value ...` (field_text.hpp); the payload field is optional.
    json,    ///< {"payload": ..., "fields": {...}, "key": ...}, as `consume -J` writes.
};

struct InputOptions {
    /// The form of each line.
    InputFormat format = InputFormat::lines;
    /// The entry field that carries the payload (taken out of the fields).
    std::string payload_field{"msg"};
    /// Take the partition key from this field (or JSON member); empty: none
    /// (JSON: the "key" member).
    std::string key_field{};
};

/// One message to send.
struct OutgoingMessage {
    std::string payload;
    std::vector<OwnedField> fields;    ///< In input order, the payload field left out.
    std::optional<std::string> key{};  ///< The partition key, if the line names one.
};

/// True for a line `produce` skips: in the fields and JSON forms, a line of
/// only spaces and tabs (in the lines form every line is a payload).
bool is_blank_line(std::string_view line, InputFormat format) noexcept;

/// Parses one line into `out`; throws UsageError saying what is wrong (the
/// caller adds the line number).
void parse_input_line(std::string_view line, const InputOptions& options, OutgoingMessage& out);

}  // namespace redstream::cli
