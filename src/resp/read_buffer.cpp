#include "read_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace redstream::resp::detail {

namespace {
// A block this many times larger than needed (one grown for a big bulk) is
// given back once no reply uses it, instead of being kept for good.
constexpr std::size_t max_oversize = 4;
}  // namespace

void ReadBuffer::restart_at_front() noexcept {
    const std::size_t pending = unparsed();
    if (pending > 0) std::memmove(block_.data(), block_.data() + pos_, pending);
    base_ += pos_;
    pos_ = 0;
    end_ = pending;
}

std::span<char> ReadBuffer::prepare(std::size_t want, std::size_t enough, bool& switched) {
    switched = false;
    const bool reusable = unique();
    const std::size_t pending = unparsed();
    const std::size_t capacity = std::max(block_size_, pending + want);
    if (reusable && block_.capacity() / max_oversize > capacity)
        return replace_block(capacity, switched);
    if (reusable && pos_ == end_ && pos_ > 0) restart_at_front();
    if (room() >= want) return tail();

    if (reusable && block_.capacity() - pending >= want) {
        restart_at_front();
        return tail();
    }
    // A block that replies hold stays allocated anyway: fill it before taking
    // another, or a reply arriving in small reads would leave a mostly empty
    // block behind for every read.
    if (!reusable && block_ && room() >= std::max<std::size_t>(enough, 1)) return tail();
    return replace_block(capacity, switched);
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
    data_ = block_.data();
    switched = true;
    return tail();
}

void ReadBuffer::reset() noexcept {
    if (!unique()) {
        block_ = BlockRef();
        data_ = nullptr;
    }
    pos_ = end_ = 0;
    base_ = 0;
}

}  // namespace redstream::resp::detail
