#include <redstream/redis/send_future.hpp>

#include <thread>

#include <asio/system_executor.hpp>

#include <redstream/core/error.hpp>

#include "send_state.hpp"

namespace redstream {

void detail::SendStateRef::add_ref(SendState* s) noexcept {
    retain(s);
}
void detail::SendStateRef::drop_ref(SendState* s) noexcept {
    release(s);
}

bool SendFuture::ready() const noexcept {
    return state_ && state_->state.load(std::memory_order_acquire) == detail::SendState::done;
}

Receipt SendFuture::get(std::error_code& ec) const {
    if (!state_) {
        ec = make_error_code(errc::invalid_argument);
        return {};
    }
    state_->wait();
    ec = state_->ec;
    return state_->receipt;
}

Receipt SendFuture::get() const {
    std::error_code ec;
    auto r = get(ec);
    throw_if(ec, "send failed");
    return r;
}

std::future_status SendFuture::wait_for(std::chrono::milliseconds timeout) const {
    // Atomic waits have no timeout: poll with a short back-off instead.
    const auto end = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::microseconds(10);
    while (!ready()) {
        if (std::chrono::steady_clock::now() >= end) return std::future_status::timeout;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
    return std::future_status::ready;
}

void SendFuture::then(std::function<void(std::error_code, const Receipt&)> f) const {
    if (!state_) return;
    state_->set_continuation(detail::SendState::Continuation(
        [f = std::move(f)](std::error_code ec, Receipt r) { f(ec, r); }, state_->executor()));
}

asio::any_io_executor SendFuture::executor() const {
    return state_ ? state_->executor() : asio::any_io_executor(asio::system_executor());
}

void SendFuture::start_wait(const detail::SendStateRef& state,
                            detail::BasicCompletion<std::error_code, Receipt> done) {
    if (!state) return done(make_error_code(errc::invalid_argument), Receipt{});
    state->set_continuation(std::move(done));
}

}  // namespace redstream
