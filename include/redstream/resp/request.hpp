// The RESP serializer: commands are written as arrays of bulk strings straight
// into one output buffer, without building intermediate strings. A Request
// may hold many commands; they are sent in one write and their replies come
// back in order.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <redstream/core/message_id.hpp>

namespace redstream::resp {

class Request;

/// Appends one command whose argument count is not known up front. The array
/// header is written when the builder finishes (on `finish()` or destruction).
class CommandBuilder {
  public:
    /// Starts a command in `req` whose first argument is `name`.
    CommandBuilder(Request& req, std::string_view name);
    CommandBuilder(const CommandBuilder&) = delete;
    CommandBuilder& operator=(const CommandBuilder&) = delete;
    ~CommandBuilder() { finish(); }

    CommandBuilder& arg(std::string_view s);
    CommandBuilder& arg(const char* s) { return arg(std::string_view(s)); }
    CommandBuilder& arg(const std::string& s) { return arg(std::string_view(s)); }
    CommandBuilder& arg(std::int64_t v);
    CommandBuilder& arg(std::uint64_t v);
    CommandBuilder& arg(int v) { return arg(static_cast<std::int64_t>(v)); }
    CommandBuilder& arg(unsigned v) { return arg(static_cast<std::uint64_t>(v)); }
    CommandBuilder& arg(long long v) { return arg(static_cast<std::int64_t>(v)); }
    CommandBuilder& arg(unsigned long long v) { return arg(static_cast<std::uint64_t>(v)); }
    CommandBuilder& arg(double v);
    CommandBuilder& arg(const MessageId& id);
    /// Writes the header; further args are a bug. Idempotent.
    void finish();

  private:
    Request* req_;
    std::size_t start_;  // where this command's arguments begin in the buffer
    std::size_t argc_ = 0;
    bool done_ = false;
};

class Request {
  public:
    /// Options that travel with the request through the connection.
    struct Config {
        /// Fail the request if the connection is not up, instead of waiting for it.
        bool fail_if_not_connected = false;
    };

    Request() = default;
    explicit Request(Config cfg) : config_(cfg) {}

    /// Appends one command with a fixed argument list (strings, integers, ids).
    template <class... Args>
    void push(std::string_view command, const Args&... args) {
        CommandBuilder b(*this, command);
        (b.arg(args), ...);
    }

    /// Starts a command with a variable argument list.
    CommandBuilder command(std::string_view name) { return CommandBuilder(*this, name); }

    /// The serialized bytes of every command so far.
    std::string_view payload() const noexcept { return buffer_; }
    /// Number of complete commands (= replies expected).
    std::size_t commands() const noexcept { return commands_; }
    bool empty() const noexcept { return commands_ == 0; }
    void clear() noexcept {
        buffer_.clear();
        commands_ = 0;
    }
    void reserve(std::size_t bytes) { buffer_.reserve(bytes); }
    /// Appends every command of `other` (already serialized: a byte copy).
    void append(const Request& other) {
        buffer_.append(other.buffer_);
        commands_ += other.commands_;
    }

    const Config& config() const noexcept { return config_; }
    Config& config() noexcept { return config_; }

  private:
    friend class CommandBuilder;
    std::string buffer_;
    std::size_t commands_ = 0;
    Config config_{};
};

}  // namespace redstream::resp
