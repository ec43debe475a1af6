// Replies parsed on one thread and dropped on another while the reader
// recycles their nodes and buffer blocks, as a consumer hands them to its
// user. Meant for a ThreadSanitizer build (label `tsan`): the reader may only
// reuse memory once the other thread's last access happens-before the reuse,
// and TSan must be able to see that edge.
#include <redstream/resp/reader.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace redstream::resp {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int reply_count = 20000;
constexpr std::size_t ring_size = 8;  // more than the reader's pool: some replies outlive it
constexpr auto time_limit = std::chrono::seconds(60);

std::string payload_of(int i) {
    return std::string(static_cast<std::size_t>(1 + i % 61), static_cast<char>('a' + i % 26));
}

std::string wire_of(int i) {
    const auto payload = payload_of(i);
    return "*2\r\n:" + std::to_string(i) + "\r\n$" + std::to_string(payload.size()) + "\r\n" +
           payload + "\r\n";
}

// A single-producer single-consumer ring. The consumer gives its slot back
// before it reads and drops the reply, so nothing but the reply's own owner
// count orders the drop before the reader's reuse of its memory.
class Ring {
  public:
    bool push(Reply&& r) {
        const auto head = head_.load(std::memory_order_relaxed);
        if (head - tail_.load(std::memory_order_acquire) == ring_size) return false;
        slots_[head % ring_size] = std::move(r);
        head_.store(head + 1, std::memory_order_release);
        return true;
    }
    bool pop(Reply& out) {
        const auto tail = tail_.load(std::memory_order_relaxed);
        if (head_.load(std::memory_order_acquire) == tail) return false;
        out = std::move(slots_[tail % ring_size]);
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

  private:
    std::array<Reply, ring_size> slots_;
    std::atomic<std::size_t> head_{0};
    std::atomic<std::size_t> tail_{0};
};

TEST(RespReaderConcurrent, RepliesDroppedOnAnotherThreadWhileTheReaderRecycles) {
    ReaderLimits limits;
    limits.block_size = 512;  // many blocks, so blocks are recycled too
    Reader reader(limits);
    Ring ring;
    const auto deadline = Clock::now() + time_limit;
    std::atomic<bool> timed_out{false};
    std::atomic<bool> stop{false};
    int checked = 0;
    int wrong = 0;

    std::thread user([&] {
        Reply r;
        while (checked < reply_count) {
            if (!ring.pop(r)) {
                if (stop.load()) return;
                if (Clock::now() > deadline) return timed_out.store(true);
                std::this_thread::yield();
                continue;
            }
            const auto i = static_cast<int>(r.root()[0].to_int().value_or(-1));
            if (r.root()[1].str() != payload_of(i) || i != checked) ++wrong;
            ++checked;
            r = Reply();  // dropped here, on this thread
        }
    });

    std::string wire;
    for (int i = 0; i < reply_count; ++i)
        wire += wire_of(i);
    Reply r;
    std::error_code ec;
    std::size_t pos = 0;
    int parsed = 0;
    while (parsed < reply_count && !timed_out.load()) {
        if (pos < wire.size()) {
            // Uneven reads, as from a socket.
            const std::size_t n = std::min<std::size_t>(37 + pos % 200, wire.size() - pos);
            auto space = reader.prepare(n);
            const auto take = std::min(n, space.size());
            std::memcpy(space.data(), wire.data() + pos, take);
            reader.commit(take);
            pos += take;
        }
        while (reader.next(r, ec)) {
            while (!ring.push(std::move(r))) {
                if (Clock::now() > deadline) {
                    timed_out = true;
                    break;
                }
                std::this_thread::yield();
            }
            ++parsed;
        }
        if (ec) break;
    }
    stop = true;
    user.join();
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_FALSE(timed_out.load()) << "no progress within " << time_limit.count() << " s";
    EXPECT_EQ(parsed, reply_count);
    EXPECT_EQ(checked, reply_count);
    EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace redstream::resp
