// ReadState: the sans-I/O position bookkeeping of the real-time consumer.
#include "read_state.hpp"

#include <algorithm>
#include <charconv>

#include <redstream/cluster/slot.hpp>

namespace redstream::detail {

ReadState::ReadState(AutoStreamReset reset) noexcept
    : user_rule_{reset == AutoStreamReset::latest, MessageId::min()},
      discovered_rule_{false, MessageId::min()} {}

bool ReadState::add(const StreamKey& stream, ShardId shard, std::string key, Origin origin) {
    if (find(key)) return false;
    if (origin == Origin::discovered && excluded(key)) return false;
    std::erase(excluded_, key);
    const auto slot = cluster::key_slot(key);
    ReadCursor c{stream, shard, std::move(key), MessageId::min(), true, slot};
    start(c, origin == Origin::discovered ? discovered_rule_ : user_rule_);
    cursors_.push_back(std::move(c));
    return true;
}

std::size_t ReadState::remove(const StreamKey& stream, ShardId shard) {
    std::vector<std::string> keys{shard_key(stream, shard, 2)};
    if (shard.value == 0) keys.emplace_back(stream.name());
    std::size_t removed = 0;
    for (auto& key : keys) {
        removed += std::erase_if(cursors_, [&](const ReadCursor& c) { return c.key == key; });
        if (!excluded(key)) excluded_.push_back(std::move(key));
    }
    return removed;
}

const ReadCursor* ReadState::find(std::string_view key) const noexcept {
    auto it = std::find_if(cursors_.begin(), cursors_.end(),
                           [&](const ReadCursor& c) { return c.key == key; });
    return it == cursors_.end() ? nullptr : &*it;
}

bool ReadState::needs_resolution() const noexcept {
    return std::any_of(cursors_.begin(), cursors_.end(),
                       [](const ReadCursor& c) { return !c.resolved; });
}

bool ReadState::readable() const noexcept {
    return std::any_of(cursors_.begin(), cursors_.end(),
                       [](const ReadCursor& c) { return c.resolved; });
}

void ReadState::resolve(std::string_view key, std::optional<MessageId> newest) {
    for (auto& c : cursors_) {
        if (c.key != key || c.resolved) continue;
        c.last = newest.value_or(MessageId::min());
        c.resolved = true;
    }
}

void ReadState::advance(std::string_view key, MessageId id) {
    for (auto& c : cursors_)
        if (c.key == key && c.resolved && id > c.last) c.last = id;
}

void ReadState::rewind(SeqPos pos) {
    ++generation_;
    user_rule_ = rule_for(pos);
    // A key found after a rewind to the end did not exist at that end: all new.
    discovered_rule_ = user_rule_.at_end ? StartRule{false, MessageId::min()} : user_rule_;
    for (auto& c : cursors_)
        start(c, user_rule_);
}

void ReadState::seek(Timestamp t) {
    const auto ms = t.time_since_epoch().count();
    rewind(SeqPos::at(MessageId{ms < 0 ? 0 : static_cast<std::uint64_t>(ms), 0}));
}

MessageId ReadState::before(MessageId id) noexcept {
    if (id.seq > 0) return {id.ms, id.seq - 1};
    if (id.ms > 0) return {id.ms - 1, UINT64_MAX};
    return MessageId::min();
}

StartRule ReadState::rule_for(SeqPos pos) noexcept {
    switch (pos.kind()) {
        case SeqPos::Kind::end:
            return {true, MessageId::min()};
        case SeqPos::Kind::at:
            return {false, before(pos.id())};
        case SeqPos::Kind::beginning:
            break;
    }
    return {false, MessageId::min()};
}

void ReadState::start(ReadCursor& c, const StartRule& rule) const noexcept {
    c.last = rule.after;
    c.resolved = !rule.at_end;
}

bool ReadState::excluded(std::string_view key) const noexcept {
    return std::find(excluded_.begin(), excluded_.end(), key) != excluded_.end();
}

std::string shard_scan_pattern(std::string_view stream) {
    std::string pattern;
    pattern.reserve(stream.size() + 4);
    for (char ch : stream) {
        if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') pattern += '\\';
        pattern += ch;
    }
    pattern += ":*";
    return pattern;
}

std::optional<ShardId> parse_shard_key(std::string_view stream, std::string_view key) noexcept {
    if (key.size() < stream.size() + 2 || !key.starts_with(stream) || key[stream.size()] != ':')
        return std::nullopt;
    const auto digits = key.substr(stream.size() + 1);
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    std::uint64_t n = 0;
    const auto* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, n);
    if (ec != std::errc{} || ptr != end) return std::nullopt;
    return ShardId{n};
}

}  // namespace redstream::detail
