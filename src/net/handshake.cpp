#include <redstream/net/detail/handshake.hpp>

#include <redstream/core/error.hpp>

namespace redstream::net::detail {
namespace {

// Servers older than 6.0 do not know HELLO; 6.0+ answer NOPROTO when they
// cannot speak the version. Either way the connection carries on in RESP2.
bool hello_unsupported(const resp::Value& reply) {
    const auto text = reply.str();
    return text.starts_with("NOPROTO") || text.find("unknown command") != std::string_view::npos;
}

}  // namespace

HandshakeFsm::Action HandshakeFsm::sent() {
    return {Action::Kind::send, {}, {}};
}

HandshakeFsm::Action HandshakeFsm::start(resp::Request& out) {
    return advance_from(params_->protocol >= 3 ? Step::hello : Step::auth, out);
}

// Finds the first step at or after `step` that has work to do and writes it.
HandshakeFsm::Action HandshakeFsm::advance_from(Step step, resp::Request& out) {
    out.clear();
    for (step_ = step; step_ != Step::done;
         step_ = static_cast<Step>(static_cast<int>(step_) + 1)) {
        switch (step_) {
            case Step::hello: {
                auto cmd = out.command("HELLO");
                cmd.arg(3);
                if (!params_->password.empty()) {
                    cmd.arg("AUTH");
                    cmd.arg(params_->username.empty() ? std::string_view("default")
                                                      : std::string_view(params_->username));
                    cmd.arg(params_->password);
                }
                if (!params_->client_name.empty()) cmd.arg("SETNAME").arg(params_->client_name);
                return sent();
            }
            case Step::auth:
                if (params_->password.empty()) break;
                if (params_->username.empty())
                    out.push("AUTH", params_->password);
                else
                    out.push("AUTH", params_->username, params_->password);
                return sent();
            case Step::setname:
                if (params_->client_name.empty()) break;
                out.push("CLIENT", "SETNAME", params_->client_name);
                return sent();
            case Step::select:
                if (params_->db == 0) break;
                out.push("SELECT", params_->db);
                return sent();
            case Step::readonly:
                if (!params_->readonly) break;
                out.push("READONLY");
                return sent();
            case Step::ping:
                // Always last: HELLO, AUTH and SELECT are answered while the
                // server still loads its data, PING is not (LOADING). Ready
                // means the server serves commands, not just that it listens.
                out.push("PING");
                return sent();
            case Step::done:
                break;
        }
    }
    return {Action::Kind::done, {}, {}};
}

HandshakeFsm::Action HandshakeFsm::fail(const resp::Value& reply) const {
    auto ec = resp::error_of(reply);
    if (!ec) ec = make_error_code(errc::unexpected_reply);
    return {Action::Kind::fail, ec, std::string(reply.str())};
}

HandshakeFsm::Action HandshakeFsm::on_reply(const resp::Value& reply, resp::Request& out) {
    switch (step_) {
        case Step::hello:
            if (reply.is_error()) {
                if (!hello_unsupported(reply)) return fail(reply);
                protocol_ = 2;
                return advance_from(Step::auth, out);
            }
            if (reply.type() != resp::Type::map) return fail(reply);
            protocol_ = 3;
            // HELLO already authenticated and named the connection.
            return advance_from(Step::select, out);
        case Step::ping:
            loading_ = reply.is_error() && resp::error_of(reply) == errc::loading;
            if (loading_) return {Action::Kind::retry, {}, {}};  // `out` still holds the PING
            [[fallthrough]];
        case Step::auth:
        case Step::setname:
        case Step::select:
        case Step::readonly:
            if (reply.is_error()) return fail(reply);
            return advance_from(static_cast<Step>(static_cast<int>(step_) + 1), out);
        case Step::done:
            break;
    }
    return {Action::Kind::fail, make_error_code(errc::unexpected_reply), "reply after handshake"};
}

}  // namespace redstream::net::detail
