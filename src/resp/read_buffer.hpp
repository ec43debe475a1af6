// The reader's input buffer: reference-counted blocks that parsed replies
// point into. Internal to the resp layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <redstream/resp/value.hpp>

namespace redstream::resp::detail {

class ReadBuffer {
  public:
    explicit ReadBuffer(std::size_t block_size) noexcept : block_size_(block_size) {}

    /// Free space after the data, for at least `want` bytes; or only `enough`
    /// (at most `want`) when the current block is held by replies and still
    /// has that much room. Keeps the unparsed bytes contiguous: reuses the
    /// block when no reply shares it, else moves them to a fresh block.
    /// `switched` tells the caller a new block began.
    std::span<char> prepare(std::size_t want, std::size_t enough, bool& switched);
    void commit(std::size_t n) noexcept { end_ += n; }

    const char* data() const noexcept { return data_; }
    std::size_t pos() const noexcept { return pos_; }
    std::size_t end() const noexcept { return end_; }
    std::size_t unparsed() const noexcept { return end_ - pos_; }
    /// Free bytes after the data in the current block.
    std::size_t room() const noexcept { return block_.capacity() - end_; }
    void advance(std::size_t n) noexcept { pos_ += n; }
    /// Offset of the parse position from the start of the stream.
    std::uint64_t offset() const noexcept { return base_ + pos_; }
    std::uint64_t received() const noexcept { return base_ + end_; }
    const BlockRef& block() const noexcept { return block_; }

    void reset() noexcept;

  private:
    bool unique() const noexcept { return block_.sole(); }
    void restart_at_front() noexcept;
    std::span<char> replace_block(std::size_t capacity, bool& switched);
    std::span<char> tail() noexcept { return {data_ + end_, block_.capacity() - end_}; }

    BlockRef block_;
    char* data_ = nullptr;    // block_.data(), or null without a block (read per element)
    std::size_t pos_ = 0;     // first unparsed byte
    std::size_t end_ = 0;     // one past the last received byte
    std::uint64_t base_ = 0;  // stream offset of data()[0]
    std::size_t block_size_;
};

}  // namespace redstream::resp::detail
