// The router's handle, its connections per node and the slot map's refresh:
// the Topology state machine decides when and whom to ask; this drives it.
#include <redstream/cluster/router.hpp>

#include <asio/bind_executor.hpp>
#include <asio/post.hpp>

#include <redstream/cluster/endpoint.hpp>
#include <redstream/core/detail/log.hpp>
#include <redstream/core/error.hpp>

#include "router_impl.hpp"

namespace redstream::cluster {

Router::Router(asio::any_io_executor ex, net::ConnectionConfig config, RouterOptions options)
    : impl_(std::make_shared<detail::RouterImpl>(std::move(ex), std::move(config), options)) {}

Router::~Router() {
    impl_->close();
}

asio::any_io_executor Router::get_executor() const noexcept {
    return impl_->executor();
}
const net::ConnectionConfig& Router::config() const noexcept {
    return impl_->config();
}
bool Router::is_cluster() const noexcept {
    return impl_->is_cluster();
}
void Router::start_connect(redstream::detail::BasicCompletion<std::error_code> done) {
    impl_->connect(std::move(done));
}
void Router::start_exec(const resp::Request& req, net::Response& resp, net::ExecOptions opts,
                        redstream::detail::BasicCompletion<std::error_code> done,
                        WaitReplicas wait) {
    impl_->exec(req, resp, opts, std::move(done), wait);
}
SlotMap Router::slot_map() const {
    return impl_->slot_map();
}
std::uint64_t Router::refreshes() const noexcept {
    return impl_->refreshes();
}
std::uint64_t Router::map_version() const noexcept {
    return impl_->map_version();
}
std::shared_ptr<net::Client> Router::connection_for(std::uint16_t slot) {
    return impl_->connection_for(slot);
}
std::vector<HostPort> Router::masters() const {
    if (!is_cluster()) return {HostPort{}};
    std::vector<HostPort> out;
    const auto map = slot_map();  // masters() points into it
    for (const auto* m : map.masters())
        out.push_back(m->endpoint);
    return out;
}
std::shared_ptr<net::Client> Router::connection_to(const HostPort& endpoint) {
    return impl_->connection_to(endpoint);
}
net::ConnectionConfig Router::node_config(const HostPort& endpoint) const {
    return impl_->node_config(endpoint);
}
void Router::report_moved(std::uint16_t slot, const HostPort& endpoint) {
    impl_->report_moved(slot, endpoint);
}
void Router::report_node_lost(const HostPort& endpoint) {
    impl_->report_node_lost(endpoint);
}
void Router::report_stale_map() {
    impl_->report_stale_map();
}
std::vector<std::string> Router::connections() const {
    return impl_->connections();
}
std::vector<std::pair<std::string, net::ClientStats>> Router::connection_stats() const {
    return impl_->connection_stats();
}
std::string Router::last_error() const {
    return impl_->last_error();
}
void Router::close() {
    impl_->close();
}

namespace detail {

RouterImpl::RouterImpl(asio::any_io_executor ex, net::ConnectionConfig config,
                       RouterOptions options)
    : executor_(ex),
      strand_(asio::make_strand(ex)),
      config_(std::move(config)),
      options_(options),
      topology_(config_.nodes, options.topology),
      timer_(strand_),
      map_(std::make_shared<const SlotMap>()) {
    refresh_req_.push("CLUSTER", "SLOTS");
    cluster_ = config_.cluster == net::ClusterMode::yes;
    if (!cluster_) standalone_ = std::make_shared<net::Client>(executor_, config_);
}

void RouterImpl::connect(Completion done) {
    if (cluster_) return connect_cluster(std::move(done));
    standalone_->async_connect(
        [self = shared_from_this(), done = std::move(done)](std::error_code ec) mutable {
            if (ec || self->config_.cluster == net::ClusterMode::no) return done(ec);
            self->detect(std::move(done));
        });
}

// One round trip at connect: a URL that names a cluster node without
// ?cluster=yes still gets routed, instead of MOVED on every other key.
void RouterImpl::detect(Completion done) {
    struct Probe {
        resp::Request req;
        net::Response resp;
    };
    auto probe = std::make_shared<Probe>();
    probe->req.push("INFO", "cluster");
    standalone_->async_exec(
        probe->req, probe->resp,
        [self = shared_from_this(), probe, done = std::move(done)](std::error_code ec) mutable {
            if (ec == errc::shutting_down) return done(ec);
            // INFO refused (renamed, an ACL): take the server as standalone.
            const auto root = ec ? resp::Value() : probe->resp.at(0).root();
            if (!root.is_string() || root.str().find("cluster_enabled:1") == std::string::npos)
                return done({});
            self->cluster_.store(true, std::memory_order_release);
            self->standalone_->close();  // its node gets a connection of its own
            self->connect_cluster(std::move(done));
        });
}

void RouterImpl::connect_cluster(Completion done) {
    asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        if (self->closed_) return done(make_error_code(errc::shutting_down));
        if (self->topology_.has_map()) return done({});
        self->connects_.push_back(std::move(done));
        if (self->started_) return;
        self->started_ = true;
        self->act(self->topology_.start(Clock::now()));
    });
}

