// The group consumer's read loop (resumable, load_balanced): create each
// key's group, re-read the member's own pending list, then XREADGROUP `>`.
// Acks go over another connection (acks_client_), never behind a blocking read.
#include <algorithm>

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

// COUNT of a group read (per key). A load-balanced member asks for no more
// than the room left in its prefetch queue, shared among the keys read (at
// least one each): what it holds, its peers cannot work on.
std::size_t ConsumerImpl::read_count(std::size_t incoming) const {
    if (options_.mode != ConsumerMode::load_balanced) return options_.batch_size;
    const auto keys = static_cast<std::size_t>(
        std::count_if(group_.cursors().begin(), group_.cursors().end(),
                      [](const GroupCursor& c) { return c.phase != GroupCursor::Phase::create; }));
    const auto share = inbox_.room(incoming) / std::max<std::size_t>(1, keys);
    return std::clamp<std::size_t>(share, 1, options_.batch_size);
}

void ConsumerImpl::read_group(std::size_t incoming) {
    std::vector<commands::StreamOffset> offsets;
    reading_pending_.clear();
    req_.clear();
    const auto count = read_count(incoming);
    for (const auto& c : group_.cursors()) {
        if (c.phase == GroupCursor::Phase::create) continue;
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
    // A read of pending entries returns at once; only `>` reads may block.
    const auto block_time = read_block();
    commands::XReadGroupOptions opts{.count = count,
                                     .noack = options_.auto_commit == AutoCommit::immediate};
    if (reading_pending_.empty()) opts.block = block_time;
    commands::xreadgroup(req_, group_name_, member_name_, offsets, opts);
    op_ = Op::read;
    const ExecOptions exec{
        .timeout = block_time + read_margin,
        .blocking = reading_pending_.empty() ? block_time : std::chrono::milliseconds(0)};
    client_->async_exec(req_, resp_, exec,
                        bind([](ConsumerImpl& s, std::error_code ec) { s.on_group_read(ec); }));
}

void ConsumerImpl::on_group_read(std::error_code ec) {
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
