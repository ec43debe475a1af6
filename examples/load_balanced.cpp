// load_balanced: a pool of workers sharing one stream. Each worker is a
// thread with a Consumer of its own, all members of one load-balanced group
// (ConsumerMode::load_balanced): the server hands each message to one of
// them. Every --report interval it prints how many each worker processed and
// the group's lag (messages not yet handed to any member), as
// `workers worker-0=N ... lag=N pending=N`, and a `final ...` line at the end.
//
//   redstream-example-load-balanced --stream redis://localhost:6379/jobs
//                                   [--workers 3] [--group load-balanced]
//                                   [--name worker] [--report 1s] [--count N]
//
// Each processed message is printed as `worker-I id payload`. Run several
// processes with the same group (and different --name) to share the stream
// between machines. A member takes up to ConsumerOptions::prefetch (100)
// messages at a time: a backlog smaller than that may go to one worker.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <redstream/redstream.hpp>

#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-load-balanced --stream redis://HOST:PORT/STREAM [--workers 3] "
    "[--group load-balanced] [--name worker] [--report 1s] [--count N]\n"
    "N workers in one consumer group share the stream; --count: messages in all.\n";

struct Worker {
    std::string name;
    rs::Consumer consumer;
    std::atomic<std::uint64_t> processed{0};
    std::thread thread;
};

// How many messages the pool may still take, shared by the workers.
class Budget {
  public:
    explicit Budget(std::optional<std::uint64_t> count) : count_(count) {}
    // Takes one; false once the count is reached.
    bool take() { return !count_ || taken_.fetch_add(1) < *count_; }
    bool spent() const { return count_ && taken_.load() >= *count_; }

  private:
    std::optional<std::uint64_t> count_;
    std::atomic<std::uint64_t> taken_{0};
};

// Set by a worker whose consumer failed (the others then stop too).
std::atomic<bool> worker_failed{false};

void work(Worker& w, Budget& budget) try {
    while (!budget.spent() && !worker_failed && !example::stop_requested()) {
        const auto m = w.consumer.next_for(example::stop_check_interval);
        if (!m) continue;
        // Past the count, a message is left unacked: it stays pending for
        // this member, which gets it back when it starts again.
        if (!budget.take()) break;
        example::print_message(*m, w.name);  // the "work"
        w.consumer.ack(*m);                  // committed in the background
        ++w.processed;
    }
} catch (const std::exception& e) {
    std::fprintf(stderr, "load-balanced: %s: error: %s\n", w.name.c_str(), e.what());
    worker_failed = true;
}

// The group's lag (entries not yet handed to any member) and pending
// entries (handed out, not yet acked).
struct GroupState {
    std::optional<std::uint64_t> lag;  // nullopt when the server cannot tell
    std::uint64_t pending = 0;
};

// While the workers run: group_stats() asks the server (XINFO GROUPS).
GroupState group_state(rs::Consumer& consumer) {
    GroupState state;
    for (const auto& s : consumer.group_stats()) {
        state.lag = s.lag;
        state.pending += s.pending;
    }
    return state;
}

// Once the consumers have ended (and committed): the administration API.
GroupState group_state(rs::Streamer& streamer, const rs::StreamKey& stream,
                       const std::string& group) {
    GroupState state;
    for (const auto& shard : streamer.admin().stream_info(stream).shards)
        for (const auto& g : shard.groups)
            if (g.name == group) {
                state.lag = g.lag;
                state.pending += g.pending;
            }
    return state;
}

void report(const char* what, std::vector<std::unique_ptr<Worker>>& workers, GroupState group) {
    std::string line = what;
    for (const auto& w : workers)
        line += " " + w->name + "=" + std::to_string(w->processed.load());
    line += " lag=" + (group.lag ? std::to_string(*group.lag) : std::string("?"));
    line += " pending=" + std::to_string(group.pending);
    std::printf("%s\n", line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    return example::run("load-balanced", [&] {
        const example::Args args(
            argc, argv, usage,
            {"--stream", "--workers", "--group", "--name", "--report", "--count"});
        const auto url = args.stream_url("--stream");
        const auto workers_wanted = args.count("--workers", 3);
        if (workers_wanted == 0 || workers_wanted > 64)
            throw example::UsageError("--workers must be 1 to 64");
        const auto report_every = args.duration("--report", std::chrono::seconds(1));
        Budget budget(args.count("--count"));
        example::stop_on_signals();

        rs::ConsumerOptions options;
        options.mode = rs::ConsumerMode::load_balanced;
        options.group = args.text("--group", "load-balanced");
        options.auto_commit = rs::AutoCommit::rolling;  // ack() marks, a background loop commits
        options.auto_stream_reset = rs::AutoStreamReset::earliest;
        options.mkstream = true;
        auto streamer = rs::Streamer::connect(url);

        // Every consumer is made before any worker starts, so that none
        // takes the whole backlog before the others join the group.
        std::vector<std::unique_ptr<Worker>> workers;
        for (std::uint64_t i = 0; i < workers_wanted; ++i) {
            auto w = std::make_unique<Worker>();
            // A stable member name: a restarted pool gets back what its
            // members held. Names must differ between processes.
            w->name = args.text("--name", "worker") + "-" + std::to_string(i);
            options.consumer = w->name;
            w->consumer = streamer.create_consumer(streamer.streams(), options);
            workers.push_back(std::move(w));
        }
        for (auto& w : workers)
            w->thread = std::thread([&budget, worker = w.get()] { work(*worker, budget); });

        auto next_report = std::chrono::steady_clock::now() + report_every;
        while (!budget.spent() && !worker_failed && !example::stop_requested()) {
            std::this_thread::sleep_for(example::stop_check_interval);
            if (std::chrono::steady_clock::now() < next_report) continue;
            report("workers", workers, group_state(workers.front()->consumer));
            next_report += report_every;
        }
        for (auto& w : workers)
            w->thread.join();
        for (auto& w : workers)
            w->consumer.end();  // commits its last acks
        report("final", workers, group_state(streamer, streamer.streams().front(), options.group));
        return worker_failed ? 1 : 0;
    });
}
