#include "support/redis_cluster.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/eventually.hpp"
#include "support/process.hpp"

namespace redstream::test {
namespace {

using namespace std::chrono_literals;

constexpr auto poll_interval = 50ms;
constexpr int node_start_attempts = 3;

// One line of CLUSTER NODES:
// <id> <ip:port@bus[,hostname]> <flags> <master-id|-> <ping> <pong> <epoch> <link> <slot>...
struct NodeLine {
    std::string id;
    std::uint16_t port = 0;
    std::vector<std::string> flags;
    std::string master_id;  // "-" for a master
    std::vector<std::pair<unsigned, unsigned>> slots;

    bool has_flag(std::string_view flag) const {
        return std::find(flags.begin(), flags.end(), flag) != flags.end();
    }
    bool is_master() const { return has_flag("master"); }
};

std::vector<std::string> split(const std::string& text, char by) {
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, by)) {
        if (!part.empty()) out.push_back(part);
    }
    return out;
}

std::vector<NodeLine> parse_cluster_nodes(const std::string& text) {
    std::vector<NodeLine> out;
    for (const auto& line : split(text, '\n')) {
        const auto words = split(line, ' ');
        if (words.size() < 8) continue;
        NodeLine node;
        node.id = words[0];
        const auto address = words[1].substr(0, words[1].find('@'));
        const auto colon = address.rfind(':');
        if (colon == std::string::npos) continue;
        node.port = static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1)));
        node.flags = split(words[2], ',');
        node.master_id = words[3];
        for (std::size_t i = 8; i < words.size(); ++i) {
            // "[slot->-id]" / "[slot-<-id]": a migration in progress, not ownership.
            if (words[i].starts_with('[')) continue;
            const auto dash = words[i].find('-');
            const unsigned first = std::stoul(words[i].substr(0, dash));
            const unsigned last =
                dash == std::string::npos ? first : std::stoul(words[i].substr(dash + 1));
            node.slots.emplace_back(first, last);
        }
        out.push_back(std::move(node));
    }
    std::sort(out.begin(), out.end(),
              [](const NodeLine& a, const NodeLine& b) { return a.port < b.port; });
    return out;
}

// What a node believes about the whole cluster, in a form that compares
// equal between nodes that agree ("myself" differs from node to node).
std::string view_of(const std::vector<NodeLine>& nodes) {
    std::string view;
    for (const auto& node : nodes) {
        view += std::to_string(node.port) + (node.is_master() ? " master" : " replica-of ") +
                (node.is_master() ? "" : node.master_id);
        for (const auto& [first, last] : node.slots)
            view += " " + std::to_string(first) + "-" + std::to_string(last);
        view += "\n";
    }
    return view;
}

}  // namespace

struct RedisCluster::State {
    ClusterOptions options;
    std::vector<std::unique_ptr<RedisServer>> nodes;
    std::chrono::milliseconds bring_up{0};

    void start_nodes();
    void create(std::chrono::steady_clock::time_point deadline);
    // Empty when ready, else what is not ready yet.
    std::string not_ready() const;
    std::string logs() const;
    std::string cli(std::size_t i, const std::vector<std::string>& args) const {
        return nodes.at(i)->cli(args);
    }
    std::vector<NodeLine> cluster_nodes(std::size_t i) const {
        return parse_cluster_nodes(cli(i, {"CLUSTER", "NODES"}));
    }
};

void RedisCluster::State::start_nodes() {
    const auto count = options.masters * (1 + options.replicas_per_master);
    std::vector<std::uint16_t> taken;
    for (std::size_t i = 0; i < count; ++i) {
        for (int attempt = 1;; ++attempt) {
            // The bus port is given: the default, port + 10000, does not
            // exist for a free port above 55535. It is picked right before
            // its node starts, so no other node's port can take it meanwhile.
            std::uint16_t bus = find_free_port();
            while (std::find(taken.begin(), taken.end(), bus) != taken.end())
                bus = find_free_port();
            try {
                nodes.push_back(std::make_unique<RedisServer>(ServerOptions{
                    .extra_args = {"--cluster-enabled", "yes",
                                   // Relative to the server's own --dir.
                                   "--cluster-config-file", "nodes.conf", "--cluster-node-timeout",
                                   std::to_string(options.node_timeout.count()), "--cluster-port",
                                   std::to_string(bus),
                                   // CLUSTER SLOTS lists a replica only once its
                                   // replication offset is above 0, which on an
                                   // empty master takes the first replication PING
                                   // (every 10 s by default) after a first sync that
                                   // by default waits 5 s for more replicas.
                                   "--repl-ping-replica-period", "1", "--repl-diskless-sync-delay",
                                   "0"}}));
            } catch (const std::runtime_error&) {
                // The bus port may have been taken between probe and bind.
                if (attempt == node_start_attempts) throw;
                continue;
            }
            taken.push_back(nodes.back()->port());
            taken.push_back(bus);
            break;
        }
    }
}

