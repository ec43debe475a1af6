// What a group consumer owes the server in acks, without I/O: which entries
// are to be acked when (AutoCommit), batched into one XACK per key, one
// batch in flight at a time, each reply's count checked. The consumer's
// actor feeds it deliveries and acks and sends what build() writes; tests
// step it with a fake clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/consumer.hpp>
#include <redstream/resp/request.hpp>

namespace redstream::detail {

struct AckPolicy {
    AutoCommit mode = AutoCommit::delayed;
    std::chrono::milliseconds delay{};     ///< delayed: ack this long after delivery
    std::chrono::milliseconds interval{};  ///< rolling: commit at most this often
    std::size_t max_uncommitted = 1;       ///< held acks that force a commit
    /// rolling: acks owed that start a commit before the interval is up, so
    /// that the server's pending list stays short (a long one makes its
    /// XREADGROUP and XACK slower).
    std::size_t commit_batch = SIZE_MAX;
};

class AckLedger {
  public:
    using Clock = std::chrono::steady_clock;
    using time_point = Clock::time_point;
    /// Most ids in one commit, so one request stays a reasonable size.
    static constexpr std::size_t max_batch = 10'000;

    struct Outcome {
        std::uint64_t acked = 0;        ///< removed from the pending list
        std::uint64_t not_pending = 0;  ///< sent but not pending (claimed by another, or gone)
        std::error_code error;          ///< transport (retried) or server error
        /// `acked` by key, one per XACK of the batch.
        std::vector<std::pair<std::string, std::uint64_t>> by_key;
    };

    explicit AckLedger(AckPolicy policy) noexcept : policy_(policy) {}

    /// delayed: the user got the entry at `at`; it is acked at `at + delay`.
    void delivered(std::string key, MessageId id, time_point at);
    /// A key shared by the entries of one stream: an ack costs no allocation.
    using Key = std::shared_ptr<const std::string>;

    /// rolling, disabled: the user acked the entry.
    void acked(std::string key, MessageId id);
    void acked(Key key, MessageId id);
    /// Any mode: ack at once (a pending entry whose body is gone).
    void ack_now(std::string key, MessageId id);
    /// disabled: the user's commit(). Returns its ticket (see confirmed()).
    std::uint64_t request_commit() noexcept;

    /// True if a commit should go out now (never while one is in flight).
    bool due(time_point now) const noexcept;
    /// When to look again if nothing is due now (nullopt: nothing owed by time).
    std::optional<time_point> next_due() const noexcept;
    /// Writes one XACK per key for what is due (all that is owed if
    /// `everything`, as at end()) and holds it as the batch in flight.
    /// False, writing nothing, if there is nothing to send or a batch is out.
    bool build(resp::Request& req, std::string_view group, time_point now, bool everything);
    /// The batch's replies (one per XACK, in order). A transport error puts
    /// the batch back, in order, to be sent again; so does a retryable server
    /// error (LOADING, READONLY...) for the ids of that XACK. Other server
    /// errors (NOGROUP) drop the ids, counted as not pending.
    Outcome on_reply(const net::Response& replies, std::error_code ec);

    /// Every ack and ticket numbered at or below this is on the server.
    std::uint64_t confirmed() const noexcept;
    bool in_flight() const noexcept { return !batch_.empty(); }
    /// Acks held (not yet in flight), including delayed ones not yet due.
    std::size_t held() const noexcept { return ready_.size() + scheduled_.size(); }

  private:
    struct Entry {
        Key key;
        MessageId id;
        std::uint64_t seq;
        time_point at{};  // scheduled_: when it is due
    };
    bool forced() const noexcept;

    AckPolicy policy_;
    std::deque<Entry> scheduled_;            // delayed acks, in due order
    std::deque<Entry> ready_;                // acks to send at the next commit, in order
    std::vector<Entry> batch_;               // in flight
    std::vector<std::size_t> batch_counts_;  // ids per XACK of the batch
    std::size_t urgent_ = 0;                 // ack_now entries not yet sent
    std::uint64_t last_seq_ = 0;
    std::uint64_t requested_ = 0;  // highest ticket asked for by commit()
    time_point last_commit_{};
};

}  // namespace redstream::detail
