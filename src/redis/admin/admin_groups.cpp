// Admin: the group, pending and claim calls (admin.cpp has the calls on
// whole streams).
#include <redstream/redis/admin.hpp>

#include "admin_start.hpp"

namespace redstream {

using detail::start_admin_op;
using detail::wait_admin_op;

void Admin::start_create_group(const StreamKey& stream, const std::string& group,
                               commands::StreamStart start, bool mkstream,
                               Completion<std::uint64_t> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::create_group(env, stream, group, start, mkstream, std::move(d));
    });
}

std::uint64_t Admin::create_group(const StreamKey& stream, const std::string& group,
                                  commands::StreamStart start, bool mkstream) const {
    return wait_admin_op<std::uint64_t>(
        completion_executor(), "create_group", [&](auto done, Why why) {
            start_create_group(stream, group, start, mkstream, std::move(done), std::move(why));
        });
}

void Admin::start_destroy_group(const StreamKey& stream, const std::string& group,
                                Completion<std::uint64_t> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::destroy_group(env, stream, group, std::move(d));
    });
}

std::uint64_t Admin::destroy_group(const StreamKey& stream, const std::string& group) const {
    return wait_admin_op<std::uint64_t>(
        completion_executor(), "destroy_group", [&](auto done, Why why) {
            start_destroy_group(stream, group, std::move(done), std::move(why));
        });
}

void Admin::start_set_group_id(const StreamKey& stream, const std::string& group,
                               commands::StreamStart start, Completion<std::uint64_t> done,
                               Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::set_group_id(env, stream, group, start, std::move(d));
    });
}

std::uint64_t Admin::set_group_id(const StreamKey& stream, const std::string& group,
                                  commands::StreamStart start) const {
    return wait_admin_op<std::uint64_t>(
        completion_executor(), "set_group_id", [&](auto done, Why why) {
            start_set_group_id(stream, group, start, std::move(done), std::move(why));
        });
}

void Admin::start_delete_consumer(const StreamKey& stream, const std::string& group,
                                  const std::string& consumer, Completion<std::uint64_t> done,
                                  Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::delete_consumer(env, stream, group, consumer, std::move(d));
    });
}

std::uint64_t Admin::delete_consumer(const StreamKey& stream, const std::string& group,
                                     const std::string& consumer) const {
    return wait_admin_op<std::uint64_t>(
        completion_executor(), "delete_consumer", [&](auto done, Why why) {
            start_delete_consumer(stream, group, consumer, std::move(done), std::move(why));
        });
}

void Admin::start_pending_summary(const StreamKey& stream, const std::string& group,
                                  Completion<PendingSummary> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::pending_summary(env, stream, group, std::move(d));
    });
}

PendingSummary Admin::pending_summary(const StreamKey& stream, const std::string& group) const {
    return wait_admin_op<PendingSummary>(
        completion_executor(), "pending_summary", [&](auto done, Why why) {
            start_pending_summary(stream, group, std::move(done), std::move(why));
        });
}

void Admin::start_pending(const StreamKey& stream, const std::string& group,
                          const PendingOptions& options,
                          Completion<std::vector<PendingEntryInfo>> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::pending_entries(env, stream, group, options, std::move(d));
    });
}

std::vector<PendingEntryInfo> Admin::pending(const StreamKey& stream, const std::string& group,
                                             const PendingOptions& options) const {
    return wait_admin_op<std::vector<PendingEntryInfo>>(
        completion_executor(), "pending", [&](auto done, Why why) {
            start_pending(stream, group, options, std::move(done), std::move(why));
        });
}

void Admin::start_claim(const StreamKey& stream, const std::string& group,
                        const std::string& consumer, std::chrono::milliseconds min_idle,
                        const std::vector<EntryRef>& entries,
                        Completion<std::vector<EntryRef>> done, Why why) const {
    start_admin_op(ctx_, options_, std::move(done), std::move(why), [&](auto env, auto d) {
        detail::claim_entries(env, stream, group, consumer, min_idle, entries, std::move(d));
    });
}

std::vector<EntryRef> Admin::claim(const StreamKey& stream, const std::string& group,
                                   const std::string& consumer, std::chrono::milliseconds min_idle,
                                   const std::vector<EntryRef>& entries) const {
    return wait_admin_op<std::vector<EntryRef>>(
        completion_executor(), "claim", [&](auto done, Why why) {
            start_claim(stream, group, consumer, min_idle, entries, std::move(done),
                        std::move(why));
        });
}

}  // namespace redstream
