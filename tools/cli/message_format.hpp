// `consume -f FORMAT`: a format string compiled once, then applied to each
// message. Payloads and field values are written raw (binary-safe); the
// default view for people escapes what a terminal would mangle.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/stream.hpp>

namespace redstream::cli {

/// The directives, for --help.
inline constexpr const char* format_help =
    "  %s stream   %k Redis key   %S shard   %i id   %t timestamp (ms)   %T time (RFC 3339)\n"
    "  %p payload  %{name} a field's value   %d delivery count (groups)   %% a %\n"
    "  %f every field as name=value, escaped as produce --fields reads them\n"
    "  escapes: \\n \\t \\r \\\\ \\0\n";

class MessageFormat {
  public:
    /// Compiles `spec`; throws UsageError for an unknown directive or
    /// escape. `payload_field`: `%{name}` of it is the payload.
    static MessageFormat parse(std::string_view spec, std::string_view payload_field);
    /// The view for people: `KEY ID PAYLOAD  name=value ...` on one line,
    /// with control characters and bytes that are not UTF-8 escaped.
    static MessageFormat people();

    /// Appends `m` formatted to `out`.
    void append(const Message& m, std::string& out) const;

  private:
    enum class Kind {
        text,
        stream,
        key,
        shard,
        id,
        timestamp,
        time,
        payload,
        field,
        fields,
        deliveries,
        visible_payload,  // people(): escaped payload
        visible_fields,   // people(): "  name=value ..." if any
    };
    struct Piece {
        Kind kind;
        std::string text;  // Kind::text, or the name of Kind::field
    };
    void add(Kind kind, std::string text = {});

    std::vector<Piece> pieces_;
};

/// `bytes` made safe for a terminal: valid UTF-8 is kept, control characters
/// become \n, \t, \r or \xNN, and so does every byte of text that is not UTF-8.
void append_visible(std::string& out, std::string_view bytes);

}  // namespace redstream::cli
