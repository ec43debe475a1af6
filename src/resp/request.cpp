// Command serialization. Arguments are appended as bulk strings as they
// arrive; the array header, whose count is only known at the end, is inserted
// in front of this command's bytes when the builder finishes.
#include <redstream/resp/request.hpp>

#include <cassert>
#include <charconv>

namespace redstream::resp {

namespace {

// Longest decimal rendering of a 64-bit integer (with sign) or of a double in
// shortest round-trip form.
constexpr std::size_t number_buffer_size = 32;

template <class T>
std::string_view format_number(char (&buf)[number_buffer_size], T v) noexcept {
    const auto r = std::to_chars(buf, buf + number_buffer_size, v);
    return {buf, static_cast<std::size_t>(r.ptr - buf)};
}

}  // namespace

CommandBuilder::CommandBuilder(Request& req, std::string_view name)
    : req_(&req), start_(req.buffer_.size()) {
    arg(name);
}

CommandBuilder& CommandBuilder::arg(std::string_view s) {
    assert(!done_ && "argument added after finish()");
    char len[number_buffer_size];
    std::string& out = req_->buffer_;
    out += '$';
    out.append(format_number(len, s.size()));
    out.append("\r\n", 2);
    out.append(s);
    out.append("\r\n", 2);
    ++argc_;
    return *this;
}

CommandBuilder& CommandBuilder::arg(std::int64_t v) {
    char buf[number_buffer_size];
    return arg(format_number(buf, v));
}

CommandBuilder& CommandBuilder::arg(std::uint64_t v) {
    char buf[number_buffer_size];
    return arg(format_number(buf, v));
}

CommandBuilder& CommandBuilder::arg(double v) {
    char buf[number_buffer_size];
    return arg(format_number(buf, v));
}

CommandBuilder& CommandBuilder::arg(const MessageId& id) {
    char buf[MessageId::max_text_size];
    return arg(std::string_view(buf, id.format(buf)));
}

void CommandBuilder::finish() {
    if (done_) return;
    done_ = true;
    char header[number_buffer_size + 3];
    header[0] = '*';
    const auto r = std::to_chars(header + 1, header + number_buffer_size, argc_);
    char* end = r.ptr;
    *end++ = '\r';
    *end++ = '\n';
    req_->buffer_.insert(start_, header, static_cast<std::size_t>(end - header));
    ++req_->commands_;
}

}  // namespace redstream::resp
