#include "core.hpp"

#include <algorithm>

#include <redstream/core/detail/log.hpp>

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

void count_failure(std::atomic<std::uint64_t>& counter, std::string_view what, std::string_view key,
                   std::error_code ec, std::string_view then) {
    ConsumerCounters::add(counter, 1);
    if (log_enabled(LogLevel::warning))
        log(LogLevel::warning, "consumer",
            std::string(what) + " " + std::string(key) + " failed: " + ec.message() + " (" +
                std::string(then) + ")");
}

bool ReadLane::serves(std::uint16_t slot) const noexcept {
    return all_slots || std::find(slots.begin(), slots.end(), slot) != slots.end();
}

bool ReadLane::reads(std::uint16_t slot) const noexcept {
    if (slots.size() <= 1) return serves(slot);
    return slots[slot_turn % slots.size()] == slot;
}

std::optional<std::chrono::milliseconds> ReadLane::block(
    std::chrono::milliseconds block) const noexcept {
    if (slots.size() <= 1) return block;
    if (quiet_slots < slots.size()) return std::nullopt;
    return std::min(block, shared_block);
}

void ReadLane::read_done(bool found_entries) noexcept {
    if (slots.size() <= 1) return;
    // After the blocking read that ends a quiet round, a new round of
    // non-blocking ones looks at every slot again.
    quiet_slots = found_entries || quiet_slots >= slots.size() ? 0 : quiet_slots + 1;
    ++slot_turn;
}

ConsumerCore::ConsumerCore(asio::any_io_executor ex, std::shared_ptr<cluster::Router> side,
                           ConsumerOptions opts, std::string payload)
    : strand(asio::make_strand(ex)),
      options(opts),
      payload_field(std::move(payload)),
      router(std::move(side)),
      // NOACK reads count as consumed: immediate reads only for a next()
      // that waits, so that an end() drops nothing no call asked for.
      inbox(opts.prefetch_or_default(),
            opts.mode != ConsumerMode::real_time && opts.auto_commit == AutoCommit::delayed,
            opts.mode != ConsumerMode::real_time && opts.auto_commit == AutoCommit::immediate
                ? Inbox::Flow::on_demand
                : Inbox::Flow::prefetch,
            opts.prefetch_bytes, opts.batch_size) {
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
