// Lease renewal for load-balanced consumers with slow handlers: every
// auto_claim_idle / 3, this member's own entries idle that long are claimed
// again by itself with JUSTID (which resets their idle time without counting
// a delivery), so that no other member takes them while a handler still
// works on them. XCLAIM's own min-idle keeps it from taking back an entry
// another member claimed meanwhile. Runs over the Streamer's shared connection.
#include <algorithm>

#include <redstream/commands/xclaim.hpp>
#include <redstream/commands/xpending.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

namespace {
std::chrono::milliseconds lease_period(const ConsumerOptions& o) {
    return std::max(o.auto_claim_idle / 3, std::chrono::milliseconds(1));
}
}  // namespace

void ConsumerImpl::schedule_renewal() {
    if (options_.mode != ConsumerMode::load_balanced || !options_.renew_leases || stopped_) return;
    renew_timer_.expires_after(lease_period(options_));
    renew_timer_.async_wait(guard([](ConsumerImpl& s, std::error_code ec) {
        if (!ec) s.renew();
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
        guard([](ConsumerImpl& s, std::error_code ec) { s.on_renew_listed(ec); }));
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
    acks_client_->async_exec(renew_req_, renew_resp_,
                             guard([](ConsumerImpl& s, std::error_code ec) { s.on_renewed(ec); }));
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
