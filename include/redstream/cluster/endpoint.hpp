// A cluster node's address as the server writes it ("host:port") and as
// redstream names a node: the same text, so that a node met in a MOVED reply
// and the same node listed by CLUSTER SLOTS compare equal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <redstream/core/url.hpp>

namespace redstream::cluster {

/// Splits "host:port" at the last colon, so that an IPv6 address without
/// brackets ("::1:6380") keeps its own colons; "[::1]:6380" also works. The
/// port must be 1..65535 in decimal. A host of "" or "?" comes back empty:
/// Redis 7 writes that when it does not know a node's endpoint
/// (`cluster-preferred-endpoint-type unknown-endpoint`, or `hostname` with
/// none announced), and it means "the host of the connection that answered".
/// nullopt when the text has no colon, a bad port or unbalanced brackets.
std::optional<HostPort> parse_endpoint(std::string_view text);

/// The name of a node: "host:port", or "[host]:port" for an IPv6 host. Two
/// endpoints are the same node exactly when their names are equal.
std::string endpoint_name(const HostPort& endpoint);

}  // namespace redstream::cluster
