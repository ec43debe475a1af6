#include "dump_format.hpp"

#include <array>
#include <limits>

namespace redstream::cli {

namespace {

constexpr std::size_t head_bytes = 9;  // tag, length, head_crc
constexpr std::size_t crc_bytes = 4;
constexpr std::size_t version_bytes = 4;
constexpr std::size_t end_body_bytes = 3 * 8 + 4;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr auto crc_table = make_crc_table();

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_str(std::string& out, std::string_view s) {
    if (s.size() > max_record_bytes) throw DumpFormatError("a value is too large for a dump");
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out += s;
}

std::uint64_t get_le(std::string_view bytes, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    return v;
}

// Reads the fields of a body in order; a body shorter than its fields is
// damaged (its CRC matched, so it was written so), which `ok` reports.
class BodyReader {
  public:
    explicit BodyReader(std::string_view body) : rest_(body) {}

    std::uint64_t u64() { return take_le(8); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(take_le(4)); }
    std::string_view str() {
        const auto n = u32();
        if (!ok_ || rest_.size() < n) return fail();
        const auto s = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return s;
    }
    MessageId id() {
        const auto ms = u64();
        return {ms, u64()};
    }
    bool ok() const noexcept { return ok_; }
    bool at_end() const noexcept { return rest_.empty(); }
    std::string_view rest() const noexcept { return rest_; }

  private:
    std::uint64_t take_le(std::size_t n) {
        if (!ok_ || rest_.size() < n) {
            fail();
            return 0;
        }
        const auto v = get_le(rest_, n);
        rest_.remove_prefix(n);
        return v;
    }
    std::string_view fail() {
        ok_ = false;
        rest_ = {};
        return {};
    }

    std::string_view rest_;
    bool ok_ = true;
};

}  // namespace

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc) noexcept {
    crc = ~crc;
    for (const char ch : bytes)
        crc = crc_table[(crc ^ static_cast<unsigned char>(ch)) & 0xff] ^ (crc >> 8);
    return ~crc;
}

// ---- encoder

DumpEncoder::DumpEncoder(DumpEncoderOptions options) : options_(options) {
    out_ += dump_magic;
    put_u32(out_, dump_version);
}

void DumpEncoder::begin_key(std::string_view stream, std::string_view key) {
    close_batch();
    std::string body;
    put_str(body, stream);
    put_str(body, key);
    record('K', body);
    ++counts_.keys;
    key_open_ = true;
}

void DumpEncoder::begin_entry(MessageId id, std::size_t fields) {
    if (!key_open_ || finished_) throw std::logic_error("DumpEncoder: an entry outside a key");
    if (fields > std::numeric_limits<std::uint32_t>::max())
        throw DumpFormatError("an entry has too many fields for a dump");
    put_u64(batch_, id.ms);
    put_u64(batch_, id.seq);
    put_u32(batch_, static_cast<std::uint32_t>(fields));
}

void DumpEncoder::add_field(std::string_view name, std::string_view value) {
    put_str(batch_, name);
    put_str(batch_, value);
}

void DumpEncoder::end_entry() {
    ++batch_count_;
    ++counts_.entries;
    if (batch_.size() >= options_.batch_bytes) close_batch();
}

void DumpEncoder::group(std::string_view name, MessageId last_delivered) {
    if (!key_open_ || finished_) throw std::logic_error("DumpEncoder: a group outside a key");
    close_batch();
    std::string body;
    put_str(body, name);
    put_u64(body, last_delivered.ms);
    put_u64(body, last_delivered.seq);
    record('G', body);
    ++counts_.groups;
}

void DumpEncoder::finish() {
    if (finished_) return;
    close_batch();
    std::string body;
    put_u64(body, counts_.keys);
    put_u64(body, counts_.entries);
    put_u64(body, counts_.groups);
    put_u32(body, file_crc_);
    record('Z', body);
    finished_ = true;
}

std::string DumpEncoder::take() {
    std::string bytes;
    bytes.swap(out_);
    return bytes;
}

void DumpEncoder::close_batch() {
    if (batch_count_ == 0) return;
    std::string count;
    put_u32(count, batch_count_);
    if (batch_.size() > max_record_bytes - 4)
        throw DumpFormatError("an entry is too large for a dump");
    record('E', count, batch_);
    batch_.clear();
    batch_count_ = 0;
}

void DumpEncoder::record(char tag, std::string_view head, std::string_view rest) {
    std::string crcs;
    out_ += tag;
    put_u32(out_, static_cast<std::uint32_t>(head.size() + rest.size()));
    put_u32(crcs, crc32c(std::string_view(out_).substr(out_.size() - 5)));
    out_ += crcs;
    out_ += head;
    out_ += rest;
    put_u32(crcs, crc32c(rest, crc32c(head)));
    out_ += std::string_view(crcs).substr(4);
    file_crc_ = crc32c(crcs, file_crc_);
}

// ---- decoder

void DumpDecoder::feed(std::string_view bytes) {
    if (batch_left_ != 0) throw std::logic_error("DumpDecoder: feed() while entries are left");
    // Drop what was handed out; the views into it end here, as documented.
    buffer_.erase(0, pos_);
    pos_ = 0;
    buffer_ += bytes;
}

