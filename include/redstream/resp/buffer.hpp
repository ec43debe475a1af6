// The growable byte buffer a Request serializes into. Unlike std::string,
// it hands out room to write in place (extend) without zero-filling it or
// checking the size per piece: a command's lengths, CRLFs and arguments are
// written straight into it, which halves the cost of serializing small
// commands (issue 10: the producer's XADD).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace redstream::resp::detail {

class Buffer {
  public:
    Buffer() = default;
    Buffer(const Buffer& other) { append(other.view()); }
    Buffer& operator=(const Buffer& other) {
        if (this != &other) {
            clear();
            append(other.view());
        }
        return *this;
    }
    Buffer(Buffer&& other) noexcept
        : data_(std::move(other.data_)), size_(other.size_), capacity_(other.capacity_) {
        other.size_ = other.capacity_ = 0;
    }
    Buffer& operator=(Buffer&& other) noexcept {
        data_ = std::move(other.data_);
        size_ = other.size_;
        capacity_ = other.capacity_;
        other.size_ = other.capacity_ = 0;
        return *this;
    }

    std::string_view view() const noexcept { return {data_.get(), size_}; }
    const char* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    void clear() noexcept { size_ = 0; }

    /// Makes `n` more bytes part of the buffer and returns where they start;
    /// the caller writes all of them (their content is unspecified).
    char* extend(std::size_t n) {
        if (capacity_ - size_ < n) grow_to(size_ + n);
        char* p = data_.get() + size_;
        size_ += n;
        return p;
    }
    void append(std::string_view s) {
        if (!s.empty()) std::memcpy(extend(s.size()), s.data(), s.size());
    }
    /// Inserts `s` at `pos` (moving what follows).
    void insert(std::size_t pos, std::string_view s) {
        extend(s.size());
        char* at = data_.get() + pos;
        std::memmove(at + s.size(), at, size_ - s.size() - pos);
        std::memcpy(at, s.data(), s.size());
    }

  private:
    // At least doubles, so appends are amortized O(1).
    void grow_to(std::size_t n) {
        std::size_t cap = capacity_ < 64 ? 64 : 2 * capacity_;
        if (cap < n) cap = n;
        auto bigger = std::make_unique_for_overwrite<char[]>(cap);
        if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
        data_ = std::move(bigger);
        capacity_ = cap;
    }

    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace redstream::resp::detail
