// The group consumer's read loop (resumable, load_balanced): create each
// key's group, re-read the member's own pending list, then XREADGROUP `>`.
// Acks go over another connection (acks_client_), never behind a blocking read.
#include <algorithm>
#include <utility>

#include <redstream/commands/xgroup.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/commands/xread.hpp>
#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

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

void ConsumerImpl::create_groups() {
    req_.clear();
    creating_.clear();
    for (const auto& c : group_.cursors()) {
        if (c.phase != GroupCursor::Phase::create) continue;
        creating_.push_back(c.key);
        commands::xgroup_create(req_, c.key, group_name_, group_.create_start(c),
                                {.mkstream = options_.mkstream});
    }
    op_ = Op::create;
    client_->async_exec(req_, resp_,
                        bind([](ConsumerImpl& s, std::error_code ec) { s.on_groups_created(ec); }));
}

void ConsumerImpl::on_groups_created(std::error_code ec) {
    if (ec) return back_off(ec);
    const auto keys = std::move(creating_);
    for (std::size_t n = 0; n < keys.size() && n < resp_.size(); ++n) {
        const auto root = resp_[n].root();
        const auto err = resp::error_of(root);
        if (!err || err == errc::busygroup) {
            group_.created(keys[n]);
            continue;
        }
        if (!is_missing_key(root)) return fail(err);
        // The plain key of a sharded stream need not exist: its shards do.
        const auto* c = group_.find(keys[n]);
        const bool has_shards = c && std::any_of(group_.cursors().begin(), group_.cursors().end(),
                                                 [&](const GroupCursor& o) {
                                                     return o.stream == c->stream && &o != c;
                                                 });
        if (!has_shards) {
            // Without mkstream, consuming a missing stream is an error, and
            // one create_consumer() reports rather than a silent wait.
            start_failure_ =
                "stream " + keys[n] + " does not exist (ConsumerOptions::mkstream creates it)";
            finish_start(make_error_code(errc::nogroup));
            return fail(make_error_code(errc::nogroup));
        }
        group_.remove_key(keys[n]);
    }
    resp_.clear();
    backoff_.reset();
    step();
}

// COUNT per key of a claim: no more than a read of every key would take,
// out of the room left in the prefetch queue (at least one).
std::size_t ConsumerImpl::read_count(std::size_t incoming) const {
    const auto keys = static_cast<std::size_t>(
        std::count_if(group_.cursors().begin(), group_.cursors().end(),
                      [](const GroupCursor& c) { return c.phase != GroupCursor::Phase::create; }));
    const auto share = inbox_.room(incoming) / std::max<std::size_t>(1, keys);
    return std::clamp<std::size_t>(share, 1, options_.batch_size);
}

// A group read of the keys plan_read() picks out of the room left in the
// prefetch queue: entries a read brings are this member's (pending) at once,
// so it never asks for more than fit. A turn of keys (fewer than all) does
// not block; once turns found every key empty, a wake-up read (XREAD, which
// delivers nothing) blocks on all of them instead.
void ConsumerImpl::read_group(std::size_t incoming) {
    std::vector<const GroupCursor*> keys;
    for (const auto& c : group_.cursors())
        if (c.phase != GroupCursor::Phase::create) keys.push_back(&c);
    const auto plan =
        plan_read(inbox_.room(incoming), keys.size(), options_.batch_size, next_turn_);
    const bool turn = plan.keys < keys.size();
    if (turn && quiet_keys_ >= keys.size() && !group_.reading_pending()) return wait_for_entries();
    std::vector<commands::StreamOffset> offsets;
    offsets.reserve(plan.keys);
    reading_pending_.clear();
    req_.clear();
    const auto count = plan.count;
    for (std::size_t i = 0; i < plan.keys; ++i) {
        const auto& c = *keys[(plan.first + i) % keys.size()];
        offsets.push_back({c.key, c.start()});
        if (c.phase != GroupCursor::Phase::pending) continue;
        reading_pending_.push_back(c.key);
        // The pending list's delivery counts first (same range and order as
        // the read): redeliveries carry them, and they decide dead letters.
        commands::xpending(req_, c.key, group_name_,
                           {.start = commands::RangeBound::exclusive(c.after),
                            .count = count,
                            .consumer = member_name_});
    }
    read_turn_ = turn ? plan.keys : 0;
    read_count_ = count;
    if (turn) next_turn_ = (plan.first + plan.keys) % keys.size();
    read_reserved_ = count * plan.keys;
    inbox_.reserve(read_reserved_);
    // A read of pending entries returns at once; only `>` reads of every
    // key may block.
    const bool may_block = reading_pending_.empty() && !turn;
    const auto block_time = read_block();
    commands::XReadGroupOptions opts{.count = count,
                                     .noack = options_.auto_commit == AutoCommit::immediate};
    if (may_block) opts.block = block_time;
    commands::xreadgroup(req_, group_name_, member_name_, offsets, opts);
    op_ = Op::read;
    const net::ExecOptions exec{.timeout = block_time + read_margin,
                                .blocking = may_block ? block_time : std::chrono::milliseconds(0)};
    client_->async_exec(req_, resp_, exec,
                        bind([](ConsumerImpl& s, std::error_code ec) { s.on_group_read(ec); }));
}