DumpDecoder::Item DumpDecoder::next() {
    if (batch_left_ != 0) return next_entry();
    if (ended_) {
        if (pos_ < buffer_.size()) fail("bytes after the end record");
        return Item::end;
    }
    if (!magic_read_ && !read_magic()) return Item::need_more;
    while (true) {
        const auto avail = std::string_view(buffer_).substr(pos_);
        if (avail.size() < head_bytes) break;
        const auto tag = avail[0];
        const auto length = static_cast<std::uint32_t>(get_le(avail.substr(1), 4));
        if (crc32c(avail.substr(0, 5)) != get_le(avail.substr(5), 4))
            fail("a record header is damaged (CRC mismatch)");
        if (length > max_record_bytes) fail("a record is too large");
        if (avail.size() < head_bytes + length + crc_bytes) break;
        const auto body = avail.substr(head_bytes, length);
        if (crc32c(body) != get_le(avail.substr(head_bytes + length), 4))
            fail(std::string("a record is damaged (CRC mismatch in '") + tag + "')");
        const auto item = handle_record(tag, body);
        const auto size = head_bytes + length + crc_bytes;
        file_crc_ = crc32c(avail.substr(5, 4), file_crc_);
        file_crc_ = crc32c(avail.substr(head_bytes + length, 4), file_crc_);
        pos_ += size;
        consumed_ += size;
        if (batch_left_ != 0) return next_entry();
        if (item != Item::need_more) return item;
    }
    if (input_ended_) {
        fail(pos_ == buffer_.size() ? "the dump ends early: no end record (truncated?)"
                                    : "the dump ends inside a record (truncated?)");
    }
    return Item::need_more;
}

bool DumpDecoder::read_magic() {
    const auto avail = std::string_view(buffer_).substr(pos_);
    const auto need = dump_magic.size() + version_bytes;
    if (avail.size() < need) {
        const auto n = std::min(avail.size(), dump_magic.size());
        if (avail.substr(0, n) != dump_magic.substr(0, n) || input_ended_)
            fail("not a redstream dump (no dump header)");
        return false;
    }
    if (avail.substr(0, dump_magic.size()) != dump_magic)
        fail("not a redstream dump (no dump header)");
    const auto version = get_le(avail.substr(dump_magic.size()), 4);
    if (version != dump_version)
        fail("dump format version " + std::to_string(version) + " (this tool reads version " +
             std::to_string(dump_version) + ")");
    pos_ += need;
    consumed_ += need;
    magic_read_ = true;
    return true;
}

DumpDecoder::Item DumpDecoder::handle_record(char tag, std::string_view body) {
    BodyReader r(body);
    switch (tag) {
        case 'K': {
            const auto stream = r.str();
            const auto key = r.str();
            if (!r.ok() || !r.at_end() || stream.empty() || key.empty()) fail("a bad key record");
            stream_.assign(stream);
            key_.assign(key);
            have_key_ = true;
            ++counts_.keys;
            return Item::key;
        }
        case 'E': {
            if (!have_key_) fail("entries before any key record");
            batch_left_ = r.u32();
            if (!r.ok() || batch_left_ == 0) fail("a bad entries record");
            batch_ = r.rest();
            return Item::need_more;  // next() hands them out, one at a time
        }
        case 'G': {
            if (!have_key_) fail("a group before any key record");
            group_name_ = r.str();
            group_last_id_ = r.id();
            if (!r.ok() || !r.at_end() || group_name_.empty()) fail("a bad group record");
            ++counts_.groups;
            return Item::group;
        }
        case 'Z': {
            if (body.size() != end_body_bytes) fail("a bad end record");
            DumpCounts said;
            said.keys = r.u64();
            said.entries = r.u64();
            said.groups = r.u64();
            const auto crc = r.u32();
            if (said != counts_)
                fail("the end record's counts (" + std::to_string(said.entries) +
                     " entries) differ from the records read (" + std::to_string(counts_.entries) +
                     "): records are missing");
            if (crc != file_crc_) fail("the file's checksum does not match (damaged)");
            ended_ = true;
            return Item::end;
        }
        default:
            fail("an unknown record type (damaged, or a newer format)");
    }
}

DumpDecoder::Item DumpDecoder::next_entry() {
    BodyReader r(batch_);
    entry_id_ = r.id();
    const auto pairs = r.u32();
    // Each pair takes at least 8 bytes: a damaged count cannot make us reserve much.
    if (!r.ok() || pairs > r.rest().size() / 8) fail("a bad entry in an entries record");
    fields_.clear();
    fields_.reserve(pairs);
    for (std::uint32_t i = 0; i < pairs; ++i) {
        const auto name = r.str();
        const auto value = r.str();
        fields_.emplace_back(name, value);
    }
    if (!r.ok()) fail("a bad entry in an entries record");
    batch_ = r.rest();
    if (--batch_left_ == 0 && !batch_.empty()) fail("an entries record longer than its entries");
    ++counts_.entries;
    return Item::entry;
}

void DumpDecoder::fail(const std::string& what) const {
    throw DumpFormatError(what + " at byte " + std::to_string(consumed_));
}

}  // namespace redstream::cli
