// `redstream dump STREAM...`: every key of each stream, entry by entry with
// its exact id and fields, and its groups, to stdout in the dump format
// (dump_format.hpp). Keys are read in XRANGE pages, so memory stays bounded
// however long the streams are. `restore` (restore.cpp) reads it back.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>

#include "dump_cmds.hpp"
#include "dump_format.hpp"
#include "fd_io.hpp"
#include "progress.hpp"
#include "router_client.hpp"

namespace redstream::cli {

namespace {

constexpr const char* dump_out = "writing the dump to stdout";

// Every stream's keys, looked up before anything is written: a stream that
// does not exist is an error, not an empty dump.
std::vector<StreamInfo> find_streams(Context& ctx, const DumpOptions& options) {
    const auto admin = ctx.admin();
    std::vector<StreamInfo> infos;
    std::set<std::string, std::less<>> seen;
    for (const auto& name : options.streams) {
        auto info = admin.stream_info(StreamKey(name));
        if (!info.exists()) throw std::runtime_error("no stream named " + name);
        // A key named twice (`dump a a`) is dumped once.
        std::erase_if(info.shards, [&](const ShardInfo& s) { return !seen.insert(s.key).second; });
        infos.push_back(std::move(info));
    }
    return infos;
}

struct DumpRun {
    RouterClient& router;
    DumpEncoder& encoder;
    Progress& progress;
    const DumpOptions& options;
};

// One key's entries up to `last` (its newest when the dump began: entries
// added meanwhile are left out, so a busy stream cannot keep the dump going
// forever), a page at a time, each page written out before the next is
// asked for. False when Ctrl-C stopped it.
bool dump_key(DumpRun& run, const std::string& key, std::optional<MessageId> last) {
    if (!last) return true;  // no entries
    auto start = commands::RangeBound::min();
    const auto end = commands::RangeBound::inclusive(*last);
    while (!stop_requested()) {
        resp::Request req;
        commands::xrange(req, key, start, end, run.options.page);
        const auto resp = run.router.exec(req);
        std::error_code ec;
        const auto entries = commands::decode_xrange(resp.front().root(), ec);
        if (ec) throw Error(ec, "XRANGE " + key);
        for (const auto& e : entries)
            run.encoder.entry(e.id, e.fields);
        write_all(STDOUT_FILENO, run.encoder.take(), dump_out);
        run.progress.update(run.encoder.counts().entries);
        if (entries.size() < run.options.page) return true;
        start = commands::RangeBound::exclusive(entries.back().id);
    }
    return false;
}

std::string count_of(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

void print_summary(const char* what, const DumpCounts& c) {
    std::fprintf(stderr, "redstream dump: %s%s, %s, %s\n", what,
                 count_of(c.entries, "entry", "entries").c_str(),
                 count_of(c.keys, "key", "keys").c_str(),
                 count_of(c.groups, "group", "groups").c_str());
}

}  // namespace

int run_dump(Context& ctx, const DumpOptions& options) {
    if (::isatty(STDOUT_FILENO) != 0)
        throw UsageError("stdout is a terminal: send the dump to a file (> FILE) or a pipe");
    if (options.page == 0) throw UsageError("--page must be at least 1");
    const auto infos = find_streams(ctx, options);
    std::uint64_t total = 0;
    for (const auto& info : infos)
        total += info.length();
    RouterClient router(ctx);
    DumpEncoder encoder;
    Progress progress("dump", total, Context::stderr_is_terminal());
    DumpRun run{router, encoder, progress, options};
    for (const auto& info : infos) {
        for (const auto& shard : info.shards) {
            encoder.begin_key(info.stream.name(), shard.key);
            if (!dump_key(run, shard.key, shard.last_id)) {
                progress.finish();
                // No end record: restore refuses the file as cut short.
                print_summary("interrupted, the dump is incomplete after ", encoder.counts());
                return exit_interrupted;
            }
            if (options.no_groups) continue;
            for (const auto& g : shard.groups)
                encoder.group(g.name, g.last_delivered_id);
        }
    }
    encoder.finish();
    write_all(STDOUT_FILENO, encoder.take(), dump_out);
    progress.update(encoder.counts().entries);
    progress.finish();
    print_summary("", encoder.counts());
    return exit_ok;
}

void add_dump(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand("dump", "Write STREAM... to stdout in a binary-safe format");
        sub->footer(
            "Every key of each stream (name and its shards name:N) with every entry's exact id\n"
            "and fields, byte for byte, up to the key's newest entry when the dump began, and\n"
            "each group's name and last delivered id (not its pending entries). Read in\n"
            "pages, so memory stays small. The file ends with counts and a checksum:\n"
            "`restore` refuses a file cut short or damaged. Example:\n"
            "  redstream dump orders payments > backup.rsdump");
        auto options = std::make_shared<DumpOptions>();
        sub->add_option("STREAM", options->streams, "Streams to dump")->required();
        sub->add_option("--page", options->page, "Entries read per XRANGE round trip")
            ->capture_default_str();
        sub->add_flag("--no-groups", options->no_groups, "Leave the consumer groups out");
        sub->callback(
            [&ctx, options] { ctx.run = [&ctx, options] { return run_dump(ctx, *options); }; });
    }
    {
        auto* sub =
            app.add_subcommand("restore", "Read a dump from stdin and add every entry back");
        sub->footer(
            "Each entry is added with its exact id and fields (XADD, pipelined), to the key it\n"
            "came from or, with --rename, under another stream name; groups are created at\n"
            "their last delivered id. A key that already has entries at or past a dumped id\n"
            "is an error (nothing more is written) unless --skip-existing, which adds only the\n"
            "newer entries, so an interrupted restore can be run again. A regular file is\n"
            "checked in full before anything is written; from a pipe, each record is checked\n"
            "before it is written and an error says what was written. Example:\n"
            "  redstream restore --rename orders=orders_copy < backup.rsdump");
        auto options = std::make_shared<RestoreOptions>();
        sub->add_option("--rename", options->renames,
                        "OLD=NEW: restore stream OLD (and its shards) as NEW; repeatable");
        sub->add_flag("--skip-existing", options->skip_existing,
                      "Skip entries at or before a key's last id, and groups that exist");
        sub->add_flag("--no-groups", options->no_groups, "Do not create the consumer groups");
        sub->add_option("--batch", options->batch, "XADDs pipelined per round trip")
            ->capture_default_str();
        sub->callback(
            [&ctx, options] { ctx.run = [&ctx, options] { return run_restore(ctx, *options); }; });
    }
}

}  // namespace redstream::cli
