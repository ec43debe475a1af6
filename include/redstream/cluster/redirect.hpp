// The redirections of a Redis Cluster node: `MOVED <slot> <endpoint>` (the
// slot lives on another node now: update the slot map, re-send there) and
// `ASK <slot> <endpoint>` (the slot is migrating: send ASKING and the command
// to that node once, and leave the map as it is). Sans-I/O: text in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include <redstream/core/url.hpp>

namespace redstream::cluster {

/// Which redirection a node answered with.
enum class RedirectKind : std::uint8_t {
    moved,  ///< MOVED: the slot has a new owner.
    ask,    ///< ASK: ask the target once (after ASKING); the owner has not changed.
};

/// A parsed MOVED or ASK error.
struct Redirect {
    RedirectKind kind = RedirectKind::moved;
    /// The hash slot of the command's key(s), 0..16383.
    std::uint16_t slot = 0;
    /// Where to send the command. An empty host means "the host of the
    /// connection that received this error, with this port": Redis 7 sends
    /// `MOVED 3999 :6380` (unknown-endpoint) or `MOVED 3999 ?:6380` (hostname
    /// preferred but none announced) when it cannot name the host.
    HostPort target{};

    friend bool operator==(const Redirect&, const Redirect&) = default;
};

/// Parses the text of an error reply, with or without its leading '-':
/// "MOVED 3999 127.0.0.1:6381", "ASK 3999 [::1]:6381". The endpoint is read
/// by parse_endpoint() (endpoint.hpp). nullopt for anything else: another
/// error, a slot outside 0..16383, a missing or bad endpoint, extra words.
std::optional<Redirect> parse_redirect(std::string_view error_text);

/// As above, and says why not: the code of the error when it is not a
/// redirection at all (e.g. errc::wrongtype; errc::server_error for an
/// unknown prefix), errc::unexpected_reply when it starts with MOVED or ASK
/// but is malformed.
std::optional<Redirect> parse_redirect(std::string_view error_text, std::error_code& ec);

}  // namespace redstream::cluster
