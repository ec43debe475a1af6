// `redstream top [PATTERN]`: every stream matching PATTERN with its rate of
// new entries, and each group's rate, lag and pending entries, refreshed in
// place every --interval (top_view.hpp draws it); JSON lines when piped.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>

#include <redstream/commands/xinfo.hpp>

#include "cli.hpp"
#include "fd_io.hpp"
#include "router_client.hpp"
#include "time_spec.hpp"
#include "top_view.hpp"

namespace redstream::cli {

namespace {

constexpr std::size_t keys_per_request = 256;

struct TopOptions {
    /// Streams to show (a Redis glob).
    std::string pattern = "*";
    /// Time between refreshes.
    std::string interval = "1s";
    /// Refreshes before it ends; 0: until Ctrl-C.
    std::uint64_t iterations = 0;
};

struct KeyRef {
    std::size_t stream;  // index into the sample's streams
    std::string key;
    bool has_groups;
};

// What a group has read of one key: its counter, or when the server lost
// count of it (a group made at an id), the entries added less its lag.
std::optional<std::uint64_t> group_read(const commands::XInfoGroup& g, std::uint64_t added) {
    if (g.entries_read && *g.entries_read >= 0) return static_cast<std::uint64_t>(*g.entries_read);
    if (g.lag && *g.lag >= 0 && static_cast<std::uint64_t>(*g.lag) <= added)
        return added - static_cast<std::uint64_t>(*g.lag);
    return std::nullopt;
}

// Adds one key's XINFO GROUPS to its stream's groups, merged by name;
// `added` is the key's entries ever added.
void add_groups(TopStream& s, const std::vector<commands::XInfoGroup>& groups,
                std::uint64_t added) {
    for (const auto& g : groups) {
        const std::string name(g.name);
        auto it = std::find_if(s.groups.begin(), s.groups.end(),
                               [&](const TopGroup& x) { return x.name == name; });
        if (it == s.groups.end()) {
            s.groups.push_back({name, 0, 0, 0, 0, {}});
            it = s.groups.end() - 1;
        }
        it->consumers += g.consumers;
        it->pending += g.pending;
        if (!g.lag || *g.lag < 0) it->lag.reset();
        if (it->lag) *it->lag += static_cast<std::uint64_t>(*g.lag);
        const auto read = group_read(g, added);
        if (!read) it->read.reset();
        if (it->read) *it->read += *read;
    }
}

// XINFO STREAM (and XINFO GROUPS where there are groups) of every key, a
// pipelined request per few hundred keys. A key gone meanwhile counts as empty.
void read_keys(RouterClient& router, TopSample& sample, const std::vector<KeyRef>& keys) {
    for (std::size_t at = 0; at < keys.size(); at += keys_per_request) {
        const auto end = std::min(keys.size(), at + keys_per_request);
        resp::Request req;
        for (auto i = at; i < end; ++i) {
            commands::xinfo_stream(req, keys[i].key);
            if (keys[i].has_groups) commands::xinfo_groups(req, keys[i].key);
        }
        const auto resp = router.exec(req);
        std::size_t r = 0;
        for (auto i = at; i < end; ++i) {
            auto& s = sample.streams[keys[i].stream];
            std::error_code ec;
            const auto x = commands::decode_xinfo_stream(resp[r++].root(), ec);
            // Before Redis 7 there is no counter: the length stands in.
            const auto added = ec ? 0 : std::max(x.entries_added, x.length);
            s.added += added;
            if (!keys[i].has_groups) continue;
            const auto groups = commands::decode_xinfo_groups(resp[r++].root(), ec);
            if (!ec) add_groups(s, groups, added);
        }
    }
}

TopSample take_sample(const Admin& admin, RouterClient& router, const std::string& pattern) {
    const auto list = admin.streams(pattern);
    TopSample sample;
    sample.at = std::chrono::steady_clock::now();
    sample.wall = std::chrono::system_clock::now();
    sample.truncated = list.truncated;
    std::vector<KeyRef> keys;
    for (const auto& info : list.streams) {
        TopStream s;
        s.name = std::string(info.stream.name());
        s.keys = info.shards.size();
        s.length = info.length();
        for (const auto& shard : info.shards) {
            if (shard.last_id && (!s.last_id || *shard.last_id > *s.last_id))
                s.last_id = shard.last_id;
            keys.push_back({sample.streams.size(), shard.key, !shard.groups.empty()});
        }
        sample.streams.push_back(std::move(s));
    }
    read_keys(router, sample, keys);
    for (auto& s : sample.streams)
        std::sort(s.groups.begin(), s.groups.end(),
                  [](const TopGroup& a, const TopGroup& b) { return a.name < b.name; });
    return sample;
}

// Waits until `deadline`; false when Ctrl-C came first.
bool wait_until(std::chrono::steady_clock::time_point deadline) {
    while (!stop_requested()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            deadline - now, std::chrono::milliseconds(50)));
    }
    return false;
}

