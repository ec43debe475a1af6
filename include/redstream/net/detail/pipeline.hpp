// The request queue of one connection, without I/O: requests wait here to be
// written, are coalesced into one write, and are matched in order with the
// replies that come back. It decides what a lost connection, a deadline or a
// cancellation does to each request; the Asio driver only moves bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/cancellation_signal.hpp>

#include <redstream/net/client.hpp>

namespace redstream::net::detail {

/// The bytes of one write, in order. Small requests are copied into one
/// buffer; a shared request's bytes are referenced in place and its owner is
/// held until the write completes, so a large batch is never copied.
class WriteBatch {
  public:
    void clear() noexcept;
    void add_copy(std::string_view bytes);
    void add_shared(std::string_view bytes, std::shared_ptr<const void> owner);
    /// Every piece of `req` (its buffer, cut where by-reference arguments
    /// go), copied, or referenced in place with `owner` held once.
    void add_copy(const resp::Request& req);
    void add_shared(const resp::Request& req, std::shared_ptr<const void> owner);
    /// Bytes in the batch.
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    /// Calls `f(std::string_view)` for each contiguous piece, in order.
    template <class F>
    void for_each_piece(F&& f) const {
        for (const auto& p : pieces_)
            f(p.external ? std::string_view(p.external, p.size)
                         : std::string_view(copied_).substr(p.offset, p.size));
    }
    /// Every byte in one string (for tests).
    std::string flatten() const;
    /// The owners of the shared pieces, to hold until the write completes.
    std::vector<std::shared_ptr<const void>> take_owners() noexcept { return std::move(owners_); }

  private:
    struct Piece {
        const char* external = nullptr;  // a shared request's bytes, else in copied_
        std::size_t offset = 0;
        std::size_t size = 0;
    };
    std::string copied_;
    std::vector<Piece> pieces_;
    std::vector<std::shared_ptr<const void>> owners_;
    std::size_t size_ = 0;
};

class Pipeline {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::time_point no_deadline = Clock::time_point::max();

    /// Limits: most bytes per write, most requests waiting or in flight.
    Pipeline(std::size_t max_write_batch, std::size_t max_requests)
        : max_write_batch_(max_write_batch), max_requests_(max_requests) {}

    struct Submit {
        std::uint64_t id = 0;  ///< Unique, chosen by the caller (for cancel()).
        const resp::Request* request = nullptr;
        Response* response = nullptr;
        Completion done;
        asio::cancellation_slot slot;
        Clock::time_point deadline = no_deadline;
        /// How long the server may legitimately hold the reply once the
        /// request is written (XREAD BLOCK); silence beyond it is a stall.
        Clock::duration quiet{};
        /// Owns `request`, if shared: then its bytes are written in place.
        std::shared_ptr<const void> owner{};
        /// Where replies go when `response` is null.
        ReplySink sink{};
    };
    /// Queues a request; false if it was completed at once instead (queue_full,
    /// or an empty request, which succeeds without a round trip).
    bool push(Submit s);

    /// Adds the bytes of queued requests to `out`, up to the batch limit
    /// (at least one request), marking them written at `now`; returns how
    /// many requests were taken.
    std::size_t prepare_write(WriteBatch& out, Clock::time_point now = Clock::now());
    bool has_unwritten() const noexcept { return written_ < entries_.size(); }

    /// A reply for the oldest written request. False if none was waiting:
    /// the server sent more replies than requests, a protocol violation.
    bool on_reply(resp::Reply&& reply);

    /// When the reply to the oldest written request should start arriving
    /// (written time plus its quiet allowance); nullopt if none is written.
    /// The driver declares the connection stalled when nothing arrives for a
    /// health interval past both this and the last bytes received.
    std::optional<Clock::time_point> reply_due() const noexcept;

    /// The connection is gone: written requests fail with connection_lost
    /// (they may have run; they are never replayed), or with `cause` when it
    /// is a protocol error: the server broke the protocol, and retrying
    /// blindly against it does not help. Unwritten ones stay queued for the
    /// next connection unless they asked to fail fast.
    void on_disconnect(std::error_code cause = {});
    /// Fails every request with `ec` (shutdown).
    void fail_all(std::error_code ec);

    /// Completes request `id` with `ec`. An unwritten one is removed; a
    /// written one is abandoned. Returns true if it was written: then the
    /// order of the replies on the connection can no longer be relied on
    /// for it, and the driver drops the connection.
    bool cancel(std::uint64_t id, std::error_code ec);

    struct Expired {
        Clock::time_point next = no_deadline;  ///< The earliest deadline still pending.
        bool written = false;                  ///< A written request timed out.
    };
    /// Fails requests whose deadline passed with errc::timeout. A written one
    /// that timed out makes the connection suspect (see cancel()).
    Expired expire(Clock::time_point now);

    std::size_t size() const noexcept { return entries_.size(); }
    std::size_t written() const noexcept { return written_; }

  private:
    struct Entry {
        std::uint64_t id = 0;
        const resp::Request* request = nullptr;  // until written
        Response* response = nullptr;            // null once abandoned
        std::size_t expected = 0;
        std::size_t received = 0;
        Completion done;
        asio::cancellation_slot slot;
        Clock::time_point deadline = no_deadline;
        Clock::time_point written_at{};
        Clock::duration quiet{};
        std::shared_ptr<const void> owner;  // until written
        ReplySink sink;                     // cleared once completed
        bool fail_fast = false;
    };
    static void complete(Entry& e, std::error_code ec);

    std::deque<Entry> entries_;  // written ones first, in write order
    std::size_t written_ = 0;
    std::size_t max_write_batch_;
    std::size_t max_requests_;
};

}  // namespace redstream::net::detail
