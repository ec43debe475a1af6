// Administration: list, inspect, trim and delete streams, manage consumer
// groups, look at and claim pending entries, and see the cluster's slot map —
// the same calls on one server and on a Redis Cluster.
//
// Every operation on a stream works on all of its keys: the plain key `name`
// and its shards `name:N` (found by SCAN on every master, as consumers find
// them). Each command names one key and goes through the Streamer's router to
// the master serving that key's slot, so no command ever spans slots; SCAN,
// which names no key, is sent to every master in turn.
//
// Sync calls throw redstream::Error (what() has the server's text and the key
// it refused); call them outside the Streamer's I/O threads. Each has an
// async form taking any Asio completion token last; its arguments are moved
// into the operation (temporaries are fine) and it completes with
// `void(std::error_code, T)` on the handler's executor, or the Streamer's.
// What ends an operation, for every one of them:
// - a deadline: each request it sends is bounded by
//   AdminOptions::request_timeout (errc::timeout); an operation is a few
//   requests (streams() one per SCAN page per master, then one per 128 keys);
// - Streamer::disconnect(): errc::shutting_down (also for calls after it);
// - nothing else: they are not cancellable (a cancellation slot is ignored).
// Errors every operation may report: not_connected (a default-constructed
// Admin), shutting_down, timeout, connection_lost, the protocol codes, and
// a server's refusal of a command (noperm, oom, ...). An operation that
// changes several keys applies to each on its own: when one fails, the
// others may have changed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>

#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/redis/admin_types.hpp>

namespace redstream {

namespace detail {
struct StreamerContext;
}  // namespace detail

/// A cheap, copyable handle from Streamer::admin(). It holds no connection
/// of its own and no state between calls; calls may run concurrently, from
/// any thread.
class Admin {
  public:
    static constexpr std::size_t default_limit = 10'000;

    template <class T>
    using Completion = detail::BasicCompletion<std::error_code, T>;

    Admin() = default;  ///< Not connected: every call fails with not_connected.

    const AdminOptions& options() const noexcept { return options_; }
    /// The Streamer talks to a Redis Cluster.
    bool is_cluster() const noexcept;

    /// Every stream whose name matches `pattern` (a Redis glob: `*`, `?`,
    /// `[a-z]`, `\` escapes), with each of its keys' length, first and last
    /// ids and groups. Keys are found by `SCAN MATCH pattern* TYPE stream` on
    /// every master; a key `X:N` (N decimal, no leading zero) is shard N of
    /// stream X when X matches `pattern`, and otherwise a stream of its own
    /// when the whole key matches. At most `limit` keys are listed (then
    /// StreamList::truncated is set). A key deleted while the listing runs
    /// is left out.
    StreamList streams(std::string pattern = "*", std::size_t limit = default_limit) const;
    /// As streams(). Completion: `void(std::error_code, StreamList)`;
    /// invalid_argument for a limit of 0.
    template <class Token>
    auto async_streams(std::string pattern, std::size_t limit, Token&& token) const {
        return initiate<StreamList>(std::forward<Token>(token),
                                    [p = std::move(pattern), limit](const Admin& a, auto done) {
                                        a.start_streams(p, limit, std::move(done), nullptr);
                                    });
    }

    /// One stream: its keys (`name` and `name:N`, found by SCAN on every
    /// master and TYPE of `name`) with their lengths, ids and groups.
    /// StreamInfo::exists() is false when it has none.
    StreamInfo stream_info(const StreamKey& stream) const;
    /// As stream_info(). Completion: `void(std::error_code, StreamInfo)`;
    /// invalid_argument for a stream with more than options().max_keys keys.
    template <class Token>
    auto async_stream_info(StreamKey stream, Token&& token) const {
        return initiate<StreamInfo>(std::forward<Token>(token),
                                    [s = std::move(stream)](const Admin& a, auto done) {
                                        a.start_stream_info(s, std::move(done), nullptr);
                                    });
    }

    /// XTRIM on every key of `stream` (each key trimmed to `trim` on its
    /// own: MAXLEN n keeps n entries per key). Returns the entries evicted.
    std::uint64_t trim(const StreamKey& stream, const commands::TrimOptions& trim) const;
    /// As trim(). Completion: `void(std::error_code, std::uint64_t)`;
    /// invalid_argument for a trim without a strategy.
    template <class Token>
    auto async_trim(StreamKey stream, commands::TrimOptions trim, Token&& token) const {
        return initiate<std::uint64_t>(std::forward<Token>(token),
                                       [s = std::move(stream), trim](const Admin& a, auto done) {
                                           a.start_trim(s, trim, std::move(done), nullptr);
                                       });
    }

