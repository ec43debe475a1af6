// The round trips every administration operation shares: a batch of one-key
// commands through the router, and finding the keys of one stream.
#include "job.hpp"

#include <algorithm>

#include <redstream/commands/keys.hpp>
#include <redstream/core/error.hpp>

#include "../consumer/read_state.hpp"
#include "key_scan.hpp"

namespace redstream::detail {

void exec_routed(const AdminEnv& env, resp::Request req, RoutedThen then) {
    struct Call {
        resp::Request req;
        net::Response resp;
    };
    auto call = std::make_shared<Call>();
    call->req = std::move(req);
    if (call->req.empty()) return then({}, call->resp);
    env.router->async_exec(call->req, call->resp, env.exec_options(),
                           [call, then = std::move(then)](std::error_code ec) {
                               if (!ec && call->resp.size() != call->req.commands())
                                   ec = make_error_code(errc::unexpected_reply);
                               then(ec, call->resp);
                           });
}

std::string key_error(std::string_view what, std::string_view key, const resp::Value& reply) {
    std::string text(what);
    text += ' ';
    text += key;
    if (reply.valid() && reply.is_error()) {
        text += ": ";
        text += reply.str();
    }
    return text;
}

namespace {

std::string too_many_keys(const AdminEnv& env, const StreamKey& stream) {
    return "stream " + std::string(stream.name()) + " has more than " +
           std::to_string(env.options.max_keys) + " keys (AdminOptions::max_keys)";
}

// Adds the plain key `name` in front of the shards found, if it is a stream.
void add_plain_key(const AdminEnv& env, const StreamKey& stream, std::vector<std::string> found,
                   KeysThen then) {
    resp::Request req;
    commands::type(req, stream.name());
    exec_routed(env, std::move(req),
                [env, stream, found = std::move(found), then = std::move(then)](
                    std::error_code ec, net::Response& resp) {
                    if (ec) return then(ec, {}, "TYPE " + std::string(stream.name()));
                    const auto type = commands::decode_type(resp.front().root(), ec);
                    if (ec)
                        return then(ec, {}, key_error("TYPE", stream.name(), resp.front().root()));
                    std::vector<KeyRef> keys;
                    if (type == "stream") keys.push_back({std::string(stream.name()), ShardId{0}});
                    const auto first_shard = keys.size();
                    for (const auto& k : found)
                        keys.push_back({k, *parse_shard_key(stream.name(), k)});
                    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(first_shard), keys.end(),
                              [](const KeyRef& a, const KeyRef& b) { return a.shard < b.shard; });
                    if (keys.size() > env.options.max_keys)
                        return then(make_error_code(errc::invalid_argument), {},
                                    too_many_keys(env, stream));
                    then({}, std::move(keys), {});
                });
}

}  // namespace

void find_stream_keys(const AdminEnv& env, const StreamKey& stream, KeysThen then) {
    KeyScanSpec spec;
    spec.match = shard_scan_pattern(stream.name());
    spec.keep = [name = std::string(stream.name())](std::string_view key) {
        return parse_shard_key(name, key).has_value();
    };
    spec.limit = env.options.max_keys;
    scan_keys(env, std::move(spec),
              [env, stream, then = std::move(then)](
                  std::error_code ec, std::vector<std::string> found, bool truncated) mutable {
                  if (ec)
                      return then(ec, {}, "SCAN for the shards of " + std::string(stream.name()));
                  if (truncated)
                      return then(make_error_code(errc::invalid_argument), {},
                                  too_many_keys(env, stream));
                  add_plain_key(env, stream, std::move(found), std::move(then));
              });
}

void run_on_keys(const AdminEnv& env, std::vector<KeyRef> keys, std::string what,
                 const BuildFn& build, PerKeyThen then) {
    resp::Request req;
    for (const auto& k : keys)
        build(req, k);
    auto shared = std::make_shared<std::vector<KeyRef>>(std::move(keys));
    exec_routed(env, std::move(req),
                [shared, what = std::move(what), then = std::move(then)](std::error_code ec,
                                                                         net::Response& replies) {
                    then(ec, *shared, replies, ec ? what : std::string());
                });
}

void on_every_key(const AdminEnv& env, const StreamKey& stream, std::string_view what,
                  BuildFn build, PerKeyThen then) {
    auto text = std::string(what) + " on the keys of " + std::string(stream.name());
    find_stream_keys(
        env, stream,
        [env, text = std::move(text), build = std::move(build), then = std::move(then)](
            std::error_code ec, std::vector<KeyRef> keys, std::string why) {
            net::Response none;
            if (ec) return then(ec, {}, none, why);
            run_on_keys(env, std::move(keys), text, build, then);
        });
}

}  // namespace redstream::detail
