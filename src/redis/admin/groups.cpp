// Consumer groups over every key of a stream: XGROUP CREATE, DESTROY, SETID
// and DELCONSUMER, one command per key, each on the key's master.
#include <optional>

#include <redstream/commands/xgroup.hpp>
#include <redstream/core/error.hpp>

#include "ops.hpp"

namespace redstream::detail {
namespace {

using Decode = std::uint64_t (*)(const resp::Value&, std::error_code&);

std::uint64_t decode_one_if_ok(const resp::Value& v, std::error_code& ec) {
    commands::decode_ok(v, ec);
    return ec ? 0 : 1;
}
std::uint64_t decode_one_if_true(const resp::Value& v, std::error_code& ec) {
    return commands::decode_flag(v, ec) ? 1 : 0;
}

// How an operation counts its replies: `decode` each, keys answering `skip`
// do not count (the group is there already, or not there); with
// `need_group`, nogroup when every key was skipped.
struct Tally {
    const char* what;
    Decode decode;
    std::optional<errc> skip;
    bool need_group;
};

PerKeyThen tally(Tally t, const StreamKey& stream, const std::string& group,
                 DonePtr<std::uint64_t> done) {
    return [t, stream, group, done](std::error_code ec, const std::vector<KeyRef>& keys,
                                    net::Response& replies, std::string why) {
        if (ec) return done->fail(ec, why);
        std::uint64_t total = 0;
        std::size_t counted = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const auto reply = replies[i].root();
            const auto n = t.decode(reply, ec);
            if (ec && t.skip && ec == *t.skip) continue;
            if (ec) return done->fail(ec, key_error(t.what, keys[i].key, reply));
            total += n;
            ++counted;
        }
        if (t.need_group && counted == 0)
            return done->fail(
                make_error_code(errc::nogroup),
                "no key of stream " + std::string(stream.name()) + " has group " + group);
        (*done)({}, total);
    };
}

bool check_group(const std::string& group, const DonePtr<std::uint64_t>& done) {
    if (!group.empty()) return true;
    done->fail(make_error_code(errc::invalid_argument), "the group name is empty");
    return false;
}

}  // namespace

void create_group(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                  commands::StreamStart start, bool mkstream, DonePtr<std::uint64_t> done) {
    if (!check_group(group, done)) return;
    if (start.kind() == commands::StreamStart::Kind::undelivered)
        return done->fail(make_error_code(errc::invalid_argument),
                          "a group starts at new_entries() or after(id), not undelivered()");
    find_stream_keys(
        env, stream, [=](std::error_code ec, std::vector<KeyRef> keys, std::string why) {
            if (ec) return done->fail(ec, why);
            if (keys.empty() && !mkstream)
                return done->fail(make_error_code(errc::nogroup),
                                  "stream " + std::string(stream.name()) +
                                      " has no key (create_group with mkstream creates it)");
            if (keys.empty()) keys.push_back({std::string(stream.name()), ShardId{0}});
            const Tally t{"XGROUP CREATE", decode_one_if_ok, errc::busygroup, false};
            run_on_keys(
                env, std::move(keys), "XGROUP CREATE",
                [group, start, mkstream](resp::Request& req, const KeyRef& k) {
                    commands::xgroup_create(req, k.key, group, start, {.mkstream = mkstream});
                },
                tally(t, stream, group, done));
        });
}

void destroy_group(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                   DonePtr<std::uint64_t> done) {
    if (!check_group(group, done)) return;
    const Tally t{"XGROUP DESTROY", decode_one_if_true, std::nullopt, false};
    on_every_key(
        env, stream, t.what,
        [group](resp::Request& req, const KeyRef& k) {
            commands::xgroup_destroy(req, k.key, group);
        },
        tally(t, stream, group, done));
}

void set_group_id(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                  commands::StreamStart start, DonePtr<std::uint64_t> done) {
    if (!check_group(group, done)) return;
    if (start.kind() == commands::StreamStart::Kind::undelivered)
        return done->fail(make_error_code(errc::invalid_argument),
                          "SETID takes new_entries() or after(id), not undelivered()");
    const Tally t{"XGROUP SETID", decode_one_if_ok, errc::nogroup, true};
    on_every_key(
        env, stream, t.what,
        [group, start](resp::Request& req, const KeyRef& k) {
            commands::xgroup_setid(req, k.key, group, start);
        },
        tally(t, stream, group, done));
}

void delete_consumer(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                     const std::string& consumer, DonePtr<std::uint64_t> done) {
    if (!check_group(group, done)) return;
    const Tally t{"XGROUP DELCONSUMER", commands::decode_count, errc::nogroup, true};
    on_every_key(
        env, stream, t.what,
        [group, consumer](resp::Request& req, const KeyRef& k) {
            commands::xgroup_delconsumer(req, k.key, group, consumer);
        },
        tally(t, stream, group, done));
}

}  // namespace redstream::detail
