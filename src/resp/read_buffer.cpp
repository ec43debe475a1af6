#include "read_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace redstream::resp::detail {

void ReadBuffer::restart_at_front() noexcept {
    const std::size_t pending = unparsed();
    if (pending > 0) std::memmove(block_.data(), block_.data() + pos_, pending);
    base_ += pos_;
    pos_ = 0;
    end_ = pending;
}

std::span<char> ReadBuffer::prepare(std::size_t want, bool& switched) {
    switched = false;
    const bool reusable = unique();
    if (reusable && pos_ == end_ && pos_ > 0) restart_at_front();
    if (room() >= want) return tail();

    const std::size_t pending = unparsed();
    if (reusable && block_.capacity() - pending >= want) {
        restart_at_front();
        return tail();
    }
    return replace_block(std::max(block_size_, pending + want), switched);
}

// Parsed bytes stay where they are (replies point into them); only the
// unparsed tail moves.
std::span<char> ReadBuffer::replace_block(std::size_t capacity, bool& switched) {
    const std::size_t pending = unparsed();
    auto fresh = BlockRef::allocate(capacity);
    if (pending > 0) std::memcpy(fresh.data(), block_.data() + pos_, pending);
    base_ += pos_;
    pos_ = 0;
    end_ = pending;
    block_ = std::move(fresh);
    switched = true;
    return tail();
}

void ReadBuffer::reset() noexcept {
    if (!unique()) block_ = BlockRef();
    pos_ = end_ = 0;
    base_ = 0;
}

}  // namespace redstream::resp::detail
