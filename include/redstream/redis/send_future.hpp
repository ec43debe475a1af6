// The result of a send: resolves to a Receipt once the server confirmed the
// entry, or to an error. Can be ignored, waited on, given a callback, or
// awaited with any Asio completion token.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <system_error>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>

namespace redstream {

namespace detail {
struct SendState;

/// An owning reference to a send's state (intrusive: the producer pools
/// states, so a send allocates nothing in steady state).
class SendStateRef {
  public:
    SendStateRef() = default;
    /// Adopts one reference the caller already holds.
    explicit SendStateRef(SendState* adopted) noexcept : p_(adopted) {}
    SendStateRef(const SendStateRef& o) noexcept : p_(o.p_) {
        if (p_) add_ref(p_);
    }
    SendStateRef(SendStateRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    SendStateRef& operator=(SendStateRef o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~SendStateRef() {
        if (p_) drop_ref(p_);
    }
    SendState* get() const noexcept { return p_; }
    SendState* operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

  private:
    static void add_ref(SendState* s) noexcept;
    static void drop_ref(SendState* s) noexcept;
    SendState* p_ = nullptr;
};
}  // namespace detail

class SendFuture {
  public:
    SendFuture() = default;
    explicit SendFuture(detail::SendStateRef state) : state_(std::move(state)) {}

    /// True once the send succeeded or failed.
    bool ready() const noexcept;
    /// Waits for the result; throws `redstream::Error` if the send failed.
    Receipt get() const;
    Receipt get(std::error_code& ec) const;
    /// Waits at most `timeout`: ready or timeout.
    std::future_status wait_for(std::chrono::milliseconds timeout) const;

    /// Calls `f(ec, receipt)` once the result is known (on the Streamer's
    /// executor; at once, on that executor, if it already is; after
    /// Streamer::disconnect() on asio::system_executor). A future has one
    /// continuation: use then() or async_wait() once per send.
    void then(std::function<void(std::error_code, const Receipt&)> f) const;

    /// Waits for the result without blocking a thread. Completion:
    /// `void(std::error_code, Receipt)`, with the send's error (timeout after
    /// ProducerOptions::delivery_timeout, connection_lost, a server error,
    /// shutting_down, ...) or invalid_argument for an empty future. Not
    /// cancellable. One continuation per future, as then().
    template <class Token>
    auto async_wait(Token&& token) const {
        return asio::async_initiate<Token, void(std::error_code, Receipt)>(
            [](auto handler, detail::SendStateRef state, asio::any_io_executor ex) {
                start_wait(state, detail::BasicCompletion<std::error_code, Receipt>(
                                      std::move(handler), ex));
            },
            token, state_, executor());
    }

  private:
    asio::any_io_executor executor() const;
    static void start_wait(const detail::SendStateRef& state,
                           detail::BasicCompletion<std::error_code, Receipt> done);
    detail::SendStateRef state_;
};

}  // namespace redstream
