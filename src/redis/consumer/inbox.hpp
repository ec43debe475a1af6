// The consumer's prefetch queue, shared by the read loop (on the strand) and
// the user's threads. next() takes a message right here, on the caller's
// thread, under a short lock: a message already prefetched costs no thread
// hand-off. The read loop is woken only when it paused for room and the
// queue has drained to the level wake_level() picks — or, on demand (NOACK reads,
// where what is read counts as consumed), only when a take starts waiting
// on an empty queue.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>

namespace redstream::detail {

using NextCompletion = BasicCompletion<std::error_code, Message>;

/// What one read asks for: up to `count` entries from each of `keys` keys of
/// the read set, starting at index `first` and wrapping around. `keys` equal
/// to the set's size is a read of every key (it may block); fewer is a read
/// of a turn of keys (it must not: the other keys may have entries).
struct ReadPlan {
    std::size_t count = 0;
    std::size_t first = 0;
    std::size_t keys = 0;
};

/// The smallest COUNT per key worth a round trip under a backlog: when the
/// room shared by every key gives each fewer (many keys, a small prefetch),
/// a read takes turns of fewer keys at this COUNT instead.
inline constexpr std::size_t min_turn_count = 64;

/// The read that fits `room` (free places under prefetch) over `keys` keys,
/// at most `batch_size` per key, starting a turn at `next`: every key when
/// each can get min(batch_size, min_turn_count) (or the room shares out as
/// the only way to cover the set), else a turn of room / COUNT keys. Never
/// more than `room` entries in all; nothing (count 0) when room or keys is 0.
ReadPlan plan_read(std::size_t room, std::size_t keys, std::size_t batch_size,
                   std::size_t next) noexcept;

/// A FIFO of messages in one vector with a moving head: std::deque would
/// allocate a node for every four messages; this reuses its capacity, which
/// stays about prefetch plus one read.
class MessageFifo {
  public:
    bool empty() const noexcept { return head_ == items_.size(); }
    std::size_t size() const noexcept { return items_.size() - head_; }
    /// The payload bytes of the messages held.
    std::size_t bytes() const noexcept { return bytes_; }
    Message pop() noexcept {
        Message m = std::move(items_[head_++]);
        bytes_ -= m.payload().size();
        if (empty()) clear();
        return m;
    }
    /// Moves `more` in at the back.
    /// Moves more[from, end) in; returns their payload bytes.
    std::size_t append(std::vector<Message>& more, std::size_t from);
    void remove_if(const std::function<bool(const Message&)>& pred);
    void clear() noexcept {
        items_.clear();
        head_ = 0;
        bytes_ = 0;
    }
    void swap(MessageFifo& other) noexcept {
        items_.swap(other.items_);
        std::swap(head_, other.head_);
        std::swap(bytes_, other.bytes_);
    }

  private:
    std::vector<Message> items_;
    std::size_t head_ = 0;   // items_[0, head_) are moved from
    std::size_t bytes_ = 0;  // payload bytes of items_[head_, end)
};

class Inbox {
  public:
    /// Most async next() calls waiting at once; more fail with queue_full.
    static constexpr std::size_t max_waiters = 1024;
    using Clock = std::chrono::steady_clock;

    /// A message handed to the user: what AutoCommit::delayed acks later.
    struct Taken {
        std::string key;
        MessageId id;
        Clock::time_point at;
    };

    /// When the read loop may read.
    enum class Flow : std::uint8_t {
        prefetch,   ///< Ahead of take(), while fewer than `prefetch` are queued.
        on_demand,  ///< Only while a take waits and nothing is queued.
    };

    /// `log_takes`: record every message taken (see drain_taken()).
    /// `prefetch_bytes`: the most payload bytes queued (estimated for reads
    /// in flight from entry_bytes(); one message always fits an empty queue).
    /// `batch_size`: the most entries a read asks for (see wake_level()); 0,
    /// unknown, wakes the reader at half of prefetch.
    explicit Inbox(std::size_t prefetch, bool log_takes = false, Flow flow = Flow::prefetch,
                   std::size_t prefetch_bytes = SIZE_MAX, std::size_t batch_size = 0)
        : prefetch_(prefetch),
          prefetch_bytes_(prefetch_bytes),
          log_takes_(log_takes),
          flow_(flow),
          batch_size_(batch_size) {}

    /// Reads that may be in flight at once (a cluster consumer's read
    /// lanes): each gets room for one entry at least, so the count bound is
    /// max(prefetch, n). With fewer, a lane's blocking read on quiet keys
    /// would hold all the room for its BLOCK time while other lanes' keys
    /// have entries waiting.
    void set_readers(std::size_t n);

    // Caller side. Each returns true when the read loop paused for room and
    // should now be woken (the caller posts that; the inbox knows no strand).