// XREAD BLOCK over every key from the newest id this member saw in each
// (`$` for a key it saw none of): returns when any key has a new entry, or
// after block_time; either way turns of group reads go round again. (An
// entry added to a never-seen key between its turn and this read waits for
// the block to end.)
void ConsumerImpl::wait_for_entries() {
    std::vector<commands::StreamOffset> offsets;
    for (const auto& c : group_.cursors()) {
        if (c.phase == GroupCursor::Phase::create) continue;
        const auto seen = group_seen_.find(c.key);
        offsets.push_back({c.key, seen == group_seen_.end()
                                      ? commands::StreamStart::new_entries()
                                      : commands::StreamStart::after(seen->second)});
    }
    const auto block = read_block();
    req_.clear();
    commands::xread(req_, offsets, {.count = 1, .block = block});
    op_ = Op::read;
    client_->async_exec(req_, resp_,
                        net::ExecOptions{.timeout = block + read_margin, .blocking = block},
                        bind([](ConsumerImpl& s, std::error_code ec) {
                            if (ec) return s.back_off(ec);
                            std::error_code dec;
                            s.commands_pages_.clear();
                            commands::decode_xread(s.resp_.at(0).root(), s.commands_pages_, dec);
                            if (dec) return s.fail(dec);
                            for (const auto& page : s.commands_pages_)
                                if (!page.entries.empty()) s.saw(page.key, page.entries.back().id);
                            s.commands_pages_.clear();
                            s.resp_.clear();
                            s.quiet_keys_ = 0;  // go round again, woken or not
                            s.step();
                        }));
}

void ConsumerImpl::saw(std::string_view key, MessageId id) {
    auto it = group_seen_.find(key);
    if (it == group_seen_.end())
        group_seen_.emplace(std::string(key), id);
    else if (id > it->second)
        it->second = id;
}

void ConsumerImpl::on_group_read(std::error_code ec) {
    inbox_.unreserve(std::exchange(read_reserved_, 0));
    if (ec) {
        // The connection is dropped (the client reconnects by itself); the
        // next read, on a new one, re-reads the pending list first, so
        // nothing delivered before is left behind.
        group_.reconnected();
        return back_off(ec);
    }
    reads_.fetch_add(1, std::memory_order_relaxed);
    std::vector<KeyPending> pending;
    for (std::size_t i = 0; i < reading_pending_.size(); ++i) {
        std::error_code dec;  // an error leaves the counts unknown (0)
        pending.push_back(
            {reading_pending_[i], commands::decode_xpending(resp_.at(i).root(), dec)});
    }
    const auto reply = std::move(resp_.at(reading_pending_.size()));
    resp_.clear();
    if (is_lost_group(reply.root())) {
        // A key or its group vanished: create them again (history added in
        // between is lost) rather than failing on every read.
        std::vector<std::string> lost;
        for (const auto& c : group_.cursors())
            if (c.phase != GroupCursor::Phase::create) lost.push_back(c.key);
        for (const auto& key : lost)
            group_.lost_group(key);
        groups_recreated_.fetch_add(lost.size(), std::memory_order_relaxed);
        return back_off(make_error_code(errc::nogroup));
    }
    std::error_code dec;
    commands::decode_xread(reply.root(), pages_, dec);
    if (dec) return fail(dec);
    for (const auto& key : reading_pending_) {
        const auto page = std::find_if(pages_.begin(), pages_.end(),
                                       [&](const commands::StreamPage& p) { return p.key == key; });
        if (page == pages_.end() || page->entries.empty())
            group_.read(key, 0, std::nullopt);
        else
            group_.read(key, page->entries.size(), page->entries.back().id);
    }
    std::size_t entries = 0;
    for (const auto& page : pages_) {
        entries += page.entries.size();
        if (!page.entries.empty()) saw(page.key, page.entries.back().id);
    }
    // Keys a turn of `>` reads found empty (a pending list read empty only
    // ends that key's pending phase).
    if (entries > 0)
        quiet_keys_ = 0;
    else if (read_turn_ > 0 && reading_pending_.empty())
        quiet_keys_ += read_turn_;
    backoff_.reset();
    read_ahead();
    on_group_entries();
    push_messages(reply, {}, pending);
    step();
}

void ConsumerImpl::on_group_entries() {
    // Pending entries whose body was deleted or trimmed cannot be delivered:
    // ack them so they do not stay pending forever, and count them.
    bool owed = false;
    for (const auto& page : pages_)
        for (const auto& e : page.entries)
            if (e.deleted()) {
                acks_.ack_now(std::string(page.key), e.id);
                deleted_.fetch_add(1, std::memory_order_relaxed);
                owed = true;
            }
    // The delivery log is drained at every read, which keeps it bounded.
    if (owed || options_.auto_commit == AutoCommit::delayed) commit_step();
}

}  // namespace redstream::detail
