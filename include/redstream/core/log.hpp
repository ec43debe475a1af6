// The logging hook: redstream says what happens to its connections, the
// cluster's slot map and its consumers (connections up and down with the
// reason, reconnects, slot map refreshes, shard discovery, group
// recreation, claims and dead letters) to a handler the application
// installs. Quiet by default: with no handler nothing is formatted. No
// record ever contains a password.
#pragma once

#include <functional>
#include <string_view>

namespace redstream {

/// How much a record matters, least first.
enum class LogLevel {
    debug,    ///< Routine steps: slot map refreshes, shards found.
    info,     ///< A connection up, a group created again, entries claimed.
    warning,  ///< A connection down, a reconnect, a refresh that failed, a dead letter.
    error,    ///< Something failed for good (a first connect, a dead letter refused).
    off,      ///< As a threshold: nothing.
};

/// Its name: "debug", "info", "warning", "error" or "off".
std::string_view to_string(LogLevel level) noexcept;

/// Called for each record at or above the threshold: its level, the part of
/// redstream it comes from ("net", "cluster", "consumer"), and the text
/// (one line, no newline). It may run on any of redstream's threads, one
/// call at a time (others wait meanwhile): it must not block for long, nor
/// wait for another thread that uses redstream.
using LogHandler =
    std::function<void(LogLevel level, std::string_view component, std::string_view message)>;

/// Installs `handler` for the records at `threshold` and above, replacing
/// any earlier one (an empty handler, or LogLevel::off, makes redstream quiet
/// again). Thread-safe; it waits for a call of the old handler in progress,
/// and once it returns the old handler is never called again (so what it
/// refers to may go). A handler must not call it.
void set_log_handler(LogLevel threshold, LogHandler handler);

}  // namespace redstream
