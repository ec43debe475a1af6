// `redstream`: the command-line tool. Parses the global options and one
// command (cmd_*.cpp), connects on first use, and maps what happened to the
// exit codes documented in --help.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include <redstream/version.hpp>

#include "cli.hpp"
#include "time_spec.hpp"

namespace rs = redstream;
namespace cli = redstream::cli;

namespace {

constexpr const char* exit_codes_text =
    "Exit codes: 0 done; 1 a server, connection or data error (or some sends failed);\n"
    "2 bad arguments (nothing was done); 130 stopped by Ctrl-C before the work was done.\n"
    "Output is for people on a terminal and JSON lines (-J) when piped.";

// The name of the command being run, for error lines: "redstream groups seek".
std::string command_path(const CLI::App& app) {
    std::string path = app.get_name();
    const CLI::App* at = &app;
    while (true) {
        const auto chosen = at->get_subcommands();
        if (chosen.empty()) break;
        at = chosen.front();
        path += " " + at->get_name();
    }
    return path;
}

void add_global_options(CLI::App& app, cli::Context& ctx, std::string& timeout) {
    app.add_option("--url", ctx.global.url,
                   "Server to connect to: redis://[user:pass@]host:port[/db], rediss://, "
                   "unix://path; several host:port,... for a cluster")
        ->envname(cli::url_env)
        ->capture_default_str();
    app.add_flag("-J,--json", ctx.global.json,
                 "JSON lines on stdout (the default when stdout is not a terminal)");
    app.add_option("--payload-field", ctx.global.payload_field,
                   "The entry field that carries a message's payload")
        ->capture_default_str();
    app.add_option("--timeout", timeout, "Deadline of the connect and of each request (e.g. 5s)")
        ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
    cli::Context ctx;
    CLI::App app{"redstream: Redis Streams from the command line, on one server or a cluster",
                 "redstream"};
    app.footer(exit_codes_text);
    app.set_version_flag("--version", REDSTREAM_VERSION_STRING);
    app.require_subcommand(1, 1);
    app.fallthrough();  // global options may come after the command too
    std::string timeout = "10s";
    add_global_options(app, ctx, timeout);

    cli::add_produce(app, ctx);
    cli::add_consume(app, ctx);
    cli::add_streams(app, ctx);
    cli::add_groups(app, ctx);
    cli::add_pending(app, ctx);
    cli::add_trim(app, ctx);
    cli::add_dump(app, ctx);
    cli::add_bench(app, ctx);
    cli::add_top(app, ctx);
    cli::add_cluster(app, ctx);

    try {
        app.parse(argc, argv);
        ctx.global.timeout = cli::parse_duration(timeout, "--timeout");
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 reports a misspelt command as a missing one: name it.
        const auto extra = app.remaining();
        const std::string why = !extra.empty() && app.get_subcommands().empty()
                                    ? "unknown command '" + extra.front() + "'"
                                    : std::string(e.what());
        std::fprintf(stderr, "%s: %s (see --help)\n", command_path(app).c_str(), why.c_str());
        return cli::exit_usage;
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", command_path(app).c_str(), e.what());
        return cli::exit_usage;
    }
    if (!ctx.run) return cli::exit_usage;  // a command group without its subcommand
    cli::install_signal_handlers();
    try {
        return ctx.run();
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", command_path(app).c_str(), e.what());
        return cli::exit_usage;
    } catch (const rs::Error& e) {
        std::fprintf(stderr, "%s: error: %s\n", command_path(app).c_str(), e.what());
        return cli::exit_failure;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", command_path(app).c_str(), e.what());
        return cli::exit_failure;
    }
}
