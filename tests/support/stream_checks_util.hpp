// What the stream checks share: consumer options, taking messages, sending,
// and names (unique, hash-tagged, or sharded over several masters).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <redstream/redis/streamer.hpp>

#include "support/eventually.hpp"
#include "support/redis_server.hpp"
#include "support/stream_checks.hpp"
#include "support/target.hpp"

namespace redstream::test::stream_checks::util {

using namespace std::chrono_literals;

// Short blocks keep the checks quick; behaviour does not depend on them.
inline ConsumerOptions real_time(AutoStreamReset reset) {
    ConsumerOptions o;
    o.auto_stream_reset = reset;
    o.block_time = 100ms;
    return o;
}

inline ConsumerOptions in_group(ConsumerMode mode, AutoCommit commit, AutoStreamReset reset,
                                std::string group) {
    ConsumerOptions o = real_time(reset);
    o.mode = mode;
    o.auto_commit = commit;
    o.group = std::move(group);
    return o;
}

// The next `n` messages, each within 5 s; a failure names how many came.
inline std::vector<Message> take(Consumer& c, std::size_t n) {
    std::vector<Message> out;
    while (out.size() < n) {
        auto m = c.next_for(5s);
        if (!m) {
            ADD_FAILURE() << "only " << out.size() << " of " << n << " messages arrived";
            break;
        }
        out.push_back(std::move(*m));
    }
    return out;
}

inline std::vector<std::string> payloads(const std::vector<Message>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms)
        out.emplace_back(m.payload());
    return out;
}

// The payloads of the messages of `stream`, in delivery order.
inline std::vector<std::string> payloads_of(const std::vector<Message>& ms,
                                            std::string_view stream) {
    std::vector<std::string> out;
    for (const auto& m : ms)
        if (m.stream_key().name() == stream) out.emplace_back(m.payload());
    return out;
}

inline std::vector<std::string> take_payloads(Consumer& c, std::size_t n) {
    return payloads(take(c, n));
}

inline void expect_quiet(Consumer& c) {
    auto m = c.next_for(300ms);
    EXPECT_FALSE(m) << "unexpected " << m->payload();
}

// Sends `prefix + i` for i in [0, n) round robin over `shards` shards of
// `stream` (its own key when 1), and waits until every send is confirmed.
inline void send(Streamer& s, const std::string& stream, int n, const std::string& prefix,
                 std::uint64_t shards = 1) {
    auto p = s.create_producer(stream, {.shards = shards});
    std::vector<SendFuture> sends;
    for (int i = 0; i < n; ++i)
        sends.push_back(p.send(prefix + std::to_string(i)));
    p.flush();
    for (auto& f : sends)
        f.get();
}

// The keys of the shards of `stream`, named as the library documents
// (`<stream>:<n>`), written out here rather than asked of it.
inline std::vector<std::string> shard_keys(const std::string& stream, std::uint64_t shards) {
    std::vector<std::string> out;
    for (std::uint64_t s = 0; s < shards; ++s)
        out.push_back(stream + ":" + std::to_string(s));
    return out;
}

// "{<unique>}": keys that start with it share one hash slot.
inline std::string hash_tag() {
    return "{" + unique_key() + "}";
}

// A name unique to the test whose `shards` shard keys, on a cluster, sit on
// more than one master (no hash tag: the key names decide), so that a check
// on them shows every master is used, whatever the names hash to.
inline std::string sharded_name(const Target& t, std::uint64_t shards) {
    for (int tries = 0;; ++tries) {
        auto name = unique_key();
        if (!t.cluster || tries == 100 || masters_serving(t, shard_keys(name, shards)) >= 2)
            return name;
    }
}

inline void expect_spread(const Target& t, const std::vector<std::string>& keys) {
    if (t.cluster) {
        EXPECT_GE(masters_serving(t, keys), 2u) << "the keys all sit on one master";
    }
}

// group_stats() twice: the first one's XINFO goes out behind any dead
// letter or XACK already sent on the shared connection, so once it has
// completed their completions are queued on the consumer's strand ahead of
// the second one, whose counters therefore include them.
inline std::vector<GroupStreamStats> settled_stats(Consumer& c) {
    c.group_stats();
    return c.group_stats();
}

}  // namespace redstream::test::stream_checks::util
