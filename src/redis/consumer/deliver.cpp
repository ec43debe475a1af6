// ConsumerImpl::deliver(): one read's pages become messages in the prefetch
// queue, viewing into the reply (PageHold); dead letters are moved aside.
#include <algorithm>

#include "front.hpp"

namespace redstream::detail {

std::uint64_t delivery_count(const KeyPending& pending, MessageId id) {
    const auto& listed = pending.entries;
    const auto it = std::lower_bound(
        listed.begin(), listed.end(), id,
        [](const commands::PendingEntry& p, MessageId want) { return p.id < want; });
    if (it == listed.end() || it->id != id) return 0;
    // A read after XPENDING counts the delivery it makes: one more.
    return pending.counted ? it->deliveries : it->deliveries + 1;
}

std::size_t listed_prefix(const KeyPending& pending,
                          std::span<const commands::StreamEntry> page) noexcept {
    auto listed = pending.entries.begin();
    for (std::size_t i = 0; i < page.size(); ++i) {
        while (listed != pending.entries.end() && listed->id < page[i].id)
            ++listed;
        if (listed == pending.entries.end() || listed->id != page[i].id) return i;
    }
    return page.size();
}

ConsumerImpl::KeyOwner ConsumerImpl::owner_of(std::string_view key) const noexcept {
    if (group_) {
        if (const auto* c = group_->state().find(key)) return {&c->stream, c->shard};
    } else if (const auto* c = realtime_->state().find(key)) {
        return {&c->stream, c->shard};
    }
    return {};
}

void ConsumerImpl::deliver(const resp::Reply& reply, std::vector<commands::StreamPage>& pages,
                           std::string claimed_key, std::span<const KeyPending> pending) {
    std::size_t fields = 0;
    for (const auto& page : pages)
        for (const auto& e : page.entries)
            fields += e.fields.size();
    if (fields == 0 && pages.empty()) return;
    auto hold = std::make_shared<PageHold>();
    hold->reply = reply;
    hold->key = std::move(claimed_key);
    hold->fields.reserve(fields);  // exact: the spans of add_message() never move
    std::uint64_t redelivered = 0;
    for (const auto& page : pages) {
        const std::string_view key = hold->key.empty() ? page.key : std::string_view(hold->key);
        const auto owner = owner_of(key);
        if (!owner.stream || page.entries.empty()) continue;  // unassigned while the read was out
        // Group reads: entries XPENDING listed just before are redeliveries
        // with known counts; the others are first deliveries (`>`).
        const auto listed = std::find_if(pending.begin(), pending.end(),
                                         [key](const KeyPending& p) { return p.key == key; });
        const auto before = batch_.size();
        std::uint64_t again = 0;
        for (const auto& e : page.entries) {
            if (e.deleted()) continue;  // a pending entry without a body: acked, not delivered
            const std::uint64_t deliveries = !group_mode() ? 0
                                             : listed == pending.end()
                                                 ? 1
                                                 : delivery_count(*listed, e.id);
            if (dead_letters_ && dead_letters_->is_dead(deliveries)) {
                dead_letters_->add(key, e, deliveries);
                continue;
            }
            add_message(hold, key, owner, e, deliveries);
            again += deliveries > 1;
        }
        if (group_mode()) {
            auto& counts = counters.of(key);
            counts.delivered += batch_.size() - before;
            counts.redelivered += again;
        }
        redelivered += again;
    }
    pages.clear();
    ConsumerCounters::add(counters.delivered, batch_.size());
    ConsumerCounters::add(counters.redelivered, redelivered);
    if (dead_letters_) dead_letters_->send();
    inbox.push(batch_);
}

// The payload field becomes the payload; the other fields stay fields.
void ConsumerImpl::add_message(std::shared_ptr<PageHold>& hold, std::string_view key,
                               const KeyOwner& owner, const commands::StreamEntry& e,
                               std::uint64_t deliveries) {
    std::string_view payload;
    bool found = false;
    const auto first = hold->fields.size();
    for (const auto& f : e.fields) {
        if (!found && f.first == payload_field) {
            payload = f.second;
            found = true;
        } else {
            hold->fields.push_back(f);
        }
    }
    std::span<const Field> own(hold->fields.data() + first, hold->fields.size() - first);
    batch_.emplace_back(MessageHeader{*owner.stream, owner.shard, e.id, timestamp_of(e.id)},
                        payload, own, hold, key, deliveries);
}

}  // namespace redstream::detail
