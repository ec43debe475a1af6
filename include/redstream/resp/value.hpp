// Parsed RESP replies. A reply is a flat, pre-order array of nodes whose
// strings are views into the reference-counted read buffer they arrived in,
// so nothing is copied between the socket and the user. `Reply` owns the
// nodes and keeps the buffer blocks alive; `Value` is a cheap cursor into it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace redstream::resp {

/// Every RESP2 and RESP3 type. RESP2 null bulk (`$-1`) and null array (`*-1`)
/// both parse as `null`.
enum class Type : std::uint8_t {
    simple_string,    // +
    simple_error,     // -
    integer,          // :
    bulk_string,      // $
    array,            // *
    null,             // _  (and RESP2 $-1 / *-1)
    boolean,          // #
    double_type,      // ,
    big_number,       // (
    bulk_error,       // !
    verbatim_string,  // =
    map,              // %
    set,              // ~
    attribute,        // |
    push,             // >
};

bool is_aggregate(Type t) noexcept;
std::string_view type_name(Type t) noexcept;

/// One parsed value. For aggregates `count` is the number of child values
/// (a map of N pairs has 2N); for integers it holds the value (as uint64 bits);
/// for booleans 1/0. `text` is the payload for string-like types (for
/// verbatim strings without the `xxx:` format prefix, which is in `format`).
/// `next` is the index of the node after this value's whole subtree.
/// An attribute node and its subtree precede the value it annotates; cursor
/// navigation (`Value`) skips attributes.
struct Node {
    Type type = Type::null;
    char format[3] = {};      ///< Verbatim string format (e.g. "txt"), else zeros.
    std::uint32_t next = 0;   ///< Index one past this value's subtree.
    std::uint64_t count = 0;  ///< Children (aggregates), value (integer/boolean).
    std::string_view text;    ///< String payload (views into the read buffer).
};

namespace detail {

/// A count of owners whose "is the caller the only owner?" test is an acquire
/// load of the same counter that every other owner decrements with release
/// semantics. That is the happens-before that lets the reader reuse memory a
/// reply on another thread was reading, and one ThreadSanitizer can see (it
/// does not model a relaxed `use_count()` followed by a fence).
class OwnerCount {
  public:
    void add() const noexcept { count_.fetch_add(1, std::memory_order_relaxed); }
    /// Drops one owner; true when it was the last (then it may free the memory).
    [[nodiscard]] bool drop() const noexcept {
        return count_.fetch_sub(1, std::memory_order_acq_rel) == 1;
    }
    /// True when the caller's reference is the only one left; every access by
    /// the owners that left happens-before the return.
    [[nodiscard]] bool sole() const noexcept { return count_.load(std::memory_order_acquire) == 1; }

  private:
    mutable std::atomic<std::uint32_t> count_{1};
};

/// A shared block of the reader's input buffer: parsed strings point into it.
class BlockRef {
  public:
    /// A new block of `capacity` bytes (not zeroed), with one owner.
    static BlockRef allocate(std::size_t capacity);

    BlockRef() = default;
    BlockRef(const BlockRef& other) noexcept : header_(other.header_) {
        if (header_) header_->owners.add();
    }
    BlockRef(BlockRef&& other) noexcept : header_(std::exchange(other.header_, nullptr)) {}
    BlockRef& operator=(BlockRef other) noexcept {
        std::swap(header_, other.header_);
        return *this;
    }
    ~BlockRef() {
        if (header_ && header_->owners.drop()) release_memory(header_);
    }

    explicit operator bool() const noexcept { return header_ != nullptr; }
    char* data() const noexcept { return reinterpret_cast<char*>(header_ + 1); }
    std::size_t capacity() const noexcept { return header_ ? header_->capacity : 0; }
    /// True when no one else (no reply) holds the block any more.
    bool sole() const noexcept { return header_ && header_->owners.sole(); }

  private:
    struct alignas(std::max_align_t) Header {
        OwnerCount owners;
        std::size_t capacity;
    };
    explicit BlockRef(Header* header) noexcept : header_(header) {}
    static void release_memory(Header* header) noexcept;

