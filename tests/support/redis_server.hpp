// A throwaway redis-server for tests: started on a free loopback port in a
// fresh temporary directory, stopped (and the directory removed) when the
// object goes away — also when a test fails, throws or the process aborts.
// Never port 6379, never a server the tests did not start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/net/config.hpp>

#include "support/process.hpp"

namespace redstream::test {

struct AclUser {
    std::string name;      ///< ACL user name.
    std::string password;  ///< Its password.
};

// Members have default initializers so that designated initializers such as
// {.tls = true} pass g++'s -Wmissing-field-initializers.
struct ServerOptions {
    /// Serve TLS only (tls-port; the plain port is disabled). Certificates are
    /// generated with openssl at start into the server's directory.
    bool tls = false;
    /// With tls: require clients to present a certificate signed by the test CA.
    bool tls_require_client_cert = false;
    /// Also listen on a unix socket in the server's directory.
    bool unix_socket = false;
    /// `requirepass` for the default user; empty for none.
    std::string requirepass{};
    /// An extra ACL user with full access (`on >password ~* &* +@all`).
    std::optional<AclUser> acl_user{};
    /// More `--name value` arguments for redis-server.
    std::vector<std::string> extra_args{};
};

class RedisServer {
  public:
    /// Starts the server and waits until it answers PING; throws
    /// std::runtime_error (with the server's log tail) if it does not.
    explicit RedisServer(ServerOptions options = {});
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    /// The port clients connect to (the TLS port when tls is on).
    std::uint16_t port() const noexcept;
    /// The unix socket path ("" unless unix_socket).
    const std::string& unix_path() const noexcept;
    /// The server's temporary directory (certificates live here too).
    const std::string& dir() const noexcept;
    /// CA certificate, client certificate and key (tls only).
    std::string ca_file() const;
    std::string client_cert_file() const;
    std::string client_key_file() const;

    /// A config that reaches this server over TCP (or TLS, verifying with the
    /// test CA, with the client certificate when required), with the given
    /// RESP version, authenticated as the default user if requirepass is set.
    net::ConnectionConfig config(int protocol = 3) const;

    /// Runs redis-cli against the server (for setup and checks outside the
    /// code under test) and returns its stdout without the trailing newline.
    std::string cli(const std::vector<std::string>& args) const;
    /// Like cli() but with the exit status and stderr too.
    ProcessResult cli_result(const std::vector<std::string>& args) const;
    /// The redis-cli arguments that reach this server (connection, TLS, auth),
    /// without the program name; for tests that run redis-cli themselves.
    std::vector<std::string> cli_connection_args() const;

    /// The server's process id, or -1 while stopped.
    pid_t pid() const noexcept;
    /// The server's log file.
    std::string log_file() const;

    /// Stops the server (SIGTERM, then SIGKILL after a grace period). Idempotent.
    void stop();
    /// Starts it again on the same port and directory.
    void start();

  private:
    struct State;
    State* state_;
};

/// A key unique to the running test and call: "<prefix>:<Suite.Test>:<n>".
std::string unique_key(std::string_view prefix = "rs");

}  // namespace redstream::test