void show(const Context& ctx, const TopSample& s, const TopOptions& o,
          std::chrono::milliseconds interval) {
    if (ctx.json_output()) {
        std::string out;
        for (const auto& j : top_json(s))
            out += j.dump() + "\n";
        write_all(STDOUT_FILENO, out, "writing to stdout");
        return;
    }
    winsize ws{};
    std::size_t width = 80, height = 24;
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        width = ws.ws_col;
        height = ws.ws_row;
    }
    // One column short of the edge: a full line would leave the cursor in
    // the terminal's deferred wrap.
    write_all(STDOUT_FILENO, top_frame(top_screen(s, o.pattern, interval, width - 1, height)),
              "writing to stdout");
}

int run_top(Context& ctx, const TopOptions& o) {
    const auto interval = parse_duration(o.interval, "--interval");
    if (interval.count() <= 0) throw UsageError("--interval must be more than 0");
    const auto admin = ctx.admin();
    RouterClient router(ctx);
    std::optional<TopSample> before;
    const auto start = std::chrono::steady_clock::now();
    bool interrupted = false;
    for (std::uint64_t i = 0; o.iterations == 0 || i < o.iterations; ++i) {
        if (i > 0 && !wait_until(start + i * interval)) {
            interrupted = true;
            break;
        }
        auto sample = take_sample(admin, router, o.pattern);
        if (before) fill_rates(sample, *before);
        show(ctx, sample, o, interval);
        before = std::move(sample);
    }
    if (!ctx.json_output()) write_all(STDOUT_FILENO, "\n", "writing to stdout");
    // Ctrl-C is how a top without --iterations ends: that is success.
    return interrupted && o.iterations != 0 ? exit_interrupted : exit_ok;
}

}  // namespace

void add_top(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand("top", "Live rates and lag per stream and group");
    sub->footer(
        "Each refresh lists the streams matching PATTERN (a Redis glob; shards name:N count\n"
        "as their stream) with their keys, length, entries added per second and last id,\n"
        "and under each its groups with entries read per second, lag (entries not yet\n"
        "delivered; - when the server cannot tell) and pending entries. Rates need two\n"
        "refreshes (and Redis 7 for streams that are trimmed). On a terminal it redraws in\n"
        "place until Ctrl-C; with -J or piped it writes one JSON line per stream and group\n"
        "per refresh (rate null on the first).");
    auto options = std::make_shared<TopOptions>();
    sub->add_option("PATTERN", options->pattern, "Streams to show")->capture_default_str();
    sub->add_option("--interval", options->interval, "Time between refreshes (e.g. 500ms, 2s)")
        ->capture_default_str();
    sub->add_option("--iterations", options->iterations,
                    "Stop after this many refreshes (0: until Ctrl-C)")
        ->capture_default_str();
    sub->callback(
        [&ctx, options] { ctx.run = [&ctx, options] { return run_top(ctx, *options); }; });
}

}  // namespace redstream::cli
