// The producer's bound on unconfirmed sends, in messages and in bytes:
// callers reserve room from any thread, the strand gives it back as sends
// complete. A sender that found no room sleeps until a quarter of the bound
// is free again, not until the next release. Replies come back a few at a
// time (one at a time at 64 KiB a message), and waking the sender for each
// cost a context switch per message (19,197 for 20k sends of 64 KiB); the
// three quarters still in flight keep the pipe full while it sleeps.
#pragma once

#include <atomic>
#include <cstddef>

namespace redstream::detail {

class SendRoom {
  public:
    SendRoom(std::size_t max_count, std::size_t max_bytes) noexcept
        : max_count_(max_count), max_bytes_(max_bytes) {}

    /// Takes room for one send of `bytes`. One send always fits when nothing
    /// is held, however large.
    bool try_reserve(std::size_t bytes) noexcept {
        // Count first, then bytes; undo the count if the bytes do not fit.
        const auto n = count_.fetch_add(1, std::memory_order_acq_rel);
        if (n >= max_count_) return undo();
        const auto b = bytes_.fetch_add(bytes, std::memory_order_acq_rel);
        if (b != 0 && b + bytes > max_bytes_) {
            bytes_.fetch_sub(bytes, std::memory_order_acq_rel);
            return undo();
        }
        return true;
    }

    /// Gives back what `count` sends of `bytes` in all reserved. Wakes the
    /// senders in wait() if what is left is at most three quarters of the
    /// bound (in both measures); returns whether it did.
    bool release(std::size_t count, std::size_t bytes) noexcept {
        const auto b = bytes_.fetch_sub(bytes, std::memory_order_acq_rel) - bytes;
        const auto n = count_.fetch_sub(count, std::memory_order_acq_rel) - count;
        if (n > max_count_ - max_count_ / 4 || b > max_bytes_ - max_bytes_ / 4) return false;
        count_.notify_all();
        return true;
    }

    /// After a failed try_reserve(): sleeps until a release wakes it. At or
    /// below the wake level any release does (a send bigger than a quarter of
    /// the bytes may need more than that level); above it, the one that
    /// reaches it. May return early (another thread's reserve or undo).
    void wait() const noexcept {
        const auto seen = count_.load(std::memory_order_acquire);
        if (seen != 0) count_.wait(seen, std::memory_order_acquire);
    }

    /// Sends holding room now.
    std::size_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

  private:
    bool undo() noexcept {
        // A sender may have gone to sleep on a count made only of attempts
        // like this one: when they are all undone, no release will come.
        if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) count_.notify_all();
        return false;
    }

    const std::size_t max_count_;
    const std::size_t max_bytes_;
    std::atomic<std::size_t> count_{0};
    std::atomic<std::size_t> bytes_{0};
};

}  // namespace redstream::detail
