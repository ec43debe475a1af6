#include "support/promtool.hpp"

#include <unistd.h>

#include <fstream>

#include "support/process.hpp"

namespace redstream::test {

std::string promtool_problems(const std::string& text) {
    const std::string promtool = find_program("promtool");
    const std::string dir = make_temp_dir("redstream-promtool-");
    const std::string input = dir + "/metrics.txt";
    {
        std::ofstream f(input, std::ios::binary);
        f << text;
    }
    const auto result =
        run_process({promtool, "check", "metrics"}, std::chrono::seconds(30), input);
    ::unlink(input.c_str());
    ::rmdir(dir.c_str());
    if (result.status == 0 && result.err.empty() && result.out.empty()) return {};
    return "promtool exit " + std::to_string(result.status) + ": " + result.out + result.err;
}

}  // namespace redstream::test