void RedisCluster::State::create(std::chrono::steady_clock::time_point deadline) {
    std::vector<std::string> argv{"redis-cli", "--cluster", "create"};
    for (const auto& node : nodes)
        argv.push_back("127.0.0.1:" + std::to_string(node->port()));
    argv.insert(argv.end(), {"--cluster-replicas", std::to_string(options.replicas_per_master),
                             "--cluster-yes"});
    // redis-cli waits for the nodes to join with no limit of its own.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
        throw std::runtime_error("the ready timeout passed before the cluster was created");
    }
    const auto result = run_process(argv, left);
    if (result.status != 0) {
        // Status -1: killed at the deadline.
        throw std::runtime_error("redis-cli --cluster create failed (status " +
                                 std::to_string(result.status) + "):\n" + result.out + result.err +
                                 logs());
    }
}

std::string RedisCluster::State::not_ready() const {
    const auto expected_nodes = nodes.size();
    std::string first_view;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto name =
            "node " + std::to_string(i) + " (port " + std::to_string(nodes[i]->port()) + ")";
        if (cli(i, {"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) {
            return name + " does not report cluster_state:ok";
        }
        const auto lines = cluster_nodes(i);
        if (lines.size() != expected_nodes) {
            return name + " knows " + std::to_string(lines.size()) + " nodes";
        }
        std::size_t masters = 0;
        for (const auto& line : lines) {
            for (const auto* bad : {"fail", "fail?", "handshake", "noaddr"}) {
                if (line.has_flag(bad))
                    return name + " flags port " + std::to_string(line.port) + " " + bad;
            }
            if (!line.is_master()) continue;
            ++masters;
            const auto replicas = std::count_if(lines.begin(), lines.end(), [&](const NodeLine& r) {
                return r.master_id == line.id;
            });
            if (std::size_t(replicas) != options.replicas_per_master) {
                return name + " sees " + std::to_string(replicas) + " replicas of port " +
                       std::to_string(line.port);
            }
        }
        if (masters != options.masters) {
            return name + " sees " + std::to_string(masters) + " masters";
        }
        const auto view = view_of(lines);
        if (i == 0) {
            first_view = view;
        } else if (view != first_view) {
            return name + " disagrees with node 0:\n" + view + "vs\n" + first_view;
        }
        // CLUSTER SLOTS lists a replica only once it has a replication offset
        // (Redis 7.0 isReplicaAvailable), which comes a while after CLUSTER
        // NODES shows it. Clients route by CLUSTER SLOTS, so wait for it: one
        // node id per listed node (each master has one range after create).
        const auto slots = split(cli(i, {"CLUSTER", "SLOTS"}), '\n');
        const auto ids = std::count_if(slots.begin(), slots.end(), [](const std::string& s) {
            return s.size() == 40 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
        });
        if (std::size_t(ids) != expected_nodes) {
            return name + " lists " + std::to_string(ids) + " of " +
                   std::to_string(expected_nodes) + " nodes in CLUSTER SLOTS";
        }
    }
    return {};
}

std::string RedisCluster::State::logs() const {
    std::string out;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        out += "\n--- node " + std::to_string(i) + " (port " + std::to_string(nodes[i]->port()) +
               ") ---\n" + file_tail(nodes[i]->log_file(), 15);
    }
    return out;
}

RedisCluster::RedisCluster(ClusterOptions options) : state_(std::make_unique<State>()) {
    const auto start = std::chrono::steady_clock::now();
    state_->options = options;
    if (options.masters < 3) {
        throw std::invalid_argument("RedisCluster: redis-cli --cluster create needs 3 masters");
    }
    // On any throw below, state_ (and so every started server) is destroyed
    // with this half-built object: the servers stop.
    state_->start_nodes();
    const auto deadline = start + options.ready_timeout;
    state_->create(deadline);
    std::string why;
    while (!(why = state_->not_ready()).empty()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("the cluster was not ready after " +
                                     std::to_string(options.ready_timeout.count()) + " ms: " + why +
                                     state_->logs());
        }
        std::this_thread::sleep_for(poll_interval);
    }
    state_->bring_up = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
}

RedisCluster::~RedisCluster() = default;

std::size_t RedisCluster::size() const noexcept {
    return state_->nodes.size();
}

RedisServer& RedisCluster::node(std::size_t i) const {
    return *state_->nodes.at(i);
}

std::vector<std::uint16_t> RedisCluster::ports() const {
    std::vector<std::uint16_t> out;
    for (const auto& node : state_->nodes)
        out.push_back(node->port());
    return out;
}

std::vector<HostPort> RedisCluster::seeds() const {
    std::vector<HostPort> out;
    for (const auto& node : state_->nodes)
        out.push_back(HostPort{"127.0.0.1", node->port()});
    return out;
}

