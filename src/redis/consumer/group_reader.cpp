#include "group_reader.hpp"

#include <algorithm>
#include <utility>

#include <redstream/commands/xgroup.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/commands/xread.hpp>
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

GroupReader::GroupReader(ConsumerCore& core, ReadLane& lane)
    : core_(core), lane_(lane), state_(core.options.auto_stream_reset) {}

void GroupReader::add(const StreamKey& stream, ShardId shard, std::string key, bool found_later) {
    turns_.quiet = 0;  // a new key may have entries: go round the turns again
    state_.add(stream, shard, std::move(key), found_later);
}

std::size_t GroupReader::created_keys() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(state_.cursors().begin(), state_.cursors().end(),
                      [](const GroupCursor& c) { return c.phase != GroupCursor::Phase::create; }));
}

void GroupReader::create_groups() {
    req_.clear();
    creating_.clear();
    for (const auto& c : state_.cursors()) {
        if (c.phase != GroupCursor::Phase::create) continue;
        creating_.push_back(c.key);
        commands::xgroup_create(req_, c.key, core_.group, state_.create_start(c),
                                {.mkstream = core_.options.mkstream});
    }
    core_.exec(lane_, req_, resp_, {}, [this](std::error_code ec) { on_groups_created(ec); });
}

void GroupReader::on_groups_created(std::error_code ec) {
    if (ec) return core_.back_off(ec);
    const auto keys = std::move(creating_);
    for (std::size_t n = 0; n < keys.size() && n < resp_.size(); ++n) {
        const auto root = resp_[n].root();
        const auto err = resp::error_of(root);
        if (!err || err == errc::busygroup) {
            state_.created(keys[n]);
            continue;
        }
        if (!is_missing_key(root)) return core_.fail(err);
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
            return core_.fail_start(make_error_code(errc::nogroup));
        }
        state_.remove_key(keys[n]);
    }
    resp_.clear();
    lane_.backoff.reset();
    core_.step();
}

// A group read of the keys plan_read() picks out of the room left in the
// prefetch queue: entries a read brings are this member's (pending) at once,
// so it never asks for more than fit. A turn of keys (fewer than all) does
// not block; once turns found every key empty, a wake-up read (XREAD, which
// delivers nothing) blocks on all of them instead.
void GroupReader::read(std::size_t incoming) {
    std::vector<const GroupCursor*> keys;
    for (const auto& c : state_.cursors())
        if (c.phase != GroupCursor::Phase::create) keys.push_back(&c);
    const auto plan =
        plan_read(core_.inbox.room(incoming), keys.size(), core_.options.batch_size, turns_.next);
    const bool turn = plan.keys < keys.size();
    if (turn && turns_.quiet >= keys.size() && !state_.reading_pending()) return wait_for_entries();
    std::vector<commands::StreamOffset> offsets;
    offsets.reserve(plan.keys);
    reading_pending_.clear();
    req_.clear();
    for (std::size_t i = 0; i < plan.keys; ++i) {
        const auto& c = *keys[(plan.first + i) % keys.size()];
        offsets.push_back({c.key, c.start()});
        if (c.phase != GroupCursor::Phase::pending) continue;
        reading_pending_.push_back(c.key);
        // The pending list's delivery counts first (same range and order as
        // the read): redeliveries carry them, and they decide dead letters.
        commands::xpending(req_, c.key, core_.group,
                           {.start = commands::RangeBound::exclusive(c.after),
                            .count = plan.count,
                            .consumer = core_.member});
    }
    turns_.start(plan, keys.size(), plan.count * plan.keys, core_.inbox);
    // A read of pending entries returns at once; only `>` reads of every
    // key may block.
    const bool may_block = reading_pending_.empty() && !turn;
    const auto block_time = core_.read_block();
    commands::XReadGroupOptions opts{.count = plan.count,
                                     .noack = core_.options.auto_commit == AutoCommit::immediate};
    if (may_block) opts.block = block_time;
    commands::xreadgroup(req_, core_.group, core_.member, offsets, opts);
    core_.exec(lane_, req_, resp_,
               {.timeout = block_time + ConsumerCore::read_margin,
                .blocking = may_block ? block_time : std::chrono::milliseconds(0)},
               [this](std::error_code ec) { on_read(ec); });
}