    /// Takes the next message, waiting until `deadline` (forever if none).
    /// `ec`: the sticky read error once the queue is empty, shutting_down
    /// after end(); a timeout leaves `out` empty and `ec` clear. On demand,
    /// `wake_reader` is called (without the lock) when this take starts to
    /// wait and the read loop is paused: a wait is what a read is for.
    bool take(std::optional<Clock::time_point> deadline, std::optional<Message>& out,
              std::error_code& ec, const std::function<void()>& wake_reader = {});
    /// Completes `done` with the next message now, or when one arrives.
    bool take_async(NextCompletion done, std::uint64_t id);
    /// Completes the async wait `id` with `why`, if it is still waiting.
    void cancel(std::uint64_t id, std::error_code why);
    /// Drops everything queued and rejects pushes until open() is called with
    /// the returned epoch: what was read before a seek is never delivered.
    std::uint64_t close_for_seek();
    /// Drops queued messages matching `pred` (an unassigned shard).
    void remove_if(const std::function<bool(const Message&)>& pred);
    /// Fails every wait and every later take with shutting_down.
    void end();

    // Read-loop side.

    /// Re-opens after the seek of `epoch` took effect (later seeks keep it shut).
    void open(std::uint64_t epoch);
    /// False once a later close_for_seek() than the one of `epoch` was made.
    bool latest_seek(std::uint64_t epoch) const;
    /// True if a read may go out while `incoming` messages are still on their
    /// way in; otherwise remembers to ask for a wake-up. Under a `backlog`
    /// (the last read brought a full page), when reads wait for room for a
    /// whole read (whole_reads()), a read waits for the wake level rather
    /// than fetch the few places that takes have just freed.
    bool room_for_read(std::size_t incoming = 0, bool backlog = false);
    /// As room_for_read() without a read loop's pause: for side requests
    /// (claims) whose results are queued too.
    bool has_room() const;
    /// How many more messages fit under prefetch with `incoming` on their way
    /// and the reserved ones of the requests in flight.
    std::size_t room(std::size_t incoming = 0) const;
    /// A request that may bring up to `n` messages goes out: they count as
    /// queued (room(), room_for_read()) until unreserve(n).
    void reserve(std::size_t n);
    void unreserve(std::size_t n);
    /// The payload bytes an entry is expected to have: what the room in bytes
    /// is counted in. push() sets it from what it queues (the average of a
    /// read); this is for a caller that knows better.
    void set_entry_bytes(std::size_t bytes);
    /// On demand: until when a waiting take wants a message (time_point::max()
    /// if one waits without a deadline); nullopt if none waits.
    std::optional<Clock::time_point> demand_until() const;
    /// Queues `messages` (moved from; `messages` is left empty) unless a seek
    /// closed the inbox, serving the async waiters first.
    void push(std::vector<Message>& messages);
    /// A read error, delivered once the queue is empty; cleared by clear_error().
    void set_error(std::error_code ec);
    void clear_error();
    /// What take() fails with now that nothing is queued: shutting_down after
    /// end(), else the sticky error once the queue is empty; clear otherwise.
    std::error_code last_error() const;

    /// Moves the log of taken messages into `out` (appending). The read loop
    /// drains it at every read, which bounds it by prefetch plus one read.
    void drain_taken(std::vector<Taken>& out);

    std::size_t size() const;
    std::size_t max_size() const;

  private:
    struct Waiter {
        std::uint64_t id;
        NextCompletion done;
    };
    bool should_wake() noexcept;  // with mutex_ held, after a take
    std::size_t room_locked(std::size_t incoming) const noexcept;
    void note_entry_bytes(std::size_t bytes) noexcept;  // with mutex_ held
    // With mutex_ held: waits for a message, the end or an error; on demand,
    // counted as a wait for the read loop while it lasts.
    void wait(std::unique_lock<std::mutex>& lock, std::optional<Clock::time_point> deadline,
              const std::function<void()>& wake_reader);
    bool has_demand() const;          // with mutex_ held
    bool wake_for_demand() noexcept;  // with mutex_ held: a take starts waiting
    void log_take(const Message& m);  // with mutex_ held: for drain_taken(), if asked
    Message pop();                    // with mutex_ held: the front, logged
    std::error_code failure() const noexcept;
    void fail_waiters(std::vector<Waiter>& out);

    std::size_t limit() const noexcept { return std::max(prefetch_, readers_); }  // mutex_ held

    const std::size_t prefetch_;
    std::size_t readers_ = 1;  // set_readers()
    const std::size_t prefetch_bytes_;
    std::size_t entry_bytes_ = 0;  // expected payload bytes per entry; 0: unknown
    const bool log_takes_;
    const Flow flow_;
    const std::size_t batch_size_;
    std::vector<Taken> taken_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    MessageFifo queue_;
    std::deque<Waiter> waiters_;
    // Sync takes waiting (on demand): without a deadline, and with one.
    std::size_t unbounded_takes_ = 0;
    std::multiset<Clock::time_point> take_deadlines_;
    std::error_code error_;
    bool ended_ = false;
    bool reader_paused_ = false;
    std::uint64_t epoch_ = 0;
    std::uint64_t open_epoch_ = 0;
    std::size_t max_size_ = 0;
    std::size_t reserved_ = 0;  // messages requests in flight may still bring
};

}  // namespace redstream::detail
