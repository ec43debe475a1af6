#include "real_time_reader.hpp"

#include <algorithm>
#include <utility>

#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {

RealTimeReader::RealTimeReader(ConsumerCore& core, ReadLane& lane)
    : core_(core), lane_(lane), state_(core.options.auto_stream_reset) {}

void RealTimeReader::add(const StreamKey& stream, ShardId shard, std::string key,
                         ReadState::Origin origin) {
    new_keys();
    state_.add(stream, shard, std::move(key), origin);
}

void RealTimeReader::resolve() {
    req_.clear();
    resolving_.clear();
    for (const auto& c : state_.cursors()) {
        if (c.resolved) continue;
        resolving_.push_back(c.key);
        commands::xrevrange(req_, c.key, commands::RangeBound::max(), commands::RangeBound::min(),
                            1);
    }
    core_.exec(lane_, req_, resp_, {},
               [this, gen = state_.generation()](std::error_code ec) { on_resolved(ec, gen); });
}

void RealTimeReader::on_resolved(std::error_code ec, std::uint64_t generation) {
    if (ec) return core_.back_off(ec);
    if (generation != state_.generation()) {  // rewound meanwhile: ask again
        resp_.clear();
        return core_.step();
    }
    // Keys unassigned meanwhile are ignored by resolve(); keys added meanwhile
    // are resolved by the next round.
    const auto keys = std::move(resolving_);
    for (std::size_t n = 0; n < keys.size() && n < resp_.size(); ++n) {
        std::error_code dec;
        const auto entries = commands::decode_xrange(resp_[n].root(), dec);
        if (dec) {
            resp_.clear();
            return core_.fail(dec);
        }
        state_.resolve(keys[n], entries.empty() ? std::nullopt : std::optional(entries[0].id));
    }
    resp_.clear();
    lane_.backoff.reset();
    core_.step();
}

void RealTimeReader::read(std::size_t incoming) {
    std::vector<const ReadCursor*> keys;
    for (const auto& c : state_.cursors())
        if (c.resolved) keys.push_back(&c);
    const auto room = core_.inbox.room(incoming);
    auto plan = plan_read(room, keys.size(), core_.options.batch_size, turns_.next);
    read_limit_ = 0;
    if (plan.keys < keys.size() && turns_.quiet >= keys.size()) {
        // Every key was found empty turn by turn: block on all of them, COUNT
        // 1, keeping only what fits (in turn order); a key whose entries are
        // dropped is not advanced, so they are read again later.
        plan = {1, turns_.next % keys.size(), keys.size()};
        read_limit_ = room;
    }
    std::vector<commands::StreamOffset> offsets;
    offsets.reserve(plan.keys);
    for (std::size_t i = 0; i < plan.keys; ++i) {
        const auto* c = keys[(plan.first + i) % keys.size()];
        offsets.push_back({c->key, commands::StreamStart::after(c->last)});
    }
    const bool turn = plan.keys < keys.size();
    turns_.start(plan, keys.size(), read_limit_ > 0 ? read_limit_ : plan.count * plan.keys,
                 core_.inbox);
    // A turn must not block: keys outside it may have entries.
    const auto block = core_.read_block();
    req_.clear();
    commands::xread(req_, offsets,
                    {.count = plan.count, .block = turn ? std::nullopt : std::optional(block)});
    core_.exec(lane_, req_, resp_,
               {.timeout = block + ConsumerCore::read_margin,
                .blocking = turn ? std::chrono::milliseconds(0) : block},
               [this, gen = state_.generation()](std::error_code ec) { on_read(ec, gen); });
}

void RealTimeReader::on_read(std::error_code ec, std::uint64_t generation) {
    turns_.finish(core_.inbox);
    if (ec) return core_.back_off(ec);
    ConsumerCounters::add(core_.counters.reads, 1);
    const auto reply = std::move(resp_.at(0));
    resp_.clear();
    if (generation != state_.generation()) return core_.step();  // read before a seek: drop it
    std::error_code dec;
    commands::decode_xread(reply.root(), pages_, dec);
    if (dec) return core_.fail(dec);
    lane_.backoff.reset();
    if (read_limit_ > 0) keep_first(read_limit_);
    std::size_t entries = 0;
    for (const auto& page : pages_) {  // where the next read starts
        entries += page.entries.size();
        if (!page.entries.empty()) state_.advance(page.key, page.entries.back().id);
    }
    // Keys known empty: a blocking read of all that found nothing leaves them so.
    turns_.quiet = entries > 0 ? 0 : turns_.quiet + turns_.turn;
    read_ahead();
    core_.deliver(reply, pages_);
    core_.step();
}

// A blocking read over more keys than the room: keeps the first `limit`
// entries of pages_ and drops the rest (their keys are not advanced past
// them); the next turn starts at the first key that lost entries.
void RealTimeReader::keep_first(std::size_t limit) {
    std::size_t kept = 0;
    bool cut = false;
    for (auto& page : pages_) {
        const auto take = std::min(page.entries.size(), limit - kept);
        if (take < page.entries.size() && !cut) {
            cut = true;
            std::size_t index = 0;
            for (const auto& c : state_.cursors()) {
                if (!c.resolved) continue;
                if (c.key == page.key) turns_.next = index;
                ++index;
            }
        }
        page.entries.resize(take);
        kept += take;
    }
    std::erase_if(pages_, [](const commands::StreamPage& p) { return p.entries.empty(); });
}

// Under a backlog (a full page came), the next read goes out before this
// page is handed over, so that the server works on it meanwhile instead of
// waiting for us. Only when nothing else must come first, and when the inbox
// has room for this page and the next.
void RealTimeReader::read_ahead() {
    std::size_t incoming = 0;
    bool full = false;
    for (const auto& page : pages_) {
        incoming += page.entries.size();
        full = full || page.entries.size() >= turns_.count;
    }
    if (!full || lane_.busy || !core_.may_read_ahead() || state_.needs_resolution() ||
        !state_.readable() || !core_.inbox.room_for_read(incoming))
        return;
    read(incoming);
}

}  // namespace redstream::detail
