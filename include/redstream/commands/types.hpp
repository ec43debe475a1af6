// Vocabulary shared by the typed Redis Streams commands: field lists, entry
// views, id arguments (XADD ids, read starts, range bounds) and trimming.
//
// Lifetime: every view type here (StreamEntry, FieldRange and the
// std::string_view members of decoded replies) points into the nodes and
// buffers of the `resp::Reply` it was decoded from. Keep that Reply (or a
// copy of it, or its keep_alive()) alive as long as you use the views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/resp/request.hpp>
#include <redstream/resp/value.hpp>

namespace redstream::commands {

/// Fields to write (XADD): a cheap view over the caller's pairs (`Field`, from
/// core), in order.
using FieldList = std::span<const Field>;
/// Ids to write (XACK, XCLAIM, XDEL).
using IdList = std::span<const MessageId>;

/// The field/value pairs of one entry, read lazily from the reply: no
/// allocation, pairs come out in the order the server sent them.
class FieldRange {
  public:
    class iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Field;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = Field;

        iterator() = default;
        iterator(resp::Value::iterator at, std::size_t left) noexcept : at_(at), left_(left) {}
        Field operator*() const noexcept {
            auto value = at_;
            ++value;
            return {(*at_).str(), (*value).str()};
        }
        iterator& operator++() noexcept {
            ++at_;
            ++at_;
            --left_;
            return *this;
        }
        iterator operator++(int) noexcept {
            auto t = *this;
            ++*this;
            return t;
        }
        // Counting pairs left (not node positions) makes end() free to build.
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.left_ == b.left_;
        }

      private:
        resp::Value::iterator at_;
        std::size_t left_ = 0;
    };

    FieldRange() = default;
    /// `list` is an array (or map) of alternating field, value.
    explicit FieldRange(resp::Value list) noexcept : list_(list) {}

    /// Number of pairs.
    std::size_t size() const noexcept { return list_.valid() ? list_.size() / 2 : 0; }
    bool empty() const noexcept { return size() == 0; }
    iterator begin() const noexcept {
        return list_.valid() ? iterator(list_.begin(), size()) : iterator();
    }
    iterator end() const noexcept { return {}; }
    /// The value of the first field called `name` (linear scan).
    std::optional<std::string_view> find(std::string_view name) const noexcept;

  private:
    resp::Value list_;
};

/// One stream entry, a view into its reply. An entry whose body is gone
/// (deleted or trimmed while still pending: `[id, nil]` in XREADGROUP and
/// XCLAIM replies) keeps its id, has no fields and reports `deleted()`;
/// such entries should still be acknowledged.
struct StreamEntry {
    /// The entry id.
    MessageId id{};
    /// Its field/value pairs in server order (empty when deleted).
    FieldRange fields{};
    /// True for an `[id, nil]` entry.
    bool is_deleted = false;

    bool deleted() const noexcept { return is_deleted; }
};

/// The id argument of XADD.
class XAddId {
  public:
    enum class Kind : std::uint8_t {
        automatic,  ///< `*`: the server picks the id.
        auto_seq,   ///< `<ms>-*`: given time part, server-picked sequence.
        exact,      ///< An explicit `<ms>-<seq>`.
    };

    /// `*` (the default).
    constexpr XAddId() = default;
    static constexpr XAddId automatic() noexcept { return {}; }
    static constexpr XAddId auto_seq(std::uint64_t ms) noexcept {
        return XAddId(Kind::auto_seq, {ms, 0});
    }
    static constexpr XAddId exact(MessageId id) noexcept { return XAddId(Kind::exact, id); }

    constexpr Kind kind() const noexcept { return kind_; }
    /// The id (`exact`) or its time part (`auto_seq`).
    constexpr MessageId id() const noexcept { return id_; }

    void write(resp::CommandBuilder& b) const;

  private:
    constexpr XAddId(Kind kind, MessageId id) noexcept : kind_(kind), id_(id) {}
    Kind kind_ = Kind::automatic;
    MessageId id_{};
};

/// Where a read (XREAD, XREADGROUP) or a group (XGROUP CREATE / SETID) starts.
class StreamStart {
  public:
    enum class Kind : std::uint8_t {
        after,        ///< Entries with ids greater than `id()` (XREAD, XREADGROUP history).
        new_entries,  ///< `$`: only entries added from now on (XREAD, XGROUP).
        undelivered,  ///< `>`: entries never delivered to the group (XREADGROUP only).
    };

    /// After `0-0`: everything.
    constexpr StreamStart() = default;
    static constexpr StreamStart beginning() noexcept { return {}; }
    static constexpr StreamStart after(MessageId id) noexcept {
        return StreamStart(Kind::after, id);
    }
    static constexpr StreamStart new_entries() noexcept {
        return StreamStart(Kind::new_entries, {});
    }
    static constexpr StreamStart undelivered() noexcept {
        return StreamStart(Kind::undelivered, {});
    }

