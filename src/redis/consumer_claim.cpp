// Failover for load-balanced consumers: every auto_claim_interval, claim the
// entries other members left pending longer than auto_claim_idle, naming
// this member as the new owner, following XAUTOCLAIM's cursor key by key.
// Runs over the Streamer's shared connection (no blocking read there).
#include <algorithm>
#include <utility>

#include <redstream/commands/xclaim.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

std::uint64_t delivery_count(const std::vector<commands::PendingEntry>& pending, MessageId id) {
    const auto it = std::lower_bound(
        pending.begin(), pending.end(), id,
        [](const commands::PendingEntry& p, MessageId want) { return p.id < want; });
    // The read after XPENDING counts the delivery it makes: one more.
    return it == pending.end() || it->id != id ? 0 : it->deliveries + 1;
}

void ConsumerImpl::schedule_claim(std::chrono::milliseconds after) {
    if (options_.mode != ConsumerMode::load_balanced || stopped_ ||
        options_.auto_claim_interval.count() <= 0)
        return;
    claim_timer_.expires_after(after);
    claim_timer_.async_wait(guard([](ConsumerImpl& s, std::error_code ec) {
        if (!ec) s.claim();
    }));
}

void ConsumerImpl::claim() {
    const auto& keys = group_.cursors();
    while (claim_index_ < keys.size() && keys[claim_index_].phase == GroupCursor::Phase::create)
        ++claim_index_;
    // A round ends when every key's scan came back to 0-0; claimed entries
    // take room in the inbox like a read, so a full inbox waits too (asked
    // without room_for_read(): its pause flag is the read loop's, and
    // clearing it here would leave that loop waiting for a wake-up that the
    // takes no longer send).
    if (claim_index_ >= keys.size()) {
        claim_index_ = 0;
        claim_cursor_ = MessageId{};
        return schedule_claim(options_.auto_claim_interval);
    }
    // The room a read in flight holds (its reservation) is not ours: the
    // read loop calls claim() again before its next read (step()).
    if (!inbox_.has_room()) {
        claim_waiting_ = true;
        return;
    }
    claim_key_ = keys[claim_index_].key;
    // No more than a read would take: claimed entries are held like read ones.
    const auto count = read_count(0);
    claim_reserved_ = count;  // it counts as queued while the claim is out
    inbox_.reserve(count);
    // XPENDING first, same filter and order as the XAUTOCLAIM after it: the
    // delivery counts of exactly the entries about to be claimed.
    claim_req_.clear();
    commands::xpending(claim_req_, claim_key_, group_name_,
                       {.min_idle = options_.auto_claim_idle,
                        .start = commands::RangeBound::inclusive(claim_cursor_),
                        .count = count});
    commands::xautoclaim(claim_req_, claim_key_, group_name_, member_name_,
                         options_.auto_claim_idle, claim_cursor_, {.count = count});
    acks_client_->async_exec(claim_req_, claim_resp_,
                             guard([](ConsumerImpl& s, std::error_code ec) { s.on_claimed(ec); }));
}

void ConsumerImpl::on_claimed(std::error_code ec) {
    inbox_.unreserve(std::exchange(claim_reserved_, 0));
    if (ec || claim_resp_.size() != 2) {
        claim_resp_.clear();
        schedule_claim(options_.auto_claim_interval);  // the next round tries again
        return step();
    }
    std::error_code dec;
    const KeyPending pending{claim_key_, commands::decode_xpending(claim_resp_[0].root(), dec)};
    const auto claimed = commands::decode_xautoclaim(claim_resp_[1].root(), dec);
    const auto reply = std::move(claim_resp_[1]);
    claim_resp_.clear();
    // A key that vanished (NOGROUP) is the read loop's to recreate: skip it.
    if (dec) claim_cursor_ = MessageId{};
    deleted_.fetch_add(claimed.deleted.size(), std::memory_order_relaxed);
    if (!dec && !claimed.entries.empty()) {
        claimed_.fetch_add(claimed.entries.size(), std::memory_order_relaxed);
        counters(claim_key_).claimed += claimed.entries.size();
        pages_.clear();
        pages_.push_back({claim_key_, claimed.entries});
        push_messages(reply, claim_key_, {&pending, 1});
    }
    if (dec || claimed.next == MessageId{}) {
        ++claim_index_;
        claim_cursor_ = MessageId{};
    } else {
        claim_cursor_ = claimed.next;
    }
    claim();
    step();  // the room it held may be what the paused read loop waits for
}

}  // namespace redstream::detail
