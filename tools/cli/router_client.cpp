#include "router_client.hpp"

#include <future>

#include <redstream/core/error.hpp>
#include <redstream/core/url.hpp>

namespace redstream::cli {

namespace {

// Waits for an operation the router bounds with its own deadline; `slack`
// more is a safety net against a completion that never comes.
std::error_code wait(std::future<std::error_code>& done, std::chrono::milliseconds bound) {
    if (bound.count() == 0) return done.get();  // --timeout 0: none, as asked
    const auto slack = std::chrono::seconds(5);
    if (done.wait_for(bound + slack) != std::future_status::ready)
        return make_error_code(errc::timeout);
    return done.get();
}

}  // namespace

RouterClient::RouterClient(Context& ctx) : timeout_(ctx.global.timeout) {
    auto config = net::ConnectionConfig::from_url(ctx.global.url);
    config.connect_timeout = ctx.global.timeout;
    config.request_timeout = ctx.global.timeout;
    router_ = std::make_shared<cluster::Router>(ctx.streamer().get_executor(), config);
    auto promise = std::make_shared<std::promise<std::error_code>>();
    auto done = promise->get_future();
    router_->async_connect([promise](std::error_code ec) { promise->set_value(ec); });
    // Connecting tries every seed, each within the connect timeout.
    const auto ec = wait(done, timeout_ * static_cast<int>(config.nodes.size() + 1));
    if (ec) {
        router_->close();
        throw Error(ec, router_->last_error());
    }
}

RouterClient::~RouterClient() {
    router_->close();
}

net::Response RouterClient::exec(const resp::Request& req) {
    net::Response resp;
    if (req.empty()) return resp;
    auto promise = std::make_shared<std::promise<std::error_code>>();
    auto done = promise->get_future();
    router_->async_exec(req, resp, [promise](std::error_code ec) { promise->set_value(ec); });
    auto ec = wait(done, timeout_);
    if (ec == errc::timeout && done.valid()) {
        // The router still holds `req` and `resp`: close it, which ends the
        // request, before they go.
        router_->close();
        done.wait();
    }
    throw_if(ec);
    if (resp.size() != req.commands()) throw Error(make_error_code(errc::unexpected_reply));
    return resp;
}

}  // namespace redstream::cli
