// `redstream dlq STREAM --replay`: moves each selected dead letter back to
// the key it came from, with its own fields in their order (the
// DeadLetterFields removed) and a new id, and deletes it from the
// dead-letter stream only once the XADD to the origin succeeded.
//
// Running it twice, or two at once, never duplicates an entry: with the
// default dead-letter keys (in their origin's hash slot) and on a standalone
// server each move is one script that reads the dead letter, XADDs it to the
// origin and XDELs it, atomically; a dead letter another run moved first is
// gone and counted so. Only a --dead-key in another hash slot than the
// origin (on a cluster, where no script can span both) is moved in two steps,
// XADD then XDEL: an interruption between them leaves the entry in both,
// and a second run adds it to the origin again (at least once, not exactly).
#include <optional>
#include <string>
#include <vector>

#include <redstream/cluster/slot.hpp>
#include <redstream/commands/xadd.hpp>
#include <redstream/commands/xtrim.hpp>
#include <redstream/core/error.hpp>
#include <redstream/redis/consumer.hpp>

#include "admin_util.hpp"
#include "dlq.hpp"
#include "router_client.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

// KEYS: the dead-letter stream, the origin. ARGV: the dead letter's id, then
// the names of DeadLetterFields origin, group, id, deliveries. Replies the
// new id in the origin, or nil when the dead letter is gone. A failing XADD
// raises, which ends the script before the XDEL.
constexpr std::string_view move_script = R"lua(
local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #e == 0 then return false end
local f, out, origin = e[1][2], {}, nil
for i = 1, #f, 2 do
  local name = f[i]
  if name == ARGV[2] then
    origin = f[i + 1]
  elseif name ~= ARGV[3] and name ~= ARGV[4] and name ~= ARGV[5] then
    out[#out + 1] = name
    out[#out + 1] = f[i + 1]
  end
end
if origin ~= KEYS[2] then
  return redis.error_reply('ERR dead letter ' .. ARGV[1] .. ' does not come from ' .. KEYS[2])
end
if #out == 0 then
  return redis.error_reply('ERR dead letter ' .. ARGV[1] .. ' has no fields of its own')
end
local id = redis.call('XADD', KEYS[2], '*', unpack(out))
redis.call('XDEL', KEYS[1], ARGV[1])
return id
)lua";

enum class Outcome { moved, gone, failed, would_move };

struct Moved {
    Outcome outcome = Outcome::failed;
    std::optional<MessageId> new_id{};
    std::string error{};
};

void move_script_call(resp::Request& req, const DeadLetter& d) {
    req.command("EVAL")
        .arg(move_script)
        .arg(2)
        .key(d.dead_key)
        .key(d.origin)
        .arg(d.id)
        .arg(DeadLetterFields::origin)
        .arg(DeadLetterFields::group)
        .arg(DeadLetterFields::id)
        .arg(DeadLetterFields::deliveries);
}

Moved decode_moved(const resp::Value& v) {
    if (v.is_null()) return {Outcome::gone};
    std::error_code ec;
    const auto id = commands::decode_xadd(v, ec);
    if (ec || !id) return {Outcome::failed, {}, v.is_error() ? std::string(v.str()) : ec.message()};
    return {Outcome::moved, id};
}

// XADD to the origin, then XDEL: for a dead-letter key in another slot.
Moved move_in_two_steps(RouterClient& link, const DeadLetter& d) {
    std::vector<Field> fields;
    for (const auto& [name, value] : d.fields)
        fields.emplace_back(name, value);
    if (fields.empty()) return {Outcome::failed, {}, "no fields of its own"};
    resp::Request add;
    commands::xadd(add, d.origin, fields);
    auto moved = decode_moved(link.exec(add).front().root());
    if (moved.outcome != Outcome::moved) return moved;
    resp::Request del;
    const MessageId ids[] = {d.id};
    commands::xdel(del, d.dead_key, ids);
    std::error_code ec;
    const auto reply = link.exec(del);
    commands::decode_count(reply.front().root(), ec);
    if (ec) return {Outcome::failed, moved.new_id, "moved, but XDEL failed: " + ec.message()};
    return moved;
}

std::vector<Moved> move_page(RouterClient& link, const std::vector<DeadLetter>& page) {
    std::vector<Moved> out(page.size());
    resp::Request req;
    std::vector<std::size_t> scripted;
    for (std::size_t i = 0; i < page.size(); ++i) {
        const auto& d = page[i];
        if (link.is_cluster() && cluster::key_slot(d.dead_key) != cluster::key_slot(d.origin)) {
            out[i] = move_in_two_steps(link, d);
        } else {
            move_script_call(req, d);
            scripted.push_back(i);
        }
    }
    const auto replies = link.exec(req);
    for (std::size_t j = 0; j < scripted.size(); ++j)
        out[scripted[j]] = decode_moved(replies[j].root());
    return out;
}

const char* outcome_name(Outcome o) {
    switch (o) {
        case Outcome::moved:
            return "moved";
        case Outcome::gone:
            return "gone";
        case Outcome::failed:
            return "failed";
        case Outcome::would_move:
            break;
    }
    return "would_move";
}

void report(const DeadLetter& d, const Moved& m, bool json) {
    if (json) {
        Json j{{"dead_key", text_value(d.dead_key)},
               {"id", d.id.to_string()},
               {"origin", text_value(d.origin)},
               {"outcome", outcome_name(m.outcome)},
               {"new_id", id_json(m.new_id)}};
        if (!m.error.empty()) j["error"] = m.error;
        print_json_line(j);
        return;
    }
    const auto from = printable(d.dead_key) + " " + d.id.to_string();
    const auto to = printable(d.origin);
    switch (m.outcome) {
        case Outcome::moved:
            std::printf("moved %s -> %s %s\n", from.c_str(), to.c_str(),
                        m.new_id->to_string().c_str());
            break;
        case Outcome::would_move:
            std::printf("would move %s -> %s\n", from.c_str(), to.c_str());
            break;
        case Outcome::gone:
            std::printf("gone %s (moved by another run)\n", from.c_str());
            break;
        case Outcome::failed:
            std::printf("failed %s -> %s: %s\n", from.c_str(), to.c_str(), m.error.c_str());
            break;
    }
}

}  // namespace

