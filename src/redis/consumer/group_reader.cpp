#include "group_reader.hpp"

#include <algorithm>
#include <utility>

#include <redstream/commands/xgroup.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/commands/xread.hpp>
#include <redstream/core/detail/log.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {
namespace {

// XGROUP CREATE on a missing key without MKSTREAM.
bool is_missing_key(const resp::Value& v) {
    return v.str().find("requires the key to exist") != std::string_view::npos;
}

// A blocked XREADGROUP whose key was deleted meanwhile (Redis 7: "UNBLOCKED
// the stream key no longer exists"), or a read of a vanished group.
bool is_lost_group(const resp::Value& v) {
    return resp::error_of(v) == errc::nogroup || (v.is_error() && v.str().starts_with("UNBLOCKED"));
}

}  // namespace

GroupReader::GroupReader(ConsumerCore& core)
    : core_(core), state_(core.options.auto_stream_reset) {}

std::size_t GroupReader::created_keys() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(state_.cursors().begin(), state_.cursors().end(),
                      [](const GroupCursor& c) { return c.phase != GroupCursor::Phase::create; }));
}

bool GroupReader::needs_create(const ReadLane& lane) const noexcept {
    return std::any_of(state_.cursors().begin(), state_.cursors().end(), [&](const GroupCursor& c) {
        return c.phase == GroupCursor::Phase::create && lane.serves(c.slot);
    });
}

bool GroupReader::has_keys(const ReadLane& lane) const noexcept {
    return std::any_of(state_.cursors().begin(), state_.cursors().end(), [&](const GroupCursor& c) {
        return c.phase != GroupCursor::Phase::create && lane.serves(c.slot);
    });
}

bool GroupReader::read_due(const ReadLane& lane) const {
    return has_keys(lane) && core_.inbox.room_for_read(0, lane.turns.backlog);
}

void GroupReader::create_groups(ReadLane& lane) {
    lane.req.clear();
    lane.keys.clear();
    for (const auto& c : state_.cursors()) {
        if (c.phase != GroupCursor::Phase::create || !lane.serves(c.slot)) continue;
        lane.keys.push_back(c.key);
        commands::xgroup_create(lane.req, c.key, core_.group, state_.create_start(c),
                                {.mkstream = core_.options.mkstream});
    }
    core_.exec(lane, lane.req, lane.resp, {},
               [this, &lane](std::error_code ec) { on_groups_created(lane, ec); });
}

void GroupReader::on_groups_created(ReadLane& lane, std::error_code ec) {
    if (ec) return core_.back_off(lane, ec);
    const auto keys = std::move(lane.keys);
    const auto resp = std::move(lane.resp);
    lane.resp.clear();
    for (std::size_t n = 0; n < keys.size() && n < resp.size(); ++n) {
        const auto root = resp[n].root();
        if (core_.rerouted(lane, root)) return;  // the others go again, routed anew
        const auto err = resp::error_of(root);
        if (!err || err == errc::busygroup) {
            state_.created(keys[n]);
            continue;
        }
        if (!is_missing_key(root)) return core_.fail(lane, err);
        // The plain key of a sharded stream need not exist: its shards do.
        const auto* c = state_.find(keys[n]);
        const bool has_shards = c && std::any_of(state_.cursors().begin(), state_.cursors().end(),
                                                 [&](const GroupCursor& o) {
                                                     return o.stream == c->stream && &o != c;
                                                 });
        if (!has_shards) {
            // Without mkstream, consuming a missing stream is an error, and
            // one create_consumer() reports rather than a silent wait.
            start_failure_ =
                "stream " + keys[n] + " does not exist (ConsumerOptions::mkstream creates it)";
            return core_.fail_start(lane, make_error_code(errc::nogroup));
        }
        state_.remove_key(keys[n]);
    }
    lane.backoff.reset();
    core_.step();
}

