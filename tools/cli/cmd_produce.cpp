// `redstream produce`: not written yet.
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

void add_produce(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand(
            "produce", "Send lines (or k=v fields, or JSON objects) from stdin to STREAM");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("produce"); }; });
    }
}

}  // namespace redstream::cli
