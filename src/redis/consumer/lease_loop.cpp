#include "lease_loop.hpp"

#include <algorithm>

#include <redstream/commands/xclaim.hpp>
#include <redstream/commands/xpending.hpp>

namespace redstream::detail {
namespace {

std::chrono::milliseconds lease_period(const ConsumerOptions& o) {
    return std::max(o.auto_claim_idle / 3, std::chrono::milliseconds(1));
}

}  // namespace

LeaseLoop::LeaseLoop(ConsumerCore& core, const GroupState& keys)
    : core_(core), keys_(keys), timer_(core.strand) {}

void LeaseLoop::schedule() {
    if (core_.stopped) return;
    timer_.expires_after(lease_period(core_.options));
    timer_.async_wait(core_.guard([this](std::error_code ec) {
        if (!ec) renew();
    }));
}

void LeaseLoop::renew() {
    const auto& keys = keys_.cursors();
    while (index_ < keys.size() && keys[index_].phase == GroupCursor::Phase::create)
        ++index_;
    if (index_ >= keys.size()) {
        index_ = 0;
        after_ = MessageId{};
        return schedule();
    }
    key_ = keys[index_].key;
    req_.clear();
    commands::xpending(req_, key_, core_.group,
                       {.min_idle = lease_period(core_.options),
                        .start = commands::RangeBound::exclusive(after_),
                        .count = core_.options.batch_size,
                        .consumer = core_.member});
    core_.router->async_exec(req_, resp_,
                             core_.guard([this](std::error_code ec) { on_listed(ec); }));
}

void LeaseLoop::on_listed(std::error_code ec) {
    std::vector<commands::PendingEntry> listed;
    if (!ec && resp_.size() == 1) listed = commands::decode_xpending(resp_[0].root(), ec);
    resp_.clear();
    if (ec) failed(ec);
    if (listed.empty()) {  // this key is done (or failed: the next round tries again)
        ++index_;
        after_ = MessageId{};
        return renew();
    }
    std::vector<MessageId> ids;
    ids.reserve(listed.size());
    for (const auto& p : listed)
        ids.push_back(p.id);
    after_ = ids.back();
    req_.clear();
    commands::xclaim(req_, key_, core_.group, core_.member, lease_period(core_.options), ids,
                     {.justid = true});
    core_.router->async_exec(req_, resp_,
                             core_.guard([this](std::error_code ec) { on_renewed(ec); }));
}

void LeaseLoop::on_renewed(std::error_code ec) {
    if (!ec && resp_.size() == 1)
        ConsumerCounters::add(core_.counters.leases_renewed,
                              commands::decode_xclaim_justid(resp_[0].root(), ec).size());
    resp_.clear();
    if (ec) failed(ec);
    renew();  // the next page of this key
}

// An entry whose lease lapses may be claimed by another member while its
// handler still works on it: the user must be able to see it.
void LeaseLoop::failed(std::error_code ec) {
    count_failure(core_.counters.leases_failed, "lease renewal of entries of", key_, ec,
                  "other members may claim them once idle");
}

}  // namespace redstream::detail