// A group read of the keys plan_read() picks out of the room left in the
// prefetch queue: entries a read brings are this member's (pending) at once,
// so it never asks for more than fit. A turn of keys (fewer than all) does
// not block; once turns found every key empty, a wake-up read (XREAD, which
// delivers nothing) blocks on all of them instead.
void GroupReader::read(ReadLane& lane, std::size_t incoming) {
    const auto keys = next_read_keys(lane, state_.cursors(), [](const GroupCursor& c) {
        return c.phase != GroupCursor::Phase::create;
    });
    if (keys.empty()) return;  // unassigned meanwhile
    auto& turns = lane.turns;
    const auto plan =
        plan_read(core_.lane_room(incoming), keys.size(), core_.options.batch_size, turns.next);
    const bool turn = plan.keys < keys.size();
    const bool pending = std::any_of(keys.begin(), keys.end(), [](const GroupCursor* c) {
        return c->phase == GroupCursor::Phase::pending;
    });
    if (turn && turns.quiet >= keys.size() && !pending) return wait_for_entries(lane, keys);
    std::vector<commands::StreamOffset> offsets;
    offsets.reserve(plan.keys);
    lane.keys.clear();
    lane.read_slot = keys.front()->slot;
    lane.req.clear();
    for (std::size_t i = 0; i < plan.keys; ++i) {
        const auto& c = *keys[(plan.first + i) % keys.size()];
        offsets.push_back({c.key, c.start()});
        if (c.phase != GroupCursor::Phase::pending) continue;
        lane.keys.push_back(c.key);
        // The pending list's delivery counts first (same range and order as
        // the read): redeliveries carry them, and they decide dead letters.
        commands::xpending(lane.req, c.key, core_.group,
                           {.start = commands::RangeBound::exclusive(c.after),
                            .count = plan.count,
                            .consumer = core_.member});
    }
    turns.start(plan, keys.size(), plan.count * plan.keys, core_.inbox);
    // A read of pending entries returns at once; only `>` reads of every
    // key may block.
    const auto block = lane.keys.empty() && !turn ? lane.block(core_.read_block()) : std::nullopt;
    commands::XReadGroupOptions opts{.count = plan.count,
                                     .block = block,
                                     .noack = core_.options.auto_commit == AutoCommit::immediate};
    commands::xreadgroup(lane.req, core_.group, core_.member, offsets, opts);
    const auto blocking = block.value_or(std::chrono::milliseconds(0));
    core_.exec(lane, lane.req, lane.resp,
               {.timeout = blocking + ConsumerCore::read_margin, .blocking = blocking},
               [this, &lane](std::error_code ec) { on_read(lane, ec); });
}

// XREAD BLOCK over every key of the read from the newest id this member
// saw in each (`$` for a key it saw none of): returns when any key has a
// new entry, or after the block; either way turns of group reads go round
// again. (An entry added to a never-seen key between its turn and this read
// waits for the block to end.)
void GroupReader::wait_for_entries(ReadLane& lane, const std::vector<const GroupCursor*>& keys) {
    std::vector<commands::StreamOffset> offsets;
    for (const auto* c : keys) {
        const auto seen = seen_.find(c->key);
        offsets.push_back({c->key, seen == seen_.end()
                                       ? commands::StreamStart::new_entries()
                                       : commands::StreamStart::after(seen->second)});
    }
    const auto block = lane.block(core_.read_block()).value_or(ReadLane::shared_block);
    lane.req.clear();
    commands::xread(lane.req, offsets, {.count = 1, .block = block});
    core_.exec(lane, lane.req, lane.resp,
               {.timeout = block + ConsumerCore::read_margin, .blocking = block},
               [this, &lane](std::error_code ec) { on_woken(lane, ec); });
}

void GroupReader::on_woken(ReadLane& lane, std::error_code ec) {
    if (ec) return core_.back_off(lane, ec);
    const auto reply = std::move(lane.resp.at(0));
    lane.resp.clear();
    if (core_.rerouted(lane, reply.root())) return;
    std::error_code dec;
    auto& pages = lane.pages;
    commands::decode_xread(reply.root(), pages, dec);
    if (dec) return core_.fail(lane, dec);
    for (const auto& page : pages)
        if (!page.entries.empty()) saw(page.key, page.entries.back().id);
    lane.read_done(!pages.empty());
    pages.clear();         // a wake-up delivers nothing
    lane.turns.quiet = 0;  // go round again, woken or not
    core_.step();
}

void GroupReader::saw(std::string_view key, MessageId id) {
    auto it = seen_.find(key);
    if (it == seen_.end())
        seen_.emplace(std::string(key), id);
    else if (id > it->second)
        it->second = id;
}

