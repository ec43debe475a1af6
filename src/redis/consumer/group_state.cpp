#include "group_state.hpp"

#include <algorithm>

#include <redstream/cluster/slot.hpp>

namespace redstream::detail {

using Phase = GroupCursor::Phase;

bool GroupState::add(const StreamKey& stream, ShardId shard, std::string key, bool found_later) {
    if (find(key)) return false;
    const auto slot = cluster::key_slot(key);
    cursors_.push_back(
        {stream, shard, std::move(key), Phase::create, MessageId{}, found_later, slot});
    return true;
}

std::size_t GroupState::remove(const StreamKey& stream, ShardId shard) {
    return std::erase_if(
        cursors_, [&](const GroupCursor& c) { return c.stream == stream && c.shard == shard; });
}

bool GroupState::remove_key(std::string_view key) {
    return std::erase_if(cursors_, [key](const GroupCursor& c) { return c.key == key; }) > 0;
}

const GroupCursor* GroupState::find(std::string_view key) const noexcept {
    const auto it = std::find_if(cursors_.begin(), cursors_.end(),
                                 [key](const GroupCursor& c) { return c.key == key; });
    return it == cursors_.end() ? nullptr : &*it;
}

GroupCursor* GroupState::find_mut(std::string_view key) noexcept {
    return const_cast<GroupCursor*>(std::as_const(*this).find(key));
}

bool GroupState::needs_create() const noexcept {
    return std::any_of(cursors_.begin(), cursors_.end(),
                       [](const GroupCursor& c) { return c.phase == Phase::create; });
}

bool GroupState::readable() const noexcept {
    return std::any_of(cursors_.begin(), cursors_.end(),
                       [](const GroupCursor& c) { return c.phase != Phase::create; });
}

bool GroupState::reading_pending() const noexcept {
    return std::any_of(cursors_.begin(), cursors_.end(),
                       [](const GroupCursor& c) { return c.phase == Phase::pending; });
}

commands::StreamStart GroupState::create_start(const GroupCursor& c) const noexcept {
    return reset_ == AutoStreamReset::earliest || c.found_later
               ? commands::StreamStart::beginning()
               : commands::StreamStart::new_entries();
}

void GroupState::created(std::string_view key) {
    if (auto* c = find_mut(key); c && c->phase == Phase::create) {
        c->phase = Phase::pending;
        c->after = MessageId{};
    }
}

void GroupState::lost_group(std::string_view key) {
    if (auto* c = find_mut(key)) {
        c->phase = Phase::create;
        c->found_later = false;
    }
}

void GroupState::reconnected(std::optional<std::uint16_t> slot) {
    for (auto& c : cursors_) {
        if (c.phase == Phase::create || (slot && c.slot != *slot)) continue;
        c.phase = Phase::pending;
        c.after = MessageId{};
    }
}

void GroupState::read(std::string_view key, std::size_t count, std::optional<MessageId> last) {
    auto* c = find_mut(key);
    if (!c || c->phase != Phase::pending) return;
    if (count == 0 || !last)
        c->phase = Phase::fresh;
    else
        c->after = *last;
}

}  // namespace redstream::detail
