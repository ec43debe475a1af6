// The connection handshake as a state machine without I/O: it says which
// command to send next and reads each reply, so every path (RESP3, fallback to
// RESP2, AUTH failures, SELECT errors, a server still loading) is unit-tested
// without a socket.
#pragma once

#include <chrono>
#include <string>
#include <system_error>

#include <redstream/resp/request.hpp>
#include <redstream/resp/value.hpp>

namespace redstream::net::detail {

struct HandshakeParams {
    int protocol = 3;         ///< 3 tries HELLO 3 first; 2 never sends HELLO.
    std::string username;     ///< Empty: the default user.
    std::string password;     ///< Empty: no AUTH.
    int db = 0;               ///< 0: no SELECT.
    std::string client_name;  ///< Empty: no SETNAME.
    bool readonly = false;    ///< READONLY: a cluster replica serves reads.
};

class HandshakeFsm {
  public:
    enum class Step { hello, auth, setname, select, readonly, ping, done };

    /// How long to wait before asking a loading server again.
    static constexpr std::chrono::milliseconds retry_delay{50};

    /// What the driver does next: send `out`; send `out` again after
    /// retry_delay (the server is still loading); the connection is ready;
    /// or it failed.
    struct Action {
        enum class Kind { send, retry, done, fail } kind = Kind::done;
        std::error_code ec;  ///< On fail.
        std::string detail;  ///< On fail: the server's text (it never contains the password).
    };

    explicit HandshakeFsm(const HandshakeParams& params) : params_(&params) {}

    /// Writes the first command into `out` (cleared first).
    Action start(resp::Request& out);
    /// Consumes the reply to the last command; may write the next one.
    Action on_reply(const resp::Value& reply, resp::Request& out);

    /// The negotiated RESP version (valid once done).
    int protocol() const noexcept { return protocol_; }
    Step step() const noexcept { return step_; }
    /// True while the server answers LOADING (for the timeout's message).
    bool loading() const noexcept { return loading_; }

  private:
    Action advance_from(Step step, resp::Request& out);
    Action fail(const resp::Value& reply) const;
    Action sent();

    const HandshakeParams* params_;
    Step step_ = Step::hello;
    bool loading_ = false;
    int protocol_ = 2;
};

}  // namespace redstream::net::detail
