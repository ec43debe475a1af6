#include "key_scan.hpp"

#include <unordered_set>
#include <utility>

#include <redstream/commands/keys.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {
namespace {

struct KeyScan : std::enable_shared_from_this<KeyScan> {
    AdminEnv env;
    KeyScanSpec spec;
    KeyScanThen then;
    std::vector<HostPort> masters;  // scanned in this order
    std::size_t master = 0;         // the one being scanned
    std::string cursor = "0";
    std::vector<std::string> keys;
    std::unordered_set<std::string> seen;  // a key may come twice (or from two masters mid-move)
    resp::Request req;
    net::Response resp;

    void next();
    void on_page(std::error_code ec);
    void finish(std::error_code ec, bool truncated) {
        then(ec, ec ? std::vector<std::string>{} : std::move(keys), truncated);
    }
};

void KeyScan::next() {
    if (master == masters.size()) return finish({}, false);
    auto client = env.router->connection_to(masters[master]);
    if (!client) return finish(make_error_code(errc::not_connected), false);
    req.clear();
    resp.clear();
    commands::scan(req, cursor,
                   {.match = spec.match, .count = env.options.scan_count, .type = "stream"});
    client->async_exec(
        req, resp, env.exec_options(),
        [self = shared_from_this(), client](std::error_code ec) { self->on_page(ec); });
}

void KeyScan::on_page(std::error_code ec) {
    if (ec) return finish(ec, false);
    if (resp.empty()) return finish(make_error_code(errc::unexpected_reply), false);
    const auto page = commands::decode_scan(resp.front().root(), ec);
    if (ec) return finish(ec, false);
    for (const auto key : page.keys) {
        if (spec.keep && !spec.keep(key)) continue;
        if (!seen.insert(std::string(key)).second) continue;
        if (keys.size() == spec.limit) return finish({}, true);
        keys.emplace_back(key);
    }
    if (page.done()) {
        ++master;
        cursor = "0";
    } else {
        cursor = std::string(page.cursor);
    }
    next();
}

}  // namespace

void scan_keys(const AdminEnv& env, KeyScanSpec spec, KeyScanThen then) {
    auto scan = std::make_shared<KeyScan>();
    scan->env = env;
    scan->spec = std::move(spec);
    scan->then = std::move(then);
    scan->masters = env.router->masters();
    if (scan->masters.empty())  // no map yet: nothing could be routed either
        return scan->finish(make_error_code(errc::not_connected), false);
    scan->next();
}

}  // namespace redstream::detail