net::ConnectionConfig RedisCluster::config(std::size_t i, int protocol) const {
    return node(i).config(protocol);
}

std::string RedisCluster::url(const std::string& client_name) const {
    std::string hosts;
    for (const auto port : ports())
        hosts += (hosts.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(port);
    return "redis://" + hosts + "/?cluster=yes" +
           (client_name.empty() ? "" : "&name=" + client_name);
}

std::string RedisCluster::cli(std::size_t i, const std::vector<std::string>& args) const {
    return state_->cli(i, args);
}

std::future<std::chrono::steady_clock::duration> RedisCluster::freeze(std::size_t i,
                                                                      int seconds) const {
    auto sleeper = std::async(std::launch::async, [this, i, seconds] {
        const auto start = std::chrono::steady_clock::now();
        cli(i, {"DEBUG", "SLEEP", std::to_string(seconds)});
        return std::chrono::steady_clock::now() - start;
    });
    auto ping = node(i).cli_connection_args();
    ping.insert(ping.begin(), "redis-cli");
    ping.push_back("PING");
    const auto asleep = eventually(
        [&] {
            return run_process(ping, std::chrono::milliseconds(300)).out.find("PONG") ==
                   std::string::npos;
        },
        std::chrono::seconds(2));
    if (!asleep) throw std::runtime_error("DEBUG SLEEP did not start on node " + std::to_string(i));
    return sleeper;
}

std::size_t RedisCluster::index_of_port(std::uint16_t port) const {
    for (std::size_t i = 0; i < state_->nodes.size(); ++i) {
        if (state_->nodes[i]->port() == port) return i;
    }
    throw std::runtime_error("no cluster node has port " + std::to_string(port));
}

std::size_t RedisCluster::master_of(std::uint16_t slot) const {
    for (const auto& line : state_->cluster_nodes(0)) {
        if (!line.is_master()) continue;
        for (const auto& [first, last] : line.slots) {
            if (first <= slot && slot <= last) return index_of_port(line.port);
        }
    }
    throw std::runtime_error("no master serves slot " + std::to_string(slot));
}

std::vector<std::size_t> RedisCluster::masters() const {
    std::vector<std::size_t> out;
    for (const auto& line : state_->cluster_nodes(0)) {
        if (line.is_master() && !line.slots.empty()) out.push_back(index_of_port(line.port));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::size_t> RedisCluster::slot_owners() const {
    std::vector<std::size_t> out(16384, size());
    for (const auto& line : state_->cluster_nodes(0)) {
        if (!line.is_master()) continue;
        const auto index = index_of_port(line.port);
        for (const auto& [first, last] : line.slots) {
            for (auto slot = first; slot <= last && slot < out.size(); ++slot)
                out[slot] = index;
        }
    }
    return out;
}

std::chrono::milliseconds RedisCluster::bring_up_time() const noexcept {
    return state_->bring_up;
}

std::size_t RedisCluster::move_slot(std::uint16_t slot, const std::vector<std::string>& keys,
                                    const std::function<void()>& before_node) {
    const auto from = master_of(slot);
    const auto all = masters();
    const auto at = std::find(all.begin(), all.end(), from) - all.begin();
    const auto to = all[static_cast<std::size_t>(at + 1) % all.size()];
    const auto id = [&](std::size_t i) { return cli(i, {"CLUSTER", "MYID"}); };
    const auto step = [&](std::size_t node, std::vector<std::string> args) {
        const auto out = cli(node, args);
        if (out != "OK" && out != "NOKEY")
            throw std::runtime_error("moving slot " + std::to_string(slot) + ": " + args[0] + " " +
                                     args[1] + " answered " + out);
    };
    const auto s = std::to_string(slot);
    step(to, {"CLUSTER", "SETSLOT", s, "IMPORTING", id(from)});
    step(from, {"CLUSTER", "SETSLOT", s, "MIGRATING", id(to)});
    if (!keys.empty()) {
        std::vector<std::string> migrate{
            "MIGRATE", "127.0.0.1", std::to_string(node(to).port()), "", "0", "5000", "KEYS"};
        migrate.insert(migrate.end(), keys.begin(), keys.end());
        step(from, migrate);
    }
    if (before_node) before_node();
    // The new owner first, then the old one, then the rest, as the cluster
    // specification's resharding does: an old owner told first sends clients
    // a MOVED to a node that, still importing, sends them back (it serves the
    // slot only after ASKING) until it is told too.
    std::vector<std::size_t> order{to, from};
    for (const auto m : all)
        if (m != to && m != from) order.push_back(m);
    for (const auto m : order)
        step(m, {"CLUSTER", "SETSLOT", s, "NODE", id(to)});
    return to;
}

}  // namespace redstream::test
