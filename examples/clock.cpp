// clock: a producer that sends a tick every interval: payloads `tick 0`,
// `tick 1`, ... to the stream named in the URL. It prints each tick's id once
// the server has stored it.
//
//   redstream-example-clock --stream redis://localhost:6379/clock [--interval 1s] [--count N]
//
// Watch the ticks with the consumer example:
//   redstream-example-consumer --stream redis://localhost:6379/clock
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <redstream/redstream.hpp>

#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-clock --stream redis://HOST:PORT/STREAM [--interval 1s] "
    "[--count N]\n"
    "Sends `tick N` every --interval (default 1s), --count times (default: until SIGINT).\n";

}  // namespace

int main(int argc, char** argv) {
    return example::run("clock", [&] {
        const example::Args args(argc, argv, usage, {"--stream", "--interval", "--count"});
        const auto url = args.stream_url("--stream");
        const auto interval = args.duration("--interval", std::chrono::seconds(1));
        const auto count = args.count("--count");
        example::stop_on_signals();

        // The URL's path names the stream; the Streamer keeps it in streams().
        auto streamer = rs::Streamer::connect(url);
        auto producer = streamer.create_producer(streamer.streams().front());

        auto next_tick = std::chrono::steady_clock::now();
        for (std::uint64_t n = 0; (!count || n < *count) && !example::stop_requested(); ++n) {
            const std::string payload = "tick " + std::to_string(n);
            // send() never waits for the network; get() waits for the id the
            // server gave the entry. A clock has the time to wait for each
            // receipt; a fast producer keeps the futures and looks at them
            // later (see processor.cpp), so that sends are pipelined.
            const rs::Receipt receipt = producer.send(payload).get();
            std::printf("%s %s\n", receipt.id.to_string().c_str(), payload.c_str());
            next_tick += interval;
            example::sleep_until(next_tick);
        }
        // Nothing is left unconfirmed here, but end() is how a producer says
        // goodbye: it flushes whatever is still in flight.
        producer.end();
        return 0;
    });
}
