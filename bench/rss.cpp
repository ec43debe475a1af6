// rss: the driver of idle_rss and backlog_rss. Runs the example consumer
// (rss_consumer, ours, as a user builds it: see bench/rss_app), its trimmed
// variant (rss_consumer_static) and the plain C hiredis program (rss_hiredis,
// the peer) as child processes, alternately, and reports the lower max RSS of
// each (ru_maxrss from wait4, KiB; lower is better, ratio = peer / ours): the
// lines idle_rss / backlog_rss (default build) and idle_rss_static /
// backlog_rss_static (trimmed). Two rounds for idle; one for backlog (a full
// drain of 1M takes long, and its peak varies little). cpu_ns is the child's
// CPU (user + system) per message for backlog, its whole CPU for idle.
//
// ru_maxrss of a child also counts the forked copy of this driver before its
// execve (Linux keeps the larger of the two), so this driver keeps its own
// footprint small: no hiredis, no heap to speak of; the backlog is filled by
// `rss_hiredis fill` in a child of its own.
// Usage: rss idle|backlog PORT [COUNT [BATCH_SIZE PREFETCH]]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "peers.hpp"

namespace {

char dir[PATH_MAX];  // where this driver and the child programs are

struct Usage {
    long max_rss = LONG_MAX;  // KiB
    double cpu_ns = 0;        // of the round with the lower max_rss
};

// Runs dir/prog with args; exits on failure; returns its ru_maxrss (KiB) and CPU.
Usage run(const char* prog, char* const* args) {
    char path[PATH_MAX + 64];
    std::snprintf(path, sizeof path, "%s/%s", dir, prog);
    const pid_t pid = fork();
    if (pid < 0) std::perror("fork"), std::exit(1);
    if (pid == 0) {
        execv(path, args);
        std::perror(path);
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) < 0) std::perror("wait4"), std::exit(1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        std::fprintf(stderr, "%s failed (status %d)\n", prog, status), std::exit(1);
    const auto ns = [](const timeval& t) { return t.tv_sec * 1e9 + t.tv_usec * 1e3; };
    return {usage.ru_maxrss, ns(usage.ru_utime) + ns(usage.ru_stime)};
}

void keep_lower(Usage& best, Usage round) {
    if (round.max_rss < best.max_rss) best = round;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3)
        return std::fprintf(stderr, "usage: %s idle|backlog PORT [COUNT [BATCH PREFETCH]]\n",
                            argv[0]),
               2;
    const ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) std::perror("readlink"), std::exit(1);
    dir[n] = '\0';
    *std::strrchr(dir, '/') = '\0';

    const bool idle = std::strcmp(argv[1], "idle") == 0;
    if (!idle && std::strcmp(argv[1], "backlog") != 0)
        return std::fprintf(stderr, "unknown mode %s\n", argv[1]), 2;
    char* port = argv[2];
    char count[] = "1000000";
    char* count_arg = argc > 3 ? argv[3] : count;
    char idle_key[] = "bench:idle", backlog_key[] = "bench:backlog";
    char* key = idle ? idle_key : backlog_key;
    char mode_fill[] = "fill", hiredis_name[] = "rss_hiredis", consumer_name[] = "rss_consumer";

    if (!idle) {
        char* fill[] = {hiredis_name, mode_fill, port, key, count_arg, nullptr};
        run("rss_hiredis", fill);
    }
    char* ours_args[] = {consumer_name,
                         argv[1],
                         port,
                         key,
                         count_arg,
                         argc > 5 ? argv[4] : nullptr,
                         argc > 5 ? argv[5] : nullptr,
                         nullptr};
    char* peer_args[] = {hiredis_name, argv[1], port, key, count_arg, nullptr};
    Usage ours, trimmed, peer;
    const int rounds = idle ? 2 : 1;
    for (int round = 0; round < rounds; ++round) {  // the lower, alternating
        keep_lower(peer, run("rss_hiredis", peer_args));
        keep_lower(ours, run("rss_consumer", ours_args));
        keep_lower(trimmed, run("rss_consumer_static", ours_args));  // same program, trimmed
    }
    const double per = idle ? 1.0 : std::strtod(count_arg, nullptr);
    const auto side = [per](const Usage& u) {
        return bench::Side{static_cast<double>(u.max_rss), u.cpu_ns / per};
    };
    const char* peer_name = idle ? "C hiredis XREAD BLOCK 1000" : "C hiredis XREAD COUNT 1000 loop";
    bench::print_line_lower(idle ? "idle_rss" : "backlog_rss", side(ours), "KiB", peer_name,
                            side(peer), ",\"build\":\"default\"");
    bench::print_line_lower(idle ? "idle_rss_static" : "backlog_rss_static", side(trimmed), "KiB",
                            peer_name, side(peer), ",\"build\":\"static libstdc++, no PIE\"");
}
