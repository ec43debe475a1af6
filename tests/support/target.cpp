#include "support/target.hpp"

#include <gtest/gtest.h>

#include <set>
#include <system_error>

#include <redstream/cluster/slot.hpp>
#include <redstream/commands/commands.hpp>

#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {

Target standalone_target(const RedisServer& server) {
    Target t;
    t.url = "redis://127.0.0.1:" + std::to_string(server.port());
    t.master_of = [&server](std::string_view) { return server.config(3); };
    t.master_name = [](std::string_view) { return std::string(); };
    return t;
}

Target cluster_target(const RedisCluster& c) {
    const auto owners = std::make_shared<std::vector<std::size_t>>(c.slot_owners());
    auto master_index = [owners](std::string_view key) {
        return owners->at(cluster::key_slot(key));
    };
    Target t;
    t.url = c.url();
    t.cluster = true;
    t.master_of = [&c, master_index](std::string_view key) { return c.config(master_index(key)); };
    t.master_name = [&c, master_index](std::string_view key) {
        return "127.0.0.1:" + std::to_string(c.node(master_index(key)).port());
    };
    return t;
}

std::size_t masters_serving(const Target& t, const std::vector<std::string>& keys) {
    std::set<std::string> masters;
    for (const auto& key : keys)
        masters.insert(t.master_name(key));
    return masters.size();
}

std::string Entry::field(std::string_view name) const {
    for (const auto& [f, v] : fields)
        if (f == name) return v;
    return {};
}

resp::Reply Direct::run(std::string_view key, const std::vector<std::string>& args) {
    resp::Request req;
    auto b = req.command(args.at(0));
    for (std::size_t i = 1; i < args.size(); ++i)
        b.arg(args[i]);
    b.finish();
    return client(key).exec(req).at(0);
}

net::SyncClient& Direct::client(std::string_view key) {
    auto config = t_.master_of(key);
    const auto& node = config.nodes.at(0);
    auto& client = clients_[node.host + ":" + std::to_string(node.port)];
    if (!client) {
        client = std::make_unique<net::SyncClient>(std::move(config));
        client->connect();
    }
    return *client;
}

std::uint64_t Direct::xlen(const std::string& key) {
    std::error_code ec;
    const auto reply = run(key, {"XLEN", key});
    const auto n = commands::decode_count(reply.root(), ec);
    EXPECT_FALSE(ec) << "XLEN " << key << ": " << ec.message();
    return n;
}

bool Direct::exists(const std::string& key) {
    return run(key, {"EXISTS", key}).root().to_int() == std::optional<std::int64_t>(1);
}

MessageId Direct::xadd(const std::string& key, std::string_view payload,
                       const std::vector<std::pair<std::string, std::string>>& extra) {
    std::vector<std::string> args{"XADD", key, "*", "msg", std::string(payload)};
    for (const auto& [f, v] : extra) {
        args.push_back(f);
        args.push_back(v);
    }
    std::error_code ec;
    const auto reply = run(key, args);
    const auto id = commands::decode_xadd(reply.root(), ec);
    EXPECT_FALSE(ec) << "XADD " << key << ": " << ec.message();
    return id.value_or(MessageId{});
}

void Direct::xadd_many(const std::string& key, int n, const std::string& prefix) {
    resp::Request req;
    for (int i = 0; i < n; ++i)
        req.push("XADD", key, "*", "msg", prefix + std::to_string(i));
    for (const auto& reply : client(key).exec(req))
        EXPECT_FALSE(reply.root().is_error()) << "XADD " << key << ": " << reply.root().str();
}

std::vector<Entry> Direct::xrange(const std::string& key) {
    std::error_code ec;
    const auto reply = run(key, {"XRANGE", key, "-", "+"});
    std::vector<Entry> out;
    for (const auto& e : commands::decode_xrange(reply.root(), ec)) {
        Entry entry{e.id, {}};
        for (const auto& [f, v] : e.fields)
            entry.fields.emplace_back(f, v);
        out.push_back(std::move(entry));
    }
    EXPECT_FALSE(ec) << "XRANGE " << key << ": " << ec.message();
    return out;
}

std::map<std::string, MessageId> Direct::groups(const std::string& key) {
    std::error_code ec;
    const auto reply = run(key, {"XINFO", "GROUPS", key});
    std::map<std::string, MessageId> out;
    for (const auto& g : commands::decode_xinfo_groups(reply.root(), ec))
        out[std::string(g.name)] = g.last_delivered_id;
    EXPECT_FALSE(ec) << key << ": " << ec.message();
    return out;
}

std::optional<GroupInfo> Direct::group(const std::string& key, const std::string& group) {
    std::error_code ec;
    const auto reply = run(key, {"XINFO", "GROUPS", key});
    for (const auto& g : commands::decode_xinfo_groups(reply.root(), ec))
        if (g.name == group) return GroupInfo{g.consumers, g.pending, g.last_delivered_id, g.lag};
    return std::nullopt;
}

std::size_t Direct::consumers(const std::string& key, const std::string& group) {
    std::error_code ec;
    const auto reply = run(key, {"XINFO", "CONSUMERS", key, group});
    return commands::decode_xinfo_consumers(reply.root(), ec).size();
}

long long Direct::pending(const std::string& key, const std::string& group) {
    std::error_code ec;
    const auto reply = run(key, {"XPENDING", key, group});
    const auto summary = commands::decode_xpending_summary(reply.root(), ec);
    return ec ? -1 : static_cast<long long>(summary.count);
}

std::vector<Pending> Direct::pending_entries(const std::string& key, const std::string& group) {
    std::error_code ec;
    const auto reply = run(key, {"XPENDING", key, group, "-", "+", "1000"});
    std::vector<Pending> out;
    for (const auto& e : commands::decode_xpending(reply.root(), ec))
        out.push_back({e.id, std::string(e.consumer), e.deliveries});
    EXPECT_FALSE(ec) << "XPENDING " << key << " " << group << ": " << ec.message();
    return out;
}

}  // namespace redstream::test
