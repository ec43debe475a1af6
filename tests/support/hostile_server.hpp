// A scripted RESP server for protocol-abuse tests. It listens on a free
// loopback port and answers each command by the test's script: any bytes
// (valid RESP or not), a generated stream of bytes at a bounded rate, no
// answer at all, a close or a reset. Commands without a script get what a
// real Redis 7 would answer, enough for redstream's handshake (RESP3 and
// RESP2), its producers and its real-time consumers.
//
// It runs on its own thread (POSIX sockets and poll), records what it sees
// (commands by name, bytes written, connections the client closed) with
// deadline-bounded waits for each, keeps its own memory bounded (generated
// bytes are never buffered), and always stops and closes every socket in its
// destructor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/net/config.hpp>

#include "support/resp_command_reader.hpp"

namespace redstream::test {

/// What the server does with one command. Each connection acts in the order
/// its commands arrived: an action waits until the ones before it are done.
struct Action {
    enum class Kind {
        reply,     ///< Write `bytes` as they are.
        generate,  ///< Write `bytes`, then `unit` over and over, `limit` bytes in all.
        silence,   ///< Never answer this command, nor any later one on the connection.
        close,     ///< Close the connection (FIN) once the earlier actions are done.
        reset,     ///< Reset the connection (RST) once the earlier actions are done.
    };
    static constexpr std::uint64_t default_rate = 64 * 1024 * 1024;
    /// A `limit` that is never reached: the reply never ends.
    static constexpr std::uint64_t forever = ~std::uint64_t{0};

    /// What to do.
    Kind kind = Kind::reply;
    /// reply: the bytes written; generate: the header written first.
    std::string bytes{};
    /// generate: the bytes repeated after the header (not empty).
    std::string unit{};
    /// generate: most bytes written in all, header included; then it is
    /// silent (the reply stays incomplete, later replies never come).
    std::uint64_t limit = 0;
    /// generate: most bytes written per second.
    std::uint64_t rate = default_rate;
    /// How long after the command arrived the action starts (at the earliest).
    std::chrono::milliseconds delay{0};

    static Action reply(std::string bytes);
    /// A simple error reply: "-<text>\r\n".
    static Action error(std::string_view text);
    static Action generate(std::string header, std::string unit, std::uint64_t limit,
                           std::uint64_t rate = default_rate);
    static Action silence();
    static Action close();
    static Action reset();
    /// This action, started `d` after its command arrived.
    Action after(std::chrono::milliseconds d) &&;
};

/// An array that declares 16,000,000 elements, then `:1` elements: `limit`
/// bytes in all, at most `rate` per second.
Action endless_array(std::uint64_t limit, std::uint64_t rate = Action::default_rate);
/// A bulk string that declares 512 MiB, then its bytes: `limit` bytes in all.
Action endless_bulk(std::uint64_t limit, std::uint64_t rate = Action::default_rate);
/// Bytes that are not RESP (an unknown type byte).
Action garbage();

/// The connection a command arrived on, and the command's place.
struct Session {
    /// 1 for the first connection accepted, 2 for the next, ...
    std::uint64_t id = 0;
    /// When the connection was accepted.
    std::chrono::steady_clock::time_point accepted{};
    /// The RESP version HELLO switched the connection to (2 until then).
    int protocol = 2;
    /// The command's number on this server (1 for the first received).
    std::uint64_t serial = 0;

    /// Time since the connection was accepted.
    std::chrono::milliseconds age() const;
};

/// Chooses the action for a command; nullopt leaves it to the next handler
/// in line (the one for its name, then the Redis-like default).
using Handler = std::function<std::optional<Action>(const Command&, const Session&)>;

/// What a real Redis 7 answers to `cmd` on an empty database: HELLO (a
/// RESP3 map or RESP2 array; NOPROTO for other versions), PING, AUTH,
/// CLIENT, SELECT, XADD (ids 1-<serial>), XRANGE / XREVRANGE (empty), SCAN
/// (no keys), XREAD (null once its BLOCK time has passed); an "unknown
/// command" error for anything else.
Action redis_default(const Command& cmd, const Session& session);

class ScriptedServer {
  public:
    using Duration = std::chrono::milliseconds;

    /// Listens on a free loopback port and starts serving. Throws
    /// std::system_error if it cannot.
    ScriptedServer();
    /// Stops the thread and closes every socket.
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::uint16_t port() const noexcept;
    /// "redis://127.0.0.1:<port>".
    std::string url() const;
    /// A config that reaches this server with the given RESP version.
    net::ConnectionConfig config(int protocol = 3) const;

    /// Sets the handler of the commands named `name` (any case), replacing an
    /// earlier one; "*" is asked first for every command. Thread-safe;
    /// handlers run on the server's thread.
    void on(std::string_view name, Handler handler);
    /// Always `action` for the commands named `name`.
    void on(std::string_view name, Action action);

    /// Commands received with this name (any case; "*": all of them).
    std::uint64_t count(std::string_view name) const;
    /// The names of the last commands received (at most 1024), oldest first.
    std::vector<std::string> received() const;
    /// Bytes written to clients, over all connections.
    std::uint64_t bytes_written() const;
    /// Connections accepted.
    std::uint64_t accepted() const;
    /// Connections the client closed or reset (not those the server closed).
    std::uint64_t closed_by_client() const;
    /// Connections open now.
    std::uint64_t open_connections() const;

    /// Each waits until the count reaches `n`: true if it did within `timeout`.
    bool wait_for_count(std::string_view name, std::uint64_t n, Duration timeout) const;
    bool wait_for_bytes_written(std::uint64_t n, Duration timeout) const;
    bool wait_for_accepted(std::uint64_t n, Duration timeout) const;
    bool wait_for_closed_by_client(std::uint64_t n, Duration timeout) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace redstream::test
