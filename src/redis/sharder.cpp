#include <atomic>
#include <memory>
#include <random>

#include <redstream/redis/sharder.hpp>

namespace redstream {
namespace {

// FNV-1a: stable across runs and platforms, so a partition key keeps its
// shard after a restart (std::hash gives no such promise).
std::uint64_t fnv1a(std::string_view bytes) noexcept {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

}  // namespace

Sharder Sharder::round_robin() {
    auto next = std::make_shared<std::atomic<std::uint64_t>>(0);
    return Sharder([next](const StreamKey&, std::string_view, std::uint64_t) {
        return next->fetch_add(1, std::memory_order_relaxed);
    });
}

Sharder Sharder::random() {
    return Sharder([](const StreamKey&, std::string_view, std::uint64_t) {
        thread_local std::minstd_rand rng(std::random_device{}());
        return static_cast<std::uint64_t>(rng());
    });
}

Sharder Sharder::key_hash() {
    auto next = std::make_shared<std::atomic<std::uint64_t>>(0);
    return Sharder([next](const StreamKey&, std::string_view partition_key, std::uint64_t) {
        return partition_key.empty() ? next->fetch_add(1, std::memory_order_relaxed)
                                     : fnv1a(partition_key);
    });
}

Sharder Sharder::custom(Function f) {
    return Sharder(std::move(f));
}

}  // namespace redstream
