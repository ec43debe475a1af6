// `redstream produce STREAM`: stdin, one message per line, to a stream. The
// producer pipelines (sends never wait for their confirmation; its
// max_unconfirmed bounds what is in flight), each send's outcome is counted
// by its handler, and flush() at the end waits for the last ones.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "input_lines.hpp"
#include "json_text.hpp"
#include "pacer.hpp"
#include "produce_input.hpp"
#include "progress.hpp"
#include "rate_check.hpp"
#include "send_tally.hpp"

namespace redstream::cli {

namespace {

struct ProduceArgs {
    std::string stream;
    bool fields = false;
    std::optional<std::string> key;
    std::optional<std::string> key_field;
    std::uint64_t shards = 1;
    std::optional<double> rate;
    std::optional<std::uint64_t> count;
};

// What the loop ended with.
struct ProduceOutcome {
    std::uint64_t sent = 0;
    bool interrupted = false;
    std::string input_error;  // a line that could not be read or parsed
};

InputOptions input_options(const Context& ctx, const ProduceArgs& a) {
    if (a.fields && ctx.global.json)
        throw UsageError("--fields and -J are two input forms: pick one");
    InputOptions in;
    in.format = ctx.global.json ? InputFormat::json
                : a.fields      ? InputFormat::fields
                                : InputFormat::lines;
    in.payload_field = ctx.global.payload_field;
    if (a.key_field) {
        if (in.format == InputFormat::lines)
            throw UsageError("--key-field needs --fields or -J input (a plain line has no fields)");
        if (a.key_field->empty()) throw UsageError("--key-field: an empty name");
        in.key_field = *a.key_field;
    }
    std::error_code ec;
    std::string why;
    StreamKey::make(a.stream, ec, &why);
    if (ec) throw UsageError("STREAM: " + why);
    return in;
}

std::string progress_note(const SendTally& tally) {
    return "confirmed " + std::to_string(tally.confirmed()) + ", failed " +
           std::to_string(tally.failed());
}

// Sends one message; its handler counts the outcome.
void send_one(Producer& producer, OutgoingMessage& m, const std::optional<std::string>& key,
              const std::shared_ptr<SendTally>& tally) {
    std::vector<Field> fields;
    fields.reserve(m.fields.size());
    for (const auto& [name, value] : m.fields)
        fields.emplace_back(name, value);
    SendOptions options;
    options.fields = fields;
    if (key)
        options.partition_key = *key;
    else if (m.key)
        options.partition_key = *m.key;
    producer.send(std::move(m.payload), options).then([tally](std::error_code ec, const Receipt&) {
        tally->record(ec);
    });
}

ProduceOutcome send_input(Producer& producer, const ProduceArgs& a, const InputOptions& in,
                          const std::shared_ptr<SendTally>& tally, Progress& progress) {
    ProduceOutcome out;
    InputLines lines(STDIN_FILENO);
    std::optional<Pacer> pacer;
    if (a.rate) pacer.emplace(*a.rate);
    std::string line;
    OutgoingMessage m;
    auto next_progress = std::chrono::steady_clock::now();
    while (!a.count || out.sent < *a.count) {
        try {
            const auto r = lines.next(line);
            if (r != InputLines::Result::line) {
                out.interrupted = r == InputLines::Result::interrupted;
                break;
            }
            if (is_blank_line(line, in.format)) continue;
            parse_input_line(line, in, m);
        } catch (const std::exception& e) {  // InputError, or UsageError for a bad line
            out.input_error = "line " + std::to_string(lines.line_number()) + ": " + e.what();
            break;
        }
        if ((pacer && !pacer->wait()) || stop_requested()) {
            out.interrupted = true;
            break;
        }
        send_one(producer, m, a.key, tally);
        ++out.sent;
        // The progress line redraws at most every 100 ms: no note per message.
        if (const auto now = std::chrono::steady_clock::now(); now >= next_progress) {
            progress.update(out.sent, progress_note(*tally));
            next_progress = now + std::chrono::milliseconds(100);
        }
    }
    return out;
}

void print_summary(const Context& ctx, const ProduceOutcome& out, const SendTally& tally) {
    if (ctx.json_output()) {
        Json j;
        j["sent"] = out.sent;
        j["confirmed"] = tally.confirmed();
        j["failed"] = tally.failed();
        if (!tally.first_error().empty()) j["error"] = tally.first_error();
        if (!out.input_error.empty()) j["input_error"] = out.input_error;
        if (out.interrupted) j["interrupted"] = true;
        std::printf("%s\n", j.dump().c_str());
        std::fflush(stdout);
    } else {
        std::fprintf(stderr, "sent %llu, confirmed %llu, failed %llu\n",
                     static_cast<unsigned long long>(out.sent),
                     static_cast<unsigned long long>(tally.confirmed()),
                     static_cast<unsigned long long>(tally.failed()));
    }
}

int run_produce(Context& ctx, const ProduceArgs& a) {
    const auto in = input_options(ctx, a);
    ProducerOptions options;
    options.shards = a.shards;
    options.sharder = Sharder::key_hash();  // same key, same shard; no key: round-robin
    auto producer = ctx.streamer().create_producer(StreamKey(a.stream), options);
    auto tally = std::make_shared<SendTally>();
    Progress progress("produce " + a.stream, a.count, Context::stderr_is_terminal());
    const auto out = send_input(producer, a, in, tally, progress);
    producer.flush();  // each send is bounded by its delivery_timeout
    // The handlers run on the I/O thread right after their sends complete.
    tally->wait_for_all(out.sent, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    progress.update(out.sent, progress_note(*tally));
    progress.finish();
    print_summary(ctx, out, *tally);
    if (!out.input_error.empty()) {
        std::fprintf(stderr, "redstream produce: error: %s\n", out.input_error.c_str());
        return exit_failure;
    }
    if (tally->failed() > 0 || tally->confirmed() < out.sent) {
        std::fprintf(
            stderr, "redstream produce: error: %llu of %llu sends failed; first: %s\n",
            static_cast<unsigned long long>(out.sent - tally->confirmed()),
            static_cast<unsigned long long>(out.sent),
            tally->first_error().empty() ? "not confirmed in time" : tally->first_error().c_str());
        return exit_failure;
    }
    return out.interrupted ? exit_interrupted : exit_ok;
}

constexpr const char* produce_footer =
    "Input forms (one message per line; lines up to 64 MiB):\n"
    "  default   the line is the payload, byte for byte (an empty line is an empty payload)\n"
    "  --fields  name=value name2=value2 ... (spaces separate fields; a backslash keeps the\n"
    "            next character, \\n \\t \\r \\0 are those bytes); a field named like the payload\n"
    "            field (--payload-field, 'msg') is the payload, otherwise it is empty\n"
    "  -J        {\"payload\": ..., \"fields\": {...}, \"key\": ...} as consume -J writes it;\n"
    "            a text that is not UTF-8 is {\"base64\": \"...\"}; \"key\" is the partition key\n"
    "Blank lines are skipped in the --fields and -J forms.\n"
    "Summary: 'sent N, confirmed N, failed N' on stderr; a JSON line on stdout with -J or\n"
    "when stdout is not a terminal. Exit 1 if any send failed (with the first error),\n"
    "130 on Ctrl-C (after what was sent is flushed).";

}  // namespace

void add_produce(CLI::App& app, Context& ctx) {
    auto args = std::make_shared<ProduceArgs>();
    auto* sub = app.add_subcommand(
        "produce", "Send lines (or k=v fields, or JSON objects) from stdin to STREAM");
    sub->footer(produce_footer);
    sub->add_option("STREAM", args->stream, "The stream to write to")->required();
    sub->add_flag("--fields", args->fields, "Read name=value fields from each line");
    auto* key = sub->add_option("--key", args->key, "Partition key of every message");
    sub->add_option("--key-field", args->key_field,
                    "Take each message's partition key from this field (or JSON member)")
        ->excludes(key);
    sub->add_option("--shards", args->shards,
                    "Spread over N shards (keys STREAM:0 ... STREAM:N-1); the partition key "
                    "picks the shard, round-robin without one")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}))
        ->capture_default_str();
    sub->add_option("--rate", args->rate, "Messages per second (default: as fast as possible)")
        ->check(positive_rate());
    sub->add_option("--count", args->count, "Stop after N messages")
        ->check(CLI::Range(std::uint64_t{1}, UINT64_MAX));
    sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_produce(ctx, *args); }; });
}

}  // namespace redstream::cli
