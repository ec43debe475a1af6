// The consumer's counters, and group_stats(): the server's view of each key's
// group (XINFO GROUPS: lag, pending) joined with this consumer's own counters
// for that key.
#include <algorithm>

#include <redstream/commands/xinfo.hpp>
#include <redstream/core/error.hpp>
#include <redstream/redis/streamer_stats.hpp>

#include "front.hpp"

namespace redstream::detail {

KeyCounters& ConsumerCounters::of(std::string_view key) {
    auto it = by_key.find(key);
    if (it == by_key.end()) it = by_key.emplace(std::string(key), KeyCounters{}).first;
    return it->second;
}

ConsumerStats ConsumerImpl::stats() const noexcept {
    constexpr auto relaxed = std::memory_order_relaxed;
    const auto& c = counters;
    return {inbox.size(),
            inbox.max_size(),
            c.reads.load(relaxed),
            c.delivered.load(relaxed),
            c.redelivered.load(relaxed),
            c.acked.load(relaxed),
            c.not_pending.load(relaxed),
            c.deleted.load(relaxed),
            c.groups_recreated.load(relaxed),
            c.claimed.load(relaxed),
            c.dead_lettered.load(relaxed),
            c.dead_letter_failed.load(relaxed),
            c.leases_renewed.load(relaxed),
            c.claims_failed.load(relaxed),
            c.leases_failed.load(relaxed)};
}

std::vector<std::pair<std::string, net::ClientStats>> ConsumerImpl::read_connection_stats() const {
    std::vector<std::shared_ptr<net::Client>> clients;
    {
        const std::lock_guard lock(lane_clients_mutex_);
        clients = lane_clients_;
    }
    std::vector<std::pair<std::string, net::ClientStats>> out;
    for (const auto& c : clients)
        out.emplace_back(c->endpoint(), c->stats());
    return out;
}

void ConsumerImpl::report(StreamerStats& out) const {
    if (ended()) return;
    const std::string owner = "consumer " + std::to_string(out.consumers.size());
    ConsumerReport r{{}, group, member, stats()};
    for (const auto& s : streams_)
        r.streams.emplace_back(s.name());
    out.consumers.push_back(std::move(r));
    for (auto& [endpoint, s] : read_connection_stats())
        out.connections.push_back({std::move(endpoint), owner, s});
}

void ConsumerImpl::group_stats(
    BasicCompletion<std::error_code, std::vector<GroupStreamStats>> done) {
    on_strand([done = std::move(done)](ConsumerImpl& self) mutable {
        struct Job {
            resp::Request req;
            net::Response resp;
            std::vector<GroupStreamStats> out;
        };
        auto job = std::make_shared<Job>();
        for (const auto& c : self.group_->state().cursors()) {
            if (c.phase == GroupCursor::Phase::create) continue;
            const auto& n = self.counters.of(c.key);
            job->out.push_back({c.key, self.group, std::nullopt, 0, n.delivered, n.redelivered,
                                n.acked, n.claimed, n.dead_lettered});
            commands::xinfo_groups(job->req, c.key);
        }
        if (job->out.empty()) return done({}, {});
        self.router->async_exec(
            job->req, job->resp, [job, done = std::move(done)](std::error_code ec) mutable {
                if (ec) return done(ec, {});
                for (std::size_t i = 0; i < job->out.size() && i < job->resp.size(); ++i) {
                    std::error_code dec;  // a key gone meanwhile: no server figures
                    const auto groups = commands::decode_xinfo_groups(job->resp[i].root(), dec);
                    auto& s = job->out[i];
                    const auto g = std::find_if(groups.begin(), groups.end(),
                                                [&](const auto& x) { return x.name == s.group; });
                    if (g == groups.end()) continue;
                    s.pending = g->pending;
                    if (g->lag && *g->lag >= 0) s.lag = static_cast<std::uint64_t>(*g->lag);
                }
                done({}, std::move(job->out));
            });
    });
}

}  // namespace redstream::detail
