// Raw commands through a cluster-aware router, for what the Admin API has no
// call for (dump's XRANGE pages, restore's XADDs with their exact ids, top's
// XINFO STREAM, MEMORY USAGE, XINFO CONSUMERS, the dead-letter moves): each
// command goes to the node that serves its key, on one server and on a
// cluster alike, with the same redirections and deadlines as the library's.
// It is a cluster::Router of its own (the Streamer does not lend its
// router), made from the same global options and running on the Streamer's
// I/O thread; the calls block the caller.
#pragma once

#include <chrono>
#include <memory>

#include <redstream/cluster/router.hpp>
#include <redstream/net/client.hpp>
#include <redstream/resp/request.hpp>

#include "cli.hpp"

namespace redstream::cli {

class RouterClient {
  public:
    /// Connects with the global options (URL, timeout); throws
    /// redstream::Error when it cannot.
    explicit RouterClient(Context& ctx);
    ~RouterClient();
    RouterClient(const RouterClient&) = delete;
    RouterClient& operator=(const RouterClient&) = delete;

    /// Runs every command of `req` (pipelined, split by node) and returns
    /// their replies in order. Error replies are in the response; a request
    /// that fails as a whole (timeout, connection lost) throws
    /// redstream::Error.
    net::Response exec(const resp::Request& req);

    bool is_cluster() const noexcept { return router_->is_cluster(); }

  private:
    std::shared_ptr<cluster::Router> router_;
    std::chrono::milliseconds timeout_;
};

}  // namespace redstream::cli
