#include "admin_util.hpp"

#include <chrono>
#include <cstdio>

#include <redstream/core/error.hpp>

#include "cli.hpp"

namespace redstream::cli {

StreamKey stream_arg(std::string_view name) {
    std::error_code ec;
    std::string why;
    auto key = StreamKey::make(name, ec, &why);
    if (ec) throw UsageError("bad stream name: " + (why.empty() ? ec.message() : why));
    return key;
}

std::chrono::milliseconds duration_arg(std::string_view text, std::string_view what) {
    if (text == "0") return std::chrono::milliseconds(0);
    return parse_duration(text, what);
}

commands::StreamStart group_start(const Position& to) noexcept {
    switch (to.kind) {
        case Position::Kind::beginning:
            return commands::StreamStart::beginning();
        case Position::Kind::end:
            return commands::StreamStart::new_entries();
        case Position::Kind::id:
            return commands::StreamStart::after(id_before(to.id));
        case Position::Kind::time:
            break;
    }
    return commands::StreamStart::after(id_before(id_at(to.time)));
}

commands::StreamStart group_start_arg(std::string_view text, std::string_view what) {
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return group_start(parse_position(text, now, what));
}

std::string id_text(const std::optional<MessageId>& id) {
    return id ? id->to_string() : "-";
}

std::string id_time_text(const std::optional<MessageId>& id) {
    return id ? format_time(timestamp_of(*id)) : "-";
}

Json id_json(const std::optional<MessageId>& id) {
    return id ? Json(id->to_string()) : Json(nullptr);
}

Json id_time_json(const std::optional<MessageId>& id) {
    return id ? Json(format_time(timestamp_of(*id))) : Json(nullptr);
}

void print_json_line(const Json& line) {
    auto text = line.dump();
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace redstream::cli
