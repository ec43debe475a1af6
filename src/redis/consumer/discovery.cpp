#include "discovery.hpp"

#include <redstream/core/error.hpp>

namespace redstream::detail {
namespace {

constexpr std::uint64_t scan_count = 1000;

}  // namespace

ShardDiscovery::ShardDiscovery(ConsumerCore& core, ReadLane& lane,
                               const std::vector<StreamKey>& streams)
    : core_(core), lane_(lane), streams_(streams), timer_(core.strand) {}

void ShardDiscovery::schedule() {
    const auto interval = core_.options.discovery_interval;
    if (!core_.options.discover_shards || interval.count() <= 0) return;
    timer_.expires_after(interval);
    timer_.async_wait(core_.guard([this](std::error_code ec) {
        if (ec) return;
        due_ = true;
        core_.step();
    }));
}

void ShardDiscovery::scan() {
    if (scans_.empty())
        for (std::size_t i = 0; i < streams_.size(); ++i)
            scans_.emplace_back(i, "0");
    req_.clear();
    for (const auto& [i, cursor] : scans_)
        req_.push("SCAN", cursor, "MATCH", shard_scan_pattern(streams_[i].name()), "COUNT",
                  scan_count, "TYPE", "stream");
    core_.exec(lane_, req_, resp_, {}, [this](std::error_code ec) { on_scanned(ec); });
}

void ShardDiscovery::on_scanned(std::error_code ec) {
    if (ec) return core_.back_off(ec);
    const auto origin = first_done_ ? ReadState::Origin::discovered : ReadState::Origin::initial;
    std::vector<std::pair<std::size_t, std::string>> more;
    for (std::size_t n = 0; n < scans_.size(); ++n) {
        const auto root = resp_.at(n).root();
        if (auto err = resp::error_of(root)) return core_.fail(err);
        if (root.size() != 2 || !root[0].is_string() || !root[1].is_aggregate())
            return core_.fail(make_error_code(errc::unexpected_reply));
        const auto& stream = streams_[scans_[n].first];
        for (auto key : root[1])
            if (auto shard = parse_shard_key(stream.name(), key.str()))
                core_.add_key(stream, *shard, std::string(key.str()), origin);
        if (root[0].str() != "0") more.emplace_back(scans_[n].first, std::string(root[0].str()));
    }
    resp_.clear();
    lane_.backoff.reset();
    scans_ = std::move(more);
    if (scans_.empty()) {
        first_done_ = true;
        due_ = false;
        if (periodic_) schedule();
    }
    core_.step();
}

}  // namespace redstream::detail