// Does what the state machine says, and keeps its one timer armed.
void RouterImpl::act(const TopologyAction& action) {
    if (closed_) return;
    if (action.kind == TopologyAction::Kind::refresh) refresh(action.target);
    if (action.next_timer == TimePoint::max()) return;
    timer_.expires_at(action.next_timer);
    timer_.async_wait(asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
        if (ec || self->closed_) return;  // re-armed, or closed
        self->act(self->topology_.timer_due(Clock::now()));
    }));
}

void RouterImpl::refresh(const HostPort& target) {
    refreshes_.fetch_add(1, std::memory_order_relaxed);
    // Connected first, so that a seed that is down fails with the reason
    // (connect_failed, naming it), not with its queue's not_connected.
    when_connected(target, [self = shared_from_this(), target](std::error_code ec) {
        if (self->closed_) return;
        if (ec) return self->on_refreshed(target, ec, {});
        auto resp = std::make_shared<net::Response>();
        self->node(target)->async_exec(
            self->refresh_req_, *resp,
            asio::bind_executor(self->strand_, [self, target, resp](std::error_code exec_ec) {
                if (!self->closed_) self->on_refreshed(target, exec_ec, *resp);
            }));
    });
}

void RouterImpl::on_refreshed(const HostPort& target, std::error_code ec,
                              const net::Response& resp) {
    if (ec) return refresh_failed(target, ec, node(target)->last_error());
    const auto root = resp.at(0).root();
    SlotMap map = SlotMap::from_cluster_slots(root, ec, target.host);
    if (ec) return refresh_failed(target, ec, root.is_error() ? std::string(root.str()) : "");
    if (redstream::detail::log_enabled(LogLevel::debug))
        redstream::detail::log(LogLevel::debug, "cluster",
                               "slot map from " + endpoint_name(target) + ": " +
                                   std::to_string(map.masters().size()) + " masters, " +
                                   std::to_string(map.covered_slots()) + " slots served");
    const auto action = topology_.refresh_done(std::move(map), Clock::now());
    publish_map();
    finish_connects({});
    act(action);
}

// `why`: the connection's or the server's words, if there are any.
void RouterImpl::refresh_failed(const HostPort& target, std::error_code ec, std::string why) {
    {
        const std::lock_guard lock(mutex_);
        last_error_ = endpoint_name(target) + ": " + (why.empty() ? ec.message() : why);
    }
    if (redstream::detail::log_enabled(LogLevel::warning))  // the handler runs unlocked
        redstream::detail::log(LogLevel::warning, "cluster",
                               "slot map refresh from " + endpoint_name(target) +
                                   " failed: " + (why.empty() ? ec.message() : why));
    // Before the first map, a connect fails once every seed failed once.
    if (!topology_.has_map() && ++failed_seeds_ >= config_.nodes.size()) finish_connects(ec);
    act(topology_.refresh_failed(ec, Clock::now()));
}

void RouterImpl::finish_connects(std::error_code ec) {
    auto waiting = std::move(connects_);
    connects_.clear();
    for (auto& done : waiting)
        done(ec);
}

void RouterImpl::publish_map() {
    auto map = std::make_shared<const SlotMap>(topology_.map());
    std::vector<std::shared_ptr<net::Client>> gone;
    {
        const std::lock_guard lock(mutex_);
        map_ = std::move(map);
        map_version_.fetch_add(1, std::memory_order_acq_rel);
        // A node the map no longer names whose connection is down (a master
        // killed and replaced) would be reconnected to forever: its
        // connection goes. One that is up stays (a node being added, say);
        // node() makes any of them again when a request needs it.
        for (auto it = nodes_.begin(); it != nodes_.end();) {
            const auto& n = it->second;
            if (map_->find(it->first) || n.connecting || !n.waiting.empty() ||
                n.client->connected()) {
                ++it;
                continue;
            }
            gone.push_back(n.client);
            it = nodes_.erase(it);
        }
    }
    for (auto& client : gone)
        client->close();
}

SlotMap RouterImpl::slot_map() const {
    const std::lock_guard lock(mutex_);
    return *map_;
}