void GroupReader::on_read(ReadLane& lane, std::error_code ec) {
    lane.turns.finish(core_.inbox);
    if (ec) {
        // The connection is dropped (the client reconnects by itself).
        reread_pending(lane);
        return core_.back_off(lane, ec);
    }
    ConsumerCounters::add(core_.counters.reads, 1);
    const auto pending_keys = std::move(lane.keys);
    lane.keys.clear();
    std::vector<KeyPending> pending;
    std::error_code refused;  // of the first count request that failed
    resp::Reply refused_reply;
    for (std::size_t i = 0; i < pending_keys.size(); ++i) {
        std::error_code dec;
        pending.push_back(
            {pending_keys[i], commands::decode_xpending(lane.resp.at(i).root(), dec)});
        if (dec && !refused) {
            refused = dec;
            refused_reply = std::move(lane.resp.at(i));
        }
    }
    const auto reply = std::move(lane.resp.at(pending_keys.size()));
    lane.resp.clear();
    if (core_.rerouted(lane, reply.root())) return;
    if (is_lost_group(reply.root())) return on_lost_group(lane);
    if (refused) {
        // A delivery count is never guessed (0 would pass max_deliveries):
        // nothing of this read is delivered, and every entry it gave this
        // member (pending, and `>` ones of other keys) is read again with
        // the pending lists, once the lane tries again.
        reread_pending(lane);
        if (core_.rerouted(lane, refused_reply.root())) return;
        return core_.fail(lane, refused);
    }
    auto& pages = lane.pages;
    std::error_code dec;
    commands::decode_xread(reply.root(), pages, dec);
    if (dec) return core_.fail(lane, dec);
    // Entries of keys routed to another lane while this read was out are
    // delivered all the same: the server gave them to this member.
    for (std::size_t i = 0; i < pending_keys.size(); ++i) {
        const auto& key = pending_keys[i];
        const auto page = std::find_if(pages.begin(), pages.end(),
                                       [&](const commands::StreamPage& p) { return p.key == key; });
        if (page == pages.end() || page->entries.empty()) {
            state_.read(key, 0, std::nullopt);
            continue;
        }
        // Entries past the first unlisted one are read again (with their
        // counts): the cursor stays before them, and does not move at all
        // when none is left, so the pending phase goes on.
        auto& read = page->entries;
        read.erase(read.begin() + static_cast<std::ptrdiff_t>(listed_prefix(pending[i], read)),
                   read.end());
        if (!read.empty()) state_.read(key, read.size(), read.back().id);
    }
    std::size_t entries = 0;
    for (const auto& page : pages) {
        entries += page.entries.size();
        if (!page.entries.empty()) saw(page.key, page.entries.back().id);
    }
    // Keys a turn of `>` reads found empty (a pending list read empty only
    // ends that key's pending phase).
    if (entries > 0)
        lane.turns.quiet = 0;
    else if (pending_keys.empty())
        lane.turns.quiet += lane.turns.turn;
    if (pending_keys.empty()) lane.read_done(entries > 0);
    lane.backoff.reset();
    read_ahead(lane);
    ack_deleted(lane);
    core_.deliver(reply, pages, {}, pending);
    core_.step();
}

// The next read of the lane's keys, and of the slot its read out had (moved
// to another lane meanwhile), re-reads their pending lists first, so nothing
// delivered before is left behind.
void GroupReader::reread_pending(const ReadLane& lane) {
    if (lane.all_slots) return state_.reconnected();
    for (const auto slot : lane.slots)
        state_.reconnected(slot);
    if (!lane.serves(lane.read_slot)) state_.reconnected(lane.read_slot);
}

// A key or its group vanished: create them again (history added in between
// is lost) rather than failing on every read.
void GroupReader::on_lost_group(ReadLane& lane) {
    std::vector<std::string> lost;
    for (const auto& c : state_.cursors())
        if (c.phase != GroupCursor::Phase::create && lane.serves(c.slot)) lost.push_back(c.key);
    for (const auto& key : lost) {
        state_.lost_group(key);
        if (log_enabled(LogLevel::warning))
            log(LogLevel::warning, "consumer",
                "group " + core_.group + " or key " + key +
                    " vanished: creating them again (entries added meanwhile are not read)");
    }
    ConsumerCounters::add(core_.counters.groups_recreated, lost.size());
    core_.back_off(lane, make_error_code(errc::nogroup));
}

// Pending entries whose body was deleted or trimmed cannot be delivered: ack
// them so they do not stay pending forever.
void GroupReader::ack_deleted(const ReadLane& lane) {
    std::vector<std::pair<std::string, MessageId>> deleted;
    for (const auto& page : lane.pages)
        for (const auto& e : page.entries)
            if (e.deleted()) deleted.emplace_back(page.key, e.id);
    core_.ack_deleted(deleted);
}

void GroupReader::read_ahead(ReadLane& lane) {
    std::size_t incoming = 0;
    bool full = false;
    for (const auto& page : lane.pages) {
        incoming += page.entries.size();
        full = full || page.entries.size() >= lane.turns.count;
    }
    lane.turns.backlog = full;
    if (!full || lane.busy || !core_.may_read_ahead() || needs_create(lane) ||
        state_.reading_pending() || !has_keys(lane) || !core_.inbox.room_for_read(incoming, true))
        return;
    read(lane, incoming);
}

}  // namespace redstream::detail
