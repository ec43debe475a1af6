#include <redstream/core/error.hpp>

#include <array>
#include <utility>

namespace redstream {
namespace {

const char* message_of(errc e) noexcept {
    switch (e) {
        case errc::not_connected:
            return "not connected";
        case errc::connection_lost:
            return "connection lost while the request was in flight";
        case errc::connect_failed:
            return "could not connect to the server";
        case errc::tls_failed:
            return "TLS handshake or certificate verification failed";
        case errc::timeout:
            return "operation timed out";
        case errc::cancelled:
            return "operation cancelled";
        case errc::shutting_down:
            return "client is shutting down";
        case errc::protocol_error:
            return "RESP protocol error";
        case errc::invalid_type_byte:
            return "RESP protocol error: unknown type byte";
        case errc::invalid_length:
            return "RESP protocol error: malformed or negative length";
        case errc::missing_crlf:
            return "RESP protocol error: missing CRLF";
        case errc::invalid_number:
            return "RESP protocol error: malformed number";
        case errc::nesting_too_deep:
            return "RESP protocol error: reply nests too deep";
        case errc::aggregate_too_large:
            return "RESP protocol error: aggregate too large";
        case errc::bulk_too_large:
            return "RESP protocol error: bulk string too large";
        case errc::reply_too_large:
            return "reply exceeds ReaderLimits::max_reply_bytes";
        case errc::unexpected_reply:
            return "unexpected reply shape for this command";
        case errc::server_error:
            return "server error";
        case errc::wrongtype:
            return "WRONGTYPE: key holds the wrong kind of value";
        case errc::nogroup:
            return "NOGROUP: no such key or consumer group";
        case errc::busygroup:
            return "BUSYGROUP: consumer group already exists";
        case errc::readonly:
            return "READONLY: cannot write against a replica";
        case errc::loading:
            return "LOADING: server is loading its dataset";
        case errc::busy:
            return "BUSY: server is running a script";
        case errc::oom:
            return "OOM: server is out of memory";
        case errc::noauth:
            return "NOAUTH: authentication required";
        case errc::wrongpass:
            return "WRONGPASS: invalid username or password";
        case errc::noperm:
            return "NOPERM: user lacks permission";
        case errc::moved:
            return "MOVED: slot served by another node";
        case errc::ask:
            return "ASK: slot migrating to another node";
        case errc::tryagain:
            return "TRYAGAIN: slot migrating, try again";
        case errc::clusterdown:
            return "CLUSTERDOWN: cluster cannot serve the slot";
        case errc::masterdown:
            return "MASTERDOWN: replica lost its master";
        case errc::noproto:
            return "NOPROTO: protocol version not supported";
        case errc::crossslot:
            return "CROSSSLOT: a command's keys are in different hash slots of the cluster";
        case errc::not_replicated:
            return "not replicated: fewer replicas than asked confirmed the write in time";
        case errc::invalid_argument:
            return "invalid argument";
        case errc::invalid_url:
            return "invalid connection URL";
        case errc::queue_full:
            return "queue full";
    }
    return "unknown redstream error";
}

bool in_condition(errc e, condition c) noexcept {
    switch (c) {
        case condition::retryable:
            return e == errc::not_connected || e == errc::connection_lost ||
                   e == errc::connect_failed || e == errc::timeout || e == errc::readonly ||
                   e == errc::loading || e == errc::busy || e == errc::tryagain ||
                   e == errc::clusterdown || e == errc::masterdown || e == errc::moved ||
                   e == errc::ask || e == errc::oom;
        case condition::redirect:
            return e == errc::moved || e == errc::ask;
        case condition::timeout:
            return e == errc::timeout;
        case condition::auth:
            return e == errc::noauth || e == errc::wrongpass || e == errc::noperm;
        case condition::protocol:
            return e >= errc::protocol_error && e <= errc::unexpected_reply;
        case condition::fatal:
            // A write WAIT did not see replicated is stored: neither to send again
            // nor a mistake of the user's.
            return !in_condition(e, condition::retryable) && e != errc::cancelled &&
                   e != errc::not_replicated;
    }
    return false;
}

class ErrorCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "redstream"; }
    std::string message(int ev) const override { return message_of(static_cast<errc>(ev)); }
    bool equivalent(int code, const std::error_condition& cond) const noexcept override {
        if (cond.category() != condition_category()) return false;
        return in_condition(static_cast<errc>(code), static_cast<condition>(cond.value()));
    }
};

class ConditionCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "redstream.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
            case condition::retryable:
                return "retryable";
            case condition::redirect:
                return "redirect";
            case condition::timeout:
                return "timeout";
            case condition::auth:
                return "authentication or authorisation";
            case condition::protocol:
                return "protocol";
            case condition::fatal:
                return "fatal";
        }
        return "unknown condition";
    }
    bool equivalent(const std::error_code& ec, int cond) const noexcept override {
        if (!ec) return false;  // success is in no condition (system_category's 0 included)
        if (ec.category() == redstream::error_category())
            return in_condition(static_cast<errc>(ec.value()), static_cast<condition>(cond));
        // Socket-level failures (reset, refused, eof, ...) are worth retrying.
        if (static_cast<condition>(cond) == condition::retryable)
            return ec.category() == std::system_category() ||
                   ec.category() == std::generic_category();
        if (static_cast<condition>(cond) == condition::timeout) return ec == std::errc::timed_out;
        return false;
    }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const ErrorCategory instance;
    return instance;
}

const std::error_category& condition_category() noexcept {
    static const ConditionCategory instance;
    return instance;
}

std::string detail::error_text(std::error_code ec, std::string_view detail) {
    std::string text(detail);
    if (!text.empty()) text += ": ";
    text += ec.message();
    return text;
}

errc server_error_code(std::string_view text) noexcept {
    static constexpr std::array<std::pair<std::string_view, errc>, 18> prefixes{{
        {"WRONGTYPE", errc::wrongtype},
        {"NOGROUP", errc::nogroup},
        {"BUSYGROUP", errc::busygroup},
        {"READONLY", errc::readonly},
        {"LOADING", errc::loading},
        {"BUSY", errc::busy},
        {"OOM", errc::oom},
        {"NOAUTH", errc::noauth},
        {"WRONGPASS", errc::wrongpass},
        {"NOPERM", errc::noperm},
        {"MOVED", errc::moved},
        {"ASK", errc::ask},
        {"TRYAGAIN", errc::tryagain},
        {"CLUSTERDOWN", errc::clusterdown},
        {"MASTERDOWN", errc::masterdown},
        {"NOPROTO", errc::noproto},
        {"CROSSSLOT", errc::crossslot},
        {"NOSCRIPT", errc::server_error},
    }};
    const auto word = text.substr(0, text.find(' '));
    for (const auto& [prefix, code] : prefixes)
        if (word == prefix) return code;
    return errc::server_error;
}

}  // namespace redstream
