// Runs the `redstream` tool the build made, as a person or a script would:
// arguments, stdin, and what it wrote and returned.
#pragma once

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

#ifndef REDSTREAM_CLI
#error "REDSTREAM_CLI must name the redstream tool (tests/CMakeLists.txt defines it)"
#endif

namespace redstream::test {

/// The path of the built tool.
inline std::string cli_path() {
    return REDSTREAM_CLI;
}

/// Runs `redstream ARGS...` with `input` on its stdin; killed after
/// `timeout` (status -1 then).
inline ProcessResult run_cli(std::vector<std::string> args, std::string_view input = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    args.insert(args.begin(), cli_path());
    const std::string dir = make_temp_dir("redstream-cli-");
    const std::string in = dir + "/stdin";
    {
        std::ofstream f(in, std::ios::binary);
        f.write(input.data(), static_cast<std::streamsize>(input.size()));
    }
    auto result = run_process(args, timeout, in);
    ::unlink(in.c_str());
    ::rmdir(dir.c_str());
    return result;
}

}  // namespace redstream::test
