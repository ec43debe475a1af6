#include <redstream/redis/streamer.hpp>

#include <redstream/core/error.hpp>

#include "producer_impl.hpp"
#include "streamer_context.hpp"
#include "sync_wait.hpp"

namespace redstream {
namespace detail {

std::error_code wait_exec(const StreamerContext& ctx, const resp::Request& req,
                          net::Response& resp) {
    if (ctx.closed()) return make_error_code(errc::shutting_down);
    const auto [ec] = wait_for(
        ctx.executor, [&](auto done) { ctx.router->async_exec(req, resp, std::move(done)); });
    return ec;
}

void StreamerContext::add_actor(std::weak_ptr<void> actor, std::function<void()> end,
                                std::function<void(StreamerStats&)> report) {
    const std::lock_guard lock(actors_mutex_);
    std::erase_if(actors_, [](const Actor& a) { return a.alive.expired(); });
    actors_.push_back({std::move(actor), std::move(end), std::move(report)});
}

void StreamerContext::report_actors(StreamerStats& out) {
    std::vector<Actor> actors;
    {
        const std::lock_guard lock(actors_mutex_);
        actors = actors_;
    }
    // Outside the lock: a report takes other locks (a consumer's lanes).
    for (auto& a : actors)
        if (!a.alive.expired()) a.report(out);
}

void StreamerContext::end_actors() {
    std::vector<Actor> actors;
    {
        const std::lock_guard lock(actors_mutex_);
        actors.swap(actors_);
    }
    // Outside the lock: a producer's flush waits for the network.
    for (auto& a : actors)
        if (!a.alive.expired()) a.end();
}

StreamerContext::~StreamerContext() {
    if (router) router->close();
}

IoRunner::IoRunner(std::shared_ptr<asio::io_context> io_context, std::size_t count)
    : io(std::move(io_context)), work(asio::make_work_guard(*io)) {
    for (std::size_t i = 0; i < count; ++i)
        threads.emplace_back([ctx = io.get()] { ctx->run(); });
}

IoRunner::~IoRunner() {
    work.reset();
    for (auto& t : threads) {
        // A handler that drops the last Streamer handle runs on one of these.
        if (t.get_id() == std::this_thread::get_id())
            t.detach();
        else
            t.join();
    }
}

namespace {

std::shared_ptr<StreamerContext> make_context(std::string_view url, ConnectOptions options) {
    auto ctx = std::make_shared<StreamerContext>();
    const StreamUrl parsed = StreamUrl::parse(url);  // throws invalid_url, saying why
    options.connection.apply_url(parsed);
    for (const auto& s : parsed.streams)
        ctx->url_streams.emplace_back(s);
    ctx->options = std::move(options);
    return ctx;
}

void connect_router(StreamerContext& ctx) {
    ctx.router = std::make_shared<cluster::Router>(ctx.executor, ctx.options.connection);
    const auto [ec] =
        wait_for(ctx.executor, [&](auto done) { ctx.router->async_connect(std::move(done)); });
    throw_if(ec, ec ? ctx.router->last_error() : std::string());
}

}  // namespace
}  // namespace detail

Streamer Streamer::connect(std::string_view url, ConnectOptions options) {
    auto ctx = detail::make_context(url, std::move(options));
    const auto threads = std::max<std::size_t>(1, ctx->options.io_threads);
    ctx->own_io = std::make_shared<asio::io_context>(static_cast<int>(threads));
    ctx->executor = ctx->own_io->get_executor();
    auto runner = std::make_shared<detail::IoRunner>(ctx->own_io, threads);
    try {
        detail::connect_router(*ctx);
    } catch (...) {
        // Nothing may be left pending on the threads we are about to join.
        if (ctx->router) ctx->router->close();
        throw;
    }
    return Streamer(std::move(ctx), std::move(runner));
}

Streamer Streamer::connect(asio::any_io_executor executor, std::string_view url,
                           ConnectOptions options) {
    auto ctx = detail::make_context(url, std::move(options));
    ctx->executor = std::move(executor);
    detail::connect_router(*ctx);
    return Streamer(std::move(ctx), nullptr);
}

void Streamer::start_connect(asio::any_io_executor executor, std::string_view url,
                             ConnectOptions options,
                             detail::BasicCompletion<std::error_code, Streamer> done) {
    std::shared_ptr<detail::StreamerContext> ctx;
    try {
        ctx = detail::make_context(url, std::move(options));
    } catch (const Error& e) {
        return done(e.code(), Streamer());
    }
    ctx->executor = std::move(executor);
    ctx->router = std::make_shared<cluster::Router>(ctx->executor, ctx->options.connection);
    auto router = ctx->router;
    router->async_connect(
        [ctx = std::move(ctx), done = std::move(done)](std::error_code ec) mutable {
            if (ec) return done(ec, Streamer());
            done(ec, Streamer(std::move(ctx), nullptr));
        });
}

Producer Streamer::create_producer(StreamKey stream, ProducerOptions options) {
    if (!ctx_) throw Error(make_error_code(errc::not_connected), "Streamer is not connected");
    Producer p(ctx_, std::move(stream), std::move(options));
    ctx_->add_actor(
        p.impl_,
        [weak = std::weak_ptr(p.impl_)] {
            if (auto impl = weak.lock()) Producer::end_impl(impl);
        },
        [weak = std::weak_ptr(p.impl_)](StreamerStats& out) {
            if (auto impl = weak.lock(); impl && !impl->closed())
                out.producers.push_back({std::string(impl->anchor().name()), impl->stats()});
        });
    return p;
}

Producer Streamer::create_generic_producer(ProducerOptions options) {
    return create_producer(StreamKey(), std::move(options));
}

Consumer Streamer::create_consumer(std::vector<StreamKey> streams, ConsumerOptions options) {
    if (!ctx_) throw Error(make_error_code(errc::not_connected), "Streamer is not connected");
    return Consumer(ctx_, std::move(streams), std::move(options));
}

Admin Streamer::admin(AdminOptions options) const {
    if (!ctx_) throw Error(make_error_code(errc::not_connected), "Streamer is not connected");
    return Admin(ctx_, options);
}

StreamerStats Streamer::stats() const {
    StreamerStats out;
    if (!ctx_) return out;
    for (auto& [endpoint, stats] : ctx_->router->connection_stats())
        out.connections.push_back({std::move(endpoint), "streamer", stats});
    ctx_->report_actors(out);
    return out;
}

const std::vector<StreamKey>& Streamer::streams() const noexcept {
    static const std::vector<StreamKey> none;
    return ctx_ ? ctx_->url_streams : none;
}

asio::any_io_executor Streamer::get_executor() const noexcept {
    return ctx_ ? ctx_->executor : asio::any_io_executor{};
}

Streamer::Streamer(Streamer&&) noexcept = default;

Streamer& Streamer::operator=(Streamer&& other) noexcept {
    if (this != &other) {
        disconnect();
        ctx_ = std::move(other.ctx_);
        io_ = std::move(other.io_);
    }
    return *this;
}

Streamer::~Streamer() {
    disconnect();
}

void Streamer::disconnect() {
    if (!ctx_) return;
    ctx_->mark_closed();
    ctx_->end_actors();
    if (ctx_->router) ctx_->router->close();
    if (io_) {
        io_.reset();  // joins: everything pending has completed by then
        ctx_->mark_io_stopped();
    }
    ctx_.reset();
}

}  // namespace redstream
