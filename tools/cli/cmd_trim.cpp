// `redstream trim`: XTRIM on every key of a stream (MAXLEN applies to each
// key on its own). `redstream delete`: deletes every key of a stream, after
// asking on a terminal; elsewhere only with --yes.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <redstream/core/error.hpp>

#include "admin_util.hpp"
#include "cli.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

struct TrimArgs {
    std::string stream;
    std::optional<std::uint64_t> maxlen{};
    std::string minid;
    bool approx = false;
};

struct DeleteArgs {
    std::string stream;
    bool yes = false;
};

MessageId minid_arg(std::string_view text) {
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const auto pos = parse_position(text, now, "--minid");
    if (pos.kind == Position::Kind::id) return pos.id;
    if (pos.kind == Position::Kind::time) return id_at(pos.time);
    throw UsageError("--minid takes an id or a time (e.g. 1700000000000-0, -1h), not " +
                     std::string(text));
}

int run_trim(Context& ctx, const TrimArgs& args) {
    const auto stream = stream_arg(args.stream);
    if (!args.maxlen && args.minid.empty()) throw UsageError("give --maxlen N or --minid ID|TIME");
    const auto mode = args.approx ? commands::TrimMode::approximate : commands::TrimMode::exact;
    const auto trim = args.maxlen ? commands::TrimOptions::maxlen(*args.maxlen, mode)
                                  : commands::TrimOptions::minid(minid_arg(args.minid), mode);
    const auto evicted = ctx.admin().trim(stream, trim);
    if (ctx.json_output())
        print_json_line({{"stream", text_value(args.stream)}, {"evicted", evicted}});
    else
        std::printf("trimmed %s: %llu entr%s evicted\n", printable(args.stream).c_str(),
                    static_cast<unsigned long long>(evicted), evicted == 1 ? "y" : "ies");
    return exit_ok;
}

// Asks on the terminal; true for y or yes.
bool confirmed(const StreamInfo& info) {
    std::fprintf(stderr, "Delete stream %s: %zu key(s), %llu entries? [y/N] ",
                 printable(info.stream.name()).c_str(), info.shards.size(),
                 static_cast<unsigned long long>(info.length()));
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes" || answer == "YES";
}

int run_delete(Context& ctx, const DeleteArgs& args) {
    const auto stream = stream_arg(args.stream);
    if (!args.yes && ::isatty(STDIN_FILENO) == 0)
        throw UsageError("not deleting without --yes when stdin is not a terminal");
    auto admin = ctx.admin();
    if (!args.yes) {
        const auto info = admin.stream_info(stream);
        if (!info.exists())
            throw Error(make_error_code(errc::invalid_argument),
                        "stream " + args.stream + " does not exist");
        if (!confirmed(info)) {
            std::fprintf(stderr, "redstream delete: not deleted\n");
            return exit_failure;
        }
    }
    const auto n = admin.delete_stream(stream);
    if (n == 0)
        throw Error(make_error_code(errc::invalid_argument),
                    "stream " + args.stream + " does not exist");
    if (ctx.json_output())
        print_json_line({{"stream", text_value(args.stream)}, {"deleted_keys", n}});
    else
        std::printf("deleted stream %s: %llu key(s)\n", printable(args.stream).c_str(),
                    static_cast<unsigned long long>(n));
    return exit_ok;
}

}  // namespace

void add_trim(CLI::App& app, Context& ctx) {
    {
        auto* sub =
            app.add_subcommand("trim", "Trim every key of STREAM: --maxlen (per key) or --minid");
        auto args = std::make_shared<TrimArgs>();
        sub->add_option("STREAM", args->stream, "The stream (all its shards)")->required();
        auto* maxlen =
            sub->add_option("--maxlen", args->maxlen, "Keep at most N entries in each key");
        sub->add_option("--minid", args->minid,
                        "Evict entries older than this id or time (RFC 3339, @MS, -1h)")
            ->excludes(maxlen);
        sub->add_flag("--approx", args->approx,
                      "Let the server trim whole nodes only (~): cheaper, may keep a few more");
        sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_trim(ctx, *args); }; });
    }
    {
        auto* sub = app.add_subcommand(
            "delete", "Delete every key of STREAM (asks first on a terminal; else needs --yes)");
        auto args = std::make_shared<DeleteArgs>();
        sub->add_option("STREAM", args->stream, "The stream (all its shards)")->required();
        sub->add_flag("-y,--yes", args->yes, "Do not ask");
        sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_delete(ctx, *args); }; });
    }
}

}  // namespace redstream::cli
