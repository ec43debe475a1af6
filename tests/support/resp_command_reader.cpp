#include "support/resp_command_reader.hpp"

#include <cctype>
#include <charconv>

namespace redstream::test {
namespace {

// Found the header's CRLF, but its number is not one (or not allowed).
constexpr std::size_t malformed = static_cast<std::size_t>(-1);
constexpr std::size_t max_arguments = 1024 * 1024;

std::string to_upper(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string Command::name() const {
    return upper(0);
}

std::string Command::upper(std::size_t i) const {
    return i < args.size() ? to_upper(args[i]) : std::string();
}

void CommandReader::feed(std::string_view bytes) {
    // Commands already returned are dropped in bulk, not one erase each.
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<Command> CommandReader::fail() {
    failed_ = true;
    buffer_.clear();
    start_ = 0;
    return std::nullopt;
}

// Reads "<type><number>\r\n" at `pos`: the number (pos moves past the CRLF),
// nullopt when the line is incomplete, `malformed` when it is not one.
std::optional<std::size_t> CommandReader::read_header(std::size_t& pos, char type) {
    const auto end = buffer_.find("\r\n", pos);
    if (end == std::string::npos) {
        return buffer_.size() - pos > 32 ? std::optional(malformed) : std::nullopt;
    }
    if (buffer_[pos] != type) return malformed;
    std::size_t value = 0;
    const char* first = buffer_.data() + pos + 1;
    const char* last = buffer_.data() + end;
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last || first == last) return malformed;
    pos = end + 2;
    return value;
}

std::optional<Command> CommandReader::next() {
    if (failed_ || start_ >= buffer_.size()) return std::nullopt;
    std::size_t pos = start_;
    const auto count = read_header(pos, '*');
    if (!count) return std::nullopt;
    if (*count == malformed || *count > max_arguments) return fail();
    Command cmd;
    cmd.args.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        if (pos >= buffer_.size()) return std::nullopt;
        const auto length = read_header(pos, '$');
        if (!length) return std::nullopt;
        if (*length == malformed || *length > max_bytes_) return fail();
        if (buffer_.size() - pos < *length + 2) {
            if (buffer_.size() - start_ > max_bytes_) return fail();
            return std::nullopt;
        }
        if (buffer_.compare(pos + *length, 2, "\r\n") != 0) return fail();
        cmd.args.emplace_back(buffer_, pos, *length);
        pos += *length + 2;
    }
    start_ = pos;
    return cmd;
}

}  // namespace redstream::test
