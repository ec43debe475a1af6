// Command serialization. Arguments are appended as bulk strings as they
// arrive. The array header comes first when the count is declared up front;
// otherwise it is only known at the end and is inserted in front of this
// command's bytes when the builder finishes.
#include <redstream/resp/request.hpp>

#include <cassert>
#include <charconv>
#include <cstring>

#include <redstream/cluster/slot.hpp>

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

std::size_t digits(std::size_t n) noexcept {
    std::size_t d = 1;
    for (; n >= 10; n /= 10)
        ++d;
    return d;
}

// The serializer takes room for a whole piece (a length, an argument and its
// CRLFs) at once and writes it in place: one size check per argument.

// `<c><n>\r\n` at `p`, which has room for it (n has `d` digits); returns its end.
char* put_length(char* p, char c, std::size_t n, std::size_t d) noexcept {
    *p++ = c;
    for (char* digit = p + d; digit != p; n /= 10)
        *--digit = static_cast<char>('0' + n % 10);
    p += d;
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

// `$<size>\r\n<head><tail>\r\n` (a bulk string made of two parts) into `out`.
void put_bulk(detail::Buffer& out, std::string_view head, std::string_view tail = {}) {
    const auto size = head.size() + tail.size();
    const auto d = digits(size);
    char* p = put_length(out.extend(1 + d + 2 + size + 2), '$', size, d);
    if (!head.empty()) std::memcpy(p, head.data(), head.size());
    p += head.size();
    if (!tail.empty()) std::memcpy(p, tail.data(), tail.size());
    p += tail.size();
    *p++ = '\r';
    *p = '\n';
}

}  // namespace

std::size_t bulk_size(std::size_t size) noexcept {
    return 1 + digits(size) + 2 + size + 2;
}

std::size_t header_size(std::size_t argc) noexcept {
    return 1 + digits(argc) + 2;
}

CommandBuilder::CommandBuilder(Request& req, std::string_view name)
    : req_(&req), start_(req.buffer_.size()) {
    arg(name);
}

CommandBuilder::CommandBuilder(Request& req, std::string_view name, std::size_t argc)
    : req_(&req), start_(req.buffer_.size()), declared_(argc) {
    assert(argc > 0);
    const auto d = digits(argc);
    put_length(req.buffer_.extend(1 + d + 2), '*', argc, d);
    arg(name);
}

void Request::append(const Request& other) {
    for (const auto& r : other.references_)
        references_.push_back({buffer_.size() + r.at, r.bytes});
    for (const auto& c : other.spans_)
        spans_.push_back({buffer_.size() + c.at, c.slot});
    referenced_bytes_ += other.referenced_bytes_;
    buffer_.append(other.buffer_.view());
    commands_ += other.commands_;
    if (other.cross_slot_) cross_slot_ = true;
    if (other.multi_slot_) multi_slot_ = true;
    add_slot(other.slot_);
}

void Request::append_command(const Request& other, std::size_t i) {
    const auto from = other.spans_[i].at;
    const auto to = i + 1 < other.spans_.size() ? other.spans_[i + 1].at : other.buffer_.size();
    // A by-reference argument sits inside its command, before the CRLF that
    // ends it in the buffer: never at `from` or `to`.
    for (const auto& r : other.references_) {
        if (r.at <= from || r.at >= to) continue;
        references_.push_back({buffer_.size() + (r.at - from), r.bytes});
        referenced_bytes_ += r.bytes.size();
    }
    spans_.push_back({buffer_.size(), other.spans_[i].slot});
    buffer_.append(other.buffer_.view().substr(from, to - from));
    ++commands_;
    add_slot(other.spans_[i].slot);
}

void Request::add_slot(int slot) noexcept {
    if (slot == no_slot) return;
    if (slot_ == no_slot)
        slot_ = slot;
    else if (slot_ != slot)
        multi_slot_ = true;
}

CommandBuilder& CommandBuilder::arg(std::string_view s) {
    assert(!done_ && "argument added after finish()");
    put_bulk(req_->buffer_, s);
    ++argc_;
    return *this;
}

CommandBuilder& CommandBuilder::arg_by_reference(std::string_view s) {
    assert(!done_ && "argument added after finish()");
    detail::Buffer& out = req_->buffer_;
    const auto d = digits(s.size());
    put_length(out.extend(1 + d + 2), '$', s.size(), d);
    req_->references_.push_back({out.size(), s});
    req_->referenced_bytes_ += s.size();
    out.append("\r\n");
    ++argc_;
    return *this;
}

CommandBuilder& CommandBuilder::key(std::string_view k) {
    arg(k);
    record_slot(cluster::key_slot(k));
    return *this;
}

CommandBuilder& CommandBuilder::key_in_slot(std::string_view k, std::uint16_t known_slot) {
    arg(k);
    record_slot(known_slot);
    return *this;
}

CommandBuilder& CommandBuilder::shard_key_in_slot(std::string_view prefix, std::uint64_t n,
                                                  std::uint16_t known_slot) {
    char num[number_buffer_size + 1];
    num[0] = ':';
    const auto end = std::to_chars(num + 1, num + sizeof num, n).ptr;
    put_bulk(req_->buffer_, prefix, std::string_view(num, static_cast<std::size_t>(end - num)));
    ++argc_;
    record_slot(known_slot);
    return *this;
}

CommandBuilder& CommandBuilder::shard_key(std::string_view prefix, std::uint64_t n) {
    assert(!done_ && "argument added after finish()");
    char num[number_buffer_size + 1];
    num[0] = ':';
    const auto end = std::to_chars(num + 1, num + sizeof num, n).ptr;
    const std::string_view suffix(num, static_cast<std::size_t>(end - num));
    detail::Buffer& out = req_->buffer_;
    put_bulk(out, prefix, suffix);
    const auto key_size = prefix.size() + suffix.size();
    record_slot(cluster::key_slot(out.view().substr(out.size() - 2 - key_size, key_size)));
    ++argc_;
    return *this;
}

void CommandBuilder::record_slot(std::uint16_t slot) noexcept {
    if (slot_ == -1)
        slot_ = slot;
    else if (slot_ != slot)
        req_->cross_slot_ = true;
    req_->add_slot(slot);
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
    req_->spans_.push_back({start_, slot_});
    if (declared_ != 0) {
        assert(argc_ == declared_ && "a command's declared argument count is wrong");
        ++req_->commands_;
        return;
    }
    char header[number_buffer_size + 3];
    header[0] = '*';
    const auto r = std::to_chars(header + 1, header + number_buffer_size, argc_);
    char* end = r.ptr;
    *end++ = '\r';
    *end++ = '\n';
    const auto header_size = static_cast<std::size_t>(end - header);
    req_->buffer_.insert(start_, std::string_view(header, header_size));
    // This command's by-reference arguments moved with the bytes around them.
    for (auto it = req_->references_.rbegin(); it != req_->references_.rend() && it->at >= start_;
         ++it)
        it->at += header_size;
    ++req_->commands_;
}

}  // namespace redstream::resp
