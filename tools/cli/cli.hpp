// What every `redstream` command shares: the global options, the lazily made
// connection, how output is chosen (people on a terminal, JSON lines with -J
// or when piped), exit codes and Ctrl-C. Each command lives in a file of its
// own (cmd_*.cpp) and registers itself with an add_* function below.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <redstream/redstream.hpp>

namespace CLI {
class App;
}  // namespace CLI

namespace redstream::cli {

/// The exit codes, documented in `redstream --help`.
enum ExitCode : int {
    exit_ok = 0,            ///< Done; every message accounted for.
    exit_failure = 1,       ///< A server, connection or data error; or some sends failed.
    exit_usage = 2,         ///< Bad arguments: nothing was done.
    exit_interrupted = 130  ///< Stopped by SIGINT/SIGTERM before the work was done.
};

/// Bad arguments found after parsing (a malformed --from, say): one line on
/// stderr and exit code 2, before anything is sent.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Defaults of the global options.
inline constexpr const char* default_url = "redis://127.0.0.1:6379";
inline constexpr const char* url_env = "REDSTREAM_URL";

struct GlobalOptions {
    /// Where to connect (redis://, rediss://, unix://; several nodes for a cluster).
    std::string url = default_url;
    /// -J: JSON lines whatever stdout is.
    bool json = false;
    /// The entry field that carries the payload.
    std::string payload_field{ConnectOptions::default_payload_field};
    /// Deadline of each request, and of the connect.
    std::chrono::milliseconds timeout{10'000};
};

class Context {
  public:
    GlobalOptions global;
    /// What the chosen command does once the arguments are parsed; returns
    /// the exit code. Set by the command's callback.
    std::function<int()> run;

    /// JSON lines (-J, or stdout is not a terminal) rather than text for people.
    bool json_output() const;
    /// Whether stderr is a terminal (progress bars go there only then).
    static bool stderr_is_terminal();
    /// The connection, made on first use from the global options; throws
    /// redstream::Error when it cannot connect.
    Streamer& streamer();
    Admin admin();

  private:
    std::optional<Streamer> streamer_;
};

/// Set by SIGINT/SIGTERM once install_signal_handlers() ran: long-running
/// commands check it and end cleanly (flushing what they sent).
bool stop_requested() noexcept;
void install_signal_handlers();

// The commands. Each adds its subcommand to `app` and, when chosen, sets
// ctx.run.
void add_produce(CLI::App& app, Context& ctx);
void add_consume(CLI::App& app, Context& ctx);
void add_streams(CLI::App& app, Context& ctx);
void add_groups(CLI::App& app, Context& ctx);
void add_pending(CLI::App& app, Context& ctx);  // pending, claim, dlq
void add_trim(CLI::App& app, Context& ctx);     // trim, delete
void add_dump(CLI::App& app, Context& ctx);     // dump, restore
void add_bench(CLI::App& app, Context& ctx);
void add_top(CLI::App& app, Context& ctx);
void add_cluster(CLI::App& app, Context& ctx);

}  // namespace redstream::cli
