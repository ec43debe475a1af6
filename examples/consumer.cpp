// consumer: a real-time consumer that prints every message of the streams
// named in the URL as `id payload`. Real-time (XREAD) means no group: every
// consumer sees every message, and nothing is acknowledged.
//
//   redstream-example-consumer --stream redis://localhost:6379/clock
//                              [--from beginning|end] [--count N]
//
// --from end (the default) prints only what is added after it started;
// --from beginning prints the stream's history first.
#include <cstdint>

#include <redstream/redstream.hpp>

#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-consumer --stream redis://HOST:PORT/STREAM[,STREAM...] "
    "[--from beginning|end] [--count N]\n"
    "Prints each message as `id payload`; stops after --count (default: at SIGINT).\n";

}  // namespace

int main(int argc, char** argv) {
    return example::run("consumer", [&] {
        const example::Args args(argc, argv, usage, {"--stream", "--from", "--count"});
        const auto url = args.stream_url("--stream", /*several=*/true);
        const auto from = args.choice("--from", {"beginning", "end"}, "end");
        const auto count = args.count("--count");
        example::stop_on_signals();

        auto streamer = rs::Streamer::connect(url);
        rs::ConsumerOptions options;  // ConsumerMode::real_time by default
        options.auto_stream_reset =
            from == "beginning" ? rs::AutoStreamReset::earliest : rs::AutoStreamReset::latest;
        // With `latest`, the end is looked up before create_consumer() returns:
        // everything added from then on is printed.
        auto consumer = streamer.create_consumer(streamer.streams(), options);

        std::uint64_t printed = 0;
        while ((!count || printed < *count) && !example::stop_requested()) {
            // The read loop prefetches in the background; next_for() takes
            // from what it has read, waiting at most a moment so that a
            // stop request is seen.
            const auto m = consumer.next_for(example::stop_check_interval);
            if (!m) continue;
            example::print_message(*m);
            ++printed;
        }
        consumer.end();
        return 0;
    });
}
