// `redstream pending`: not written yet.
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

void add_pending(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand("pending", "Pending entries of a group");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("pending"); }; });
    }
    {
        auto* sub = app.add_subcommand("claim", "Give pending entries to another member");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("claim"); }; });
    }
    {
        auto* sub = app.add_subcommand("dlq", "Dead letters of STREAM; --replay moves them back");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("dlq"); }; });
    }
}

}  // namespace redstream::cli
