// What the tests of the administration commands (admin_*_test.cpp here and
// tests/cluster/cli_admin_test.cpp) share: running `redstream` against a
// URL, its JSON lines parsed, a run on a terminal (a pseudo-terminal from
// script(1), so the tool prints for people), and the check that a bad
// argument is one line on stderr and exit code 2.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {

using Json = nlohmann::json;

/// Each line of `out` parsed (empty lines skipped); a line that is not JSON
/// fails the test and is left out.
inline std::vector<Json> json_lines(const std::string& out) {
    std::vector<Json> lines;
    std::size_t at = 0;
    while (at < out.size()) {
        auto end = out.find('\n', at);
        if (end == std::string::npos) end = out.size();
        const auto line = out.substr(at, end - at);
        at = end + 1;
        if (line.empty()) continue;
        try {
            lines.push_back(Json::parse(line));
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not JSON: " << line << " (" << e.what() << ")";
        }
    }
    return lines;
}

/// The tool, aimed at one server or cluster.
class AdminCli {
  public:
    explicit AdminCli(std::string url) : url_(std::move(url)) {}

    const std::string& url() const noexcept { return url_; }

    /// `redstream --url URL ARGS...`.
    ProcessResult run(std::vector<std::string> args, std::string_view input = {}) const {
        args.insert(args.begin(), {"--url", url_});
        return run_cli(std::move(args), input);
    }

    /// The JSON lines of `redstream -J ARGS...`, which must exit 0.
    std::vector<Json> json(std::vector<std::string> args) const {
        args.insert(args.begin(), "-J");
        const auto r = run(args);
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err, "");
        return json_lines(r.out);
    }

    /// `redstream ARGS...` with a terminal as stdin and stdout (script -q -e
    /// -c), typing `input` into it; its output (with what the terminal
    /// echoed) with the terminal's "\r\n" turned into "\n".
    ProcessResult on_terminal(const std::vector<std::string>& args,
                              std::string_view input = {}) const {
        std::string command = quote(cli_path()) + " --url " + quote(url_);
        for (const auto& a : args)
            command += " " + quote(a);
        const std::string dir = make_temp_dir("redstream-cli-");
        const std::string in = dir + "/stdin";
        std::ofstream(in, std::ios::binary) << input;
        auto r = run_process({"script", "-q", "-e", "-c", command, "/dev/null"},
                             std::chrono::seconds(30), in);
        ::unlink(in.c_str());
        ::rmdir(dir.c_str());
        std::string out;
        for (const char c : r.out)
            if (c != '\r') out += c;
        r.out = std::move(out);
        return r;
    }

  private:
    static std::string quote(std::string_view s) {
        std::string q = "'";
        for (const char c : s)
            q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q + "'";
    }

    std::string url_;
};

/// Exit code 2, nothing on stdout, one line on stderr that says `what`.
inline void expect_usage_error(const ProcessResult& r, std::string_view what) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

/// A stream name of this test (no `:N` at its end, so not a shard).
inline std::string test_stream(std::string_view name = "orders") {
    return unique_key("cli") + "/" + std::string(name);
}

}  // namespace redstream::test
