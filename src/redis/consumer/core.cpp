#include "core.hpp"

#include <algorithm>

#include "group_names.hpp"

namespace redstream::detail {

void ReadTurns::start(const ReadPlan& plan, std::size_t keys, std::size_t reserve, Inbox& inbox) {
    const bool is_turn = plan.keys < keys;
    turn = is_turn ? plan.keys : 0;
    count = plan.count;
    if (is_turn) next = (plan.first + plan.keys) % keys;
    reserved = reserve;
    inbox.reserve(reserve);
}

ConsumerCore::ConsumerCore(asio::any_io_executor ex, std::shared_ptr<net::Client> side,
                           ConsumerOptions opts, std::string payload)
    : strand(asio::make_strand(ex)),
      options(opts),
      payload_field(std::move(payload)),
      side_client(std::move(side)),
      // NOACK reads count as consumed: immediate reads only for a next()
      // that waits, so that an end() drops nothing no call asked for.
      inbox(opts.prefetch_or_default(),
            opts.mode != ConsumerMode::real_time && opts.auto_commit == AutoCommit::delayed,
            opts.mode != ConsumerMode::real_time && opts.auto_commit == AutoCommit::immediate
                ? Inbox::Flow::on_demand
                : Inbox::Flow::prefetch,
            opts.prefetch_bytes) {
    if (group_mode()) {
        const auto host = host_name();
        group = group_name(options, host);
        member = member_name(options, group, host);
    }
}

// On demand no longer than the waiting take wants a message: a NOACK read
// must not outlive the next_for() it was sent for, or what it brings
// afterwards is consumed with nobody asking.
std::chrono::milliseconds ConsumerCore::read_block() const {
    using std::chrono::milliseconds;
    const auto block = std::max(options.block_time, milliseconds(1));
    const auto until = inbox.demand_until();
    if (!until || *until == Inbox::Clock::time_point::max()) return block;
    const auto left = std::chrono::duration_cast<milliseconds>(*until - Inbox::Clock::now());
    return std::clamp(left, milliseconds(1), block);
}

}  // namespace redstream::detail
