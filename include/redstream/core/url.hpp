// Connection URLs:
//   redis://[user[:password]@]host[:port][,host[:port]...][/db][/stream_a,stream_b][?query]
//   rediss://...              (TLS)
//   unix://[user[:password]@]/path/to/socket[?db=N]
// A single path segment made only of digits is the database number (as in the
// usual redis:// URI); any other single segment is the stream list. With two
// segments the first is the database and the second the streams.
// Query keys: db, client_name (alias name), protocol (2 or 3), timeout_ms.
// Userinfo and path segments are percent-decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace redstream {

enum class Transport {
    tcp,          ///< redis://
    tls,          ///< rediss://
    unix_socket,  ///< unix:// (named so: `unix` is a macro in GNU mode)
};

struct HostPort {
    std::string host;  ///< Host name or address; IPv6 without brackets.
    std::uint16_t port = 6379;

    friend bool operator==(const HostPort&, const HostPort&) = default;
};

/// A parsed connection URL. Parsing never echoes the password in an error.
struct StreamUrl {
    static constexpr std::uint16_t default_port = 6379;

    Transport transport = Transport::tcp;     ///< From the scheme.
    std::vector<HostPort> nodes;              ///< One or more seed nodes (empty for unix).
    std::string socket_path;                  ///< The socket file for unix://.
    std::optional<std::string> username;      ///< ACL user, when given.
    std::optional<std::string> password;      ///< Password, when given; never printed.
    std::optional<int> db;                    ///< SELECT this database, when given.
    std::vector<std::string> streams;         ///< Stream keys named in the path.
    std::optional<std::string> client_name;   ///< CLIENT SETNAME, from ?client_name=.
    std::optional<int> protocol;              ///< 2 or 3, from ?protocol=.
    std::optional<std::uint32_t> timeout_ms;  ///< From ?timeout_ms=.
    std::optional<bool> cluster;              ///< From ?cluster=yes|no.

    /// Parses `text`. On failure sets `ec` to `errc::invalid_url` and, when
    /// `why` is given, writes what is wrong (never containing the password).
    static StreamUrl parse(std::string_view text, std::error_code& ec, std::string* why = nullptr);
    /// Throwing form: `redstream::Error` whose message says what is wrong.
    static StreamUrl parse(std::string_view text);

    /// The URL again, with the password replaced by `***`; safe to log.
    std::string redacted() const;
};

}  // namespace redstream