    constexpr Kind kind() const noexcept { return kind_; }
    constexpr MessageId id() const noexcept { return id_; }

    void write(resp::CommandBuilder& b) const;

  private:
    constexpr StreamStart(Kind kind, MessageId id) noexcept : kind_(kind), id_(id) {}
    Kind kind_ = Kind::after;
    MessageId id_{};
};

/// A bound of XRANGE / XREVRANGE / XPENDING ranges.
class RangeBound {
  public:
    enum class Kind : std::uint8_t {
        min,        ///< `-`: the smallest id.
        max,        ///< `+`: the largest id.
        inclusive,  ///< The id itself is included.
        exclusive,  ///< `(id`: the id itself is excluded (not for XPENDING before 6.2).
    };

    constexpr RangeBound() = default;
    static constexpr RangeBound min() noexcept { return {}; }
    static constexpr RangeBound max() noexcept { return RangeBound(Kind::max, {}); }
    static constexpr RangeBound inclusive(MessageId id) noexcept {
        return RangeBound(Kind::inclusive, id);
    }
    static constexpr RangeBound exclusive(MessageId id) noexcept {
        return RangeBound(Kind::exclusive, id);
    }

    constexpr Kind kind() const noexcept { return kind_; }
    constexpr MessageId id() const noexcept { return id_; }

    void write(resp::CommandBuilder& b) const;

  private:
    constexpr RangeBound(Kind kind, MessageId id) noexcept : kind_(kind), id_(id) {}
    Kind kind_ = Kind::min;
    MessageId id_{};
};

/// `=` trims exactly; `~` lets the server trim whole radix-tree nodes only
/// (cheaper; may keep a few more entries).
enum class TrimMode : std::uint8_t { exact, approximate };

/// Trimming for XADD and XTRIM: `MAXLEN|MINID [=|~] threshold [LIMIT count]`.
struct TrimOptions {
    enum class Strategy : std::uint8_t {
        none,    ///< Do not trim (XADD only; XTRIM needs a strategy).
        maxlen,  ///< Keep at most `max_len` entries.
        minid,   ///< Evict entries with ids below `min_id`.
    };

    /// Which threshold applies.
    Strategy strategy = Strategy::none;
    /// `=` or `~`; written explicitly either way.
    TrimMode mode = TrimMode::exact;
    /// Threshold for `maxlen`.
    std::uint64_t max_len = 0;
    /// Threshold for `minid`.
    MessageId min_id{};
    /// `LIMIT count`: most entries evicted per call; only valid with `~`
    /// (LIMIT 0 removes the server's default cap). Not sent when empty.
    std::optional<std::uint64_t> limit{};

    static constexpr TrimOptions maxlen(std::uint64_t n, TrimMode mode = TrimMode::exact,
                                        std::optional<std::uint64_t> limit = {}) noexcept {
        return {Strategy::maxlen, mode, n, {}, limit};
    }
    static constexpr TrimOptions minid(MessageId id, TrimMode mode = TrimMode::exact,
                                       std::optional<std::uint64_t> limit = {}) noexcept {
        return {Strategy::minid, mode, 0, id, limit};
    }

    /// Appends the trim arguments (nothing for `none`).
    void write(resp::CommandBuilder& b) const;
    /// How many arguments write() appends.
    constexpr std::size_t argc() const noexcept {
        if (strategy == Strategy::none) return 0;
        return 3 + (limit ? 2 : 0);
    }
};

// Decoders for replies every family shares.

/// `+OK` (XGROUP CREATE / SETID, XSETID). Errors: the server's code, or
/// unexpected_reply.
void decode_ok(const resp::Value& v, std::error_code& ec) noexcept;
/// An integer reply (XACK, XDEL, XLEN, XTRIM, XGROUP DELCONSUMER ...).
/// Errors: the server's code, or unexpected_reply for a non-integer.
std::uint64_t decode_count(const resp::Value& v, std::error_code& ec) noexcept;
/// An integer reply that is 1 or 0, as a bool (XGROUP CREATECONSUMER: created
/// or already there; XGROUP DESTROY: destroyed or not found). Errors: the
/// server's code, or unexpected_reply for a non-integer.
inline bool decode_flag(const resp::Value& v, std::error_code& ec) noexcept {
    return decode_count(v, ec) != 0;
}
/// A page of entries (`[[id, [f, v, ...]] | [id, nil], ...]`), nil giving an
/// empty page. Errors: the server's code, or unexpected_reply.
std::vector<StreamEntry> decode_entries(const resp::Value& v, std::error_code& ec);
/// A list of ids (JUSTID replies). Errors: the server's code, or unexpected_reply.
std::vector<MessageId> decode_ids(const resp::Value& v, std::error_code& ec);

}  // namespace redstream::commands