    Header* header_ = nullptr;
};

/// What a `Reply` shares: the nodes and the buffer blocks they point into.
/// The reader keeps one owner while it may reuse it; each `Reply` is another.
struct ReplyData {
    std::vector<Node> nodes;
    std::vector<BlockRef> blocks;
    OwnerCount owners;
};

}  // namespace detail

class Value;

/// A complete reply: owns its nodes and keeps its buffer blocks alive. Copies
/// are cheap (shared); views obtained from it stay valid while any copy lives.
class Reply {
  public:
    Reply() = default;
    /// Shares `data` with the reader that made it (which keeps its own owner).
    explicit Reply(const detail::ReplyData& data) noexcept : data_(&data) { data.owners.add(); }
    Reply(const Reply& other) noexcept : data_(other.data_) {
        if (data_) data_->owners.add();
    }
    Reply(Reply&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
    Reply& operator=(Reply other) noexcept {
        std::swap(data_, other.data_);
        return *this;
    }
    ~Reply() {
        if (data_ && data_->owners.drop()) delete data_;
    }

    bool empty() const noexcept { return !data_ || data_->nodes.empty(); }
    Value root() const noexcept;
    /// The attribute that preceded the root value, if the server sent one.
    std::optional<Value> attribute() const noexcept;
    /// Keeps the reply (and so every view into it) alive as a type-erased
    /// handle; for zero-copy payloads. Allocates a small holder: on a hot
    /// path, keep a copy of the Reply instead.
    std::shared_ptr<const void> keep_alive() const;
    const std::vector<Node>& nodes() const noexcept;

  private:
    const detail::ReplyData* data_ = nullptr;
};

/// A cursor to one value of a reply. Does not own anything: keep the `Reply`.
/// A default Value (also the root of an empty Reply, e.g. one a failed
/// request left unset) reads as a RESP null: type null, empty text.
class Value {
  public:
    Value() = default;
    Value(const Node* nodes, std::uint32_t index) noexcept : nodes_(nodes), index_(index) {}

    bool valid() const noexcept { return nodes_ != nullptr; }
    Type type() const noexcept { return node().type; }
    const Node& node() const noexcept { return nodes_ ? nodes_[index_] : null_node; }

    bool is_null() const noexcept { return type() == Type::null; }
    bool is_error() const noexcept {
        return type() == Type::simple_error || type() == Type::bulk_error;
    }
    bool is_string() const noexcept;  ///< simple, bulk or verbatim string.
    bool is_aggregate() const noexcept { return resp::is_aggregate(type()); }

    /// The text of any string-like value (strings, errors, big numbers, doubles).
    std::string_view str() const noexcept { return node().text; }
    /// Integer value; also accepts a string holding a decimal integer (RESP2 style).
    std::optional<std::int64_t> to_int() const noexcept;
    std::optional<double> to_double() const noexcept;
    std::optional<bool> to_bool() const noexcept;

    /// Number of children of an aggregate (map pairs count twice), else 0.
    std::size_t size() const noexcept { return is_aggregate() ? node().count : 0; }
    /// The i-th child (O(i)); undefined if `i >= size()`.
    Value operator[](std::size_t i) const noexcept;

    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Value;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = Value;

        iterator() = default;
        iterator(const Node* nodes, std::uint32_t index) noexcept : nodes_(nodes), index_(index) {}
        /// The child value (past any attributes that annotate it).
        Value operator*() const noexcept;
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept {
            auto t = *this;
            ++*this;
            return t;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.index_ == b.index_;
        }

      private:
        const Node* nodes_ = nullptr;
        std::uint32_t index_ = 0;
    };
    iterator begin() const noexcept;
    iterator end() const noexcept;

  private:
    static constexpr Node null_node{};
    const Node* nodes_ = nullptr;
    std::uint32_t index_ = 0;
};

/// If `v` is an error reply, its code (from the error's prefix), else success.
std::error_code error_of(const Value& v) noexcept;

}  // namespace redstream::resp
