// example_rss: the driver of judge_lobby_rss. Runs the judge and lobby
// examples (examples/judge.cpp, examples/lobby.cpp, built as a user builds
// them: see bench/rss_app) and the plain C hiredis program (rss_hiredis
// idle, the peer) as child processes against an empty server, and measures
// each one idle after startup: once the server reports the child blocked in
// its read (INFO clients), it waits SETTLE_MS more (a read cycle or two of
// our consumers' 1 s BLOCK) and reads VmRSS, VmHWM and RssAnon from
// /proc/PID/status. Then the example gets SIGTERM, which it must answer by
// exiting 0 (its clean stop: flush, commit); the peer exits when its read
// times out. Two alternating rounds; each side's lower VmRSS is reported
// (KiB; lower is better, ratio = peer / ours), with the footprint target
// (4,096 KiB idle, bench/README.md) beside it. cpu_ns is the child's whole
// CPU (user + system).
// Usage: example_rss PORT [SETTLE_MS]
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "peers.hpp"

namespace {

constexpr long target_kib = 4096;  // the idle footprint target (issue 10)
constexpr auto start_limit = std::chrono::seconds(10);

std::string dir;  // where this driver and the child programs are

struct Sample {
    long rss = LONG_MAX;  // VmRSS, KiB
    long hwm = 0;         // VmHWM (the peak), KiB
    long anon = 0;        // RssAnon (heap, stacks: memory of its own, not mapped files), KiB
    double cpu_ns = 0;
};

// The number after `key` in a text such as /proc/PID/status or INFO.
long number_after(const std::string& text, const char* key) {
    const auto at = text.find(key);
    if (at == std::string::npos) return -1;
    return std::strtol(text.c_str() + at + std::strlen(key), nullptr, 10);
}

long blocked_clients(redisContext* c) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "INFO clients"));
    if (!r || r->type != REDIS_REPLY_STRING) bench::fail("INFO clients");
    const long n = number_after(std::string(r->str, r->len), "blocked_clients:");
    freeReplyObject(r);
    return n;
}

std::string read_file(const std::string& path) {
    std::string text;
    if (FILE* f = std::fopen(path.c_str(), "r")) {
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
            text.append(buf, n);
        std::fclose(f);
    }
    return text;
}

pid_t start(const std::string& prog, const std::vector<std::string>& args) {
    const std::string path = dir + "/" + prog;
    std::vector<char*> argv{const_cast<char*>(prog.c_str())};
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) std::perror("fork"), std::exit(1);
    if (pid == 0) {
        const int null = open("/dev/null", O_WRONLY);  // keep our stdout for the JSON lines
        dup2(null, STDOUT_FILENO);
        execv(path.c_str(), argv.data());
        std::perror(path.c_str());
        _exit(127);
    }
    return pid;
}

// Runs `prog`, samples it idle, stops it with `stop_signal` (0: lets it end).
Sample measure(redisContext* c, const std::string& prog, const std::vector<std::string>& args,
               std::chrono::milliseconds settle, int stop_signal) {
    const pid_t pid = start(prog, args);
    const auto limit = std::chrono::steady_clock::now() + start_limit;
    while (blocked_clients(c) < 1) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) bench::fail(prog + " exited at startup");
        if (std::chrono::steady_clock::now() > limit)
            bench::fail(prog + " never blocked in a read");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(settle);
    const std::string status_text = read_file("/proc/" + std::to_string(pid) + "/status");
    Sample s{number_after(status_text, "VmRSS:"), number_after(status_text, "VmHWM:"),
             number_after(status_text, "RssAnon:"), 0};
    if (s.rss <= 0) bench::fail("no VmRSS for " + prog);
    if (stop_signal != 0) kill(pid, stop_signal);
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) < 0) std::perror("wait4"), std::exit(1);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        bench::fail(prog + " did not exit cleanly (status " + std::to_string(status) + ")");
    const auto ns = [](const timeval& t) { return t.tv_sec * 1e9 + t.tv_usec * 1e3; };
    s.cpu_ns = ns(usage.ru_utime) + ns(usage.ru_stime);
    return s;
}

void keep_lower(Sample& best, const Sample& round) {
    if (round.rss < best.rss) best = round;
}

void print(const char* name, const Sample& ours, const Sample& peer) {
    const std::string extra = ",\"vm_hwm_kib\":" + std::to_string(ours.hwm) +
                              ",\"peer_vm_hwm_kib\":" + std::to_string(peer.hwm) +
                              ",\"rss_anon_kib\":" + std::to_string(ours.anon) +
                              ",\"peer_rss_anon_kib\":" + std::to_string(peer.anon) +
                              ",\"target_kib\":" + std::to_string(target_kib) +
                              ",\"build\":\"default\"";
    bench::print_line_lower(name, {static_cast<double>(ours.rss), ours.cpu_ns}, "KiB",
                            "C hiredis XREAD BLOCK", {static_cast<double>(peer.rss), peer.cpu_ns},
                            extra);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [SETTLE_MS]\n", argv[0]), 2;
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) std::perror("readlink"), std::exit(1);
    dir.assign(self, static_cast<std::size_t>(n));
    dir.erase(dir.rfind('/'));
    const std::string port = argv[1];
    const std::chrono::milliseconds settle(argc > 2 ? std::atol(argv[2]) : 2000);
    redisContext* c = redisConnect("127.0.0.1", std::atoi(port.c_str()));
    if (!c || c->err) bench::fail("connect to the server");

    const std::string url = "redis://127.0.0.1:" + port + "/";
    // The peer's read outlives the sample.
    const std::string block_ms = std::to_string(settle.count() + 1000);
    Sample judge, lobby, peer;
    for (int round = 0; round < 2; ++round) {
        keep_lower(peer,
                   measure(c, "rss_hiredis", {"wait", port, "bench:idle", block_ms}, settle, 0));
        keep_lower(judge,
                   measure(c, "rss_judge", {"--stream", url + "bench:moves"}, settle, SIGTERM));
        keep_lower(lobby,
                   measure(c, "rss_lobby",
                           {"--stream", url + "bench:find-game", "--output", "bench:game-ready"},
                           settle, SIGTERM));
    }
    redisFree(c);
    print("judge_idle_rss", judge, peer);
    print("lobby_idle_rss", lobby, peer);
}
