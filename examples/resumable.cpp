// resumable: a group consumer that picks up where it stopped. It reads in a
// consumer group of its own (ConsumerMode::resumable): the server remembers
// what the group was given and what it acknowledged, so a restarted consumer
// continues after the last message it committed, and first gets back what
// it had been given but not acknowledged.
//
//   redstream-example-resumable --stream redis://localhost:6379/clock
//                               [--group resumable] [--name NAME]
//                               [--commit-every 100] [--count N]
//
// Commits are explicit here (AutoCommit::disabled): ack() marks a message
// done, commit() sends the marks and waits until the server has them. It
// commits every --commit-every messages and when it stops; after a crash, at
// most that many are processed again (at-least-once). AutoCommit::rolling
// would commit the acks in the background instead, and delayed (the default)
// acks each message a few seconds after next() returned it.
#include <cstdint>
#include <string>

#include <redstream/redstream.hpp>

#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-resumable --stream redis://HOST:PORT/STREAM [--group resumable] "
    "[--name NAME] [--commit-every 100] [--count N]\n"
    "Prints each message as `id payload`; a restart continues where it stopped.\n";

}  // namespace

int main(int argc, char** argv) {
    return example::run("resumable", [&] {
        const example::Args args(argc, argv, usage,
                                 {"--stream", "--group", "--name", "--commit-every", "--count"});
        const auto url = args.stream_url("--stream");
        const auto count = args.count("--count");
        const auto commit_every = args.count("--commit-every", 100);
        if (commit_every == 0) throw example::UsageError("--commit-every must be at least 1");
        example::stop_on_signals();

        rs::ConsumerOptions options;
        options.mode = rs::ConsumerMode::resumable;
        options.group = args.text("--group", "resumable");
        // The member's name must stay the same across restarts: what it was
        // given and did not ack is kept under this name.
        options.consumer = args.text("--name", options.group);
        options.auto_commit = rs::AutoCommit::disabled;
        // A new group starts at the stream's beginning, and the stream is
        // created if missing, so that this may start before any producer.
        options.auto_stream_reset = rs::AutoStreamReset::earliest;
        options.mkstream = true;
        auto streamer = rs::Streamer::connect(url);
        auto consumer = streamer.create_consumer(streamer.streams(), options);

        std::uint64_t processed = 0;
        while ((!count || processed < *count) && !example::stop_requested()) {
            const auto m = consumer.next_for(example::stop_check_interval);
            if (!m) continue;
            example::print_message(*m);  // the "processing"
            consumer.ack(*m);
            if (++processed % commit_every == 0) consumer.commit();
        }
        // Commit the last acks. (end() would commit them too; an explicit
        // commit() reports a failure as an exception.)
        consumer.commit();
        consumer.end();
        return 0;
    });
}
