#include "ack_ledger.hpp"

#include <algorithm>
#include <iterator>

#include <redstream/commands/xack.hpp>
#include <redstream/core/error.hpp>

namespace redstream::detail {

void AckLedger::delivered(std::string key, MessageId id, time_point at) {
    if (policy_.mode != AutoCommit::delayed) return;
    scheduled_.push_back(
        {std::make_shared<const std::string>(std::move(key)), id, ++last_seq_, at + policy_.delay});
}

void AckLedger::acked(std::string key, MessageId id) {
    acked(std::make_shared<const std::string>(std::move(key)), id);
}

void AckLedger::acked(Key key, MessageId id) {
    ready_.push_back({std::move(key), id, ++last_seq_, {}});
}

void AckLedger::ack_now(std::string key, MessageId id) {
    ready_.push_back({std::make_shared<const std::string>(std::move(key)), id, ++last_seq_, {}});
    ++urgent_;
}

std::uint64_t AckLedger::request_commit() noexcept {
    requested_ = last_seq_;
    return requested_;
}

bool AckLedger::forced() const noexcept {
    return urgent_ > 0 || held() >= policy_.max_uncommitted ||
           (requested_ > confirmed() && !ready_.empty()) ||
           (policy_.mode == AutoCommit::rolling && ready_.size() >= policy_.commit_batch);
}

bool AckLedger::due(time_point now) const noexcept {
    if (in_flight()) return false;
    if (forced()) return true;
    switch (policy_.mode) {
        case AutoCommit::delayed:
            return !scheduled_.empty() && scheduled_.front().at <= now;
        case AutoCommit::rolling:
            return !ready_.empty() && now >= last_commit_ + policy_.interval;
        default:
            return false;
    }
}

std::optional<AckLedger::time_point> AckLedger::next_due() const noexcept {
    if (forced()) return time_point::min();
    if (policy_.mode == AutoCommit::delayed && !scheduled_.empty()) return scheduled_.front().at;
    if (policy_.mode == AutoCommit::rolling && !ready_.empty())
        return last_commit_ + policy_.interval;
    return std::nullopt;
}

bool AckLedger::build(resp::Request& req, std::string_view group, time_point now, bool everything) {
    if (in_flight() || !(everything || due(now))) return false;
    // What is acked goes first, then the delayed acks that are due (all of
    // them at the end): both in the order they were registered.
    while (!ready_.empty() && batch_.size() < max_batch) {
        batch_.push_back(std::move(ready_.front()));
        ready_.pop_front();
    }
    // Over max_uncommitted, delayed acks go early, oldest first, down to half
    // the bound: memory stays bounded (at the cost of part of their delay).
    const auto shed_to =
        held() >= policy_.max_uncommitted ? policy_.max_uncommitted / 2 : scheduled_.size();
    while (!scheduled_.empty() && batch_.size() < max_batch &&
           (everything || scheduled_.front().at <= now || scheduled_.size() > shed_to)) {
        batch_.push_back(std::move(scheduled_.front()));
        scheduled_.pop_front();
    }
    if (batch_.empty()) return false;
    urgent_ = 0;
    last_commit_ = now;
    // One XACK per key (keys sorted), ids in the order they were registered.
    // Usually there is one key: checking is a pass, sorting a copy of 10k.
    const auto by_key = [](const Entry& a, const Entry& b) {
        return a.key != b.key && *a.key < *b.key;
    };
    const auto same_key = [](const Entry& a, const Entry& b) {
        return a.key == b.key || *a.key == *b.key;
    };
    if (!std::is_sorted(batch_.begin(), batch_.end(), by_key))
        std::stable_sort(batch_.begin(), batch_.end(), by_key);
    batch_counts_.clear();
    std::vector<MessageId> ids;
    for (std::size_t i = 0; i < batch_.size();) {
        ids.clear();
        std::size_t j = i;
        for (; j < batch_.size() && same_key(batch_[j], batch_[i]); ++j)
            ids.push_back(batch_[j].id);
        commands::xack(req, *batch_[i].key, group, ids);
        batch_counts_.push_back(ids.size());
        i = j;
    }
    return true;
}

AckLedger::Outcome AckLedger::on_reply(const net::Response& replies, std::error_code ec) {
    Outcome out;
    // What must go again: everything after a transport error, else the ids
    // of each XACK the server refused for now (LOADING, READONLY...).
    std::vector<Entry> again;
    if (ec) {
        again = std::move(batch_);
        out.error = ec;
    }
    for (std::size_t i = 0, first = 0; !ec && i < batch_counts_.size();
         first += batch_counts_[i++]) {
        std::error_code dec;
        const auto n = i < replies.size() ? commands::decode_xack(replies[i].root(), dec) : 0;
        if (dec && !out.error) out.error = dec;
        if (dec == condition::retryable) {
            std::move(batch_.begin() + first, batch_.begin() + first + batch_counts_[i],
                      std::back_inserter(again));
            continue;
        }
        out.acked += n;
        out.not_pending += batch_counts_[i] - std::min<std::uint64_t>(n, batch_counts_[i]);
        out.by_key.emplace_back(*batch_[first].key, n);
    }
    batch_.clear();
    // Back to the front, oldest first.
    std::sort(again.begin(), again.end(),
              [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
    ready_.insert(ready_.begin(), std::make_move_iterator(again.begin()),
                  std::make_move_iterator(again.end()));
    return out;
}

std::uint64_t AckLedger::confirmed() const noexcept {
    std::uint64_t oldest = last_seq_ + 1;
    for (const auto* list : {&scheduled_, &ready_})
        if (!list->empty()) oldest = std::min(oldest, list->front().seq);
    for (const auto& e : batch_)
        oldest = std::min(oldest, e.seq);
    return oldest - 1;
}

}  // namespace redstream::detail
