#include "command_link.hpp"

#include <functional>
#include <future>

#include <redstream/core/error.hpp>
#include <redstream/core/url.hpp>
#include <redstream/net/config.hpp>

namespace redstream::cli {

namespace {

// The sync calls of this tool run on the main thread and wait here; the
// promise is shared so that a completion that runs after a broken wait (the
// executor gone) is harmless.
std::error_code wait(const std::function<void(std::function<void(std::error_code)>)>& start) {
    auto done = std::make_shared<std::promise<std::error_code>>();
    auto result = done->get_future();
    start([done](std::error_code ec) { done->set_value(ec); });
    try {
        return result.get();
    } catch (const std::future_error&) {
        return make_error_code(errc::shutting_down);
    }
}

}  // namespace

CommandLink::CommandLink(Context& ctx) {
    auto ex = ctx.streamer().get_executor();
    auto config = net::ConnectionConfig::from_url(ctx.global.url);
    config.connect_timeout = ctx.global.timeout;
    config.request_timeout = ctx.global.timeout;
    router_ = std::make_shared<cluster::Router>(ex, std::move(config));
    const auto ec = wait([this](auto done) { router_->async_connect(std::move(done)); });
    if (ec) {
        const auto why = router_->last_error();
        router_->close();
        throw Error(ec, why);
    }
}

CommandLink::~CommandLink() {
    router_->close();
}

net::Response CommandLink::run(const resp::Request& req) {
    net::Response resp;
    if (req.empty()) return resp;
    const auto ec = wait([&](auto done) { router_->async_exec(req, resp, std::move(done)); });
    if (ec) throw Error(ec, "a request of " + std::to_string(req.commands()) + " commands");
    if (resp.size() != req.commands()) throw Error(make_error_code(errc::unexpected_reply));
    return resp;
}

}  // namespace redstream::cli