    /// Deletes every key of `stream`, one DEL per key. Returns the keys
    /// deleted (0 for a stream that does not exist).
    std::uint64_t delete_stream(const StreamKey& stream) const;
    /// As delete_stream(). Completion: `void(std::error_code, std::uint64_t)`.
    template <class Token>
    auto async_delete_stream(StreamKey stream, Token&& token) const {
        return initiate<std::uint64_t>(std::forward<Token>(token),
                                       [s = std::move(stream)](const Admin& a, auto done) {
                                           a.start_delete_stream(s, std::move(done), nullptr);
                                       });
    }

    /// XGROUP CREATE on every key of `stream` that lacks `group` (keys that
    /// have it are left alone, so calling it again after new shards appeared
    /// adds it to them). `start`: StreamStart::new_entries() (`$`, each
    /// key's own end) or after(id). A stream without keys is an error
    /// (nogroup) unless `mkstream`, which creates the plain key `name` with
    /// the group. Returns the keys the group was created on.
    std::uint64_t create_group(const StreamKey& stream, const std::string& group,
                               commands::StreamStart start = commands::StreamStart::new_entries(),
                               bool mkstream = false) const;
    /// As create_group(). Completion: `void(std::error_code, std::uint64_t)`;
    /// nogroup (no key and no mkstream), invalid_argument (empty group name,
    /// or StreamStart::undelivered()).
    template <class Token>
    auto async_create_group(StreamKey stream, std::string group, commands::StreamStart start,
                            bool mkstream, Token&& token) const {
        return initiate<std::uint64_t>(
            std::forward<Token>(token), [s = std::move(stream), g = std::move(group), start,
                                         mkstream](const Admin& a, auto done) {
                a.start_create_group(s, g, start, mkstream, std::move(done), nullptr);
            });
    }

    /// XGROUP DESTROY on every key of `stream`; its pending entries go with
    /// it. Returns the keys it was destroyed on (0 if none had it).
    std::uint64_t destroy_group(const StreamKey& stream, const std::string& group) const;
    /// As destroy_group(). Completion: `void(std::error_code, std::uint64_t)`.
    template <class Token>
    auto async_destroy_group(StreamKey stream, std::string group, Token&& token) const {
        return initiate<std::uint64_t>(
            std::forward<Token>(token),
            [s = std::move(stream), g = std::move(group)](const Admin& a, auto done) {
                a.start_destroy_group(s, g, std::move(done), nullptr);
            });
    }

    /// XGROUP SETID on every key of `stream` that has `group`: the group's
    /// last delivered id becomes `start` (`$`: each key's end; after(id):
    /// that id in every key). Returns the keys changed; nogroup if no key
    /// has the group.
    std::uint64_t set_group_id(const StreamKey& stream, const std::string& group,
                               commands::StreamStart start) const;
    /// As set_group_id(). Completion: `void(std::error_code, std::uint64_t)`.
    template <class Token>
    auto async_set_group_id(StreamKey stream, std::string group, commands::StreamStart start,
                            Token&& token) const {
        return initiate<std::uint64_t>(
            std::forward<Token>(token),
            [s = std::move(stream), g = std::move(group), start](const Admin& a, auto done) {
                a.start_set_group_id(s, g, start, std::move(done), nullptr);
            });
    }

    /// XGROUP DELCONSUMER on every key of `stream` that has `group`. Its
    /// pending entries are dropped (claim() them first). Returns how many it
    /// had in all; nogroup if no key has the group.
    std::uint64_t delete_consumer(const StreamKey& stream, const std::string& group,
                                  const std::string& consumer) const;
    /// As delete_consumer(). Completion: `void(std::error_code, std::uint64_t)`.
    template <class Token>
    auto async_delete_consumer(StreamKey stream, std::string group, std::string consumer,
                               Token&& token) const {
        return initiate<std::uint64_t>(
            std::forward<Token>(token), [s = std::move(stream), g = std::move(group),
                                         c = std::move(consumer)](const Admin& a, auto done) {
                a.start_delete_consumer(s, g, c, std::move(done), nullptr);
            });
    }

    /// XPENDING's summary on every key of `stream` that has `group`, and the
    /// totals. nogroup if no key has the group.
    PendingSummary pending_summary(const StreamKey& stream, const std::string& group) const;
    /// As pending_summary(). Completion: `void(std::error_code, PendingSummary)`.
    template <class Token>
    auto async_pending_summary(StreamKey stream, std::string group, Token&& token) const {
        return initiate<PendingSummary>(
            std::forward<Token>(token),
            [s = std::move(stream), g = std::move(group)](const Admin& a, auto done) {
                a.start_pending_summary(s, g, std::move(done), nullptr);
            });
    }