// XREAD BLOCK over every key from the newest id this member saw in each
// (`$` for a key it saw none of): returns when any key has a new entry, or
// after block_time; either way turns of group reads go round again. (An
// entry added to a never-seen key between its turn and this read waits for
// the block to end.)
void GroupReader::wait_for_entries() {
    std::vector<commands::StreamOffset> offsets;
    for (const auto& c : state_.cursors()) {
        if (c.phase == GroupCursor::Phase::create) continue;
        const auto seen = seen_.find(c.key);
        offsets.push_back({c.key, seen == seen_.end()
                                      ? commands::StreamStart::new_entries()
                                      : commands::StreamStart::after(seen->second)});
    }
    const auto block = core_.read_block();
    req_.clear();
    commands::xread(req_, offsets, {.count = 1, .block = block});
    core_.exec(lane_, req_, resp_,
               {.timeout = block + ConsumerCore::read_margin, .blocking = block},
               [this](std::error_code ec) { on_woken(ec); });
}

void GroupReader::on_woken(std::error_code ec) {
    if (ec) return core_.back_off(ec);
    std::error_code dec;
    pages_.clear();
    commands::decode_xread(resp_.at(0).root(), pages_, dec);
    resp_.clear();
    if (dec) return core_.fail(dec);
    for (const auto& page : pages_)
        if (!page.entries.empty()) saw(page.key, page.entries.back().id);
    pages_.clear();    // a wake-up delivers nothing
    turns_.quiet = 0;  // go round again, woken or not
    core_.step();
}

void GroupReader::saw(std::string_view key, MessageId id) {
    auto it = seen_.find(key);
    if (it == seen_.end())
        seen_.emplace(std::string(key), id);
    else if (id > it->second)
        it->second = id;
}

void GroupReader::on_read(std::error_code ec) {
    turns_.finish(core_.inbox);
    if (ec) {
        // The connection is dropped (the client reconnects by itself); the
        // next read, on a new one, re-reads the pending list first, so
        // nothing delivered before is left behind.
        state_.reconnected();
        return core_.back_off(ec);
    }
    ConsumerCounters::add(core_.counters.reads, 1);
    std::vector<KeyPending> pending;
    for (std::size_t i = 0; i < reading_pending_.size(); ++i) {
        std::error_code dec;  // an error leaves the counts unknown (0)
        pending.push_back(
            {reading_pending_[i], commands::decode_xpending(resp_.at(i).root(), dec)});
    }
    const auto reply = std::move(resp_.at(reading_pending_.size()));
    resp_.clear();
    if (is_lost_group(reply.root())) return on_lost_group();
    std::error_code dec;
    commands::decode_xread(reply.root(), pages_, dec);
    if (dec) return core_.fail(dec);
    for (const auto& key : reading_pending_) {
        const auto page = std::find_if(pages_.begin(), pages_.end(),
                                       [&](const commands::StreamPage& p) { return p.key == key; });
        if (page == pages_.end() || page->entries.empty())
            state_.read(key, 0, std::nullopt);
        else
            state_.read(key, page->entries.size(), page->entries.back().id);
    }
    std::size_t entries = 0;
    for (const auto& page : pages_) {
        entries += page.entries.size();
        if (!page.entries.empty()) saw(page.key, page.entries.back().id);
    }
    // Keys a turn of `>` reads found empty (a pending list read empty only
    // ends that key's pending phase).
    if (entries > 0)
        turns_.quiet = 0;
    else if (reading_pending_.empty())
        turns_.quiet += turns_.turn;
    lane_.backoff.reset();
    read_ahead();
    ack_deleted();
    core_.deliver(reply, pages_, {}, pending);
    core_.step();
}

// A key or its group vanished: create them again (history added in between
// is lost) rather than failing on every read.
void GroupReader::on_lost_group() {
    std::vector<std::string> lost;
    for (const auto& c : state_.cursors())
        if (c.phase != GroupCursor::Phase::create) lost.push_back(c.key);
    for (const auto& key : lost)
        state_.lost_group(key);
    ConsumerCounters::add(core_.counters.groups_recreated, lost.size());
    core_.back_off(make_error_code(errc::nogroup));
}

// Pending entries whose body was deleted or trimmed cannot be delivered: ack
// them so they do not stay pending forever.
void GroupReader::ack_deleted() {
    std::vector<std::pair<std::string, MessageId>> deleted;
    for (const auto& page : pages_)
        for (const auto& e : page.entries)
            if (e.deleted()) deleted.emplace_back(page.key, e.id);
    core_.ack_deleted(deleted);
}

void GroupReader::read_ahead() {
    std::size_t incoming = 0;
    bool full = false;
    for (const auto& page : pages_) {
        incoming += page.entries.size();
        full = full || page.entries.size() >= turns_.count;
    }
    if (!full || lane_.busy || !core_.may_read_ahead() || state_.needs_create() ||
        state_.reading_pending() || !state_.readable() || !core_.inbox.room_for_read(incoming))
        return;
    read(incoming);
}

}  // namespace redstream::detail
