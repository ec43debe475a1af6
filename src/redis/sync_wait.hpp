// The sync calls of the high-level API, over their async twins: start an
// operation with a completion (on `ex`) and wait for what it completes with.
// The promise is shared, so that a completion that outlives the wait is
// harmless, and one destroyed without running (its executor shut down)
// breaks it: that reads as shutting_down, never a hang.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <tuple>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {

/// As wait_for() below, giving up after `timeout` if one is given: nullopt
/// then (the operation goes on and completes unobserved).
template <class... T, class Start>
std::optional<std::tuple<std::error_code, T...>> wait_for(
    const asio::any_io_executor& ex, std::optional<std::chrono::milliseconds> timeout,
    Start&& start) {
    using Result = std::tuple<std::error_code, T...>;
    auto p = std::make_shared<std::promise<Result>>();
    auto f = p->get_future();
    start(BasicCompletion<std::error_code, T...>(
        [p](std::error_code ec, T... values) {
            p->set_value(Result{ec, std::move(values)...});
        },
        ex));
    if (timeout && f.wait_for(*timeout) != std::future_status::ready) return std::nullopt;
    try {
        return f.get();
    } catch (const std::future_error&) {
        Result r{};
        std::get<0>(r) = make_error_code(errc::shutting_down);
        return r;
    }
}

/// Starts the operation (`start(completion)`) and waits for its result,
/// `{error, values...}`. For operations bounded by deadlines of their own.
template <class... T, class Start>
std::tuple<std::error_code, T...> wait_for(const asio::any_io_executor& ex, Start&& start) {
    return *wait_for<T...>(ex, std::nullopt, std::forward<Start>(start));
}

}  // namespace redstream::detail
