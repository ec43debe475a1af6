// Consumer: the handle users hold. next() takes from the inbox on the
// caller's thread; the other calls post to the actor (ConsumerImpl).
#include <asio/system_executor.hpp>

#include <redstream/core/error.hpp>
#include <redstream/redis/consumer.hpp>

#include "consumer/front.hpp"
#include "streamer_context.hpp"
#include "sync_wait.hpp"

namespace redstream {
using detail::wait_for;

namespace {

void check_options(const ConsumerOptions& o) {
    const auto invalid = make_error_code(errc::invalid_argument);
    if (o.batch_size == 0) throw Error(invalid, "ConsumerOptions::batch_size is 0");
    if (o.prefetch == 0) throw Error(invalid, "ConsumerOptions::prefetch is 0");
    if (o.prefetch_bytes == 0) throw Error(invalid, "ConsumerOptions::prefetch_bytes is 0");
    if (o.max_connections_per_node == 0)
        throw Error(invalid, "ConsumerOptions::max_connections_per_node is 0");
    if (o.read_from_replicas && o.mode != ConsumerMode::real_time)
        throw Error(invalid,
                    "ConsumerOptions::read_from_replicas is for real-time consumers: a group "
                    "read (XREADGROUP) writes, so only a master runs it");
}

}  // namespace

Consumer::Consumer(std::shared_ptr<detail::StreamerContext> ctx, std::vector<StreamKey> streams,
                   ConsumerOptions options)
    : ctx_(std::move(ctx)) {
    check_options(options);
    if (streams.empty()) streams = ctx_->url_streams;
    if (streams.empty())
        throw Error(make_error_code(errc::invalid_argument),
                    "a consumer needs at least one stream");
    impl_ = std::make_shared<detail::ConsumerImpl>(ctx_->executor, ctx_->router, std::move(streams),
                                                   options, ctx_->options.payload_field);
    ctx_->add_actor(
        impl_,
        [weak = std::weak_ptr(impl_)] {
            if (auto impl = weak.lock()) impl->end_and_wait();
        },
        [weak = std::weak_ptr(impl_)](StreamerStats& out) {
            if (auto impl = weak.lock()) impl->report(out);
        });
    const auto [ec] =
        wait_for(ctx_->executor, [this](auto started) { impl_->start(std::move(started)); });
    if (ec) {
        impl_->end();
        // Read after the start completed: the actor wrote it before that.
        auto why = impl_->start_failure();
        if (why.empty()) why = impl_->connection_error();
        throw Error(ec,
                    why.empty() ? "consumer could not start" : "consumer could not start: " + why);
    }
}

Consumer::Consumer(Consumer&&) noexcept = default;

Consumer& Consumer::operator=(Consumer&& other) noexcept {
    if (this != &other) {
        end();
        impl_ = std::move(other.impl_);
        ctx_ = std::move(other.ctx_);
    }
    return *this;
}

Consumer::~Consumer() {
    end();
}

Message Consumer::next() {
    std::error_code ec;
    auto m = next(ec);
    throw_if(ec);
    return m;
}

Message Consumer::next(std::error_code& ec) {
    if (!impl_) {
        ec = make_error_code(errc::not_connected);
        return {};
    }
    auto m = impl_->take(std::nullopt, ec);
    return m ? std::move(*m) : Message{};
}

std::optional<Message> Consumer::next_for(std::chrono::milliseconds timeout) {
    std::error_code ec;
    auto m = next_for(timeout, ec);
    throw_if(ec);
    return m;
}

std::optional<Message> Consumer::next_for(std::chrono::milliseconds timeout, std::error_code& ec) {
    if (!impl_) {
        ec = make_error_code(errc::not_connected);
        return std::nullopt;
    }
    return impl_->take(std::chrono::steady_clock::now() + timeout, ec);
}

void Consumer::start_next(detail::BasicCompletion<std::error_code, Message> done,
                          asio::cancellation_slot slot) {
    if (!impl_) return done(make_error_code(errc::not_connected), {});
    const auto id = impl_->new_wait_id();
    if (slot.is_connected()) {
        slot.assign([weak = std::weak_ptr(impl_), id](asio::cancellation_type type) {
            if (type == asio::cancellation_type::none) return;
            if (auto impl = weak.lock()) impl->cancel(id, errc::cancelled);
        });
    }
    impl_->next(std::move(done), id);
}

namespace {
void check_real_time(const detail::ConsumerImpl& impl) {
    if (impl.group_mode())
        throw Error(make_error_code(errc::invalid_argument),
                    "seek and rewind move real-time consumers; a group keeps its own position");
}
}  // namespace

void Consumer::seek(Timestamp t) {
    if (!impl_) return;
    check_real_time(*impl_);
    impl_->seek(t);
}

void Consumer::rewind(SeqPos pos) {
    if (!impl_) return;
    check_real_time(*impl_);
    if (pos.kind() == SeqPos::Kind::end) return impl_->rewind_to_end_and_wait();
    impl_->rewind(pos);
}

void Consumer::assign(const StreamKey& stream, ShardId shard) {
    if (impl_) impl_->assign(stream, shard);
}

void Consumer::unassign(const StreamKey& stream, ShardId shard) {
    if (impl_) impl_->unassign(stream, shard);
}

void Consumer::end() {
    if (impl_) impl_->end_and_wait();
}

void Consumer::ack(const Message& m) {
    if (!impl_) throw Error(make_error_code(errc::not_connected), "consumer is not started");
    if (impl_->commit_mode() != AutoCommit::rolling && impl_->commit_mode() != AutoCommit::disabled)
        throw Error(make_error_code(errc::invalid_argument),
                    "ack() is for group consumers with AutoCommit::rolling or disabled");
    impl_->ack(m);
}

asio::any_io_executor Consumer::completion_executor() const {
    return ctx_ ? ctx_->fallback_executor() : asio::any_io_executor(asio::system_executor());
}

bool Consumer::ended() const noexcept {
    return !ctx_ || ctx_->closed() || impl_->ended();
}

void Consumer::start_commit(detail::BasicCompletion<std::error_code> done) {
    if (!impl_) return done(make_error_code(errc::not_connected));
    if (impl_->commit_mode() != AutoCommit::disabled)
        return done(make_error_code(errc::invalid_argument));
    // Ended: the commit loop sent what it could, and its strand may not run.
    if (ended()) return done(make_error_code(errc::shutting_down));
    impl_->commit(std::move(done));
}

void Consumer::commit() {
    if (impl_ && impl_->commit_mode() != AutoCommit::disabled)
        throw Error(make_error_code(errc::invalid_argument),
                    "commit() is for group consumers with AutoCommit::disabled; the others "
                    "commit by themselves");
    const auto [ec] =
        wait_for(completion_executor(), [this](auto done) { start_commit(std::move(done)); });
    throw_if(ec, "commit failed");
}

void Consumer::start_group_stats(
    detail::BasicCompletion<std::error_code, std::vector<GroupStreamStats>> done) {
    if (!impl_) return done(make_error_code(errc::not_connected), {});
    if (!impl_->group_mode()) return done(make_error_code(errc::invalid_argument), {});
    if (ended()) return done(make_error_code(errc::shutting_down), {});
    impl_->group_stats(std::move(done));
}

std::vector<GroupStreamStats> Consumer::group_stats() {
    if (impl_ && !impl_->group_mode())
        throw Error(make_error_code(errc::invalid_argument),
                    "group_stats() is for group consumers (resumable, load_balanced)");
    auto [ec, stats] = wait_for<std::vector<GroupStreamStats>>(
        completion_executor(), [this](auto done) { start_group_stats(std::move(done)); });
    throw_if(ec, "group_stats failed");
    return std::move(stats);
}

asio::any_io_executor Consumer::get_executor() const noexcept {
    return impl_ ? impl_->executor() : asio::any_io_executor{};
}

ConsumerStats Consumer::stats() const noexcept {
    return impl_ ? impl_->stats() : ConsumerStats{};
}

std::error_code Consumer::last_error() const noexcept {
    return impl_ ? impl_->last_error() : make_error_code(errc::not_connected);
}

Consumer::iterator& Consumer::iterator::operator++() {
    std::error_code ec;
    current_ = consumer_->next(ec);
    if (ec) consumer_ = nullptr;
    return *this;
}

}  // namespace redstream
