#include "claim_loop.hpp"

#include <algorithm>
#include <utility>

#include <redstream/commands/xclaim.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/core/detail/log.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {

ClaimLoop::ClaimLoop(ConsumerCore& core, const GroupReader& reader)
    : core_(core), reader_(reader), timer_(core.strand) {}

void ClaimLoop::schedule(std::chrono::milliseconds after) {
    if (core_.stopped || core_.options.auto_claim_interval.count() <= 0) return;
    timer_.expires_after(after);
    timer_.async_wait(core_.guard([this](std::error_code ec) {
        if (!ec) claim();
    }));
}

void ClaimLoop::resume_if_room() {
    if (!waiting_ || !core_.inbox.has_room()) return;
    waiting_ = false;
    claim();
}

// No more than a read of every key would take, out of the room left in the
// prefetch queue (at least one): claimed entries are held like read ones.
std::size_t ClaimLoop::count() const {
    const auto share = core_.inbox.room(0) / std::max<std::size_t>(1, reader_.created_keys());
    return std::clamp<std::size_t>(share, 1, core_.options.batch_size);
}

void ClaimLoop::claim() {
    const auto& keys = reader_.state().cursors();
    while (index_ < keys.size() && keys[index_].phase == GroupCursor::Phase::create)
        ++index_;
    // A round ends when every key's scan came back to 0-0; claimed entries
    // take room in the inbox like a read, so a full inbox waits too (asked
    // without room_for_read(): its pause flag is the read loop's, and
    // clearing it here would leave that loop waiting for a wake-up that the
    // takes no longer send).
    if (index_ >= keys.size()) {
        index_ = 0;
        cursor_ = MessageId{};
        return schedule(core_.options.auto_claim_interval);
    }
    // The room a read in flight holds (its reservation) is not ours: the
    // read loop calls resume_if_room() before its next read.
    if (!core_.inbox.has_room()) {
        waiting_ = true;
        return;
    }
    key_ = keys[index_].key;
    const auto n = count();
    reserved_ = n;  // it counts as queued while the claim is out
    core_.inbox.reserve(n);
    req_.clear();
    commands::xautoclaim(req_, key_, core_.group, core_.member, core_.options.auto_claim_idle,
                         cursor_, {.count = n});
    core_.router->async_exec(req_, resp_,
                             core_.guard([this](std::error_code ec) { on_claimed(ec); }));
}

void ClaimLoop::on_claimed(std::error_code ec) {
    if (ec || resp_.size() != 1) return give_up(ec ? ec : make_error_code(errc::protocol_error));
    std::error_code dec;
    claimed_ = commands::decode_xautoclaim(resp_[0].root(), dec);
    reply_ = std::move(resp_[0]);
    resp_.clear();
    ConsumerCounters::add(core_.counters.deleted, claimed_.deleted.size());
    if (dec) refused(dec);
    if (dec || claimed_.entries.empty()) return next_page(static_cast<bool>(dec));
    ConsumerCounters::add(core_.counters.claimed, claimed_.entries.size());
    core_.counters.of(key_).claimed += claimed_.entries.size();
    if (log_enabled(LogLevel::info))
        log(LogLevel::info, "consumer",
            "claimed " + std::to_string(claimed_.entries.size()) + " idle entries of " + key_);
    // XAUTOCLAIM tells no delivery counts. Asked afterwards, entry by entry,
    // each count is exact and already includes this claim. An XPENDING IDLE
    // sent before it could not be trusted: each command reads the clock, so
    // an entry crossing auto_claim_idle between the two was claimed unlisted
    // (and that XPENDING scans every younger pending entry, each page).
    req_.clear();
    for (const auto& e : claimed_.entries)
        commands::xpending(req_, key_, core_.group,
                           {.start = commands::RangeBound::inclusive(e.id),
                            .end = commands::RangeBound::inclusive(e.id),
                            .count = 1});
    core_.router->async_exec(req_, resp_,
                             core_.guard([this](std::error_code ec) { on_counted(ec); }));
}

void ClaimLoop::on_counted(std::error_code ec) {
    // Without their counts the claimed entries are not delivered: they stay
    // pending under this member and are claimed again once idle, so
    // max_deliveries is never passed by an unknown count.
    if (ec || resp_.size() != claimed_.entries.size())
        return give_up(ec ? ec : make_error_code(errc::protocol_error));
    KeyPending pending{key_, {}, true};
    auto& entries = claimed_.entries;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::error_code dec;
        const auto one = commands::decode_xpending(resp_[i].root(), dec);
        if (dec) return give_up(dec);
        // Not listed: acked since the claim (by a member that finished it
        // late), so it is not delivered again.
        if (one.size() != 1 || one[0].id != entries[i].id) continue;
        pending.entries.push_back(one[0]);
        entries[kept++] = entries[i];  // views: a copy is cheap
    }
    entries.resize(kept);
    resp_.clear();
    core_.inbox.unreserve(std::exchange(reserved_, 0));
    std::vector<commands::StreamPage> pages{{key_, std::move(entries)}};
    core_.deliver(reply_, pages, key_, {&pending, 1});
    next_page(false);
}

// A key that vanished (NOGROUP) is the read loop's to recreate: skipped.
void ClaimLoop::next_page(bool skip_key) {
    core_.inbox.unreserve(std::exchange(reserved_, 0));
    reply_ = {};
    if (skip_key || claimed_.next == MessageId{}) {
        ++index_;
        cursor_ = MessageId{};
    } else {
        cursor_ = claimed_.next;
    }
    claimed_ = {};
    claim();
    core_.step();  // the room it held may be what the paused read loop waits for
}

// A claim that keeps failing (an ACL without XPENDING, say) leaves idle
// entries undelivered: the user must be able to see it.
void ClaimLoop::refused(std::error_code ec) {
    count_failure(core_.counters.claims_failed, "claim of idle entries of", key_, ec,
                  "they stay pending; the next round tries again");
}

// The next round tries again.
void ClaimLoop::give_up(std::error_code ec) {
    refused(ec);
    core_.inbox.unreserve(std::exchange(reserved_, 0));
    resp_.clear();
    reply_ = {};
    claimed_ = {};
    schedule(core_.options.auto_claim_interval);
    core_.step();
}

}  // namespace redstream::detail
