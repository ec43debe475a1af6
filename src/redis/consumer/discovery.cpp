#include "discovery.hpp"

#include <utility>

#include <redstream/commands/keys.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {
namespace {

constexpr std::uint64_t scan_count = 1000;

}  // namespace

ShardDiscovery::ShardDiscovery(ConsumerCore& core, const std::vector<StreamKey>& streams)
    : core_(core),
      streams_(streams),
      lane_(core.router->config().reconnect, core.strand),
      timer_(core.strand) {
    for (const auto& s : streams_)  // once, not on every SCAN
        patterns_.push_back(shard_scan_pattern(s.name()));
}

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

void ShardDiscovery::topology_changed() {
    if (!core_.options.discover_shards || !first_done_) return;
    due_ = true;
    if (lane_.busy)
        restart_ = true;  // on_scanned() starts the round over
    else
        scans_.clear();
}

void ShardDiscovery::scan() {
    if (scans_.empty()) {
        for (const auto& m : core_.router->masters())
            for (std::size_t i = 0; i < streams_.size(); ++i)
                scans_.push_back({m, i, "0"});
        if (scans_.empty()) return;  // no master known yet: the next map brings them
    }
    // The SCANs of one master go together (the first one's), in one pipeline.
    lane_.client = core_.router->connection_to(scans_.front().node);
    lane_.req.clear();
    sent_ = 0;
    for (const auto& s : scans_) {
        if (!(s.node == scans_.front().node)) break;
        commands::scan(lane_.req, s.cursor,
                       {.match = patterns_[s.stream], .count = scan_count, .type = "stream"});
        ++sent_;
    }
    core_.exec(lane_, lane_.req, lane_.resp, {}, [this](std::error_code ec) { on_scanned(ec); });
}

void ShardDiscovery::on_scanned(std::error_code ec) {
    if (ec) {
        restart_ = false;
        scans_.clear();  // the round again, over the masters of the map then
        return core_.back_off(lane_, ec);
    }
    const auto origin = first_done_ ? ReadState::Origin::discovered : ReadState::Origin::initial;
    const auto resp = std::move(lane_.resp);
    lane_.resp.clear();
    std::vector<Scan> more;
    for (std::size_t n = 0; n < sent_ && n < scans_.size(); ++n) {
        std::error_code dec;
        const auto page = commands::decode_scan(resp.at(n).root(), dec);
        if (dec) return core_.fail(lane_, dec);
        const auto& stream = streams_[scans_[n].stream];
        for (const auto key : page.keys)
            if (auto shard = parse_shard_key(stream.name(), key))
                core_.add_key(stream, *shard, std::string(key), origin);
        if (!page.done())
            more.push_back({scans_[n].node, scans_[n].stream, std::string(page.cursor)});
    }
    lane_.backoff.reset();
    if (std::exchange(restart_, false)) {  // the masters changed meanwhile: start over
        scans_.clear();
        return core_.step();
    }
    scans_.erase(scans_.begin(), scans_.begin() + static_cast<std::ptrdiff_t>(sent_));
    scans_.insert(scans_.end(), more.begin(), more.end());  // after the other masters
    if (scans_.empty()) {
        first_done_ = true;
        due_ = false;
        if (periodic_) schedule();
    }
    core_.step();
}

}  // namespace redstream::detail
