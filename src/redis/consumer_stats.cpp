// group_stats(): the server's view of each key's group (XINFO GROUPS: lag,
// pending) joined with this consumer's own counters for that key.
#include <algorithm>

#include <asio/bind_executor.hpp>

#include <redstream/commands/xinfo.hpp>
#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

KeyCounters& ConsumerImpl::counters(std::string_view key) {
    auto it = key_counters_.find(key);
    if (it == key_counters_.end())
        it = key_counters_.emplace(std::string(key), KeyCounters{}).first;
    return it->second;
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
        for (const auto& c : self.group_.cursors()) {
            if (c.phase == GroupCursor::Phase::create) continue;
            const auto& n = self.counters(c.key);
            job->out.push_back({c.key, self.group_name_, std::nullopt, 0, n.delivered,
                                n.redelivered, n.acked, n.claimed, n.dead_lettered});
            commands::xinfo_groups(job->req, c.key);
        }
        if (job->out.empty()) return done({}, {});
        self.acks_client_->async_exec(
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
