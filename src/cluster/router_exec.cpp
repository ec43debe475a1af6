// Routing one request: its commands are grouped by the node that serves
// their slot and sent as one part per node; when every part is back, the
// commands a node redirected (MOVED, ASK) or could not serve yet (TRYAGAIN,
// CLUSTERDOWN) go out again, until none is left or their bound is reached.
#include <algorithm>
#include <map>

#include <asio/bind_executor.hpp>
#include <asio/post.hpp>

#include <redstream/cluster/endpoint.hpp>
#include <redstream/core/error.hpp>

#include "router_impl.hpp"

namespace redstream::cluster::detail {

struct RouterImpl::Job {
    Job(const resp::Request& r, net::Response& out, net::ExecOptions o, Completion d,
        Clock::time_point until, WaitReplicas w)
        : req(&r),
          resp(&out),
          opts(o),
          wait(w),
          done(std::move(d)),
          deadline(until),
          tries(r.commands(), 0) {}

    const resp::Request* req;
    net::Response* resp;
    net::ExecOptions opts;
    WaitReplicas wait;
    Completion done;
    // The whole request's, redirections and retries included: each part is
    // given what is left of it, not the timeout again.
    Clock::time_point deadline;
    std::vector<unsigned> tries;                          // redirections and retries, per command
    std::size_t parts = 0;                                // out
    std::error_code error;                                // the first transport error of a part
    std::vector<std::size_t> again;                       // by the map, next round
    std::vector<std::pair<HostPort, std::size_t>> asked;  // ASK target, command
    bool delayed = false;   // TRYAGAIN, CLUSTERDOWN or no owner: wait retry_delay first
    bool backoff = false;   // a node said not now (TRYAGAIN, CLUSTERDOWN): wait longer each time
    unsigned backoffs = 0;  // such rounds so far
};

struct RouterImpl::Part {
    std::shared_ptr<Job> job;
    HostPort target;
    std::vector<std::size_t> commands;  // indexes into job->req
    bool asking = false;                // ASKING first: its reply is not the caller's
    resp::Request req{resp::Request::Config{.fail_if_not_connected = true}};
    const resp::Request* wire = &req;  // what is written: req, or the caller's request as it is
    net::Response resp;
};

void RouterImpl::exec(const resp::Request& req, net::Response& resp, net::ExecOptions opts,
                      Completion done, WaitReplicas wait) {
    if (wait.replicas > 0 && (!cluster_ || !wait.acked || wait.timeout.count() <= 0))
        return done(make_error_code(errc::invalid_argument));
    if (!cluster_)
        return standalone_->async_exec(
            req, resp, opts, [done = std::move(done)](std::error_code ec) mutable { done(ec); });
    // A cluster refuses a command whose keys span slots; it cannot be split.
    if (req.cross_slot()) return done(make_error_code(errc::crossslot));
    resp.clear();
    resp.resize(req.commands());
    const auto timeout = opts.timeout.count() > 0 ? opts.timeout : config_.request_timeout;
    const auto deadline = timeout.count() > 0 ? Clock::now() + timeout : Clock::time_point::max();
    if (wait.replicas > 0) wait.acked->assign(req.commands(), -1);
    auto job = std::make_shared<Job>(req, resp, opts, std::move(done), deadline, wait);
    asio::post(strand_, [self = shared_from_this(), job] {
        if (self->closed_) return job->done(make_error_code(errc::shutting_down));
        if (!self->topology_.has_map()) return job->done(make_error_code(errc::not_connected));
        std::vector<std::size_t> all(job->req->commands());
        for (std::size_t i = 0; i < all.size(); ++i)
            all[i] = i;
        self->route(job, std::move(all));
    });
}

// The master serving `slot`; any master for a command without keys.
std::optional<HostPort> RouterImpl::owner(int slot) const {
    const auto& map = topology_.map();
    const NodeInfo* n = nullptr;
    if (slot != resp::Request::no_slot) {
        n = map.master_of(static_cast<std::uint16_t>(slot));
    } else if (const auto masters = map.masters(); !masters.empty()) {
        n = masters.front();
    }
    if (!n) return std::nullopt;
    return n->endpoint;
}

void RouterImpl::route(const std::shared_ptr<Job>& job, std::vector<std::size_t> commands) {
    std::map<std::string, std::pair<HostPort, std::vector<std::size_t>>> by_node;
    for (const auto i : commands) {
        const auto target = owner(job->req->command_slot(i));
        if (!target) {  // a slot no node serves (yet): wait for a refresh, within the bound
            if (out_of_tries(*job, i)) {
                if (!job->error) job->error = make_error_code(errc::clusterdown);
                continue;
            }
            job->again.push_back(i);
            job->delayed = true;
            ++job->tries[i];
            continue;
        }
        auto& [endpoint, list] = by_node[endpoint_name(*target)];
        endpoint = *target;
        list.push_back(i);
    }
    for (auto& [name, node] : by_node)
        send(job, node.first, std::move(node.second), false);
    settle(job);  // when nothing went out
}

void RouterImpl::send(const std::shared_ptr<Job>& job, const HostPort& target,
                      std::vector<std::size_t> commands, bool asking) {
    auto opts = job->opts;
    if (job->deadline != Clock::time_point::max()) {
        opts.timeout = std::chrono::ceil<std::chrono::milliseconds>(job->deadline - Clock::now());
        if (opts.timeout.count() <= 0) {  // not sent, so surely not run
            if (!job->error) job->error = make_error_code(errc::timeout);
            return;
        }
    }
    auto part = std::make_shared<Part>();
    part->job = job;
    part->target = target;
    part->asking = asking;
    if (whole_request(*job, commands, asking)) {
        part->wire = job->req;
    } else {
        if (asking) part->req.push("ASKING");
        for (const auto i : commands)
            part->req.append_command(*job->req, i);
    }
    if (job->wait.replicas > 0) {  // counts every write before it on this connection
        part->req.push("WAIT", job->wait.replicas, job->wait.timeout.count());
        opts.blocking = job->wait.timeout;
    }
    part->commands = std::move(commands);
    ++job->parts;
    auto exec = [self = shared_from_this(), part, opts](std::error_code ec) {
        // A node whose first connect failed: as if it was down.
        if (ec) return self->on_part(part, make_error_code(errc::not_connected));
        self->node(part->target)
            ->async_exec(*part->wire, part->resp, opts,
                         asio::bind_executor(self->strand_, [self, part](std::error_code exec_ec) {
                             self->on_part(part, exec_ec);
                         }));
    };
    // A node's first connect is waited for; after that a request finds it
    // up, or fails at once (not_connected) while it is down.
    bool connecting = false;
    node(target, &connecting);
    if (connecting) return when_connected(target, std::move(exec));
    exec({});
}

// A part that is every command of the request, in order, goes out from the
// caller's buffer: no copy of what may be a megabyte of XADDs (the common
// case of a producer's batch for one master). Only if the request fails
// fast on a node that is down, as parts do, so that it can be re-routed.
bool RouterImpl::whole_request(const Job& job, const std::vector<std::size_t>& commands,
                               bool asking) {
    return !asking && job.wait.replicas == 0 && job.req->config().fail_if_not_connected &&
           commands.size() == job.req->commands() &&
           std::is_sorted(commands.begin(), commands.end());  // distinct: 0..n-1
}

void RouterImpl::on_part(const std::shared_ptr<Part>& part, std::error_code ec) {
    auto& job = *part->job;
    --job.parts;
    if (ec == errc::not_connected && !closed_) {
        // The node is down, so nothing was written: the commands go again
        // after retry_delay, to whoever serves their slots by then (a
        // replica taking over), within the request's deadline.
        act(topology_.node_lost(part->target, Clock::now()));
        job.again.insert(job.again.end(), part->commands.begin(), part->commands.end());
        job.delayed = true;
        return settle(part->job);
    }
    if (ec) {
        // Written or not, these commands are not sent again: the caller
        // learns of the error, and the map is checked.
        if (!job.error) job.error = ec;
        if (ec == condition::retryable && !closed_)
            act(topology_.node_lost(part->target, Clock::now()));
        return settle(part->job);
    }
    const std::size_t first = part->asking ? 1 : 0;
    const auto acked =
        job.wait.replicas > 0
            ? part->resp.at(first + part->commands.size()).root().to_int().value_or(-1)
            : -1;
    bool moved = false;
    for (std::size_t k = 0; k < part->commands.size(); ++k) {
        const auto i = part->commands[k];
        (*job.resp)[i] = std::move(part->resp.at(first + k));
        const auto queued = job.again.size() + job.asked.size();
        moved = follow(job, i, (*job.resp)[i], part->target) || moved;
        // A command sent again is counted by the WAIT of where it goes next.
        if (job.wait.replicas > 0 && job.again.size() + job.asked.size() == queued)
            (*job.wait.acked)[i] = acked;
    }
    if (moved) publish_map();  // once for a pipeline of MOVEDs
    settle(part->job);
}

// A cluster that cannot serve a slot yet (no owner, TRYAGAIN, CLUSTERDOWN:
// a failover or a migration in progress) is waited for until the request's
// deadline, however long the cluster takes; a request without a deadline
// stops at max_redirects instead, so that nothing waits forever.
bool RouterImpl::out_of_tries(const Job& job, std::size_t i) const {
    return job.deadline == Clock::time_point::max() && job.tries[i] >= options_.max_redirects;
}

// Queues command `i` again if its reply says so (and where): MOVED and ASK
// name the node, TRYAGAIN and CLUSTERDOWN ask for a wait. The reply stays the
// caller's if the command is not sent again. True if a MOVED changed the map.
bool RouterImpl::follow(Job& job, std::size_t i, const resp::Reply& reply, const HostPort& from) {
    const auto root = reply.root();
    if (!root.is_error()) return false;
    const auto code = resp::error_of(root);
    if (code == errc::tryagain || code == errc::clusterdown) {
        if (out_of_tries(job, i)) return false;
        ++job.tries[i];
        job.again.push_back(i);
        job.delayed = true;
        job.backoff = true;
        return false;
    }
    if ((code != errc::moved && code != errc::ask) || job.tries[i] >= options_.max_redirects)
        return false;
    auto redirect = parse_redirect(root.str());
    if (!redirect) return false;
    if (redirect->target.host.empty()) redirect->target.host = from.host;
    ++job.tries[i];
    if (redirect->kind == RedirectKind::ask) {
        job.asked.emplace_back(std::move(redirect->target), i);
        return false;
    }
    // The map is fixed for this slot at once, so the command goes to the
    // new owner; the refresh the state machine may start checks the rest.
    act(topology_.moved(redirect->slot, redirect->target, Clock::now()));
    job.again.push_back(i);
    // Redirected again: the nodes disagree for a moment (a reshard tells
    // them one at a time), so wait before asking rather than spend the
    // bound bouncing between them.
    if (job.tries[i] >= 2) job.delayed = true;
    return true;
}

// Once every part is back: done, or the next round.
void RouterImpl::settle(const std::shared_ptr<Job>& job) {
    if (job->parts > 0) return;
    if (job->error || closed_ || (job->again.empty() && job->asked.empty()))
        return job->done(closed_ && !job->error ? make_error_code(errc::shutting_down)
                                                : job->error);
    auto again = std::move(job->again);
    auto asked = std::move(job->asked);
    job->again.clear();
    job->asked.clear();
    auto next_round = [this, job, again = std::move(again), asked = std::move(asked)]() mutable {
        for (auto& [target, i] : asked)  // one at a time: ASKING covers the next command only
            send(job, target, {i}, true);
        if (!again.empty()) return route(job, std::move(again));
        settle(job);
    };
    if (!std::exchange(job->delayed, false)) return next_round();
    // Backing off when nodes answer "not now": a failover keeps a cluster
    // down for seconds, and a request must not hammer it meanwhile. A node
    // that is down costs nothing to ask again (nothing is written). A round
    // due after the deadline runs at it, and fails there (timeout), not late.
    auto delay = options_.retry_delay;
    if (std::exchange(job->backoff, false))
        delay *= 1U << std::min(job->backoffs++, max_backoff_doublings);
    if (job->deadline != Clock::time_point::max())
        delay = std::min(delay, std::chrono::ceil<std::chrono::milliseconds>(
                                    std::max(job->deadline - Clock::now(), Clock::duration{})));
    auto timer = std::make_shared<asio::steady_timer>(strand_, delay);
    timer->async_wait(asio::bind_executor(
        strand_, [self = shared_from_this(), timer,
                  next_round = std::move(next_round)](std::error_code) mutable { next_round(); }));
}

}  // namespace redstream::cluster::detail
