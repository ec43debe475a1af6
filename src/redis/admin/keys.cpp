// Admin::trim() and Admin::delete_stream(): one XTRIM or DEL per key of the
// stream, each on its own master.
#include <redstream/commands/keys.hpp>
#include <redstream/commands/xtrim.hpp>
#include <redstream/core/error.hpp>

#include "ops.hpp"

namespace redstream::detail {
namespace {

// Sums the integer replies; the first error reply fails the whole.
PerKeyThen sum_counts(std::string what, DonePtr<std::uint64_t> done) {
    return [what = std::move(what), done](std::error_code ec, const std::vector<KeyRef>& keys,
                                          net::Response& replies, std::string why) {
        if (ec) return done->fail(ec, why);
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const auto reply = replies[i].root();
            total += commands::decode_count(reply, ec);
            if (ec) return done->fail(ec, key_error(what, keys[i].key, reply));
        }
        (*done)({}, total);
    };
}

}  // namespace

void trim_stream(const AdminEnv& env, const StreamKey& stream, const commands::TrimOptions& trim,
                 DonePtr<std::uint64_t> done) {
    if (trim.strategy == commands::TrimOptions::Strategy::none)
        return done->fail(make_error_code(errc::invalid_argument),
                          "XTRIM needs a strategy (TrimOptions::maxlen or minid)");
    on_every_key(
        env, stream, "XTRIM",
        [trim](resp::Request& req, const KeyRef& k) { commands::xtrim(req, k.key, trim); },
        sum_counts("XTRIM", done));
}

void delete_stream(const AdminEnv& env, const StreamKey& stream, DonePtr<std::uint64_t> done) {
    on_every_key(
        env, stream, "DEL", [](resp::Request& req, const KeyRef& k) { commands::del(req, k.key); },
        sum_counts("DEL", done));
}

}  // namespace redstream::detail
