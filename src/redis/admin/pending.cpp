// Pending entries of a group over every key of a stream: XPENDING's summary
// and extended forms, one per key, each on the key's master. Keys without
// the group are left out; nogroup when none has it.
#include <algorithm>
#include <map>

#include <redstream/commands/xpending.hpp>
#include <redstream/core/error.hpp>

#include "ops.hpp"

namespace redstream::detail {
namespace {

template <class T>
bool check(const std::string& group, const DonePtr<T>& done) {
    if (!group.empty()) return true;
    done->fail(make_error_code(errc::invalid_argument), "the group name is empty");
    return false;
}

template <class T>
void fail_no_group(const DonePtr<T>& done, const StreamKey& stream, const std::string& group) {
    done->fail(make_error_code(errc::nogroup),
               "no key of stream " + std::string(stream.name()) + " has group " + group);
}

ShardPending to_shard(const KeyRef& key, const commands::XPendingSummary& s) {
    ShardPending out{key.key, key.shard, s.count, s.smallest, s.largest, {}};
    for (const auto& c : s.consumers)
        out.consumers.push_back({std::string(c.name), c.pending});
    return out;
}

}  // namespace

void pending_summary(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                     DonePtr<PendingSummary> done) {
    if (!check(group, done)) return;
    on_every_key(
        env, stream, "XPENDING",
        [group](resp::Request& req, const KeyRef& k) { commands::xpending(req, k.key, group); },
        [stream, group, done](std::error_code ec, const std::vector<KeyRef>& keys,
                              net::Response& replies, std::string why) {
            if (ec) return done->fail(ec, why);
            PendingSummary out;
            std::map<std::string, std::uint64_t> by_consumer;
            for (std::size_t i = 0; i < keys.size(); ++i) {
                const auto reply = replies[i].root();
                const auto s = commands::decode_xpending_summary(reply, ec);
                if (ec == errc::nogroup) continue;
                if (ec) return done->fail(ec, key_error("XPENDING", keys[i].key, reply));
                out.count += s.count;
                for (const auto& c : s.consumers)
                    by_consumer[std::string(c.name)] += c.pending;
                out.shards.push_back(to_shard(keys[i], s));
            }
            if (out.shards.empty()) return fail_no_group(done, stream, group);
            for (auto& [name, n] : by_consumer)
                out.consumers.push_back({name, n});
            (*done)({}, std::move(out));
        });
}

void pending_entries(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                     const PendingOptions& options, DonePtr<std::vector<PendingEntryInfo>> done) {
    if (!check(group, done)) return;
    if (options.count == 0)
        return done->fail(make_error_code(errc::invalid_argument), "PendingOptions::count is 0");
    on_every_key(
        env, stream, "XPENDING",
        [group, options](resp::Request& req, const KeyRef& k) {
            commands::xpending(
                req, k.key, group,
                {options.min_idle, options.start, options.end, options.count, options.consumer});
        },
        [stream, group, count = options.count, done](std::error_code ec,
                                                     const std::vector<KeyRef>& keys,
                                                     net::Response& replies, std::string why) {
            if (ec) return done->fail(ec, why);
            std::vector<PendingEntryInfo> out;
            bool any = false;
            for (std::size_t i = 0; i < keys.size(); ++i) {
                const auto reply = replies[i].root();
                const auto entries = commands::decode_xpending(reply, ec);
                if (ec == errc::nogroup) continue;
                if (ec) return done->fail(ec, key_error("XPENDING", keys[i].key, reply));
                any = true;
                for (const auto& e : entries)
                    out.push_back({keys[i].key, keys[i].shard, e.id, std::string(e.consumer),
                                   e.idle, e.deliveries});
            }
            if (!any) return fail_no_group(done, stream, group);
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return a.id != b.id ? a.id < b.id : a.key < b.key;
            });
            if (out.size() > count) out.resize(count);
            (*done)({}, std::move(out));
        });
}

}  // namespace redstream::detail
