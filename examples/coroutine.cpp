// coroutine: the async API with C++20 coroutines (asio::use_awaitable). One
// coroutine sends `ping N` every interval with async_send() and awaits each
// receipt; another awaits the messages with async_next() and prints them: a
// round trip through the stream. SIGINT or SIGTERM cancels both.
//
//   redstream-example-coroutine --stream redis://localhost:6379/pings
//                               [--interval 1s] [--count N]
//
// Prints `sent ID ping N` for each receipt and `received ID ping N` for each
// message. callback.cpp does the same with completion callbacks.
//
// Asio 1.22 supports coroutines with g++, not with clang 14 and libstdc++
// (ASIO_HAS_CO_AWAIT stays undefined there): built with clang, this example
// only says so.
#include <asio/detail/config.hpp>  // defines ASIO_HAS_CO_AWAIT

#if defined(ASIO_HAS_CO_AWAIT)

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <redstream/redstream.hpp>

#include "args.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-coroutine --stream redis://HOST:PORT/STREAM [--interval 1s] "
    "[--count N]\n"
    "Sends `ping N` every --interval and prints it back as it arrives (coroutines).\n";

struct Settings {
    rs::StreamKey stream;
    std::optional<std::uint64_t> count;
    std::chrono::milliseconds interval{0};
};

asio::awaitable<void> send_pings(rs::Producer& producer, Settings settings) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (std::uint64_t n = 0; !settings.count || n < *settings.count; ++n) {
        const std::string payload = "ping " + std::to_string(n);
        // Resumes once the server stored the entry; throws if the send failed.
        const rs::Receipt receipt =
            co_await producer.async_send(settings.stream, payload, asio::use_awaitable);
        std::printf("sent %s %s\n", receipt.id.to_string().c_str(), payload.c_str());
        timer.expires_after(settings.interval);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> receive(rs::Consumer& consumer, std::optional<std::uint64_t> count) {
    for (std::uint64_t n = 0; !count || n < *count; ++n) {
        // Waits without blocking a thread; cancelled (errc::cancelled) when
        // the session below ends on a signal.
        const rs::Message m = co_await consumer.async_next(asio::use_awaitable);
        example::print_message(m, "received");
    }
}

// Both loops run together; a signal ends the session, and the operators
// cancel whatever the loops are waiting for.
asio::awaitable<void> session(rs::Producer& producer, rs::Consumer& consumer, Settings settings) {
    using namespace asio::experimental::awaitable_operators;
    asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
    co_await ((send_pings(producer, settings) && receive(consumer, settings.count)) ||
              signals.async_wait(asio::use_awaitable));
}

}  // namespace

int main(int argc, char** argv) {
    return example::run("coroutine", [&] {
        const example::Args args(argc, argv, usage, {"--stream", "--interval", "--count"});
        const auto url = args.stream_url("--stream");
        const auto interval = args.duration("--interval", std::chrono::seconds(1));
        const auto count = args.count("--count");

        auto streamer = rs::Streamer::connect(url);
        const Settings settings{streamer.streams().front(), count, interval};
        // Made (synchronously) before the first ping: with `latest`, a
        // consumer gets everything added after create_consumer() returned.
        rs::ConsumerOptions options;
        options.auto_stream_reset = rs::AutoStreamReset::latest;
        auto consumer = streamer.create_consumer({settings.stream}, options);
        auto producer = streamer.create_producer(settings.stream);

        // The coroutines run on the Streamer's I/O thread (one thread by
        // default, so they never run at the same time); main() waits for
        // the session to end, and get() rethrows what ended it.
        asio::co_spawn(streamer.get_executor(), session(producer, consumer, settings),
                       asio::use_future)
            .get();
        consumer.end();
        producer.end();
        return 0;
    });
}

#else  // no coroutine support in this Asio and compiler

#include <cstdio>

int main() {
    std::fprintf(stderr, "coroutine: this build has no Asio coroutines (build it with g++)\n");
    return 1;
}

#endif
