// `redstream produce` on a real terminal (tmux): its progress line counts
// what was sent with a rate, and it ends with its summary.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "cli_runner.hpp"
#include "support/redis_server.hpp"
#include "tmux_session.hpp"

namespace rt = redstream::test;

TEST(CliTmux, ProduceDrawsProgressAndSummary) {
    rt::RedisServer server;
    const auto url = "redis://127.0.0.1:" + std::to_string(server.port());
    rt::TmuxSession tmux("seq 1 20000 | \"" + rt::cli_path() + "\" produce tmuxproduce --url " +
                         url);
    const auto screen =
        tmux.wait_for([](const std::string& s) { return s.find("[exit ") != std::string::npos; });
    ASSERT_NE(screen.find("[exit 0]"), std::string::npos) << screen;
    // The progress line: the count and a rate, drawn once (redrawn in place).
    EXPECT_TRUE(std::regex_search(screen, std::regex(R"(20000\b.*[0-9]+/s)"))) << screen;
    EXPECT_NE(screen.find("sent 20000, confirmed 20000, failed 0"), std::string::npos) << screen;
    EXPECT_EQ(server.cli({"XLEN", "tmuxproduce"}), "20000");
}
