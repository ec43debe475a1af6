// The streaming vocabulary (SeaStreamer's names): which stream, which shard,
// which position, and the messages and receipts that carry them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <redstream/core/message_id.hpp>

namespace redstream {

/// A stream's name: any non-empty Redis key up to `max_size` bytes, `:` and
/// `{hash tags}` included (so existing keys such as `app:events` work).
/// Copies are cheap (the name is shared, immutable).
class StreamKey {
  public:
    static constexpr std::size_t max_size = 512;

    /// Throws `redstream::Error` (errc::invalid_argument) saying what is wrong.
    StreamKey(std::string_view name);  // NOLINT: implicit, so "orders" works
    StreamKey(const char* name) : StreamKey(std::string_view(name)) {}         // NOLINT
    StreamKey(const std::string& name) : StreamKey(std::string_view(name)) {}  // NOLINT
    /// Non-throwing: on error sets `ec` (and `why`) and returns an empty key.
    static StreamKey make(std::string_view name, std::error_code& ec, std::string* why = nullptr);

    /// An empty key (the state of a default-constructed Message's header).
    StreamKey() = default;

    std::string_view name() const noexcept { return name_ ? std::string_view(*name_) : ""; }
    bool empty() const noexcept { return !name_; }
    friend bool operator==(const StreamKey& a, const StreamKey& b) noexcept {
        return a.name_ == b.name_ || a.name() == b.name();
    }

  private:
    std::shared_ptr<const std::string> name_;
};

/// Which shard of a stream. A stream with N > 1 shards lives in the keys
/// `name:0` ... `name:N-1`; an unsharded stream is shard 0 in the key `name`.
struct ShardId {
    std::uint64_t value = 0;
    friend constexpr auto operator<=>(const ShardId&, const ShardId&) = default;
};

/// Milliseconds since the Unix epoch, as in a stream id's first part.
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

inline Timestamp timestamp_of(const MessageId& id) noexcept {
    return Timestamp(std::chrono::milliseconds(static_cast<std::int64_t>(id.ms)));
}

/// A position to start reading from.
class SeqPos {
  public:
    enum class Kind : std::uint8_t { beginning, end, at };

    /// The oldest entry still in the stream.
    static constexpr SeqPos beginning() noexcept { return SeqPos(Kind::beginning, {}); }
    /// Only entries added from now on.
    static constexpr SeqPos end() noexcept { return SeqPos(Kind::end, {}); }
    /// The entry with this id (or the first after it if it is gone).
    static constexpr SeqPos at(MessageId id) noexcept { return SeqPos(Kind::at, id); }

    constexpr Kind kind() const noexcept { return kind_; }
    constexpr MessageId id() const noexcept { return id_; }

  private:
    constexpr SeqPos(Kind k, MessageId id) noexcept : kind_(k), id_(id) {}
    Kind kind_;
    MessageId id_;
};

/// Where a message lives.
struct MessageHeader {
    StreamKey stream_key;  ///< The stream (not the shard key).
    ShardId shard_id;      ///< Its shard.
    MessageId id;          ///< Its id in the shard.
    Timestamp timestamp;   ///< From the id.
};

/// What a successful send reports.
using Receipt = MessageHeader;

/// One field of a stream entry, as views.
using Field = std::pair<std::string_view, std::string_view>;

/// A message read from a stream. The payload and fields are views into the
/// buffer it was read into (no copy); the message keeps that buffer alive,
/// so a Message may be kept, moved and copied freely.
class Message {
  public:
    Message() = default;
    /// `redis_key`: the Redis key it was read from (a view kept valid by
    /// `keep_alive`); `deliveries`: the group's delivery count, 0 if unknown.
    Message(MessageHeader header, std::string_view payload, std::span<const Field> fields,
            std::shared_ptr<const void> keep_alive, std::string_view redis_key = {},
            std::uint64_t deliveries = 0) noexcept
        : header_(std::move(header)),
          payload_(payload),
          redis_key_(redis_key),
          deliveries_(deliveries),
          fields_(fields),
          keep_alive_(std::move(keep_alive)) {}

    const MessageHeader& header() const noexcept { return header_; }
    const StreamKey& stream_key() const noexcept { return header_.stream_key; }
    ShardId shard_id() const noexcept { return header_.shard_id; }
    MessageId id() const noexcept { return header_.id; }
    Timestamp timestamp() const noexcept { return header_.timestamp; }

    /// The value of the payload field (ConnectOptions::payload_field, "msg" by
    /// default); empty if the entry has none.
    std::string_view payload() const noexcept { return payload_; }
    /// Every field of the entry except the payload field, in server order.
    std::span<const Field> fields() const noexcept { return fields_; }
    /// The Redis key the entry was read from (`name` or `name:shard`; see
    /// stream_key() for the stream's name); empty for a message that was not
    /// read from a server.
    std::string_view redis_key() const noexcept { return redis_key_; }
    /// Group consumers: how many times the group has delivered this entry,
    /// this delivery included (1 the first time; more when it was re-read
    /// after a restart or reconnect, or claimed from an idle member); 0 for
    /// real-time consumers and when not known.
    std::uint64_t delivery_count() const noexcept { return deliveries_; }

  private:
    MessageHeader header_;
    std::string_view payload_;
    std::string_view redis_key_;
    std::uint64_t deliveries_ = 0;
    std::span<const Field> fields_;
    std::shared_ptr<const void> keep_alive_;
};

/// The Redis key of a shard: `name` when the stream has one shard, else `name:shard`.
std::string shard_key(const StreamKey& stream, ShardId shard, std::uint64_t shard_count);

}  // namespace redstream
