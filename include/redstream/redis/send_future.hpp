// The result of a send: resolves to a Receipt once the server confirmed the
// entry, or to an error. Can be ignored, waited on, given a callback, or
// awaited with any Asio completion token.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <redstream/core/stream.hpp>
#include <redstream/net/detail/completion.hpp>

namespace redstream {

namespace detail {
struct SendState;
}

class SendFuture {
  public:
    SendFuture() = default;
    explicit SendFuture(std::shared_ptr<detail::SendState> state) : state_(std::move(state)) {}

    /// True once the send succeeded or failed.
    bool ready() const noexcept;
    /// Waits for the result; throws `redstream::Error` if the send failed.
    Receipt get() const;
    Receipt get(std::error_code& ec) const;
    /// Waits at most `timeout`: ready or timeout.
    std::future_status wait_for(std::chrono::milliseconds timeout) const;

    /// Calls `f(ec, receipt)` once the result is known (on the producer's
    /// executor; at once, on that executor, if it already is). A future has
    /// one continuation: use then() or async_wait() once per send.
    void then(std::function<void(std::error_code, const Receipt&)> f) const;

    /// Completion: `void(std::error_code, Receipt)`.
    template <class Token>
    auto async_wait(Token&& token) const {
        return asio::async_initiate<Token, void(std::error_code, Receipt)>(
            [this](auto handler) {
                start_wait(detail::BasicCompletion<std::error_code, Receipt>(std::move(handler),
                                                                             executor()));
            },
            token);
    }

  private:
    asio::any_io_executor executor() const;
    void start_wait(detail::BasicCompletion<std::error_code, Receipt> done) const;
    std::shared_ptr<detail::SendState> state_;
};

}  // namespace redstream
