// What the tests of the examples (examples/*.cpp) share: the programs' paths
// (REDSTREAM_EXAMPLE_<NAME>, from tests/CMakeLists.txt), a redis-server per
// test, and helpers to fill and read streams with the library itself. Each
// test runs an example as a process and checks what it did to the server.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/redstream.hpp>

#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {

/// A bound for one run of an example: generous, so that a hang fails the
/// test with a message instead of running into the CTest timeout.
inline constexpr std::chrono::seconds example_timeout{30};

class ExampleTest : public ::testing::Test {
  protected:
    /// redis://127.0.0.1:PORT/STREAM.
    std::string url(std::string_view stream) const {
        return "redis://127.0.0.1:" + std::to_string(server_.port()) + "/" + std::string(stream);
    }

    /// Runs `program` with `args` to its end (at most example_timeout).
    static ProcessResult run(const char* program, std::vector<std::string> args) {
        args.insert(args.begin(), program);
        return run_process(args, example_timeout);
    }

    /// Appends `payloads` to `stream`; returns their ids.
    std::vector<MessageId> produce(std::string_view stream,
                                   const std::vector<std::string>& payloads) const {
        auto streamer = Streamer::connect(url(stream));
        auto producer = streamer.create_producer(StreamKey(stream));
        std::vector<SendFuture> sent;
        for (const auto& p : payloads)
            sent.push_back(producer.send(p));
        std::vector<MessageId> ids;
        for (auto& f : sent)
            ids.push_back(f.get().id);
        return ids;
    }

    /// Every entry of `stream`, oldest first.
    std::vector<Message> read_all(std::string_view stream) const {
        const auto length = std::stoull(server_.cli({"XLEN", std::string(stream)}));
        auto streamer = Streamer::connect(url(stream));
        ConsumerOptions options;
        options.auto_stream_reset = AutoStreamReset::earliest;
        auto consumer = streamer.create_consumer({StreamKey(stream)}, options);
        std::vector<Message> out;
        while (out.size() < length) {
            auto m = consumer.next_for(std::chrono::seconds(5));
            if (!m) throw std::runtime_error("reading " + std::string(stream) + " stalled");
            out.push_back(std::move(*m));
        }
        return out;
    }

    /// The payloads of every entry of `stream`, oldest first.
    std::vector<std::string> payloads(std::string_view stream) const {
        std::vector<std::string> out;
        for (const auto& m : read_all(stream))
            out.emplace_back(m.payload());
        return out;
    }

    /// Entries of `group` on `stream` delivered and not acked (XPENDING).
    std::uint64_t pending(std::string_view stream, std::string_view group) const {
        // The summary's first line is the count.
        const auto reply = server_.cli({"XPENDING", std::string(stream), std::string(group)});
        return std::stoull(reply.substr(0, reply.find('\n')));
    }

    /// Waits until some client is blocked in a read (a consumer waiting for
    /// entries: everything added from now on reaches it).
    bool a_reader_is_blocked() const {
        return eventually([this] {
            return server_.cli({"INFO", "clients"}).find("blocked_clients:0") == std::string::npos;
        });
    }

    RedisServer& server() { return server_; }

  private:
    RedisServer server_;
};

/// The lines of `text` (without their newlines).
inline std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        out.emplace_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

/// The lines of `lines` that start with `prefix`.
inline std::vector<std::string> starting_with(const std::vector<std::string>& lines,
                                              std::string_view prefix) {
    std::vector<std::string> out;
    for (const auto& l : lines)
        if (std::string_view(l).starts_with(prefix)) out.push_back(l);
    return out;
}

/// Reads the child's lines until end of file (it exited), at most example_timeout.
inline std::vector<std::string> read_to_end(PipedProcess& child) {
    const auto deadline = std::chrono::steady_clock::now() + example_timeout;
    std::vector<std::string> out;
    std::string line;
    while (child.read_line(line, deadline))
        out.push_back(line);
    return out;
}

}  // namespace redstream::test
