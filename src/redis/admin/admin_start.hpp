// How each Admin call starts (checks, then the operation with the router)
// and how its sync form waits; shared by admin.cpp and admin_groups.cpp.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <redstream/core/error.hpp>
#include <redstream/redis/admin.hpp>

#include "../streamer_context.hpp"
#include "../sync_wait.hpp"
#include "ops.hpp"

namespace redstream::detail {

/// Runs `op(env, done)` unless the Admin is not connected or its Streamer is
/// closing, which complete at once.
template <class T, class Op>
void start_admin_op(const std::shared_ptr<StreamerContext>& ctx, const AdminOptions& options,
                    Admin::Completion<T> done, std::shared_ptr<std::string> why, Op&& op) {
    auto d = make_done(std::move(done), std::move(why));
    if (!ctx) return d->fail(make_error_code(errc::not_connected), "Admin is not connected");
    if (ctx->closed()) return d->fail(make_error_code(errc::shutting_down));
    op(AdminEnv{ctx->router, options}, std::move(d));
}

/// Starts an operation (`start_op(completion, why)`) and waits for it;
/// throws what it failed with, with its text (or `what`).
template <class T, class Start>
T wait_admin_op(const asio::any_io_executor& ex, const char* what, Start&& start_op) {
    auto why = std::make_shared<std::string>();
    auto [ec, value] = wait_for<T>(ex, [&](auto done) { start_op(std::move(done), why); });
    if (ec) throw Error(ec, why->empty() ? std::string(what) : *why);
    return std::move(value);
}

}  // namespace redstream::detail
