#include "group_names.hpp"

#include <unistd.h>

#include <array>
#include <atomic>

namespace redstream::detail {

std::string host_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf.data();
}

std::string group_name(const ConsumerOptions& options, const std::string& host) {
    if (!options.group.empty()) return options.group;
    return host + (options.mode == ConsumerMode::load_balanced ? ":load_balanced" : ":resumable");
}

std::string member_name(const ConsumerOptions& options, const std::string& group,
                        const std::string& host) {
    if (!options.consumer.empty()) return options.consumer;
    if (options.mode != ConsumerMode::load_balanced) return group;
    static std::atomic<std::uint64_t> counter{0};
    return host + ":" + std::to_string(::getpid()) + ":" + std::to_string(counter.fetch_add(1));
}

}  // namespace redstream::detail
