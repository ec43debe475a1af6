// `redstream top` on a real terminal (tmux): the streams with their rates,
// redrawn in place — the screen changes between refreshes, nothing scrolls
// into the history — and Ctrl-C ends it cleanly.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support/redis_server.hpp"
#include "tmux_session.hpp"

namespace rt = redstream::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& screen) {
    std::vector<std::string> lines;
    std::istringstream in(screen);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// The row of `stream` shows a rate above zero (RATE/s is the fourth column).
bool shows_rate(const std::string& screen, const std::string& stream) {
    std::smatch m;
    const std::regex row("(^|\n)" + stream + " +[0-9]+ +[0-9]+ +([0-9]+\\.[0-9])");
    return std::regex_search(screen, m, row) && std::stod(m[2]) > 0;
}

}  // namespace

TEST(CliTmux, TopRedrawsInPlaceWithRates) {
    rt::RedisServer server;
    const auto port = std::to_string(server.port());
    server.cli({"XADD", "tmuxtop:quiet", "*", "k", "v"});
    server.cli({"XADD", "tmuxtop:busy", "*", "k", "v"});
    server.cli({"XGROUP", "CREATE", "tmuxtop:busy", "readers", "0"});
    // Entries keep arriving on one stream while top runs.
    const auto writer =
        rt::spawn_process({"sh", "-c",
                           "for i in $(seq 1 400); do redis-cli -p " + port +
                               " XADD tmuxtop:busy '*' k v >/dev/null; sleep 0.02; done"},
                          server.dir() + "/writer.log");
    struct Reap {
        pid_t pid;
        ~Reap() {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    } reap{writer};

    rt::TmuxSession tmux("\"" + rt::cli_path() + "\" top 'tmuxtop*' --interval 300ms --url " +
                         "redis://127.0.0.1:" + port);
    const auto first =
        tmux.wait_for([](const std::string& s) { return shows_rate(s, "tmuxtop:busy"); });
    ASSERT_TRUE(shows_rate(first, "tmuxtop:busy")) << first;
    EXPECT_NE(first.find("tmuxtop:quiet"), std::string::npos) << first;
    EXPECT_NE(first.find("  readers"), std::string::npos) << first;

    // The next refresh: a new time in the title, drawn over the old screen.
    const auto second = tmux.wait_for(
        [&](const std::string& s) { return lines_of(s).at(0) != lines_of(first).at(0); });
    ASSERT_NE(lines_of(second).at(0), lines_of(first).at(0)) << second;
    for (const auto& screen : {first, second}) {
        const auto lines = lines_of(screen);
        EXPECT_EQ(lines.at(0).rfind("redstream top", 0), 0u) << screen;
        EXPECT_EQ(lines.at(2).rfind("STREAM / GROUP", 0), 0u) << screen;
        // Three rows: two streams and a group; nothing left from before.
        std::size_t rows = 0;
        for (std::size_t i = 3; i < lines.size(); ++i)
            rows += lines[i].empty() ? 0 : 1;
        EXPECT_EQ(rows, 3u) << screen;
    }
    EXPECT_EQ(tmux.history_lines(), 0u) << "top scrolled instead of redrawing";

    tmux.send_keys({"C-c"});
    const auto last =
        tmux.wait_for([](const std::string& s) { return s.find("[exit ") != std::string::npos; });
    EXPECT_NE(last.find("[exit 0]"), std::string::npos) << last;
}
