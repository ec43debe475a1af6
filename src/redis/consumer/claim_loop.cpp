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
    // XPENDING first, same filter and order as the XAUTOCLAIM after it: the
    // delivery counts of exactly the entries about to be claimed.
    req_.clear();
    commands::xpending(req_, key_, core_.group,
                       {.min_idle = core_.options.auto_claim_idle,
                        .start = commands::RangeBound::inclusive(cursor_),
                        .count = n});
    commands::xautoclaim(req_, key_, core_.group, core_.member, core_.options.auto_claim_idle,
                         cursor_, {.count = n});
    core_.router->async_exec(req_, resp_,
                             core_.guard([this](std::error_code ec) { on_claimed(ec); }));
}

void ClaimLoop::on_claimed(std::error_code ec) {
    core_.inbox.unreserve(std::exchange(reserved_, 0));
    if (ec || resp_.size() != 2) {
        resp_.clear();
        schedule(core_.options.auto_claim_interval);  // the next round tries again
        return core_.step();
    }
    std::error_code dec;
    const KeyPending pending{key_, commands::decode_xpending(resp_[0].root(), dec)};
    const auto claimed = commands::decode_xautoclaim(resp_[1].root(), dec);
    const auto reply = std::move(resp_[1]);
    resp_.clear();
    // A key that vanished (NOGROUP) is the read loop's to recreate: skip it.
    if (dec) cursor_ = MessageId{};
    ConsumerCounters::add(core_.counters.deleted, claimed.deleted.size());
    if (!dec && !claimed.entries.empty()) {
        ConsumerCounters::add(core_.counters.claimed, claimed.entries.size());
        if (log_enabled(LogLevel::info))
            log(LogLevel::info, "consumer",
                "claimed " + std::to_string(claimed.entries.size()) + " idle entries of " + key_);
        core_.counters.of(key_).claimed += claimed.entries.size();
        std::vector<commands::StreamPage> pages{{key_, claimed.entries}};
        core_.deliver(reply, pages, key_, {&pending, 1});
    }
    if (dec || claimed.next == MessageId{}) {
        ++index_;
        cursor_ = MessageId{};
    } else {
        cursor_ = claimed.next;
    }
    claim();
    core_.step();  // the room it held may be what the paused read loop waits for
}

}  // namespace redstream::detail
