#include "read_buffer.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace redstream::resp::detail {

bool ReadBuffer::unique() const noexcept {
    if (!block_ || block_.use_count() != 1) return false;
    // Pairs with the release of the last other owner, so its reads of the
    // block happen before we overwrite it.
    std::atomic_thread_fence(std::memory_order_acquire);
    return true;
}

void ReadBuffer::restart_at_front() noexcept {
    const std::size_t pending = unparsed();
    if (pending > 0) std::memmove(block_.get(), block_.get() + pos_, pending);
    base_ += pos_;
    pos_ = 0;
    end_ = pending;
}

std::span<char> ReadBuffer::prepare(std::size_t want, bool& switched) {
    switched = false;
    const bool reusable = unique();
    if (reusable && pos_ == end_ && pos_ > 0) restart_at_front();
    if (capacity_ - end_ >= want) return {block_.get() + end_, capacity_ - end_};

    const std::size_t pending = unparsed();
    if (reusable && capacity_ - pending >= want) {
        restart_at_front();
        return {block_.get() + end_, capacity_ - end_};
    }
    // Parsed bytes stay where they are (replies point into them); only the
    // unparsed tail moves.
    const std::size_t capacity = std::max(block_size_, pending + want);
    auto fresh = std::make_shared_for_overwrite<char[]>(capacity);
    if (pending > 0) std::memcpy(fresh.get(), block_.get() + pos_, pending);
    base_ += pos_;
    pos_ = 0;
    end_ = pending;
    block_ = std::move(fresh);
    capacity_ = capacity;
    switched = true;
    return {block_.get() + end_, capacity_ - end_};
}

void ReadBuffer::reset() noexcept {
    if (!unique()) {
        block_.reset();
        capacity_ = 0;
    }
    pos_ = end_ = 0;
    base_ = 0;
}

}  // namespace redstream::resp::detail
