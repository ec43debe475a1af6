// A type-erased completion handler: keeps the templates that take completion
// tokens thin, so the real work is compiled once. The handler runs on its
// associated executor (or a fallback), never inline in the completing code.
#pragma once

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>

namespace redstream::detail {

template <class... Args>
class BasicCompletion {
  public:
    BasicCompletion() = default;
    /// `fallback` runs the handler when it has no associated executor.
    template <class Handler>
    BasicCompletion(Handler&& h, const asio::any_io_executor& fallback)
        : impl_(
              std::make_unique<Model<std::decay_t<Handler>>>(std::forward<Handler>(h), fallback)) {}
    explicit operator bool() const noexcept { return impl_ != nullptr; }
    /// Completes once, with `args`, on the handler's executor.
    void operator()(Args... args) {
        auto impl = std::move(impl_);
        impl->complete(std::move(args)...);
    }

  private:
    struct Base {
        virtual ~Base() = default;
        virtual void complete(Args... args) = 0;
    };
    template <class Handler>
    struct Model final : Base {
        using Executor = asio::associated_executor_t<Handler, asio::any_io_executor>;
        // Tracks outstanding work so the handler's context does not run dry
        // while the operation is pending.
        using WorkExecutor = std::decay_t<decltype(asio::prefer(
            std::declval<Executor>(), asio::execution::outstanding_work.tracked))>;

        Model(Handler h, const asio::any_io_executor& fallback)
            : work(asio::prefer(asio::get_associated_executor(h, fallback),
                                asio::execution::outstanding_work.tracked)),
              handler(std::move(h)) {}
        void complete(Args... args) override {
            asio::post(work,
                       [h = std::move(handler), t = std::make_tuple(std::move(args)...)]() mutable {
                           std::apply(std::move(h), std::move(t));
                       });
        }
        WorkExecutor work;
        Handler handler;
    };
    std::unique_ptr<Base> impl_;
};

}  // namespace redstream::detail
