// `redstream consume STREAM...` (alias `tail`): prints the messages of every
// shard of the streams, on one server or every master of a cluster. Real-time
// by default (XREAD: nothing is stored on the server); in a group, resumable
// or load-balanced, acking what it wrote.
#include <memory>

#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "consume_loop.hpp"
#include "consume_plan.hpp"

namespace redstream::cli {

namespace {

Timestamp now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

// --from ID or TIME for a group: a group that does not exist yet starts
// there (one that does keeps its own position, as AutoStreamReset would).
void prepare_group(const Admin& admin, const ConsumePlan& p) {
    using K = Position::Kind;
    if (p.from.kind != K::id && p.from.kind != K::time) return;
    const auto first = p.from.kind == K::id ? p.from.id : id_at(p.from.time);
    const auto start = first == MessageId::min() ? commands::StreamStart::beginning()
                                                 : commands::StreamStart::after(id_before(first));
    for (const auto& stream : p.streams)
        admin.create_group(stream, p.options.group, start, true);
}

// Moves a real-time consumer to --from. The end is looked up before this
// returns, so every entry added afterwards is printed.
void position(Consumer& consumer, const Position& from) {
    switch (from.kind) {
        case Position::Kind::beginning:
            break;  // AutoStreamReset::earliest
        case Position::Kind::end:
            consumer.rewind(SeqPos::end());
            break;
        case Position::Kind::id:
            consumer.rewind(SeqPos::at(from.id));
            break;
        case Position::Kind::time:
            consumer.seek(from.time);
            break;
    }
}

// -e: the ends of every key now; nullopt when there is nothing to wait for.
std::optional<DrainTracker> start_drain(const Admin& admin, const ConsumePlan& p) {
    using K = Position::Kind;
    // A real-time reader from the end reads nothing held at the start.
    if (!p.group_mode() && p.from.kind == K::end) return std::nullopt;
    std::optional<MessageId> first;
    if (!p.group_mode() && p.from.kind == K::id) first = p.from.id;
    if (!p.group_mode() && p.from.kind == K::time) first = id_at(p.from.time);
    DrainTracker drain(first, p.until);
    drain.start(look_up_ends(admin, p));
    if (drain.done()) return std::nullopt;
    return drain;
}

int run_consume(Context& ctx, const ConsumeArgs& a) {
    const auto plan = make_consume_plan(a, ctx.global.payload_field, ctx.json_output(), now());
    auto admin = ctx.admin();
    if (plan.group_mode()) prepare_group(admin, plan);
    std::optional<DrainTracker> drain;
    if (plan.drain) {
        drain = start_drain(admin, plan);
        if (!drain) return exit_ok;
    }
    auto consumer = ctx.streamer().create_consumer(plan.streams, plan.options);
    if (!plan.group_mode()) position(consumer, plan.from);
    ConsumeLoop loop(consumer, plan, admin, std::move(drain));
    return loop.run();
}

constexpr const char* consume_footer =
    "Positions (--from, --until): beginning, end, an id (MS-SEQ or MS), an RFC 3339 time\n"
    "(2026-05-01T10:00:00Z), @UNIX_MS, or relative to now: -1h, -15m, @-30s.\n"
    "--from defaults to end (follow new messages, as tail -f), or beginning with -e.\n"
    "--until stops at the first message past it (a time includes its whole millisecond);\n"
    "a bound in the past, or --until end, reads what the streams hold now and exits.\n"
    "\n"
    "Modes (--mode): real_time (default without --group): XREAD, every reader sees every\n"
    "  message and nothing is stored on the server; resumable (default with --group): a\n"
    "  group of one that continues where its last run stopped; load_balanced: the group's\n"
    "  members share the messages (give each a stable --member so a restarted one gets its\n"
    "  pending messages back). A group that does not exist yet is created at --from (with\n"
    "  the stream, if missing); an existing one continues from its own position.\n"
    "Acks (--ack, group modes): rolling (default): a message is acked once written to\n"
    "  stdout, and acks are committed in the background and at exit; disabled: acked once\n"
    "  written and committed before reading on (waits for the server); delayed: acked 5 s\n"
    "  after delivery, printed or not; immediate: NOACK, a read counts as consumed.\n"
    "  With rolling and disabled, messages read but not printed (past --count or --until)\n"
    "  stay pending and come back to the same member.\n"
    "\n"
    "Output: JSON lines with -J or when stdout is not a terminal: {stream, key, shard, id,\n"
    "time, timestamp, payload, fields, deliveries}, text that is not UTF-8 as {\"base64\":..}\n"
    "(produce -J reads it back). On a terminal: KEY ID PAYLOAD  name=value ..., with\n"
    "control bytes escaped. -f FORMAT writes payloads and values raw (binary-safe):\n";

std::string format_footer() {
    return std::string(consume_footer) + format_help +
           "  e.g. -f '%i %{user} %p\\n', or -f '%p\\0' for NUL-separated payloads.";
}

}  // namespace

void add_consume(CLI::App& app, Context& ctx) {
    auto a = std::make_shared<ConsumeArgs>();
    auto* sub = app.add_subcommand("consume", "Print the messages of STREAM... (alias: tail)");
    sub->alias("tail");
    sub->footer(format_footer());
    sub->add_option("STREAM", a->streams, "The streams to read (every shard of each)")->required();
    sub->add_option("--from", a->from, "Where to start (see below)");
    sub->add_option("--until", a->until, "Stop at the first message past this id or time");
    sub->add_flag("-e,--exit", a->exit_at_end,
                  "Exit once every shard is drained to what it held at the start");
    sub->add_option("--count", a->count, "Exit after printing N messages")
        ->check(CLI::Range(std::uint64_t{1}, UINT64_MAX));
    sub->add_option("-f,--format", a->format, "Print each message with this format (see below)");
    sub->add_option("--group", a->group, "Read in this consumer group (XREADGROUP)");
    sub->add_option("--member", a->member,
                    "This reader's name in the group (default: the group's name for resumable, "
                    "host-pid for load_balanced)");
    sub->add_option("--mode", a->mode, "real_time | resumable | load_balanced");
    sub->add_option("--ack", a->ack, "Group modes: rolling | disabled | delayed | immediate");
    sub->callback([&ctx, a] { ctx.run = [&ctx, a] { return run_consume(ctx, *a); }; });
}

}  // namespace redstream::cli
