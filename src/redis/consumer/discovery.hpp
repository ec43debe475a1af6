// Shard discovery: SCAN for each stream's shard keys (`name:N`, DESIGN §5),
// on the read lane, once at the start and every discovery_interval; each key
// found is handed to the consumer (ConsumerCore::add_key).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <asio/steady_timer.hpp>

#include "core.hpp"

namespace redstream::detail {

class ShardDiscovery {
  public:
    ShardDiscovery(ConsumerCore& core, ReadLane& lane, const std::vector<StreamKey>& streams);

    /// A scan is due (at the start, then each interval) and not yet done.
    bool due() const noexcept { return due_; }
    /// The consumer connected: the first scan is due if discovery is on.
    void start() { due_ = core_.options.discover_shards; }
    /// Sends the next SCAN of every stream whose scan is not done.
    void scan();
    /// The consumer started: a round every discovery_interval from now on.
    void start_rounds() {
        periodic_ = true;
        schedule();
    }
    /// Reading stopped on an error: no scan until it goes on.
    void stop() {
        due_ = false;
        scans_.clear();
    }
    void cancel() { timer_.cancel(); }

  private:
    void schedule();
    void on_scanned(std::error_code ec);

    ConsumerCore& core_;
    ReadLane& lane_;
    const std::vector<StreamKey>& streams_;
    asio::steady_timer timer_;
    resp::Request req_;
    net::Response resp_;
    std::vector<std::pair<std::size_t, std::string>> scans_;  // (stream index, cursor)
    bool first_done_ = false;
    bool due_ = false;
    bool periodic_ = false;  // start_rounds() was called
};

}  // namespace redstream::detail
