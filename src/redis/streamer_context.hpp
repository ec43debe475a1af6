// What producers and consumers share with the Streamer that made them: the
// executor, the settings, the producers' connection, and the I/O threads
// when the Streamer owns them.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/system_executor.hpp>

#include <redstream/cluster/router.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/streamer.hpp>

namespace redstream::detail {

struct StreamerContext {
    /// The Streamer's own io_context, if it has one. First, so it is destroyed
    /// last: everything below may own I/O objects of it.
    std::shared_ptr<asio::io_context> own_io;
    /// Where every actor of this Streamer runs.
    asio::any_io_executor executor;
    /// Settings, with the URL applied to options.connection.
    ConnectOptions options;
    /// Streams named in the URL path.
    std::vector<StreamKey> url_streams;
    /// Everything but consumers' blocking reads goes through it: standalone,
    /// one connection (the producers', and the consumers' side traffic);
    /// cluster, one per node.
    std::shared_ptr<cluster::Router> router;

    /// Registers an actor for as long as it lives: what disconnect() does
    /// to it (producers flush and close, consumers end), and how it adds
    /// itself to Streamer::stats(). Thread-safe; drops the entries of actors
    /// already gone, so the list stays as long as the number of live actors.
    void add_actor(std::weak_ptr<void> actor, std::function<void()> end,
                   std::function<void(StreamerStats&)> report);
    /// Runs and forgets every registered end(); for disconnect().
    void end_actors();
    /// Every live actor's report, in the order they were registered.
    void report_actors(StreamerStats& out);

    /// True once disconnect() began: actors take no new work, and every
    /// operation completes with shutting_down at once instead of waiting on
    /// a strand whose threads may be gone.
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    void mark_closed() noexcept { closed_.store(true, std::memory_order_release); }
    /// The Streamer's own I/O threads are joined: nothing runs on `executor`
    /// any more.
    void mark_io_stopped() noexcept { io_stopped_.store(true, std::memory_order_release); }
    /// Where a completion handler without an executor of its own runs: the
    /// Streamer's executor, or — once its own threads are gone — the system
    /// executor, so that a handler given after disconnect() still runs.
    asio::any_io_executor fallback_executor() const {
        if (io_stopped_.load(std::memory_order_acquire)) return asio::system_executor();
        return executor;
    }

    ~StreamerContext();

  private:
    struct Actor {
        std::weak_ptr<void> alive;
        std::function<void()> end;
        std::function<void(StreamerStats&)> report;
    };
    std::mutex actors_mutex_;
    std::vector<Actor> actors_;
    std::atomic<bool> closed_{false};
    std::atomic<bool> io_stopped_{false};
};

/// The I/O threads of a Streamer that owns its io_context. Only the Streamer
/// holds it — never the actors — so the threads are joined from a user
/// thread, not from an I/O thread. It does not stop the io_context: the
/// Streamer closes every connection first, and run() returns once the last
/// handler has run, so nothing is left queued to be destroyed out of order.
struct IoRunner {
    IoRunner(std::shared_ptr<asio::io_context> io, std::size_t threads);
    ~IoRunner();

    std::shared_ptr<asio::io_context> io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::vector<std::thread> threads;
};

/// Runs `req` through the router and waits; for sync calls made outside the
/// I/O threads. shutting_down at once once the Streamer is closed.
std::error_code wait_exec(const StreamerContext& ctx, const resp::Request& req,
                          net::Response& resp);

}  // namespace redstream::detail
