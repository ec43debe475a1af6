#include "real_time_reader.hpp"

#include <algorithm>
#include <utility>

#include <redstream/cluster/slot.hpp>
#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {

RealTimeReader::RealTimeReader(ConsumerCore& core)
    : core_(core), state_(core.options.auto_stream_reset) {}

bool RealTimeReader::needs_resolution(const ReadLane& lane) const noexcept {
    return std::any_of(state_.cursors().begin(), state_.cursors().end(),
                       [&](const ReadCursor& c) { return !c.resolved && lane.serves(c.slot); });
}

bool RealTimeReader::read_due(const ReadLane& lane) const {
    return std::any_of(state_.cursors().begin(), state_.cursors().end(),
                       [&](const ReadCursor& c) { return c.resolved && lane.serves(c.slot); }) &&
           core_.inbox.room_for_read(0, lane.turns.backlog);
}

void RealTimeReader::resolve(ReadLane& lane) {
    lane.req.clear();
    lane.keys.clear();
    for (const auto& c : state_.cursors()) {
        if (c.resolved || !lane.serves(c.slot)) continue;
        lane.keys.push_back(c.key);
        commands::xrevrange(lane.req, c.key, commands::RangeBound::max(),
                            commands::RangeBound::min(), 1);
    }
    core_.exec(lane, lane.req, lane.resp, {},
               [this, &lane, gen = state_.generation()](std::error_code ec) {
                   on_resolved(lane, ec, gen);
               });
}

void RealTimeReader::on_resolved(ReadLane& lane, std::error_code ec, std::uint64_t generation) {
    if (ec) return core_.back_off(lane, ec);
    if (generation != state_.generation()) {  // rewound meanwhile: ask again
        lane.resp.clear();
        return core_.step();
    }
    // Keys unassigned meanwhile are ignored by resolve(); keys added meanwhile
    // are resolved by the next round.
    const auto keys = std::move(lane.keys);
    const auto resp = std::move(lane.resp);
    lane.resp.clear();
    for (std::size_t n = 0; n < keys.size() && n < resp.size(); ++n) {
        if (core_.rerouted(lane, resp[n].root())) return;  // the others go again, routed anew
        std::error_code dec;
        const auto entries = commands::decode_xrange(resp[n].root(), dec);
        if (dec) return core_.fail(lane, dec);
        state_.resolve(keys[n], entries.empty() ? std::nullopt : std::optional(entries[0].id));
    }
    lane.backoff.reset();
    core_.step();
}

void RealTimeReader::read(ReadLane& lane, std::size_t incoming) {
    const auto keys =
        next_read_keys(lane, state_.cursors(), [](const ReadCursor& c) { return c.resolved; });
    if (keys.empty()) return;  // unassigned meanwhile
    auto& turns = lane.turns;
    const auto room = core_.lane_room(incoming);
    auto plan = plan_read(room, keys.size(), core_.options.batch_size, turns.next);
    lane.read_limit = 0;
    if (plan.keys < keys.size() && turns.quiet >= keys.size()) {
        // Every key was found empty turn by turn: block on all of them, COUNT
        // 1, keeping only what fits (in turn order); a key whose entries are
        // dropped is not advanced, so they are read again later.
        plan = {1, turns.next % keys.size(), keys.size()};
        lane.read_limit = room;
    }
    std::vector<commands::StreamOffset> offsets;
    offsets.reserve(plan.keys);
    for (std::size_t i = 0; i < plan.keys; ++i) {
        const auto* c = keys[(plan.first + i) % keys.size()];
        offsets.push_back({c->key, commands::StreamStart::after(c->last)});
    }
    const bool turn = plan.keys < keys.size();
    turns.start(plan, keys.size(), lane.read_limit > 0 ? lane.read_limit : plan.count * plan.keys,
                core_.inbox);
    // A turn must not block: keys outside it may have entries.
    const auto block = turn ? std::nullopt : lane.block(core_.read_block());
    lane.req.clear();
    commands::xread(lane.req, offsets, {.count = plan.count, .block = block});
    const auto blocking = block.value_or(std::chrono::milliseconds(0));
    core_.exec(
        lane, lane.req, lane.resp,
        {.timeout = blocking + ConsumerCore::read_margin, .blocking = blocking},
        [this, &lane, gen = state_.generation()](std::error_code ec) { on_read(lane, ec, gen); });
}

void RealTimeReader::on_read(ReadLane& lane, std::error_code ec, std::uint64_t generation) {
    lane.turns.finish(core_.inbox);
    if (ec) return core_.back_off(lane, ec);
    ConsumerCounters::add(core_.counters.reads, 1);
    const auto reply = std::move(lane.resp.at(0));
    lane.resp.clear();
    if (generation != state_.generation()) return core_.step();  // read before a seek: drop it
    if (core_.rerouted(lane, reply.root())) return;
    auto& pages = lane.pages;
    std::error_code dec;
    commands::decode_xread(reply.root(), pages, dec);
    if (dec) return core_.fail(lane, dec);
    lane.backoff.reset();
    // Keys routed to another lane while this read was out: theirs reads them.
    if (!lane.all_slots)
        std::erase_if(pages, [&](const commands::StreamPage& p) {
            return !lane.serves(cluster::key_slot(p.key));
        });
    if (lane.read_limit > 0) keep_first(lane);
    std::size_t entries = 0;
    for (const auto& page : pages) {  // where the next read starts
        entries += page.entries.size();
        if (!page.entries.empty()) state_.advance(page.key, page.entries.back().id);
    }
    // Keys known empty: a blocking read of all that found nothing leaves them so.
    lane.turns.quiet = entries > 0 ? 0 : lane.turns.quiet + lane.turns.turn;
    lane.read_done(entries > 0);
    read_ahead(lane);
    core_.deliver(reply, pages);
    core_.step();
}

// A blocking read over more keys than the room: keeps the first read_limit
// entries of the lane's pages and drops the rest (their keys are not
// advanced past them); the next turn starts at the first key that lost
// entries.
void RealTimeReader::keep_first(ReadLane& lane) {
    const auto limit = lane.read_limit;
    std::size_t kept = 0;
    bool cut = false;
    for (auto& page : lane.pages) {
        const auto take = std::min(page.entries.size(), limit - kept);
        if (take < page.entries.size() && !cut) {
            cut = true;
            std::size_t index = 0;
            for (const auto& c : state_.cursors()) {
                if (!c.resolved || !lane.reads(c.slot)) continue;
                if (c.key == page.key) lane.turns.next = index;
                ++index;
            }
        }
        page.entries.resize(take);
        kept += take;
    }
    std::erase_if(lane.pages, [](const commands::StreamPage& p) { return p.entries.empty(); });
}

// Under a backlog (a full page came), the next read goes out before this
// page is handed over, so that the server works on it meanwhile instead of
// waiting for us. Only when nothing else must come first, and when the inbox
// has room for this page and the next. (The read leaves the lane's pages
// alone until its reply, after they were handed over.)
void RealTimeReader::read_ahead(ReadLane& lane) {
    std::size_t incoming = 0;
    bool full = false;
    for (const auto& page : lane.pages) {
        incoming += page.entries.size();
        full = full || page.entries.size() >= lane.turns.count;
    }
    lane.turns.backlog = full;
    if (!full || lane.busy || !core_.may_read_ahead() || needs_resolution(lane) ||
        !core_.inbox.room_for_read(incoming, true))
        return;
    read(lane, incoming);
}

}  // namespace redstream::detail
