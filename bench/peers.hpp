// Shared pieces of the benchmark programs: CPU time of this process and of
// its children, and printing the JSON lines.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/resource.h>

namespace bench {

/// CPU time (user + system) of this process so far, all threads, in ns.
/// Take it before and after one side's run: both sides run in this process
/// one after the other, so the difference is that side's client CPU.
inline double process_cpu_ns() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const auto ns = [](const timeval& t) { return t.tv_sec * 1e9 + t.tv_usec * 1e3; };
    return ns(ru.ru_utime) + ns(ru.ru_stime);
}

/// CPU time of waited-for child processes (a redis-benchmark peer), in ns.
inline double children_cpu_ns() {
    rusage ru{};
    getrusage(RUSAGE_CHILDREN, &ru);
    const auto ns = [](const timeval& t) { return t.tv_sec * 1e9 + t.tv_usec * 1e3; };
    return ns(ru.ru_utime) + ns(ru.ru_stime);
}

/// One side's result: its figure and its client CPU per message (ns); for
/// the lines that meter the server (ServerMeter in hiredis_util.hpp), also
/// the server's CPU per message (ns) and how busy it was (its CPU over the
/// wall time: 1.0 is one core all the time, all a one-threaded server has).
struct Side {
    double value = 0;
    double cpu_ns = 0;
    double server_ns = -1;    // -1: not metered
    double server_busy = -1;  // -1: not metered
};

/// The server's fields of a rate line, when both sides were metered:
/// server_ns, server_busy, their peer_ forms, and server_bound_ratio, the
/// highest ratio the server leaves us: our rate if it were busy all the time
/// at our CPU per message, over the peer's rate. A ratio near the bound
/// cannot rise by client work; only by the server doing less per message.
inline std::string server_fields(const Side& ours, const Side& theirs) {
    if (ours.server_ns <= 0 || theirs.server_ns <= 0) return {};
    char buf[192];
    std::snprintf(buf, sizeof buf,
                  ",\"server_ns\":%.0f,\"peer_server_ns\":%.0f,\"server_busy\":%.2f,"
                  "\"peer_server_busy\":%.2f,\"server_bound_ratio\":%.2f",
                  ours.server_ns, theirs.server_ns, ours.server_busy, theirs.server_busy,
                  1e9 / ours.server_ns / theirs.value);
    return buf;
}

/// The issue-10 line: a rate (higher is better, ratio = ours / peer) with
/// both sides' client CPU per message, and the server's fields when both
/// sides were metered. `extra` is appended verbatim inside the object (e.g.
/// ",\"depth\":1024"), or empty.
inline void print_line(const char* name, Side ours, const char* unit, const char* peer, Side theirs,
                       const std::string& extra = {}) {
    std::printf(
        "{\"name\":\"%s\",\"value\":%.0f,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.0f,"
        "\"ratio\":%.3f,\"cpu_ns\":%.0f,\"peer_cpu_ns\":%.0f%s%s}\n",
        name, ours.value, unit, peer, theirs.value, ours.value / theirs.value, ours.cpu_ns,
        theirs.cpu_ns, server_fields(ours, theirs).c_str(), extra.c_str());
    std::fflush(stdout);
}

/// The same for a lower-is-better figure (latency, memory): ratio = peer / ours.
inline void print_line_lower(const char* name, Side ours, const char* unit, const char* peer,
                             Side theirs, const std::string& extra = {}) {
    std::printf(
        "{\"name\":\"%s\",\"value\":%.1f,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.1f,"
        "\"ratio\":%.3f,\"cpu_ns\":%.0f,\"peer_cpu_ns\":%.0f%s}\n",
        name, ours.value, unit, peer, theirs.value, theirs.value / ours.value, ours.cpu_ns,
        theirs.cpu_ns, extra.c_str());
    std::fflush(stdout);
}

/// A run that did not do its work: say what and fail the benchmark.
[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "benchmark check failed: %s\n", what.c_str());
    std::exit(1);
}

}  // namespace bench
