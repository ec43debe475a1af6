// What the produce, consume and bench tests share: a throwaway server per
// test, the tool run against it, and its JSON lines read back.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli_runner.hpp"
#include "json_text.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {

/// Splits `text` at '\n' (a last line without one counts; no empty last line).
inline std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        lines.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

/// Each line of `text` parsed as JSON; a line that is not fails the test.
inline std::vector<cli::Json> json_lines(std::string_view text) {
    std::vector<cli::Json> out;
    for (const auto& line : split_lines(text)) {
        auto j = cli::Json::parse(line, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
        out.push_back(std::move(j));
    }
    return out;
}

/// A test with a redis-server of its own, and the tool pointed at it.
class CliServerTest : public ::testing::Test {
  protected:
    RedisServer server_;

    std::string url() const { return "redis://127.0.0.1:" + std::to_string(server_.port()); }

    /// `redstream --url URL ARGS...` with `input` on stdin.
    ProcessResult cli(std::vector<std::string> args, std::string_view input = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30)) const {
        args.insert(args.begin(), {"--url", url()});
        return run_cli(std::move(args), input, timeout);
    }

    /// The payloads `consume -e -J` prints for `stream`, in order.
    std::vector<std::string> payloads(const std::string& stream,
                                      std::vector<std::string> more = {}) const {
        std::vector<std::string> args{"consume", "-e", "-J", stream};
        args.insert(args.end(), more.begin(), more.end());
        const auto r = cli(args);
        EXPECT_EQ(r.status, 0) << r.err;
        std::vector<std::string> out;
        for (const auto& j : json_lines(r.out))
            out.push_back(cli::bytes_of(j.at("payload"), "payload"));
        return out;
    }

    /// The number of keys on the server.
    int keys() const { return std::stoi(server_.cli({"DBSIZE"})); }
};

}  // namespace redstream::test
