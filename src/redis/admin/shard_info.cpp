#include "shard_info.hpp"

#include <algorithm>

#include <redstream/cluster/slot.hpp>
#include <redstream/commands/xinfo.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {
namespace {

constexpr std::size_t keys_per_request = 128;

// A key deleted (or replaced by another type) since it was found.
bool gone(const resp::Value& reply, std::error_code ec) {
    return ec == errc::wrongtype ||
           (ec == errc::server_error && reply.str().find("no such key") != std::string_view::npos);
}

struct InfoFetch : std::enable_shared_from_this<InfoFetch> {
    AdminEnv env;
    std::vector<KeyRef> keys;
    std::vector<std::optional<ShardInfo>> out;
    ShardInfoThen then;

    void next();
    // Decodes the replies of keys [first, first + n); false (having
    // completed) on an error that is not a key gone.
    bool decode(std::size_t first, std::size_t n, net::Response& resp);
    void finish();
};

void InfoFetch::next() {
    const auto first = out.size();
    if (first == keys.size()) return finish();
    const auto n = std::min(keys_per_request, keys.size() - first);
    resp::Request req;
    for (std::size_t i = first; i < first + n; ++i) {
        commands::xinfo_stream(req, keys[i].key);
        commands::xinfo_groups(req, keys[i].key);
    }
    exec_routed(env, std::move(req),
                [self = shared_from_this(), first, n](std::error_code ec, net::Response& resp) {
                    if (ec) return self->then(ec, {}, "XINFO STREAM");
                    if (self->decode(first, n, resp)) self->next();
                });
}

bool InfoFetch::decode(std::size_t first, std::size_t n, net::Response& resp) {
    for (std::size_t i = 0; i < n; ++i) {
        const auto& key = keys[first + i];
        const auto stream_reply = resp[2 * i].root();
        const auto groups_reply = resp[2 * i + 1].root();
        std::error_code ec;
        const auto info = commands::decode_xinfo_stream(stream_reply, ec);
        if (gone(stream_reply, ec)) {
            out.emplace_back();
            continue;
        }
        if (ec) {
            then(ec, {}, key_error("XINFO STREAM", key.key, stream_reply));
            return false;
        }
        const auto groups = commands::decode_xinfo_groups(groups_reply, ec);
        if (gone(groups_reply, ec)) {
            out.emplace_back();
            continue;
        }
        if (ec) {
            then(ec, {}, key_error("XINFO GROUPS", key.key, groups_reply));
            return false;
        }
        ShardInfo s{key.key, key.shard, {}, info.length, {}, {}, info.last_generated_id, {}};
        if (info.first_entry) s.first_id = info.first_entry->id;
        if (info.last_entry) s.last_id = info.last_entry->id;
        for (const auto& g : groups) {
            GroupInfo gi{std::string(g.name), g.consumers, g.pending, g.last_delivered_id, {}};
            if (g.lag && *g.lag >= 0) gi.lag = static_cast<std::uint64_t>(*g.lag);
            s.groups.push_back(std::move(gi));
        }
        out.push_back(std::move(s));
    }
    return true;
}

void InfoFetch::finish() {
    // Where each key lives now, by the router's map (none standalone).
    const auto map = env.router->slot_map();
    for (auto& s : out)
        if (s)
            if (const auto* m = map.master_of(cluster::key_slot(s->key))) s->node = m->name;
    then({}, std::move(out), {});
}

}  // namespace

void fetch_shard_info(const AdminEnv& env, std::vector<KeyRef> keys, ShardInfoThen then) {
    auto fetch = std::make_shared<InfoFetch>();
    fetch->env = env;
    fetch->keys = std::move(keys);
    fetch->out.reserve(fetch->keys.size());
    fetch->then = std::move(then);
    fetch->next();
}

}  // namespace redstream::detail