    /// The pending entries of `group` that `options` selects, over every key
    /// of `stream` that has the group, by id (then key), at most
    /// options.count. nogroup if no key has the group.
    std::vector<PendingEntryInfo> pending(const StreamKey& stream, const std::string& group,
                                          const PendingOptions& options = {}) const;
    /// As pending(). Completion:
    /// `void(std::error_code, std::vector<PendingEntryInfo>)`; invalid_argument
    /// for a count of 0.
    template <class Token>
    auto async_pending(StreamKey stream, std::string group, PendingOptions options,
                       Token&& token) const {
        return initiate<std::vector<PendingEntryInfo>>(
            std::forward<Token>(token),
            [s = std::move(stream), g = std::move(group), o = std::move(options)](
                const Admin& a, auto done) { a.start_pending(s, g, o, std::move(done), nullptr); });
    }

    /// Gives `consumer` the pending entries of `group` listed in `entries`
    /// (each a key of `stream` and an id, e.g. from pending()) that have
    /// been idle at least `min_idle`: one `XCLAIM ... JUSTID` per key, so
    /// delivery counts do not change. Returns the entries claimed (ids not
    /// pending, or not idle long enough, are left out). The new owner gets
    /// them when it reads its own pending list (a group consumer does at
    /// start and after reconnecting).
    std::vector<EntryRef> claim(const StreamKey& stream, const std::string& group,
                                const std::string& consumer, std::chrono::milliseconds min_idle,
                                const std::vector<EntryRef>& entries) const;
    /// As claim(). Completion: `void(std::error_code, std::vector<EntryRef>)`;
    /// invalid_argument for a key that is not one of `stream`'s (`name` or
    /// `name:N`), nogroup for a key without the group.
    template <class Token>
    auto async_claim(StreamKey stream, std::string group, std::string consumer,
                     std::chrono::milliseconds min_idle, std::vector<EntryRef> entries,
                     Token&& token) const {
        return initiate<std::vector<EntryRef>>(
            std::forward<Token>(token),
            [s = std::move(stream), g = std::move(group), c = std::move(consumer), min_idle,
             e = std::move(entries)](const Admin& a, auto done) {
                a.start_claim(s, g, c, min_idle, e, std::move(done), nullptr);
            });
    }

    /// The cluster's slot map as the router has it now (refreshed on MOVED,
    /// on a lost node and periodically): each range of slots with its
    /// master and replicas. Empty on a standalone server. No I/O, so no
    /// async form.
    SlotMapInfo slot_map() const;

  private:
    friend class Streamer;
    Admin(std::shared_ptr<detail::StreamerContext> ctx, AdminOptions options)
        : ctx_(std::move(ctx)), options_(options) {}

    // The initiation gets a copy of this handle, so the operation does not
    // depend on the Admin it was started from (asio::deferred may start it
    // later).
    template <class T, class Token, class Start>
    auto initiate(Token&& token, Start&& start) const {
        return asio::async_initiate<Token, void(std::error_code, T)>(
            [](auto handler, Admin self, auto op) {
                auto ex = self.completion_executor();
                op(self, Completion<T>(std::move(handler), ex));
            },
            token, *this, std::forward<Start>(start));
    }

    using Why = std::shared_ptr<std::string>;  // the error's text, for the sync calls
    void start_streams(const std::string& pattern, std::size_t limit, Completion<StreamList> done,
                       Why why) const;
    void start_stream_info(const StreamKey& stream, Completion<StreamInfo> done, Why why) const;
    void start_trim(const StreamKey& stream, const commands::TrimOptions& trim,
                    Completion<std::uint64_t> done, Why why) const;
    void start_delete_stream(const StreamKey& stream, Completion<std::uint64_t> done,
                             Why why) const;
    void start_create_group(const StreamKey& stream, const std::string& group,
                            commands::StreamStart start, bool mkstream,
                            Completion<std::uint64_t> done, Why why) const;
    void start_destroy_group(const StreamKey& stream, const std::string& group,
                             Completion<std::uint64_t> done, Why why) const;
    void start_set_group_id(const StreamKey& stream, const std::string& group,
                            commands::StreamStart start, Completion<std::uint64_t> done,
                            Why why) const;
    void start_delete_consumer(const StreamKey& stream, const std::string& group,
                               const std::string& consumer, Completion<std::uint64_t> done,
                               Why why) const;
    void start_pending_summary(const StreamKey& stream, const std::string& group,
                               Completion<PendingSummary> done, Why why) const;
    void start_pending(const StreamKey& stream, const std::string& group,
                       const PendingOptions& options,
                       Completion<std::vector<PendingEntryInfo>> done, Why why) const;
    void start_claim(const StreamKey& stream, const std::string& group, const std::string& consumer,
                     std::chrono::milliseconds min_idle, const std::vector<EntryRef>& entries,
                     Completion<std::vector<EntryRef>> done, Why why) const;
    // Where handlers without an executor of their own complete.
    asio::any_io_executor completion_executor() const;

    std::shared_ptr<detail::StreamerContext> ctx_;
    AdminOptions options_;
};

}  // namespace redstream
