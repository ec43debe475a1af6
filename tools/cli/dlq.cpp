// `redstream dlq STREAM`: lists the dead letters of STREAM's keys, oldest
// first per dead-letter key; --replay is in dlq_replay.cpp.
#include "dlq.hpp"

#include <algorithm>
#include <charconv>
#include <memory>

#include <CLI/CLI.hpp>

#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>
#include <redstream/redis/consumer.hpp>

#include "admin_util.hpp"
#include "router_client.hpp"
#include "table.hpp"

namespace redstream::cli {

namespace {

// Dead letters read per round trip.
constexpr std::uint64_t page_size = 100;
// Listed when --count is not given (replays move them all).
constexpr std::uint64_t default_list_count = 100;

DeadLetter to_dead_letter(const std::string& dead_key, const commands::StreamEntry& e) {
    DeadLetter d{dead_key, e.id, {}, {}, {}, {}, {}};
    for (const auto& [name, value] : e.fields) {
        if (name == DeadLetterFields::origin) {
            d.origin = value;
        } else if (name == DeadLetterFields::group) {
            d.group = value;
        } else if (name == DeadLetterFields::id) {
            d.origin_id = value;
        } else if (name == DeadLetterFields::deliveries) {
            std::uint64_t n = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec == std::errc() && end == value.data() + value.size()) d.deliveries = n;
        } else {
            d.fields.emplace_back(name, value);
        }
    }
    return d;
}

std::string glob_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// The key whose dead letters `dead_key` holds by default, if it is one of
// `stream`'s.
std::optional<std::string> origin_of(std::string_view stream, std::string_view dead_key) {
    constexpr std::string_view suffix = ":dead";
    if (dead_key.size() <= suffix.size() || !dead_key.ends_with(suffix)) return std::nullopt;
    auto origin = dead_key.substr(0, dead_key.size() - suffix.size());
    if (origin.size() > 2 && origin.front() == '{' && origin.back() == '}')
        origin = origin.substr(1, origin.size() - 2);
    if (!is_key_of(stream, origin) || default_dead_key(origin) != dead_key) return std::nullopt;
    return std::string(origin);
}

// The dead-letter keys there are for the keys of `stream` (found by SCAN on
// every master, so also those of keys deleted since), the plain key's first.
std::vector<std::string> dead_keys_of(Context& ctx, const StreamKey& stream, const DlqArgs& args) {
    if (!args.dead_key.empty()) return {args.dead_key};
    const auto name = stream.name();
    const auto pattern = name.find_first_of("{}") != std::string_view::npos
                             ? glob_escape(name) + "*:dead"
                             : "{" + glob_escape(name) + "*}:dead";
    const auto list = ctx.admin().streams(pattern, AdminOptions::default_max_keys);
    if (list.truncated)
        std::fprintf(stderr, "redstream dlq: more than %zu dead-letter keys; only those read\n",
                     AdminOptions::default_max_keys);
    std::vector<std::pair<std::string, std::string>> found;  // origin, dead key
    for (const auto& s : list.streams)
        for (const auto& k : s.shards)
            if (auto origin = origin_of(name, k.key)) found.emplace_back(std::move(*origin), k.key);
    // Shard order: shorter origins (smaller numbers) first.
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return a.first.size() != b.first.size() ? a.first.size() < b.first.size()
                                                : a.first < b.first;
    });
    std::vector<std::string> out;
    for (auto& f : found)
        out.push_back(std::move(f.second));
    return out;
}

Json fields_json(const DeadLetter& d) {
    Json fields = Json::object();
    for (const auto& [name, value] : d.fields) {
        const auto key = is_utf8(name) ? name : "base64:" + base64_encode(name);
        fields[key] = text_value(value);
    }
    return fields;
}

const std::string* payload_of(const DeadLetter& d, const std::string& field) {
    for (const auto& [name, value] : d.fields)
        if (name == field) return &value;
    return nullptr;
}

Json letter_json(const DeadLetter& d, const std::string& payload_field) {
    const auto* payload = payload_of(d, payload_field);
    return {{"dead_key", text_value(d.dead_key)},
            {"id", d.id.to_string()},
            {"time", format_time(timestamp_of(d.id))},
            {"origin", text_value(d.origin)},
            {"group", text_value(d.group)},
            {"origin_id", text_value(d.origin_id)},
            {"deliveries", d.deliveries ? Json(*d.deliveries) : Json(nullptr)},
            {"payload", payload ? text_value(*payload) : Json(nullptr)},
            {"fields", fields_json(d)}};
}

