#include "drain_tracker.hpp"

#include <algorithm>

namespace redstream::cli {

DrainTracker::DrainTracker(std::optional<MessageId> from, std::optional<MessageId> until)
    : from_(from), until_(until) {}

void DrainTracker::start(const std::vector<KeyEnd>& ends) {
    keys_.clear();
    waiting_ = 0;
    for (const auto& end : ends) {
        auto [at, added_now] = keys_.try_emplace(end.key);
        if (!added_now) continue;
        auto& added = at->second;
        // Past `until`, the first id beyond it ends the key (it is not printed).
        added.target = end.last.value_or(MessageId::min());
        if (until_ && added.target > *until_) added.target = until_->next();
        ++waiting_;
        if (!end.last || (from_ && *end.last < *from_))
            reach(added);  // nothing to read in it
        else
            check(added, end, false);
    }
}

void DrainTracker::refresh(const std::vector<KeyEnd>& ends, bool settled) {
    for (auto& [name, k] : keys_) {
        if (k.reached) continue;
        const auto it = std::find_if(ends.begin(), ends.end(),
                                     [&n = name](const KeyEnd& e) { return e.key == n; });
        if (it == ends.end() || !it->last) {
            reach(k);  // the key, or all that was in it, is gone
            continue;
        }
        // Ids only grow: a newest id below the target means the target was deleted.
        if (*it->last < k.target) k.target = *it->last;
        check(k, *it, settled);
    }
}

void DrainTracker::check(Key& k, const KeyEnd& end, bool settled) {
    const bool group_done = end.group_delivered && *end.group_delivered >= k.target &&
                            (end.group_pending == 0 || settled);
    if ((k.seen && *k.seen >= k.target) || group_done) reach(k);
}

bool DrainTracker::wants(std::string_view key, MessageId id) {
    const auto it = keys_.find(key);
    if (it == keys_.end()) return false;  // held nothing at the start
    Key* k = &it->second;
    if (!k->seen || id > *k->seen) k->seen = id;
    if (k->reached) return false;
    if (id >= k->target) reach(*k);
    return id <= k->target && (!until_ || id <= *until_);
}

void DrainTracker::reach(Key& k) {
    if (k.reached) return;
    k.reached = true;
    --waiting_;
}

}  // namespace redstream::cli
