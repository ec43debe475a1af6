// What the administration checks share (admin_checks.cpp and
// admin_checks_groups.cpp): unique names, producing to sharded streams,
// expecting errors. Direct commands on a key's master are support/target.hpp's.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <redstream/commands/commands.hpp>
#include <redstream/core/error.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/admin_checks.hpp"
#include "support/redis_server.hpp"

namespace redstream::test::admin_checks::util {

using namespace std::chrono_literals;
using IdsByKey = std::map<std::string, std::vector<MessageId>>;

// Names unique to the test, which no other test's pattern matches.
inline std::string prefix() {
    return unique_key("admin") + "/";
}

// Sends `n` messages round robin over `shards` shards of `stream`: the ids
// per key, ascending.
inline IdsByKey produce(Streamer& s, const std::string& stream, std::uint64_t shards, int n) {
    ProducerOptions options;
    options.shards = shards;
    auto producer = s.create_producer(StreamKey(stream), options);
    std::vector<SendFuture> sends;
    for (int i = 0; i < n; ++i)
        sends.push_back(producer.send("message " + std::to_string(i)));
    producer.flush();
    IdsByKey ids;
    for (auto& f : sends) {
        const auto r = f.get();
        ids[shard_key(StreamKey(stream), r.shard_id, shards)].push_back(r.id);
    }
    producer.end();
    for (auto& [key, list] : ids)
        std::sort(list.begin(), list.end());
    EXPECT_EQ(ids.size(), std::min<std::uint64_t>(shards, static_cast<std::uint64_t>(n)));
    return ids;
}

// A prefix unique to the test such that, on a cluster, the `shards` shard
// keys of stream `prefix + leaf` sit on more than one master: a check on
// them then shows that every master is asked, whatever the names hash to.
inline std::string spread_prefix(const Target& t, const std::string& leaf, std::uint64_t shards) {
    for (int tries = 0;; ++tries) {
        auto p = prefix();
        if (!t.cluster || tries == 100) return p;
        std::set<std::string> masters;
        for (std::uint64_t s = 0; s < shards; ++s)
            masters.insert(t.master_name(p + leaf + ":" + std::to_string(s)));
        if (masters.size() >= 2) return p;
    }
}

// On a cluster, the keys of a stream sit on more than one master.
inline void expect_spread(const Target& t, const IdsByKey& ids) {
    if (!t.cluster) return;
    std::set<std::string> masters;
    for (const auto& [key, list] : ids)
        masters.insert(t.master_name(key));
    EXPECT_GE(masters.size(), 2u) << "the shards all sit on one master";
}

// Runs `fn`, expecting it to throw redstream::Error with `code`.
template <class Fn>
void expect_error(Fn&& fn, errc code, const char* what) {
    try {
        fn();
        ADD_FAILURE() << what << ": no error, expected " << make_error_code(code).message();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << what << ": " << e.what();
    }
}

}  // namespace redstream::test::admin_checks::util