std::shared_ptr<net::Client> RouterImpl::node(const HostPort& endpoint, bool* connecting) {
    std::shared_ptr<net::Client> client;
    {
        const std::lock_guard lock(mutex_);
        auto& n = nodes_[endpoint_name(endpoint)];
        if (!n.client) {
            n.client = std::make_shared<net::Client>(executor_, node_config(endpoint));
            if (closed_) n.client->close();  // its requests fail with shutting_down
        }
        if (n.connecting || n.client->connected()) {
            if (connecting) *connecting = n.connecting && !n.was_up;
            return n.client;
        }
        n.connecting = true;
        if (connecting) *connecting = !n.was_up;
        client = n.client;
    }
    // Requests sent meanwhile wait in the connection's queue; a first
    // connect that fails fails them (not_connected), and the map is asked
    // again without this node.
    client->async_connect(
        asio::bind_executor(strand_, [self = shared_from_this(), endpoint](std::error_code ec) {
            std::vector<std::function<void(std::error_code)>> waiting;
            {
                const std::lock_guard lock(self->mutex_);
                auto& n = self->nodes_[endpoint_name(endpoint)];
                n.connecting = false;
                n.was_up = n.was_up || !ec;
                waiting.swap(n.waiting);
            }
            for (auto& f : waiting)
                f(ec);
            if (ec && !self->closed_) self->act(self->topology_.node_lost(endpoint, Clock::now()));
        }));
    return client;
}

void RouterImpl::when_connected(const HostPort& endpoint, std::function<void(std::error_code)> f) {
    node(endpoint);
    {
        const std::lock_guard lock(mutex_);
        auto& n = nodes_[endpoint_name(endpoint)];
        if (n.connecting) return n.waiting.push_back(std::move(f));
    }
    asio::post(strand_, [f = std::move(f)] { f({}); });  // up (or reconnecting on its own)
}

std::vector<std::string> RouterImpl::connections() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [name, n] : nodes_)
        out.push_back(name);
    return out;
}

std::vector<std::pair<std::string, net::ClientStats>> RouterImpl::connection_stats() const {
    if (!cluster_) return {{standalone_->endpoint(), standalone_->stats()}};
    const std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, net::ClientStats>> out;
    for (const auto& [name, n] : nodes_)
        if (n.client) out.emplace_back(name, n.client->stats());
    return out;
}

std::string RouterImpl::last_error() const {
    if (!cluster_) return standalone_->last_error();
    const std::lock_guard lock(mutex_);
    return last_error_;
}

std::shared_ptr<net::Client> RouterImpl::connection_for(std::uint16_t slot) {
    if (!cluster_) return standalone_;
    std::optional<HostPort> endpoint;
    {
        const std::lock_guard lock(mutex_);
        if (const auto* n = map_->master_of(slot)) endpoint = n->endpoint;
    }
    return endpoint ? node(*endpoint) : nullptr;
}

std::shared_ptr<net::Client> RouterImpl::connection_to(const HostPort& endpoint) {
    return cluster_ ? node(endpoint) : standalone_;
}

net::ConnectionConfig RouterImpl::node_config(const HostPort& endpoint) const {
    auto cfg = config_;
    if (!cluster_) return cfg;
    cfg.nodes = {endpoint};
    cfg.cluster = net::ClusterMode::yes;
    return cfg;
}

void RouterImpl::report_moved(std::uint16_t slot, const HostPort& endpoint) {
    if (!cluster_) return;
    asio::post(strand_, [self = shared_from_this(), slot, endpoint] {
        // Reported by every reader the move reached: publish (and make every
        // holder of a copy look again) only when the map changes.
        if (self->closed_ || self->topology_.map().is_owner(slot, endpoint)) return;
        self->act(self->topology_.moved(slot, endpoint, Clock::now()));
        self->publish_map();
    });
}

void RouterImpl::report_node_lost(const HostPort& endpoint) {
    if (!cluster_) return;
    asio::post(strand_, [self = shared_from_this(), endpoint] {
        if (!self->closed_) self->act(self->topology_.node_lost(endpoint, Clock::now()));
    });
}

void RouterImpl::report_stale_map() {
    if (!cluster_) return;
    asio::post(strand_, [self = shared_from_this()] {
        if (!self->closed_) self->act(self->topology_.stale(Clock::now()));
    });
}

void RouterImpl::close() {
    closed_ = true;  // first: node() closes what it makes from now on
    if (standalone_) standalone_->close();
    if (!cluster_) return;
    {
        const std::lock_guard lock(mutex_);
        for (auto& [name, n] : nodes_)
            n.client->close();
    }
    asio::post(strand_, [self = shared_from_this()] {
        self->timer_.cancel();
        self->finish_connects(make_error_code(errc::shutting_down));
    });
}

}  // namespace detail
}  // namespace redstream::cluster
