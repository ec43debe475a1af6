// The progress bars of `dump` and `restore` on a real terminal (tmux): one
// line each, redrawn in place, ending at 100% with the count, and the
// summaries after them.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "cli_runner.hpp"
#include "support/redis_server.hpp"
#include "support/target.hpp"
#include "tmux_session.hpp"

namespace rt = redstream::test;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

}  // namespace

TEST(CliTmux, DumpAndRestoreDrawProgressBars) {
    rt::RedisServer server;
    rt::Direct d(rt::standalone_target(server));
    for (int i = 0; i < 4; ++i)
        d.xadd_many("tmuxdump", 5000, std::string(200, 'x'));
    const auto url = "redis://127.0.0.1:" + std::to_string(server.port());
    const auto file = server.dir() + "/tmux.rsdump";
    const auto cli = "\"" + rt::cli_path() + "\"";
    rt::TmuxSession tmux(cli + " dump tmuxdump --url " + url + " > " + file + " && " + cli +
                         " restore --rename tmuxdump=tmuxcopy --url " + url + " < " + file);
    const auto screen =
        tmux.wait_for([](const std::string& s) { return s.find("[exit ") != std::string::npos; });
    ASSERT_NE(screen.find("[exit 0]"), std::string::npos) << screen;
    // Each bar is one line, redrawn with \r: never a second copy of it.
    const std::regex dump_bar(R"(dump \[#+\] 100% 20000/20000 +[0-9]+/s)");
    const std::regex restore_bar(R"(restore \[#+\] 100% 20000/20000 +[0-9]+/s)");
    EXPECT_TRUE(std::regex_search(screen, dump_bar)) << screen;
    EXPECT_TRUE(std::regex_search(screen, restore_bar)) << screen;
    EXPECT_EQ(count_of(screen, "dump ["), 1u) << screen;
    EXPECT_EQ(count_of(screen, "restore ["), 1u) << screen;
    EXPECT_NE(screen.find("redstream dump: 20000 entries, 1 key, 0 groups"), std::string::npos)
        << screen;
    EXPECT_NE(screen.find("restored 20000 entries to 1 key (tmuxcopy: 20000)"), std::string::npos)
        << screen;
    EXPECT_EQ(server.cli({"XLEN", "tmuxcopy"}), "20000");
}

// Binary data is not written to a terminal, nor read from one: both say so
// on one line and exit 2, before connecting.
TEST(CliTmux, DumpAndRestoreRefuseATerminal) {
    const auto cli = "\"" + rt::cli_path() + "\"";
    rt::TmuxSession tmux(cli + " dump s --url redis://127.0.0.1:1; echo \"[dump $?]\"; " + cli +
                         " restore --url redis://127.0.0.1:1");
    const auto screen =
        tmux.wait_for([](const std::string& s) { return s.find("[exit ") != std::string::npos; });
    EXPECT_NE(screen.find("redstream dump: stdout is a terminal"), std::string::npos) << screen;
    EXPECT_NE(screen.find("[dump 2]"), std::string::npos) << screen;
    EXPECT_NE(screen.find("redstream restore: stdin is a terminal"), std::string::npos) << screen;
    EXPECT_NE(screen.find("[exit 2]"), std::string::npos) << screen;
}
