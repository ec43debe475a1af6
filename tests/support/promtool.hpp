// promtool (Debian package `prometheus`): the Prometheus project's own parser
// and linter of the text exposition format, so that what to_prometheus()
// writes is checked by a real reader, not by our idea of the format.
#pragma once

#include <string>

namespace redstream::test {

/// Runs `promtool check metrics` on `text`. Empty when it accepts it; else
/// what promtool said (or why it could not run). Throws std::runtime_error
/// when promtool is not installed (scripts/deps installs it).
std::string promtool_problems(const std::string& text);

}  // namespace redstream::test
