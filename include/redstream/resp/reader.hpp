// The incremental RESP2/RESP3 parser (sans-I/O). Bytes go in through
// prepare()/commit() (read straight into the parser's buffer) or feed();
// complete replies come out of next(). It resumes where it stopped when a
// reply is split across reads, and never re-scans parsed bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include <redstream/resp/value.hpp>

namespace redstream::resp {

/// Bounds that keep a hostile or broken server from exhausting memory. A
/// violation is a protocol error, never a crash or an unbounded allocation.
struct ReaderLimits {
    static constexpr std::size_t default_max_depth = 32;
    static constexpr std::uint64_t default_max_elements = 16 * 1024 * 1024;
    static constexpr std::uint64_t default_max_bulk = 512 * 1024 * 1024;
    static constexpr std::size_t default_block_size = 64 * 1024;
    static constexpr std::size_t default_max_line = 64 * 1024;
    // Room for Redis's largest value (proto-max-bulk-len, 512 MB) with its
    // framing, and for an XRANGE of a few of them.
    static constexpr std::uint64_t default_max_reply_bytes = 1024 * 1024 * 1024;

    /// Deepest nesting of aggregates in one reply.
    std::size_t max_depth = default_max_depth;
    /// Most elements one aggregate may declare.
    std::uint64_t max_elements = default_max_elements;
    /// Longest bulk string (also bulk error, verbatim string) in bytes.
    std::uint64_t max_bulk = default_max_bulk;
    /// Size of a fresh read-buffer block (bigger bulks get a bigger block).
    std::size_t block_size = default_block_size;
    /// Longest header or simple line (simple string, error, number) in bytes,
    /// so that a line that never ends cannot grow the buffer without bound.
    std::size_t max_line = default_max_line;
    /// Most memory one reply may hold while it is parsed: its node array
    /// (sizeof(Node) per slot, counting the old and the new array while it
    /// grows) plus the input bytes it spans, a bulk's whole declared length
    /// included from its header on, so a huge declared bulk fails before its
    /// body is allocated. Beyond it the reply fails with a protocol error
    /// (errc::reply_too_large) instead of growing without bound. Caps
    /// `max_bulk` in effect. Per reply: replies kept alive add up.
    std::uint64_t max_reply_bytes = default_max_reply_bytes;
};

class Reader {
  public:
    explicit Reader(ReaderLimits limits = {});
    ~Reader();
    Reader(Reader&&) noexcept;
    Reader& operator=(Reader&&) noexcept;

    /// Writable space for at least `min_size` more bytes (more may be given).
    /// Pending bytes are moved to a new block when the current one is shared
    /// with replies still alive or too small; never copies parsed replies.
    /// Exception: while replies hold the current block and it has some room
    /// left (512 bytes, or `min_size` if smaller), that room is returned even
    /// if smaller than `min_size`, so a reply arriving in small reads fills
    /// its blocks instead of leaving one mostly empty block per read.
    std::span<char> prepare(std::size_t min_size = 4096);
    /// Marks `n` bytes of the last `prepare()` span as received.
    void commit(std::size_t n) noexcept;
    /// Convenience: prepare + copy + commit.
    void feed(std::string_view bytes);

    /// Parses the next complete reply into `out`. Returns true when one was
    /// produced; false when more bytes are needed or on error (then `ec` is
    /// set, and the reader stays failed until `reset()`).
    bool next(Reply& out, std::error_code& ec);

    /// Bytes received but not yet returned as part of a reply.
    std::size_t buffered() const noexcept;
    /// Drops all buffered bytes and any partial reply (after a reconnect).
    void reset() noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redstream::resp
