// The file format of `redstream dump` / `redstream restore`, as a sans-I/O
// encoder and decoder: bytes in, bytes out, no sockets or files, so every
// corner is unit tested.
//
// Format, version 1. Integers are unsigned little-endian unless said
// otherwise; `str` is a u32 byte count followed by that many bytes (any
// bytes: \0, 0xff, invalid UTF-8 — nothing is escaped or checked).
//
//   file    := magic version record* end
//   magic   := 0x89 "RSDUMP" 0x0a          (8 bytes; 0x89 and \n catch a
//                                            transfer that mangles bytes)
//   version := u32 = 1
//   record  := tag:u8 length:u32 head_crc:u32 body[length] body_crc:u32
//     head_crc is the CRC-32C of tag and length, so a damaged length is
//     caught before any body is read (a reader then never buffers a record
//     that is not there); body_crc is the CRC-32C of the body. A body is at
//     most max_record_bytes.
//   tags and bodies:
//     'K' key:     str stream, str key — the Redis key the records up to the
//                  next 'K' belong to (`stream`, or its shard `stream:N`).
//     'E' entries: u32 count, then count times: u64 ms, u64 seq (the id),
//                  u32 pairs, pairs times (str field, str value) — in the
//                  server's order, repeated field names kept. Ids ascend
//                  within a key. A key's entries span any number of 'E'.
//     'G' group:   str name, u64 ms, u64 seq — a consumer group of the key
//                  and its last delivered id (pending entries are not kept).
//                  Comes after the key's entries.
//     'Z' end:     u64 keys, u64 entries, u64 groups (the 'K', entries and
//                  'G' records before it), u32 file_crc — the CRC-32C of the
//                  head_crc and body_crc (8 bytes) of every record before
//                  it, in order: records dropped, repeated or swapped whole
//                  (each still sound) change it. Nothing may follow it.
// A dump cut short lacks 'Z'; a damaged one fails a CRC or the counts. The
// reader checks each record before handing out anything in it, so a
// restore never writes damaged data, and it tells a truncated file from a
// corrupted one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>

namespace redstream::cli {

inline constexpr std::string_view dump_magic{"\x89RSDUMP\n", 8};
inline constexpr std::uint32_t dump_version = 1;
/// Largest record body either side accepts: above the 512 MB a Redis value
/// may be, below what a damaged length could make a reader allocate.
inline constexpr std::uint32_t max_record_bytes = 1u << 30;

/// A file that is not a dump this tool reads, or is damaged or cut short.
/// what() says which, and where (a byte offset).
struct DumpFormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// CRC-32C (Castagnoli), continuing from `crc` (0 to start).
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0) noexcept;

/// What a dump holds, as its end record counts it.
struct DumpCounts {
    std::uint64_t keys = 0;     ///< 'K' records.
    std::uint64_t entries = 0;  ///< Entries over every 'E' record.
    std::uint64_t groups = 0;   ///< 'G' records.

    friend bool operator==(const DumpCounts&, const DumpCounts&) = default;
};

struct DumpEncoderOptions {
    static constexpr std::size_t default_batch_bytes = 256 * 1024;

    /// An 'E' record is closed once its body reaches this size (and at the
    /// next key, group or end): bounds what a reader must hold at once.
    std::size_t batch_bytes = default_batch_bytes;
};

/// Builds a dump in memory, a piece at a time: call take() after each step
/// (or every few) and write what it returns, so the encoder holds at most
/// one 'E' record's worth of bytes.
class DumpEncoder {
  public:
    /// Starts with the magic and version.
    explicit DumpEncoder(DumpEncoderOptions options = {});

    /// The records that follow belong to `key` of `stream`.
    void begin_key(std::string_view stream, std::string_view key);
    /// One entry of the current key: `fields` is any sized range of Field
    /// (std::pair of string_views), in the entry's order.
    template <class Fields>
    void entry(MessageId id, const Fields& fields) {
        begin_entry(id, fields.size());
        for (const auto& f : fields)
            add_field(f.first, f.second);
        end_entry();
    }
    /// A consumer group of the current key.
    void group(std::string_view name, MessageId last_delivered);
    /// Writes the end record; nothing may be added after it.
    void finish();

    /// The bytes made so far and not yet taken.
    std::string take();
    /// Bytes waiting in take() (not counting an open 'E' record).
    std::size_t pending_bytes() const noexcept { return out_.size(); }
    const DumpCounts& counts() const noexcept { return counts_; }

  private:
    void begin_entry(MessageId id, std::size_t fields);
    void add_field(std::string_view name, std::string_view value);
    void end_entry();
    void close_batch();
    // Appends a record whose body is `head` then `rest` (no copy to join them).
    void record(char tag, std::string_view head, std::string_view rest = {});

    DumpEncoderOptions options_;
    std::string out_;
    std::string batch_;  // the open 'E' record's entries
    std::uint32_t batch_count_ = 0;
    std::uint32_t file_crc_ = 0;  // over the records' CRCs so far
    DumpCounts counts_;
    bool key_open_ = false;
    bool finished_ = false;
};

/// Reads a dump fed to it in pieces of any size. next() hands out one item
/// at a time; the views in key(), entry_fields() and group_name() stay
/// valid until the next call to next() or feed().
class DumpDecoder {
  public:
    enum class Item {
        need_more,  ///< Feed more bytes (or call end_of_input()).
        key,        ///< A key record: stream(), key().
        entry,      ///< An entry of the current key: entry_id(), entry_fields().
        group,      ///< A group of the current key: group_name(), group_last_id().
        end,        ///< The end record, checked: counts(). Nothing follows.
    };

    /// Appends bytes read from the file. Call only after next() returned
    /// need_more (or before the first next()).
    void feed(std::string_view bytes);
    /// No more bytes will come: next() then throws if the end record has not
    /// been read (the file was cut short).
    void end_of_input() noexcept { input_ended_ = true; }

    /// The next item. Throws DumpFormatError for a file that is not a dump,
    /// is damaged, or (after end_of_input()) is cut short.
    Item next();

    std::string_view stream() const noexcept { return stream_; }
    std::string_view key() const noexcept { return key_; }
    MessageId entry_id() const noexcept { return entry_id_; }
    const std::vector<Field>& entry_fields() const noexcept { return fields_; }
    std::string_view group_name() const noexcept { return group_name_; }
    MessageId group_last_id() const noexcept { return group_last_id_; }
    /// What was read so far; after Item::end, what the file holds.
    const DumpCounts& counts() const noexcept { return counts_; }
    /// Bytes of the file consumed so far (records handed out in full).
    std::uint64_t offset() const noexcept { return consumed_; }

  private:
    bool read_magic();
    bool read_record();
    Item handle_record(char tag, std::string_view body);
    Item next_entry();
    [[noreturn]] void fail(const std::string& what) const;

    std::string buffer_;
    std::size_t pos_ = 0;         // next unread byte of buffer_
    std::uint64_t consumed_ = 0;  // bytes of the file before buffer_[pos_]
    std::uint32_t file_crc_ = 0;  // over every byte before pos_
    bool magic_read_ = false;
    bool ended_ = false;
    bool input_ended_ = false;
    bool have_key_ = false;
    // The 'E' record being handed out: its remaining entries.
    std::string_view batch_;
    std::uint32_t batch_left_ = 0;
    std::string stream_, key_;
    MessageId entry_id_{};
    std::vector<Field> fields_;
    std::string_view group_name_;
    MessageId group_last_id_{};
    DumpCounts counts_;
};

}  // namespace redstream::cli
