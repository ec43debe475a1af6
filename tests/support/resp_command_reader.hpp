// Reads the commands a RESP client sends (arrays of bulk strings, as every
// client library writes them) out of the bytes a server receives, for the
// scripted servers of the tests. Sans-I/O: bytes in, commands out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redstream::test {

/// One command as the client sent it.
struct Command {
    /// The arguments, the command's name first, byte for byte.
    std::vector<std::string> args;

    /// The name, upper-cased ("" for an empty array).
    std::string name() const;
    /// Argument `i` upper-cased, or "" past the end (for subcommands and options).
    std::string upper(std::size_t i) const;
};

class CommandReader {
  public:
    static constexpr std::size_t default_max_command_bytes = 64 * 1024 * 1024;

    /// A command bigger than `max_command_bytes` is malformed input, so that
    /// a broken client cannot make the test's server grow without bound.
    explicit CommandReader(std::size_t max_command_bytes = default_max_command_bytes)
        : max_bytes_(max_command_bytes) {}

    void feed(std::string_view bytes);

    /// The next complete command; nullopt when more bytes are needed or the
    /// input is malformed (then failed() is true and stays true).
    std::optional<Command> next();
    bool failed() const noexcept { return failed_; }

  private:
    std::optional<std::size_t> read_header(std::size_t& pos, char type);
    std::optional<Command> fail();

    std::size_t max_bytes_;
    std::string buffer_;
    std::size_t start_ = 0;  // where the next command begins in buffer_
    bool failed_ = false;
};

}  // namespace redstream::test