int replay_dead_letters(Context& ctx, RouterClient& link, const std::vector<std::string>& dead_keys,
                        const DlqArgs& args) {
    const bool json = ctx.json_output();
    std::uint64_t counts[4] = {};
    for_each_selected(link, dead_keys, args, 0, [&](std::vector<DeadLetter>& page) {
        std::vector<Moved> moved(page.size(), Moved{Outcome::would_move});
        if (!args.dry_run) moved = move_page(link, page);
        for (std::size_t i = 0; i < page.size(); ++i) {
            ++counts[static_cast<int>(moved[i].outcome)];
            report(page[i], moved[i], json);
        }
        std::fflush(stdout);
        return true;
    });
    const auto n = [&](Outcome o) { return counts[static_cast<int>(o)]; };
    if (json)
        print_json_line({{"stream", text_value(args.stream)},
                         {"dry_run", args.dry_run},
                         {"moved", n(Outcome::moved)},
                         {"would_move", n(Outcome::would_move)},
                         {"gone", n(Outcome::gone)},
                         {"failed", n(Outcome::failed)}});
    else if (args.dry_run)
        std::printf("dry run: %llu dead letter(s) would move; nothing changed\n",
                    static_cast<unsigned long long>(n(Outcome::would_move)));
    else
        std::printf("moved %llu dead letter(s) back; %llu gone, %llu failed\n",
                    static_cast<unsigned long long>(n(Outcome::moved)),
                    static_cast<unsigned long long>(n(Outcome::gone)),
                    static_cast<unsigned long long>(n(Outcome::failed)));
    if (stop_requested()) return exit_interrupted;
    return n(Outcome::failed) > 0 ? exit_failure : exit_ok;
}

}  // namespace redstream::cli
