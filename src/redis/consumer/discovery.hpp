// Shard discovery: SCAN for each stream's shard keys (`name:N`, DESIGN §5)
// on every master (the one server standalone), with a cursor per master, over
// the router's shared connections: once at the start, every
// discovery_interval, and after every change of the cluster's slot map.
// Each key found is handed to the consumer (ConsumerCore::add_key).
#pragma once

#include <string>
#include <vector>

#include <asio/steady_timer.hpp>

#include "core.hpp"

namespace redstream::detail {

class ShardDiscovery {
  public:
    ShardDiscovery(ConsumerCore& core, const std::vector<StreamKey>& streams);

    /// A scan is due (at the start, then each interval) and not yet done.
    bool due() const noexcept { return due_; }
    /// The first round went through every master.
    bool first_done() const noexcept { return first_done_; }
    /// A SCAN (or the wait after a failed one) is out.
    bool busy() const noexcept { return lane_.busy; }
    /// The consumer connected: the first scan is due if discovery is on.
    void start() { due_ = core_.options.discover_shards; }
    /// The masters changed: a new round, over the new ones.
    void topology_changed();
    /// Sends the next SCANs (of one master) of the round.
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
    void cancel() {
        timer_.cancel();
        lane_.retry.cancel();
    }

  private:
    struct Scan {
        HostPort node;
        std::size_t stream = 0;  // index into streams_
        std::string cursor;
    };
    void schedule();
    void on_scanned(std::error_code ec);

    ConsumerCore& core_;
    const std::vector<StreamKey>& streams_;
    ReadLane lane_;  // its client is the master of the SCANs out
    asio::steady_timer timer_;
    std::vector<std::string> patterns_;  // SCAN MATCH for each stream's shard keys
    std::vector<Scan> scans_;            // the round's SCANs still to send
    std::size_t sent_ = 0;               // scans_[0, sent_) are out
    bool first_done_ = false;
    bool due_ = false;
    bool periodic_ = false;  // start_rounds() was called
    bool restart_ = false;   // the masters changed while a SCAN was out
};

}  // namespace redstream::detail
