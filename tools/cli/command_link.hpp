// Typed commands (redstream/commands/) on keys the tool names itself, for
// what the administration API has no call for (MEMORY USAGE, XINFO
// CONSUMERS, XRANGE and XDEL on dead-letter keys, a script). It is a
// cluster::Router of its own, made from the same global options as the
// Streamer and running on the Streamer's executor: each command goes to the
// master that serves its key, with the same redirections and deadlines.
#pragma once

#include <memory>

#include <redstream/cluster/router.hpp>
#include <redstream/net/client.hpp>
#include <redstream/resp/request.hpp>

#include "cli.hpp"

namespace redstream::cli {

class CommandLink {
  public:
    /// Connects (ctx.streamer() first, whose executor it shares); throws
    /// redstream::Error as Streamer::connect() does.
    explicit CommandLink(Context& ctx);
    /// Closes its connections.
    ~CommandLink();
    CommandLink(const CommandLink&) = delete;
    CommandLink& operator=(const CommandLink&) = delete;

    /// Runs every command of `req` (each on its key's master) and returns
    /// the replies in order. Server error replies are in the result; a lost
    /// connection, a timeout or a command spanning slots throws
    /// redstream::Error. An empty request returns at once.
    net::Response run(const resp::Request& req);

    bool is_cluster() const noexcept { return router_->is_cluster(); }

  private:
    std::shared_ptr<cluster::Router> router_;
};

}  // namespace redstream::cli
