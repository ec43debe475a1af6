// Failover for load-balanced consumers: every auto_claim_interval, claim the
// entries other members left pending longer than auto_claim_idle, naming
// this member as the new owner, following XAUTOCLAIM's cursor key by key.
// Runs over the Streamer's shared connection (no blocking read there).
#include <algorithm>

#include <asio/bind_executor.hpp>

#include <redstream/commands/xclaim.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

std::uint64_t delivery_count(const std::vector<commands::PendingEntry>& pending, MessageId id) {
    const auto it = std::find_if(pending.begin(), pending.end(),
                                 [id](const commands::PendingEntry& p) { return p.id == id; });
    // XAUTOCLAIM counts the delivery it makes: one more than XPENDING saw.
    return it == pending.end() ? 0 : it->deliveries + 1;
}

void ConsumerImpl::schedule_claim(std::chrono::milliseconds after) {
    if (options_.mode != ConsumerMode::load_balanced || stopped_ ||
        options_.auto_claim_interval.count() <= 0)
        return;
    claim_timer_.expires_after(after);
    claim_timer_.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
            if (!ec && !self->stopped_) self->claim();
        }));
}

void ConsumerImpl::claim() {
    const auto& keys = group_.cursors();
    while (claim_index_ < keys.size() && keys[claim_index_].phase == GroupCursor::Phase::create)
        ++claim_index_;
    // A round ends when every key's scan came back to 0-0; claimed entries
    // take room in the inbox like a read, so a full inbox waits too.
    if (claim_index_ >= keys.size() || !inbox_.room_for_read()) {
        claim_index_ = 0;
        claim_cursor_ = MessageId{};
        return schedule_claim(options_.auto_claim_interval);
    }
    claim_key_ = keys[claim_index_].key;
    // XPENDING first, same filter and order as the XAUTOCLAIM after it: the
    // delivery counts of exactly the entries about to be claimed.
    claim_req_.clear();
    commands::xpending(claim_req_, claim_key_, group_name_,
                       {.min_idle = options_.auto_claim_idle,
                        .start = commands::RangeBound::inclusive(claim_cursor_),
                        .count = options_.batch_size});
    commands::xautoclaim(claim_req_, claim_key_, group_name_, member_name_,
                         options_.auto_claim_idle, claim_cursor_, {.count = options_.batch_size});
    acks_client_->async_exec(
        claim_req_, claim_resp_,
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
            if (!self->stopped_) self->on_claimed(ec);
        }));
}

void ConsumerImpl::on_claimed(std::error_code ec) {
    if (ec || claim_resp_.size() != 2) {
        claim_resp_.clear();
        return schedule_claim(options_.auto_claim_interval);  // the next round tries again
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
}

}  // namespace redstream::detail

namespace redstream::detail {

// Lease renewal: every auto_claim_idle / 3, this member's own entries idle
// that long are claimed again by itself with JUSTID (which resets their idle
// time without counting a delivery), so that no member takes them while a
// slow handler still works on them. XCLAIM's own min-idle keeps it from
// taking back an entry another member claimed meanwhile.
namespace {
std::chrono::milliseconds lease_period(const ConsumerOptions& o) {
    return std::max(o.auto_claim_idle / 3, std::chrono::milliseconds(1));
}
}  // namespace

void ConsumerImpl::schedule_renewal() {
    if (options_.mode != ConsumerMode::load_balanced || !options_.renew_leases || stopped_) return;
    renew_timer_.expires_after(lease_period(options_));
    renew_timer_.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
            if (!ec && !self->stopped_) self->renew();
        }));
}

void ConsumerImpl::renew() {
    const auto& keys = group_.cursors();
    while (renew_index_ < keys.size() && keys[renew_index_].phase == GroupCursor::Phase::create)
        ++renew_index_;
    if (renew_index_ >= keys.size()) {
        renew_index_ = 0;
        renew_after_ = MessageId{};
        return schedule_renewal();
    }
    renew_key_ = keys[renew_index_].key;
    renew_req_.clear();
    commands::xpending(renew_req_, renew_key_, group_name_,
                       {.min_idle = lease_period(options_),
                        .start = commands::RangeBound::exclusive(renew_after_),
                        .count = options_.batch_size,
                        .consumer = member_name_});
    acks_client_->async_exec(
        renew_req_, renew_resp_,
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
            if (!self->stopped_) self->on_renew_listed(ec);
        }));
}

void ConsumerImpl::on_renew_listed(std::error_code ec) {
    std::error_code dec;
    const auto listed = ec || renew_resp_.empty()
                            ? std::vector<commands::PendingEntry>{}
                            : commands::decode_xpending(renew_resp_[0].root(), dec);
    renew_resp_.clear();
    if (listed.empty()) {  // this key is done (or failed: the next round tries again)
        ++renew_index_;
        renew_after_ = MessageId{};
        return renew();
    }
    std::vector<MessageId> ids;
    ids.reserve(listed.size());
    for (const auto& p : listed)
        ids.push_back(p.id);
    renew_after_ = ids.back();
    renew_req_.clear();
    commands::xclaim(renew_req_, renew_key_, group_name_, member_name_, lease_period(options_), ids,
                     {.justid = true});
    acks_client_->async_exec(
        renew_req_, renew_resp_,
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
            if (!self->stopped_) self->on_renewed(ec);
        }));
}

void ConsumerImpl::on_renewed(std::error_code ec) {
    std::error_code dec;
    if (!ec && !renew_resp_.empty())
        leases_renewed_.fetch_add(commands::decode_xclaim_justid(renew_resp_[0].root(), dec).size(),
                                  std::memory_order_relaxed);
    renew_resp_.clear();
    renew();  // the next page of this key
}

}  // namespace redstream::detail
