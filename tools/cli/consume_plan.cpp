#include "consume_plan.hpp"

#include <algorithm>

#include "cli.hpp"

namespace redstream::cli {

namespace {

ConsumerMode mode_of(const ConsumeArgs& a) {
    if (!a.mode) return a.group ? ConsumerMode::resumable : ConsumerMode::real_time;
    std::string m = *a.mode;
    std::replace(m.begin(), m.end(), '-', '_');
    if (m == "real_time") return ConsumerMode::real_time;
    if (m == "resumable") return ConsumerMode::resumable;
    if (m == "load_balanced") return ConsumerMode::load_balanced;
    throw UsageError("--mode: '" + *a.mode + "' is not real_time, resumable or load_balanced");
}

AutoCommit commit_of(const std::string& name) {
    if (name == "rolling") return AutoCommit::rolling;
    if (name == "disabled") return AutoCommit::disabled;
    if (name == "delayed") return AutoCommit::delayed;
    if (name == "immediate") return AutoCommit::immediate;
    throw UsageError("--ack: '" + name + "' is not rolling, disabled, delayed or immediate");
}

std::vector<StreamKey> streams_of(const ConsumeArgs& a) {
    std::vector<StreamKey> keys;
    for (const auto& name : a.streams) {
        std::error_code ec;
        std::string why;
        auto key = StreamKey::make(name, ec, &why);
        if (ec) throw UsageError("STREAM: " + why);
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    }
    return keys;
}

void set_group_options(const ConsumeArgs& a, ConsumePlan& p) {
    auto& o = p.options;
    if (!p.group_mode()) {
        if (a.group || a.member || a.ack)
            throw UsageError(
                "--group, --member and --ack need a group mode (--mode resumable or "
                "load_balanced)");
        return;
    }
    if (a.group) {
        if (a.group->empty()) throw UsageError("--group: an empty name");
        o.group = *a.group;
    } else if (p.from.kind == Position::Kind::id || p.from.kind == Position::Kind::time) {
        throw UsageError("--from an id or a time in a group mode needs --group");
    }
    if (a.member) {
        if (a.member->empty()) throw UsageError("--member: an empty name");
        o.consumer = *a.member;
    }
    o.auto_commit = commit_of(a.ack.value_or("rolling"));
    o.mkstream = true;  // a group needs its key; a stream that does not exist yet is made
    if (p.count) {      // read ahead no more than is wanted: the rest stays for the next run
        o.prefetch = std::min<std::uint64_t>(*p.count, o.prefetch_or_default());
        o.batch_size = std::min<std::uint64_t>(*p.count, o.batch_size);
    }
}

}  // namespace

MessageId last_id_at(Timestamp t) noexcept {
    const auto ms = t.time_since_epoch().count();
    if (ms < 0) return MessageId::min();
    return {static_cast<std::uint64_t>(ms), UINT64_MAX};
}

ConsumePlan make_consume_plan(const ConsumeArgs& a, std::string_view payload_field,
                              bool json_output, Timestamp now) {
    ConsumePlan p;
    p.streams = streams_of(a);
    if (p.streams.empty()) throw UsageError("name at least one STREAM");
    p.count = a.count;
    p.drain = a.exit_at_end;
    p.options.mode = mode_of(a);
    // Following starts at the end, as tail -f; -e prints what is there.
    p.from = parse_position(a.from.value_or(a.exit_at_end ? "beginning" : "end"), now, "--from");
    p.options.auto_stream_reset =
        p.from.kind == Position::Kind::end ? AutoStreamReset::latest : AutoStreamReset::earliest;
    if (a.until) {
        const auto u = parse_position(*a.until, now, "--until");
        using K = Position::Kind;
        if (u.kind == K::beginning) throw UsageError("--until beginning would print nothing");
        if (u.kind == K::end)
            p.drain = true;  // what the streams hold now
        else
            p.until = u.kind == K::id ? u.id : last_id_at(u.time);
        if (p.until && p.until->ms < static_cast<std::uint64_t>(now.time_since_epoch().count()))
            p.drain = true;  // the bound has passed: no new entry can be within it
    }
    set_group_options(a, p);
    p.json = json_output && !a.format;
    if (a.format) p.format = MessageFormat::parse(*a.format, payload_field);
    return p;
}

}  // namespace redstream::cli
