// Admin::streams() and Admin::stream_info(): find the keys, then describe
// them (shard_info.cpp), grouped by stream.
#include <algorithm>
#include <map>

#include <redstream/core/error.hpp>

#include "key_scan.hpp"
#include "naming.hpp"
#include "ops.hpp"
#include "shard_info.hpp"

namespace redstream::detail {
namespace {

// The plain key before `name:0`, then by shard.
void sort_shards(std::vector<ShardInfo>& shards) {
    std::sort(shards.begin(), shards.end(), [](const ShardInfo& a, const ShardInfo& b) {
        if (a.shard != b.shard) return a.shard < b.shard;
        return a.key.size() < b.key.size();
    });
}

// Groups the keys still there by stream, streams by name.
StreamList group_by_stream(const std::vector<std::string>& streams,
                           std::vector<std::optional<ShardInfo>> infos, bool truncated) {
    std::map<std::string, std::vector<ShardInfo>> by_name;
    StreamList list;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        if (!infos[i]) continue;
        by_name[streams[i]].push_back(std::move(*infos[i]));
        ++list.keys;
    }
    for (auto& [name, shards] : by_name) {
        std::error_code ec;
        auto key = StreamKey::make(name, ec);
        if (ec) continue;  // not a name a StreamKey can hold (longer than max_size)
        sort_shards(shards);
        list.streams.push_back({std::move(key), std::move(shards)});
    }
    list.truncated = truncated;
    return list;
}

}  // namespace

void list_streams(const AdminEnv& env, const std::string& pattern, std::size_t limit,
                  DonePtr<StreamList> done) {
    if (limit == 0) return done->fail(make_error_code(errc::invalid_argument), "limit is 0");
    KeyScanSpec spec;
    spec.match = scan_match_for(pattern);
    spec.keep = [pattern](std::string_view key) { return owner_of(pattern, key).has_value(); };
    spec.limit = limit;
    scan_keys(
        env, std::move(spec),
        [env, pattern, done](std::error_code ec, std::vector<std::string> found, bool truncated) {
            if (ec) return done->fail(ec, "SCAN");
            std::vector<std::string> streams;
            std::vector<KeyRef> keys;
            for (auto& k : found) {
                auto owner = owner_of(pattern, k);
                streams.push_back(std::move(owner->stream));
                keys.push_back({std::move(k), owner->shard});
            }
            fetch_shard_info(env, std::move(keys),
                             [done, streams = std::move(streams), truncated](
                                 std::error_code ec2, std::vector<std::optional<ShardInfo>> infos,
                                 std::string why) {
                                 if (ec2) return done->fail(ec2, why);
                                 (*done)({}, group_by_stream(streams, std::move(infos), truncated));
                             });
        });
}

void describe_stream(const AdminEnv& env, const StreamKey& stream, DonePtr<StreamInfo> done) {
    find_stream_keys(
        env, stream,
        [env, stream, done](std::error_code ec, std::vector<KeyRef> keys, std::string why) {
            if (ec) return done->fail(ec, why);
            fetch_shard_info(
                env, std::move(keys),
                [stream, done](std::error_code ec2, std::vector<std::optional<ShardInfo>> infos,
                               std::string why2) {
                    if (ec2) return done->fail(ec2, why2);
                    StreamInfo info{stream, {}};
                    for (auto& s : infos)
                        if (s) info.shards.push_back(std::move(*s));
                    sort_shards(info.shards);
                    (*done)({}, std::move(info));
                });
        });
}

}  // namespace redstream::detail
