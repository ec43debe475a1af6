#include <redstream/net/config.hpp>

namespace redstream::net {

std::vector<HostPort> ConnectionConfig::default_nodes() {
    return {HostPort{"127.0.0.1", StreamUrl::default_port}};
}

ConnectionConfig ConnectionConfig::from_url(const StreamUrl& url) {
    ConnectionConfig cfg;
    cfg.apply_url(url);
    return cfg;
}

void ConnectionConfig::apply_url(const StreamUrl& url) {
    ConnectionConfig& cfg = *this;
    cfg.transport = url.transport;
    if (url.transport == Transport::unix_socket) {
        cfg.nodes.clear();
        cfg.socket_path = url.socket_path;
    } else if (!url.nodes.empty()) {
        cfg.nodes = url.nodes;
    }
    if (url.username) cfg.username = *url.username;
    if (url.password) cfg.password = *url.password;
    if (url.db) cfg.db = *url.db;
    if (url.client_name) cfg.client_name = *url.client_name;
    if (url.protocol) cfg.protocol = *url.protocol;
    if (url.cluster) cfg.cluster = *url.cluster ? ClusterMode::yes : ClusterMode::no;
    if (url.timeout_ms) {
        // One URL timeout bounds both connecting and each request, as the
        // common redis:// URL convention does; blocking reads set their own.
        // 0 means "no request deadline", which must not become an instant
        // connect deadline.
        cfg.request_timeout = std::chrono::milliseconds(*url.timeout_ms);
        if (*url.timeout_ms != 0) cfg.connect_timeout = cfg.request_timeout;
    }
}

ConnectionConfig ConnectionConfig::from_url(std::string_view url) {
    return from_url(StreamUrl::parse(url));
}

}  // namespace redstream::net
