#include "dead_letter.hpp"

#include <redstream/core/error.hpp>
#include <redstream/redis/consumer.hpp>

namespace redstream::detail {
namespace {

// KEYS: origin, dead-letter stream. ARGV: group, id, then the new entry's
// field/value pairs. Replies the dead letter's id, or nil if the entry was
// no longer pending. Scripts do not roll back, hence the checks come before
// the first write.
constexpr std::string_view script = R"lua(
local t = redis.call('TYPE', KEYS[2])['ok']
if t ~= 'none' and t ~= 'stream' then
  return redis.error_reply('WRONGTYPE dead-letter key ' .. KEYS[2] .. ' is not a stream')
end
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return false end
return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
)lua";

}  // namespace

namespace {

// Redis Cluster hashes only the part between the first `{` and the next `}`
// when that part is not empty.
bool has_hash_tag(std::string_view key) {
    const auto open = key.find('{');
    if (open == std::string_view::npos) return false;
    const auto close = key.find('}', open + 1);
    return close != std::string_view::npos && close > open + 1;
}

}  // namespace

std::string dead_letter_key(std::string_view configured, std::string_view key) {
    if (!configured.empty()) return std::string(configured);
    // The move is one script over both keys, so on a cluster they must share
    // a slot: keep the key's own tag, or make the whole key the tag.
    if (has_hash_tag(key) || key.find_first_of("{}") != std::string_view::npos)
        return std::string(key) + ":dead";
    return "{" + std::string(key) + "}:dead";
}

void dead_letter(resp::Request& req, std::string_view key, std::string_view dead_key,
                 std::string_view group, const commands::StreamEntry& e, std::uint64_t deliveries) {
    auto b = req.command("EVAL");
    // Both as keys: their slot routes the script on a cluster (and one
    // that spans two slots is refused before it is sent: crossslot).
    b.arg(script).arg(2).key(key).key(dead_key).arg(group).arg(e.id);
    for (const auto& [field, value] : e.fields)
        b.arg(field).arg(value);
    b.arg(DeadLetterFields::origin).arg(key);
    b.arg(DeadLetterFields::group).arg(group);
    b.arg(DeadLetterFields::id).arg(e.id);
    b.arg(DeadLetterFields::deliveries).arg(deliveries);
}

DeadLetterOutcome decode_dead_letter(const resp::Value& v, std::error_code& ec) {
    if (const auto err = resp::error_of(v)) {
        ec = err;
        return DeadLetterOutcome::failed;
    }
    if (v.is_null()) return DeadLetterOutcome::not_pending;
    if (v.is_string()) return DeadLetterOutcome::moved;
    ec = make_error_code(errc::unexpected_reply);
    return DeadLetterOutcome::failed;
}

}  // namespace redstream::detail