int list_dead_letters(Context& ctx, RouterClient& link, const std::vector<std::string>& dead_keys,
                      const DlqArgs& args) {
    const bool json = ctx.json_output();
    const auto& payload_field = ctx.global.payload_field;
    Table table(
        {"DEAD KEY", "ID", "TIME", "ORIGIN", "GROUP", "ORIGIN ID", "DELIVERIES", "PAYLOAD"});
    table.align(6, Table::Align::right);
    std::uint64_t listed = 0;
    for_each_selected(link, dead_keys, args, default_list_count, [&](auto& page) {
        for (const auto& d : page) {
            ++listed;
            if (json) {
                print_json_line(letter_json(d, payload_field));
                continue;
            }
            const auto* payload = payload_of(d, payload_field);
            table.add_row({printable(d.dead_key), d.id.to_string(), format_time(timestamp_of(d.id)),
                           printable(d.origin), printable(d.group), printable(d.origin_id),
                           d.deliveries ? std::to_string(*d.deliveries) : "?",
                           payload ? printable(*payload, 40) : "-"});
        }
        return true;
    });
    if (!json) {
        if (listed > 0) table.print();
        const auto limit = args.count.value_or(default_list_count);
        std::printf(
            "%llu dead letter(s) of %s%s\n", static_cast<unsigned long long>(listed),
            printable(args.stream).c_str(),
            limit != 0 && listed == limit ? " listed (--count reached; there may be more)" : "");
    }
    return exit_ok;
}

int run_dlq(Context& ctx, const DlqArgs& args) {
    const auto stream = stream_arg(args.stream);
    if (args.dry_run && !args.replay) throw UsageError("--dry-run goes with --replay");
    const auto dead_keys = dead_keys_of(ctx, stream, args);
    RouterClient link(ctx);
    if (args.replay) return replay_dead_letters(ctx, link, dead_keys, args);
    return list_dead_letters(ctx, link, dead_keys, args);
}

}  // namespace

std::string default_dead_key(std::string_view key) {
    // As the consumer names it (ConsumerOptions::dead_letter_key): in the
    // key's own slot, keeping a hash tag the key has.
    if (key.find_first_of("{}") != std::string_view::npos) return std::string(key) + ":dead";
    return "{" + std::string(key) + "}:dead";
}

bool is_key_of(std::string_view stream, std::string_view key) {
    if (key == stream) return true;
    if (key.size() <= stream.size() + 1 || key.substr(0, stream.size()) != stream ||
        key[stream.size()] != ':')
        return false;
    const auto n = key.substr(stream.size() + 1);
    if (n.size() > 1 && n.front() == '0') return false;
    return std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<DeadLetter> read_dead_letters(RouterClient& link, const std::string& dead_key,
                                          std::optional<MessageId> after, std::uint64_t count) {
    resp::Request req;
    const auto start =
        after ? commands::RangeBound::exclusive(*after) : commands::RangeBound::min();
    commands::xrange(req, dead_key, start, commands::RangeBound::max(), count);
    const auto replies = link.exec(req);
    std::error_code ec;
    const auto entries = commands::decode_xrange(replies.front().root(), ec);
    if (ec) throw Error(ec, "XRANGE " + dead_key);
    std::vector<DeadLetter> out;
    out.reserve(entries.size());
    for (const auto& e : entries)
        out.push_back(to_dead_letter(dead_key, e));
    return out;
}

void for_each_selected(RouterClient& link, const std::vector<std::string>& dead_keys,
                       const DlqArgs& args, std::uint64_t default_count, const PageFn& fn) {
    const auto limit = args.count.value_or(default_count);  // 0: no limit
    std::uint64_t taken = 0;
    for (const auto& key : dead_keys) {
        std::optional<MessageId> after;
        while (!stop_requested()) {
            auto page = read_dead_letters(link, key, after, page_size);
            if (page.empty()) break;
            after = page.back().id;
            const bool last = page.size() < page_size;
            std::erase_if(page, [&](const DeadLetter& d) {
                return !is_key_of(args.stream, d.origin) ||
                       (!args.group.empty() && d.group != args.group);
            });
            if (limit != 0 && page.size() > limit - taken) page.resize(limit - taken);
            taken += page.size();
            if (!page.empty() && !fn(page)) return;
            if (limit != 0 && taken >= limit) return;
            if (last) break;
        }
    }
}

void add_dlq_command(CLI::App& app, Context& ctx) {
    auto* sub = app.add_subcommand(
        "dlq",
        "Dead letters of STREAM (entries group consumers gave up on); --replay moves them back");
    auto args = std::make_shared<DlqArgs>();
    sub->add_option("STREAM", args->stream, "The stream whose keys' dead letters to show")
        ->required();
    sub->add_flag("--replay", args->replay,
                  "Move each back to the key it came from (its own fields, a new id), then "
                  "delete it from the dead-letter stream");
    sub->add_option("--group", args->group, "Only dead letters of this group");
    sub->add_option("--count", args->count,
                    "Most dead letters listed or moved (default: 100 listed, all moved; 0: all)");
    sub->add_flag("--dry-run", args->dry_run, "With --replay: show what would move; move nothing");
    sub->add_option("--dead-key", args->dead_key,
                    "The dead-letter stream, if the consumers set "
                    "ConsumerOptions::dead_letter_key (default: {KEY}:dead per key)");
    sub->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_dlq(ctx, *args); }; });
}

}  // namespace redstream::cli
