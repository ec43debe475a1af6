// `redstream groups`: not written yet.
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

void add_groups(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand(
            "groups", "Consumer groups of STREAM: lag, pending, consumers; seek, delete, members");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("groups"); }; });
    }
}

}  // namespace redstream::cli
