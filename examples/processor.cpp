// processor: a stream processor. It consumes an input stream in a consumer
// group, transforms each payload (to upper case), produces the result to an
// output stream, and acknowledges the input only once the server has
// confirmed the output (example::AckWindow, ack_window.hpp). A crash at any
// point loses nothing: an input whose output is not stored stays pending
// and is processed again.
//
//   redstream-example-processor --input redis://localhost:6379/words --output shouts
//                               [--group processor] [--name NAME] [--count N]
//
// The group is load-balanced: start the same command several times to share
// the input. Give each process a --name that it keeps across restarts, so
// that a restarted one gets back the inputs it held; without one, the others
// claim them after ConsumerOptions::auto_claim_idle (60 s).
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include <redstream/redstream.hpp>

#include "ack_window.hpp"
#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-processor --input redis://HOST:PORT/STREAM --output STREAM "
    "[--group processor] [--name NAME] [--count N]\n"
    "Writes each input payload in upper case to --output (on the same server).\n";

std::string transform(std::string_view payload) {
    std::string out(payload);
    for (char& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    return example::run("processor", [&] {
        const example::Args args(argc, argv, usage,
                                 {"--input", "--output", "--group", "--name", "--count"});
        const auto url = args.stream_url("--input");
        const auto output = args.get("--output");
        if (!output) throw example::UsageError("--output is required");
        const rs::StreamKey output_key(*output);
        const auto count = args.count("--count");
        example::stop_on_signals();

        rs::ConsumerOptions options;
        options.mode = rs::ConsumerMode::load_balanced;
        options.group = args.text("--group", "processor");
        options.consumer = args.text("--name", "");  // empty: a name unique to this process
        // Manual acks (ack()), committed in the background every second and
        // at end(). The acks come from the AckWindow.
        options.auto_commit = rs::AutoCommit::rolling;
        options.auto_stream_reset = rs::AutoStreamReset::earliest;
        options.mkstream = true;
        auto streamer = rs::Streamer::connect(url);
        auto consumer = streamer.create_consumer(streamer.streams(), options);
        auto producer = streamer.create_producer(output_key);
        example::AckWindow acks(consumer);

        std::uint64_t processed = 0;
        while ((!count || processed < *count) && !example::stop_requested()) {
            const auto m = consumer.next_for(example::stop_check_interval);
            acks.ack_confirmed();
            if (!m) continue;
            // send() returns at once; the window acks `*m` once it is stored.
            acks.add(producer.send(transform(m->payload())), {*m});
            ++processed;
        }
        // Wait for the outputs still in flight, ack their inputs, then end():
        // it commits every ack.
        acks.ack_all();
        consumer.end();
        producer.end();
        return 0;
    });
}
