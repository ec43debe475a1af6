// Admin::claim(): the entries named, grouped by key, one XCLAIM ... JUSTID
// per key on the key's master.
#include <map>
#include <memory>

#include <redstream/commands/xclaim.hpp>
#include <redstream/core/error.hpp>

#include "../consumer/read_state.hpp"
#include "ops.hpp"

namespace redstream::detail {
namespace {

// The shard of `key` if it is one of `stream`'s keys.
std::optional<ShardId> shard_of(const StreamKey& stream, std::string_view key) {
    if (key == stream.name()) return ShardId{0};
    return parse_shard_key(stream.name(), key);
}

}  // namespace

void claim_entries(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                   const std::string& consumer, std::chrono::milliseconds min_idle,
                   const std::vector<EntryRef>& entries, DonePtr<std::vector<EntryRef>> done) {
    const auto invalid = make_error_code(errc::invalid_argument);
    if (group.empty() || consumer.empty())
        return done->fail(invalid, "the group and consumer names must not be empty");
    if (min_idle.count() < 0) return done->fail(invalid, "min_idle is negative");
    auto ids = std::make_shared<std::map<std::string, std::vector<MessageId>>>();
    std::vector<KeyRef> keys;
    for (const auto& e : entries) {
        const auto shard = shard_of(stream, e.key);
        if (!shard)
            return done->fail(
                invalid, "key " + e.key + " is not a key of stream " + std::string(stream.name()));
        auto& list = (*ids)[e.key];
        if (list.empty()) keys.push_back({e.key, *shard});
        list.push_back(e.id);
    }
    run_on_keys(
        env, std::move(keys), "XCLAIM",
        [group, consumer, min_idle, ids](resp::Request& req, const KeyRef& k) {
            commands::xclaim(req, k.key, group, consumer, min_idle, ids->at(k.key),
                             {.justid = true});
        },
        [done](std::error_code ec, const std::vector<KeyRef>& keys, net::Response& replies,
               std::string why) {
            if (ec) return done->fail(ec, why);
            std::vector<EntryRef> claimed;
            for (std::size_t i = 0; i < keys.size(); ++i) {
                const auto reply = replies[i].root();
                const auto got = commands::decode_xclaim_justid(reply, ec);
                if (ec) return done->fail(ec, key_error("XCLAIM", keys[i].key, reply));
                for (const auto& id : got)
                    claimed.push_back({keys[i].key, id});
            }
            (*done)({}, std::move(claimed));
        });
}

}  // namespace redstream::detail
