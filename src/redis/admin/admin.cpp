// Admin: the handle, and its calls on whole streams (the group, pending and
// claim calls are in admin_groups.cpp). Each start_* checks the Streamer is
// there and hands the operation (ops.hpp) the router; each sync call waits
// for its start_*.
#include <redstream/redis/admin.hpp>

#include <asio/system_executor.hpp>

#include "admin_start.hpp"

namespace redstream {

using detail::start_admin_op;
using detail::wait_admin_op;

bool Admin::is_cluster() const noexcept {
    return ctx_ && ctx_->router && ctx_->router->is_cluster();
}

asio::any_io_executor Admin::completion_executor() const {
    return ctx_ ? ctx_->fallback_executor() : asio::any_io_executor(asio::system_executor());
}

SlotMapInfo Admin::slot_map() const {
    if (!ctx_) throw Error(make_error_code(errc::not_connected), "Admin is not connected");
    if (!ctx_->router->is_cluster()) return {};
    return detail::slot_map_info(ctx_->router->slot_map());
}

// --- streams ------------------------------------------------------------------

void Admin::start_streams(const std::string& pattern, std::size_t limit,
                          Completion<StreamList> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::list_streams(env, pattern, limit, std::move(d));
    });
}

StreamList Admin::streams(std::string pattern, std::size_t limit) const {
    return wait_admin_op<StreamList>(completion_executor(), "streams", [&](auto done, Why why) {
        start_streams(pattern, limit, std::move(done), std::move(why));
    });
}

void Admin::start_stream_info(const StreamKey& stream, Completion<StreamInfo> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why),
                   [&](auto env, auto d) { detail::describe_stream(env, stream, std::move(d)); });
}

StreamInfo Admin::stream_info(const StreamKey& stream) const {
    return wait_admin_op<StreamInfo>(completion_executor(), "stream_info", [&](auto done, Why why) {
        start_stream_info(stream, std::move(done), std::move(why));
    });
}

void Admin::start_trim(const StreamKey& stream, const commands::TrimOptions& trim,
                       Completion<std::uint64_t> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why),
                   [&](auto env, auto d) { detail::trim_stream(env, stream, trim, std::move(d)); });
}

std::uint64_t Admin::trim(const StreamKey& stream, const commands::TrimOptions& trim) const {
    return wait_admin_op<std::uint64_t>(completion_executor(), "trim", [&](auto done, Why why) {
        start_trim(stream, trim, std::move(done), std::move(why));
    });
}

void Admin::start_delete_stream(const StreamKey& stream, Completion<std::uint64_t> done,
                                Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why),
                   [&](auto env, auto d) { detail::delete_stream(env, stream, std::move(d)); });
}

std::uint64_t Admin::delete_stream(const StreamKey& stream) const {
    return wait_admin_op<std::uint64_t>(
        completion_executor(), "delete_stream",
        [&](auto done, Why why) { start_delete_stream(stream, std::move(done), std::move(why)); });
}

}  // namespace redstream
