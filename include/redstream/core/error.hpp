// Errors: one enum for everything redstream reports, a category for it, and
// conditions that group the codes so callers can decide what to do
// (retry, follow a redirect, re-authenticate, give up).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace redstream {

/// Every error redstream reports. Async operations complete with one of these
/// (or an `asio::error` from the socket); sync calls throw `redstream::Error`.
enum class errc {
    // Connection and transport.
    not_connected = 1,  ///< No connection is up and the request could not wait for one.
    connection_lost,    ///< The connection dropped while the request was in flight.
    connect_failed,     ///< Could not resolve or connect to any configured address.
    tls_failed,         ///< The TLS handshake or certificate verification failed.
    timeout,            ///< The operation's deadline passed.
    cancelled,          ///< The operation was cancelled by its caller.
    shutting_down,      ///< The client is closing and takes no new work.
    // Protocol.
    protocol_error,       ///< The server sent bytes that are not valid RESP.
    invalid_type_byte,    ///< A RESP value started with an unknown type byte.
    invalid_length,       ///< A RESP length or count was malformed or negative.
    missing_crlf,         ///< A RESP line did not end in CRLF where it had to.
    invalid_number,       ///< A RESP integer, double, boolean or big number was malformed.
    nesting_too_deep,     ///< The reply nests deeper than the parser's limit.
    aggregate_too_large,  ///< An array, map, set or push declared too many elements.
    bulk_too_large,       ///< A bulk string declared more bytes than the parser's limit.
    reply_too_large,      ///< One reply needs more memory than ReaderLimits::max_reply_bytes.
    unexpected_reply,     ///< A well-formed reply of a shape the command does not return.
    // Server replies.
    server_error,    ///< The server answered with an error not listed below.
    wrongtype,       ///< WRONGTYPE: the key holds another type.
    nogroup,         ///< NOGROUP: the consumer group or stream does not exist.
    busygroup,       ///< BUSYGROUP: the consumer group already exists.
    readonly,        ///< READONLY: the node is a replica.
    loading,         ///< LOADING: the server is loading its dataset.
    busy,            ///< BUSY: a script is running.
    oom,             ///< OOM: the server is over its memory limit.
    noauth,          ///< NOAUTH: authentication is required.
    wrongpass,       ///< WRONGPASS: bad username or password.
    noperm,          ///< NOPERM: the ACL user may not run this command or key.
    moved,           ///< MOVED: the slot lives on another cluster node.
    ask,             ///< ASK: the slot is migrating; ask the other node once.
    tryagain,        ///< TRYAGAIN: a multi-key command hit a migrating slot.
    clusterdown,     ///< CLUSTERDOWN: the cluster cannot serve the slot.
    masterdown,      ///< MASTERDOWN: the replica lost its master.
    noproto,         ///< NOPROTO: the server does not speak the requested RESP version.
    crossslot,       ///< CROSSSLOT: one command's keys are in different hash slots of a
                     ///< cluster (refused by the client before sending, or by the server).
    not_replicated,  ///< WAIT: fewer replicas than asked had the write in time; it is on
                     ///< the master, and lost if the master fails before they catch up.
    // Usage.
    invalid_argument,  ///< The caller passed a value the operation cannot use.
    invalid_url,       ///< The connection URL is malformed; the message says which part.
    queue_full,        ///< A bounded queue is full and the caller asked not to wait.
};

/// Groups of codes, for `ec == redstream::condition::retryable` tests.
enum class condition {
    retryable = 1,  ///< Trying again (possibly after reconnecting) may succeed.
    redirect,       ///< A cluster redirect (MOVED / ASK).
    timeout,        ///< A deadline passed.
    auth,           ///< Authentication or authorisation failed.
    protocol,       ///< Malformed or unexpected bytes on the wire.
    fatal,          ///< Retrying will not help without a change by the user.
};

const std::error_category& error_category() noexcept;
const std::error_category& condition_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}
inline std::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// Maps the first word of a server error reply ("WRONGTYPE Operation ...")
/// to its code; unknown prefixes give `errc::server_error`.
errc server_error_code(std::string_view error_text) noexcept;

namespace detail {
/// `message` alone, or "detail: message".
std::string error_text(std::error_code ec, std::string_view detail);
}  // namespace detail

/// The exception sync APIs throw. `what()` is the code's message, preceded by
/// "detail: " when there is a detail (such as the server's error text); it
/// never contains a password.
class Error : public std::system_error {
  public:
    explicit Error(std::error_code ec) : Error(ec, std::string()) {}
    Error(std::error_code ec, const std::string& detail)
        : std::system_error(ec), text_(redstream::detail::error_text(ec, detail)) {}

    const char* what() const noexcept override { return text_.what(); }

  private:
    // Copies of a runtime_error share the text and cannot throw.
    std::runtime_error text_;
};

/// Throws `Error(ec, detail)` when `ec` is set.
inline void throw_if(std::error_code ec, const std::string& detail = {}) {
    if (ec) throw Error(ec, detail);
}

}  // namespace redstream

// Registers the enums with <system_error>. Hidden from Doxygen, which cannot
// place a specialization declared outside its namespace.
/// \cond
template <>
struct std::is_error_code_enum<redstream::errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<redstream::condition> : std::true_type {};
/// \endcond
