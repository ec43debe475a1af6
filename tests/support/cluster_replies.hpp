// Cluster replies for scripted nodes (support/hostile_server.hpp), so that
// redirect tests need no real cluster.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <redstream/cluster/slot.hpp>

namespace redstream::test {

/// A CLUSTER SLOTS reply: every slot served by the node at `port`.
inline std::string all_slots_on(std::uint16_t port) {
    const std::string id(40, 'a');
    return "*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:" + std::to_string(port) +
           "\r\n$40\r\n" + id + "\r\n";
}

/// A redirection's text: "MOVED <slot of key> 127.0.0.1:<port>" (or ASK).
inline std::string redirect(std::string_view kind, std::string_view key, std::uint16_t port) {
    return std::string(kind) + " " + std::to_string(cluster::key_slot(key)) +
           " 127.0.0.1:" + std::to_string(port);
}

}  // namespace redstream::test
