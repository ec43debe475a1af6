// `redstream consume`: not written yet.
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

void add_consume(CLI::App& app, Context& ctx) {
    {
        auto* sub = app.add_subcommand("consume", "Print the messages of STREAM... (alias: tail)");
        sub->callback([&ctx] { ctx.run = [] { return not_yet("consume"); }; });
    }
}

}  // namespace redstream::cli
