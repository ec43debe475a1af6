// What every administration operation is made of: the router and options it
// runs with, how it completes (with the error's text for the sync calls),
// and the two kinds of round trip it makes — SCANs over every master
// (key_scan.hpp) and batches of one-key commands through the router.
//
// An operation is a short chain of round trips whose state lives in a
// shared_ptr captured by each continuation: only one step runs at a time,
// so it needs no strand, and nothing outlives it. It holds the router, never
// the StreamerContext, so that it can never be what destroys the Streamer's
// io_context on one of its threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <redstream/cluster/router.hpp>
#include <redstream/core/detail/completion.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/net/client.hpp>
#include <redstream/redis/admin_types.hpp>
#include <redstream/resp/request.hpp>

namespace redstream::detail {

struct AdminEnv {
    std::shared_ptr<cluster::Router> router;
    AdminOptions options;

    net::ExecOptions exec_options() const {
        return {.timeout = options.request_timeout, .blocking = {}};
    }
};

/// Completes an operation once: on error, its text goes to `why` (when a
/// sync call waits for it) before the handler runs.
template <class T>
struct AdminDone {
    BasicCompletion<std::error_code, T> done;
    std::shared_ptr<std::string> why;

    void operator()(std::error_code ec, T value, std::string_view text = {}) {
        if (ec && why) *why = std::string(text);
        done(ec, std::move(value));
    }
    void fail(std::error_code ec, std::string_view text = {}) { (*this)(ec, T{}, text); }
};

/// Shared, so that the continuations (std::function, copyable) can hold it.
template <class T>
using DonePtr = std::shared_ptr<AdminDone<T>>;

template <class T>
DonePtr<T> make_done(BasicCompletion<std::error_code, T> done, std::shared_ptr<std::string> why) {
    return std::make_shared<AdminDone<T>>(AdminDone<T>{std::move(done), std::move(why)});
}

/// Runs `req` through the router (each command to its key's master) within
/// the request deadline; `then(ec, replies)` runs on the router's executor.
using RoutedThen = std::function<void(std::error_code, net::Response&)>;
void exec_routed(const AdminEnv& env, resp::Request req, RoutedThen then);

/// One key of a stream.
struct KeyRef {
    std::string key;
    ShardId shard;
};

/// The keys of `stream`: `name` if it is a stream (TYPE), then every
/// `name:N` a SCAN of every master finds, by shard. invalid_argument (with
/// its text) past options.max_keys.
using KeysThen = std::function<void(std::error_code, std::vector<KeyRef>, std::string why)>;
void find_stream_keys(const AdminEnv& env, const StreamKey& stream, KeysThen then);

/// Finds the keys of `stream`, then sends `build(req, key)` for each (one
/// command per key, each to its master) in one request, and hands the keys
/// and their replies (in the same order) to `then`. `what` (the command)
/// names a failed request in the error's text.
using BuildFn = std::function<void(resp::Request&, const KeyRef&)>;
using PerKeyThen = std::function<void(std::error_code, const std::vector<KeyRef>& keys,
                                      net::Response& replies, std::string why)>;
void on_every_key(const AdminEnv& env, const StreamKey& stream, std::string_view what,
                  BuildFn build, PerKeyThen then);
/// The second half of on_every_key(), for keys the caller has.
void run_on_keys(const AdminEnv& env, std::vector<KeyRef> keys, std::string what,
                 const BuildFn& build, PerKeyThen then);

/// "what key: server text" for an error reply, else "what key": the text of
/// the error a command on one key gave.
std::string key_error(std::string_view what, std::string_view key, const resp::Value& reply);

}  // namespace redstream::detail
