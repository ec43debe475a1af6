// cluster_failover_recovery_ms: how long a shard is silent after its master
// dies. A 3-master cluster with a replica each (cluster-node-timeout 2 s); a
// producer sends to one shard every 2 ms while a real-time consumer at
// default options reads it; its master is killed (SIGKILL, its pid from INFO
// server). Ours: from the kill to the first message sent after it that the
// consumer gets. The peer line is the floor no client can beat: from the kill
// to the moment a surviving node's CLUSTER SLOTS names the replica as the
// slot's master (polled every 5 ms). Every message confirmed before the kill
// must arrive. Usage: failover PORT,PORT,... (the six nodes)
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <redstream/cluster/slot.hpp>
#include <redstream/cluster/slot_map.hpp>
#include <redstream/redstream.hpp>

#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t shards = 6;

std::unique_ptr<rs::net::SyncClient> node(const std::string& port) {
    auto c = std::make_unique<rs::net::SyncClient>(
        rs::net::ConnectionConfig::from_url("redis://127.0.0.1:" + port + "/?cluster=no"));
    c->connect();
    return c;
}

// The port of the node a surviving node (`asked`) names as master of `slot`.
std::optional<std::uint16_t> master_port(rs::net::SyncClient& asked, std::uint16_t slot) {
    std::error_code ec;
    const auto reply = asked.exec_one("CLUSTER", "SLOTS");
    const auto map = rs::cluster::SlotMap::from_cluster_slots(reply.root(), ec, "127.0.0.1");
    if (ec) return std::nullopt;
    const auto* m = map.master_of(slot);
    if (!m) return std::nullopt;
    return m->endpoint.port;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: failover PORT,PORT,...\n");
        return 2;
    }
    std::vector<std::string> ports;
    std::string hosts;
    std::stringstream list(argv[1]);
    for (std::string p; std::getline(list, p, ',');) {
        ports.push_back(p);
        hosts += (hosts.empty() ? "" : ",") + ("127.0.0.1:" + p);
    }
    const rs::StreamKey stream("bench:failover");
    const auto key = rs::shard_key(stream, rs::ShardId{0}, shards);
    const auto slot = rs::cluster::key_slot(key);

    auto streamer = rs::Streamer::connect("redis://" + hosts + "/?cluster=yes");
    auto producer = streamer.create_producer(
        stream, {.shards = shards,
                 .sharder = rs::Sharder::custom(
                     [](const rs::StreamKey&, std::string_view, std::uint64_t) { return 0; })});
    producer.send("first").get();
    auto consumer =
        streamer.create_consumer({stream}, {.auto_stream_reset = rs::AutoStreamReset::earliest});
    if (!consumer.next_for(5s)) bench::fail("the first message did not arrive");

    // The master of the shard, its pid, and a node that survives it.
    auto survivor = node(ports.front());
    const auto master = master_port(*survivor, slot);
    if (!master) bench::fail("no master for the shard's slot");
    std::string survivor_port = ports.front();
    for (const auto& p : ports)
        if (std::stoi(p) != *master) survivor_port = p;
    auto asked = node(survivor_port);
    if (master_port(*asked, slot) != master) bench::fail("the nodes disagree on the master");
    const auto info = node(std::to_string(*master))->exec_one("INFO", "server");
    const auto text = std::string(info.root().str());
    const auto at = text.find("process_id:");
    if (at == std::string::npos) bench::fail("INFO server has no process_id");
    const auto pid = static_cast<pid_t>(std::stol(text.substr(at + 11)));

    // Message i is sent at start + 2i ms; those confirmed before the kill
    // must all arrive.
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    std::vector<rs::SendFuture> before_kill;
    std::atomic<bool> killed{false};
    std::atomic<int> first_after_kill{-1};
    std::thread sender([&] {
        for (int i = 0; !stop; ++i) {
            auto f = producer.send(std::to_string(i));
            if (!killed) before_kill.push_back(std::move(f));
            if (killed && first_after_kill < 0) first_after_kill = i;
            next = i + 1;
            std::this_thread::sleep_for(2ms);  // a schedule, not a synchronisation
        }
    });
    struct Joiner {
        std::atomic<bool>& stop;
        std::thread& t;
        ~Joiner() {
            stop = true;
            if (t.joinable()) t.join();
        }
    } joiner{stop, sender};
    std::set<int> got;
    while (got.size() < 200) {
        auto m = consumer.next_for(5s);
        if (!m) bench::fail("messages stopped before the kill");
        got.insert(std::stoi(std::string(m->payload())));
    }

    const double cpu0 = bench::process_cpu_ns();
    const auto kill_at = Clock::now();
    killed = true;
    if (::kill(pid, SIGKILL) != 0) bench::fail("could not kill the master");
    std::optional<Clock::duration> promoted;
    std::optional<Clock::duration> delivered;
    while ((!promoted || !delivered) && Clock::now() - kill_at < 60s) {
        if (auto m = consumer.next_for(5ms)) {
            const auto i = std::stoi(std::string(m->payload()));
            got.insert(i);
            const auto first = first_after_kill.load();
            if (!delivered && first >= 0 && i >= first) delivered = Clock::now() - kill_at;
        }
        if (!promoted) {
            try {
                const auto owner = master_port(*asked, slot);
                if (owner && owner != master) promoted = Clock::now() - kill_at;
            } catch (const std::exception&) {
            }
        }
    }
    const double cpu = bench::process_cpu_ns() - cpu0;
    const auto sent_meanwhile = std::max(1, next.load() - first_after_kill.load());
    stop = true;
    sender.join();
    if (!promoted) bench::fail("no replica took over within 60 s");
    if (!delivered) bench::fail("the shard delivered nothing within 60 s of the kill");
    // Every send confirmed before the kill arrived (one in flight to the
    // dead master failed: its outcome is unknown, so it was not confirmed).
    std::size_t confirmed = 0;
    std::size_t missing = 0;
    for (std::size_t i = 0; i < before_kill.size(); ++i) {
        std::error_code ec;
        before_kill[i].get(ec);
        if (ec) continue;
        ++confirmed;
        if (!got.count(static_cast<int>(i))) ++missing;
    }
    if (missing > 0)
        bench::fail(std::to_string(missing) + " of " + std::to_string(confirmed) +
                    " sends confirmed before the kill never arrived");
    const auto ms = [](Clock::duration d) {
        return std::chrono::duration<double, std::milli>(d).count();
    };
    // cpu_ns: the client's CPU over the recovery, per message sent meanwhile.
    bench::print_line_lower("cluster_failover_recovery_ms", {ms(*delivered), cpu / sent_meanwhile},
                            "ms", "the cluster's own failover (replica promoted)",
                            {ms(*promoted), 0}, ",\"node_timeout_ms\":2000");
    return 0;
}
