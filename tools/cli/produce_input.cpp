#include "produce_input.hpp"

#include <algorithm>

#include "cli.hpp"
#include "json_text.hpp"

namespace redstream::cli {

namespace {

// The names `consume -J` writes as "base64:..." are not UTF-8.
std::string field_name_of(const std::string& name) {
    constexpr std::string_view prefix = "base64:";
    if (!name.starts_with(prefix)) return name;
    try {
        return base64_decode(std::string_view(name).substr(prefix.size()));
    } catch (const UsageError&) {
        return name;  // a name that merely starts with the prefix
    }
}

// The fields form: the payload field, if present, becomes the payload (its
// last value), and the key field (kept among the fields) the partition key.
void parse_fields(std::string_view line, const InputOptions& options, OutgoingMessage& out) {
    for (auto& field : parse_fields_line(line)) {
        if (!options.key_field.empty() && field.first == options.key_field) out.key = field.second;
        if (field.first == options.payload_field)
            out.payload = std::move(field.second);
        else
            out.fields.push_back(std::move(field));
    }
}

void parse_json_fields(const Json& fields, const InputOptions& options, OutgoingMessage& out) {
    if (!fields.is_object()) throw UsageError("\"fields\" is not an object");
    for (const auto& [name, value] : fields.items()) {
        auto field = OwnedField{field_name_of(name), bytes_of(value, "field " + name)};
        if (field.first == options.payload_field)
            out.payload = std::move(field.second);
        else
            out.fields.push_back(std::move(field));
    }
}

void parse_json(std::string_view line, const InputOptions& options, OutgoingMessage& out) {
    const auto j = Json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded()) throw UsageError("not valid JSON");
    if (!j.is_object()) throw UsageError("not a JSON object");
    if (const auto it = j.find("fields"); it != j.end() && !it->is_null())
        parse_json_fields(*it, options, out);
    if (const auto it = j.find("payload"); it != j.end() && !it->is_null())
        out.payload = bytes_of(*it, "\"payload\"");
    if (options.key_field.empty()) {
        if (const auto it = j.find("key"); it != j.end() && !it->is_null())
            out.key = bytes_of(*it, "\"key\"");
        return;
    }
    const auto& name = options.key_field;
    const auto field = std::find_if(out.fields.rbegin(), out.fields.rend(),
                                    [&name](const OwnedField& f) { return f.first == name; });
    if (field != out.fields.rend())
        out.key = field->second;
    else if (const auto it = j.find(name); it != j.end() && !it->is_null())
        out.key = bytes_of(*it, "\"" + name + "\"");
}

}  // namespace

bool is_blank_line(std::string_view line, InputFormat format) noexcept {
    if (format == InputFormat::lines) return false;
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

void parse_input_line(std::string_view line, const InputOptions& options, OutgoingMessage& out) {
    out.payload.clear();
    out.fields.clear();
    out.key.reset();
    switch (options.format) {
        case InputFormat::lines:
            out.payload.assign(line);
            break;
        case InputFormat::fields:
            parse_fields(line, options, out);
            break;
        case InputFormat::json:
            parse_json(line, options, out);
            break;
    }
}

}  // namespace redstream::cli
