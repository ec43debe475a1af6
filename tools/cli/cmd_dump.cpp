// `redstream dump`: not written yet.
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

void add_dump(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand("dump", "Write STREAM... to stdout in a binary-safe format");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("dump"); }; });
    }
    {
        auto* sub =
            app.add_subcommand("restore", "Read a dump from stdin and add every entry back");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("restore"); }; });
    }
}

}  // namespace redstream::cli
