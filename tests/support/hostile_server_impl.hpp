// The scripted server's insides, shared by its two source files:
// hostile_server.cpp (scripts and observations, any thread) and
// hostile_server_io.cpp (the sockets, on the server's own thread).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/hostile_server.hpp"

namespace redstream::test {

using Clock = std::chrono::steady_clock;

/// An action queued on a connection, with its progress.
struct Outgoing {
    Action action;
    Clock::time_point due;                       // not started before
    std::uint64_t written = 0;                   // bytes of it written so far
    std::optional<Clock::time_point> started{};  // generate: when writing began
    std::string pattern{};                       // generate: `unit` repeated to a large write
};

struct Connection {
    int fd = -1;
    Session session;
    CommandReader reader;
    std::deque<Outgoing> out;
};

struct ScriptedServer::Impl {
    // Owned by the server thread once it runs.
    int listen_fd = -1;
    std::uint16_t port = 0;
    std::vector<std::unique_ptr<Connection>> connections;
    std::uint64_t sessions = 0;
    std::atomic<bool> stopping{false};
    std::thread thread;

    // Shared with the test's threads.
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::map<std::string, Handler, std::less<>> handlers;
    std::map<std::string, std::uint64_t, std::less<>> counts;
    std::uint64_t commands = 0;
    std::deque<std::string> log;
    std::uint64_t bytes_written = 0;
    std::uint64_t accepted = 0;
    std::uint64_t closed_by_client = 0;
    std::uint64_t open = 0;

    void listen();
    void run();
    void poll_once();
    void accept_all();
    void read_from(Connection& c);
    void handle(Connection& c, const Command& cmd);
    Action choose(const Command& cmd, const Session& session);
    void write_to(Connection& c);
    bool write_reply(Connection& c, Outgoing& o);
    bool write_generated(Connection& c, Outgoing& o);
    bool send_some(Connection& c, const char* data, std::size_t size, std::uint64_t& written);
    std::optional<Clock::time_point> wake_time(const Connection& c) const;
    void close(Connection& c, bool by_client, bool reset = false);
    void close_all();

    /// Waits until `done()` (called under the lock) or `timeout`.
    template <class Pred>
    bool wait(std::chrono::milliseconds timeout, Pred done) const {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, done);
    }
};

}  // namespace redstream::test
