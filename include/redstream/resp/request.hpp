// The RESP serializer: commands are written as arrays of bulk strings straight
// into one output buffer, without building intermediate strings. A Request
// may hold many commands; they are sent in one write and their replies come
// back in order. Each key argument's hash slot is recorded as it is written,
// so that a cluster router knows where the request must go.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <redstream/core/message_id.hpp>
#include <redstream/resp/buffer.hpp>

namespace redstream::resp {

class Request;

/// Bytes one bulk string argument of `size` bytes takes: `$<size>\r\n...\r\n`.
std::size_t bulk_size(std::size_t size) noexcept;
/// Bytes the array header of a command with `argc` arguments takes.
std::size_t header_size(std::size_t argc) noexcept;

/// Appends one command. With the argument count given up front, the array
/// header is written first and the command grows in place; without it, the
/// header is inserted in front of the arguments when the builder finishes
/// (on `finish()` or destruction), which moves them once.
class CommandBuilder {
  public:
    /// Starts a command in `req` whose first argument is `name`.
    CommandBuilder(Request& req, std::string_view name);
    /// Starts a command of exactly `argc` arguments, `name` included.
    CommandBuilder(Request& req, std::string_view name, std::size_t argc);
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
    /// An argument whose bytes are not copied: they go to the socket from
    /// where they are, so they must stay valid and unchanged until the
    /// request is written (the caller holds them, e.g. with the request's
    /// owner). Worth it for large values only: each is a piece of its own in
    /// the write.
    CommandBuilder& arg_by_reference(std::string_view s);
    /// An argument that is a key: also records its hash slot in the request.
    CommandBuilder& key(std::string_view k);
    /// A key written as `prefix` `:` `n` (a shard's key) without building it
    /// first; its slot is recorded like key()'s.
    CommandBuilder& shard_key(std::string_view prefix, std::uint64_t n);
    /// key() and shard_key() for a caller that knows the key's slot already (it writes the
    /// same key over and over), so it is not hashed again.
    CommandBuilder& key_in_slot(std::string_view k, std::uint16_t known_slot);
    CommandBuilder& shard_key_in_slot(std::string_view prefix, std::uint64_t n,
                                      std::uint16_t known_slot);
    /// Writes the header; further args are a bug. Idempotent.
    void finish();

  private:
    void record_slot(std::uint16_t slot) noexcept;

    Request* req_;
    std::size_t start_;  // where this command's arguments begin in the buffer
    std::size_t argc_ = 0;
    std::size_t declared_ = 0;  // argc given up front (header written), or 0
    int slot_ = -1;             // the slot of this command's keys so far
    bool done_ = false;
};

class Request {
  public:
    /// Options that travel with the request through the connection.
    struct Config {
        /// Fail the request if the connection is not up, instead of waiting for it.
        bool fail_if_not_connected = false;
    };

    /// slot() of a request without keys.
    static constexpr int no_slot = -1;

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
    /// Starts a command of exactly `argc` arguments (`name` included).
    CommandBuilder command(std::string_view name, std::size_t argc) {
        return CommandBuilder(*this, name, argc);
    }

    /// The serialized bytes of every command so far. Only for a request
    /// without by-reference arguments (see for_each_piece()).
    std::string_view payload() const noexcept { return buffer_.view(); }
    /// Calls `f(std::string_view)` for each contiguous piece of the request's
    /// bytes, in order: its own buffer, cut where by-reference arguments go.
    template <class F>
    void for_each_piece(F&& f) const {
        std::size_t from = 0;
        for (const auto& e : references_) {
            if (e.at > from) f(buffer_.view().substr(from, e.at - from));
            if (!e.bytes.empty()) f(e.bytes);
            from = e.at;
        }
        if (buffer_.size() > from) f(buffer_.view().substr(from));
    }
    /// It has arguments written by reference.
    bool has_references() const noexcept { return !references_.empty(); }
    /// Number of complete commands (= replies expected).
    std::size_t commands() const noexcept { return commands_; }
    bool empty() const noexcept { return commands_ == 0; }
    /// Bytes serialized so far, by-reference arguments included.
    std::size_t size() const noexcept { return buffer_.size() + referenced_bytes_; }
    /// Bytes its own buffer has room for (by-reference arguments are not in it).
    std::size_t capacity() const noexcept { return buffer_.capacity(); }
    /// Forgets the commands; keeps the buffer's capacity for the next ones.
    void clear() noexcept {
        buffer_.clear();
        references_.clear();
        spans_.clear();
        referenced_bytes_ = 0;
        commands_ = 0;
        slot_ = no_slot;
        multi_slot_ = false;
        cross_slot_ = false;
    }
    /// Appends every command of `other` (already serialized: a byte copy;
    /// its by-reference arguments stay references).
    void append(const Request& other);

    /// The hash slot every key of this request is in, or no_slot if it has
    /// no keys. Meaningless when multi_slot().
    int slot() const noexcept { return slot_; }
    /// Its commands address keys in different slots: a cluster router must
    /// split it by slot before sending.
    bool multi_slot() const noexcept { return multi_slot_; }
    /// One of its commands has keys in different slots, which a cluster
    /// refuses (CROSSSLOT): it cannot be split, so it must not be sent there.
    bool cross_slot() const noexcept { return cross_slot_; }

    /// The hash slot of command `i`'s keys, or no_slot if it has none (or,
    /// when it spans slots, the first one's). `i` < commands().
    int command_slot(std::size_t i) const noexcept { return spans_[i].slot; }
    /// Appends command `i` of `other` (a byte copy, its by-reference
    /// arguments staying references): how a cluster router splits a request
    /// by node and re-sends one command a MOVED names.
    void append_command(const Request& other, std::size_t i);

    const Config& config() const noexcept { return config_; }
    Config& config() noexcept { return config_; }

  private:
    friend class CommandBuilder;
    // Where a command's bytes begin in buffer_, and its slot.
    struct Span {
        std::size_t at;
        int slot;
    };
    void add_slot(int slot) noexcept;
    // A by-reference argument's bytes, spliced in before buffer_[at].
    struct Reference {
        std::size_t at;
        std::string_view bytes;
    };
    detail::Buffer buffer_;
    std::vector<Reference> references_;
    std::vector<Span> spans_;  // one per command
    std::size_t referenced_bytes_ = 0;
    std::size_t commands_ = 0;
    int slot_ = no_slot;
    bool multi_slot_ = false;
    bool cross_slot_ = false;
    Config config_{};
};

}  // namespace redstream::resp
