// `redstream trim`: not written yet.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli.hpp"

namespace redstream::cli {

namespace {
int not_yet(const char* name) {
    std::fprintf(stderr, "redstream %s: not implemented yet\n", name);
    return exit_failure;
}
}  // namespace

void add_trim(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand("trim", "Trim every shard of STREAM (--maxlen or --minid)");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("trim"); }; });
    }
    {
        auto* sub = app.add_subcommand("delete", "Delete every key of STREAM");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("delete"); }; });
    }
}

}  // namespace redstream::cli
