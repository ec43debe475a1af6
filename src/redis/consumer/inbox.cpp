#include "inbox.hpp"

#include <algorithm>

#include <redstream/core/error.hpp>

#include "wake_level.hpp"

namespace redstream::detail {

ReadPlan plan_read(std::size_t room, std::size_t keys, std::size_t batch_size,
                   std::size_t next) noexcept {
    if (room == 0 || keys == 0 || batch_size == 0) return {};
    const auto share = room / keys;
    const auto turn_count = std::min({batch_size, min_turn_count, room});
    if (share >= turn_count) return {std::min(batch_size, share), 0, keys};
    const auto turn = std::min(keys, room / turn_count);
    if (turn == keys) return {turn_count, 0, keys};
    return {turn_count, next % keys, turn};
}

std::size_t MessageFifo::append(std::vector<Message>& more, std::size_t from) {
    // Drop the moved-from front once it is half of the vector, so that the
    // vector does not grow by what has already been taken.
    if (head_ > 0 && head_ * 2 >= items_.size()) {
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    std::size_t added = 0;
    for (auto it = more.begin() + static_cast<std::ptrdiff_t>(from); it != more.end(); ++it)
        added += it->payload().size();
    bytes_ += added;
    items_.insert(items_.end(),
                  std::make_move_iterator(more.begin() + static_cast<std::ptrdiff_t>(from)),
                  std::make_move_iterator(more.end()));
    return added;
}

void MessageFifo::remove_if(const std::function<bool(const Message&)>& pred) {
    const auto first = items_.begin() + static_cast<std::ptrdiff_t>(head_);
    items_.erase(std::remove_if(first, items_.end(), pred), items_.end());
    bytes_ = 0;
    for (auto it = items_.begin() + static_cast<std::ptrdiff_t>(head_); it != items_.end(); ++it)
        bytes_ += it->payload().size();
    if (empty()) clear();
}

std::error_code Inbox::failure() const noexcept {
    return ended_ ? make_error_code(errc::shutting_down) : error_;
}

bool Inbox::should_wake() noexcept {
    if (flow_ == Flow::on_demand) return false;  // taking is not asking for more
    // Once per refill, not per message: at half of prefetch, or lower when
    // half would not leave room for a whole batch (wake_level.hpp).
    if (!reader_paused_ || queue_.size() > wake_level(limit(), batch_size_) ||
        queue_.bytes() > prefetch_bytes_ / 2)
        return false;
    reader_paused_ = false;
    return true;
}

void Inbox::log_take(const Message& m) {
    if (log_takes_) taken_.push_back({std::string(m.redis_key()), m.id(), Clock::now()});
}

Message Inbox::pop() {
    Message m = queue_.pop();
    log_take(m);
    return m;
}

void Inbox::drain_taken(std::vector<Taken>& out) {
    const std::lock_guard lock(mutex_);
    std::move(taken_.begin(), taken_.end(), std::back_inserter(out));
    taken_.clear();
}

bool Inbox::wake_for_demand() noexcept {
    if (flow_ != Flow::on_demand || !reader_paused_) return false;
    reader_paused_ = false;
    return true;
}

bool Inbox::has_demand() const {
    return !waiters_.empty() || unbounded_takes_ > 0 ||
           (!take_deadlines_.empty() && *take_deadlines_.rbegin() > Clock::now());
}

void Inbox::wait(std::unique_lock<std::mutex>& lock, std::optional<Clock::time_point> deadline,
                 const std::function<void()>& wake_reader) {
    const auto ready = [this] { return !queue_.empty() || ended_ || error_; };
    if (ready()) return;
    const bool demand = flow_ == Flow::on_demand;
    auto at = take_deadlines_.end();
    if (demand) {
        if (deadline)
            at = take_deadlines_.insert(*deadline);
        else
            ++unbounded_takes_;
        if (wake_reader && wake_for_demand()) {
            lock.unlock();
            wake_reader();
            lock.lock();
        }
    }
    if (deadline)
        ready_.wait_until(lock, *deadline, ready);
    else
        ready_.wait(lock, ready);
    if (!demand) return;
    if (deadline)
        take_deadlines_.erase(at);
    else
        --unbounded_takes_;
}

bool Inbox::take(std::optional<Clock::time_point> deadline, std::optional<Message>& out,
                 std::error_code& ec, const std::function<void()>& wake_reader) {
    std::unique_lock lock(mutex_);
    wait(lock, deadline, wake_reader);
    out.reset();
    ec.clear();
    if (ended_) {
        ec = failure();
    } else if (!queue_.empty()) {
        out.emplace(pop());
        return should_wake();
    } else {
        ec = error_;  // clear on a timeout
    }
    return false;
}

bool Inbox::take_async(NextCompletion done, std::uint64_t id) {
    std::unique_lock lock(mutex_);
    if (ended_ || (queue_.empty() && error_)) {
        const auto ec = failure();
        lock.unlock();
        done(ec, {});
        return false;
    }
    if (queue_.empty()) {
        if (waiters_.size() >= max_waiters) {
            lock.unlock();
            done(make_error_code(errc::queue_full), {});
            return false;
        }
        waiters_.push_back({id, std::move(done)});
        return wake_for_demand();
    }
    Message m = pop();
    const bool wake = should_wake();
    lock.unlock();
    done({}, std::move(m));  // posts: never runs the handler inline
    return wake;
}

void Inbox::cancel(std::uint64_t id, std::error_code why) {
    NextCompletion done;
    {
        const std::lock_guard lock(mutex_);
        auto it = std::find_if(waiters_.begin(), waiters_.end(),
                               [id](const Waiter& w) { return w.id == id; });
        if (it == waiters_.end()) return;
        done = std::move(it->done);
        waiters_.erase(it);
    }
    done(why, {});
}

std::uint64_t Inbox::close_for_seek() {
    MessageFifo dropped;  // destroyed outside the lock
    const std::lock_guard lock(mutex_);
    dropped.swap(queue_);
    error_.clear();
    reader_paused_ = false;
    return ++epoch_;
}

void Inbox::remove_if(const std::function<bool(const Message&)>& pred) {
    const std::lock_guard lock(mutex_);
    queue_.remove_if(pred);
}

void Inbox::fail_waiters(std::vector<Waiter>& out) {
    std::move(waiters_.begin(), waiters_.end(), std::back_inserter(out));
    waiters_.clear();
}

void Inbox::end() {
    std::vector<Waiter> failed;
    MessageFifo dropped;
    {
        const std::lock_guard lock(mutex_);
        if (ended_) return;
        ended_ = true;
        dropped.swap(queue_);
        fail_waiters(failed);
    }
    ready_.notify_all();
    for (auto& w : failed)
        w.done(make_error_code(errc::shutting_down), {});
}

void Inbox::open(std::uint64_t epoch) {
    const std::lock_guard lock(mutex_);
    if (epoch == epoch_) open_epoch_ = epoch;
}

bool Inbox::latest_seek(std::uint64_t epoch) const {
    const std::lock_guard lock(mutex_);
    return epoch == epoch_;
}

void Inbox::set_readers(std::size_t n) {
    const std::lock_guard lock(mutex_);
    readers_ = std::max<std::size_t>(1, n);
}

bool Inbox::room_for_read(std::size_t incoming, bool backlog) {
    const std::lock_guard lock(mutex_);
    if (ended_) return false;
    const auto held = queue_.size() + reserved_ + incoming;
    if (flow_ == Flow::on_demand)
        reader_paused_ = held > 0 || !has_demand();
    else
        reader_paused_ = room_locked(incoming) == 0 ||
                         (backlog && whole_reads(limit(), batch_size_) &&
                          queue_.size() + incoming > wake_level(limit(), batch_size_));
    return !reader_paused_;
}

bool Inbox::has_room() const {
    const std::lock_guard lock(mutex_);
    const auto held = queue_.size() + reserved_;
    return !ended_ && (flow_ == Flow::on_demand ? held == 0 : room_locked(0) > 0);
}

std::size_t Inbox::room(std::size_t incoming) const {
    const std::lock_guard lock(mutex_);
    return room_locked(incoming);
}

// The count room, and the byte room in entries of the expected size; a
// message always fits when nothing is held, however big.
std::size_t Inbox::room_locked(std::size_t incoming) const noexcept {
    const auto held = queue_.size() + reserved_ + incoming;
    const auto count_room = limit() - std::min(limit(), held);
    if (prefetch_bytes_ == SIZE_MAX || count_room == 0) return count_room;
    // Sizes not known yet: a first read small enough for big payloads.
    if (entry_bytes_ == 0) return std::min(count_room, min_turn_count);
    const auto entry = std::max<std::size_t>(1, entry_bytes_);
    const auto coming = (reserved_ + incoming) * entry;
    const auto bytes_held = queue_.bytes() + coming;
    const auto bytes_room =
        prefetch_bytes_ > bytes_held ? (prefetch_bytes_ - bytes_held) / entry : 0;
    if (bytes_room == 0 && held == 0) return 1;
    return std::min(count_room, bytes_room);
}

void Inbox::set_entry_bytes(std::size_t bytes) {
    const std::lock_guard lock(mutex_);
    note_entry_bytes(bytes);
}

void Inbox::note_entry_bytes(std::size_t bytes) noexcept {
    // Up at once, down by halves: bigger entries are what overshoots.
    entry_bytes_ =
        std::max<std::size_t>(1, bytes >= entry_bytes_ ? bytes : (entry_bytes_ + bytes) / 2);
}

void Inbox::reserve(std::size_t n) {
    const std::lock_guard lock(mutex_);
    reserved_ += n;
}

void Inbox::unreserve(std::size_t n) {
    const std::lock_guard lock(mutex_);
    reserved_ -= std::min(reserved_, n);
}

std::optional<Inbox::Clock::time_point> Inbox::demand_until() const {
    const std::lock_guard lock(mutex_);
    if (!waiters_.empty() || unbounded_takes_ > 0) return Clock::time_point::max();
    if (take_deadlines_.empty()) return std::nullopt;
    return *take_deadlines_.rbegin();
}

void Inbox::push(std::vector<Message>& messages) {
    std::vector<std::pair<NextCompletion, Message>> served;
    {
        const std::lock_guard lock(mutex_);
        if (ended_ || open_epoch_ != epoch_) {
            messages.clear();
            return;
        }
        std::size_t n = 0;
        std::size_t bytes = 0;
        for (; n < messages.size() && !waiters_.empty(); ++n) {
            log_take(messages[n]);
            bytes += messages[n].payload().size();
            served.emplace_back(std::move(waiters_.front().done), std::move(messages[n]));
            waiters_.pop_front();
        }
        bytes += queue_.append(messages, n);
        max_size_ = std::max(max_size_, queue_.size());
        if (!messages.empty()) note_entry_bytes(bytes / messages.size());
    }
    messages.clear();
    ready_.notify_all();
    for (auto& [done, m] : served)
        done({}, std::move(m));
}

void Inbox::set_error(std::error_code ec) {
    std::vector<Waiter> failed;
    {
        const std::lock_guard lock(mutex_);
        error_ = ec;
        if (queue_.empty()) fail_waiters(failed);
    }
    ready_.notify_all();
    for (auto& w : failed)
        w.done(ec, {});
}

void Inbox::clear_error() {
    const std::lock_guard lock(mutex_);
    error_.clear();
}

std::error_code Inbox::last_error() const {
    const std::lock_guard lock(mutex_);
    return ended_ || queue_.empty() ? failure() : std::error_code{};
}

std::size_t Inbox::size() const {
    const std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t Inbox::max_size() const {
    const std::lock_guard lock(mutex_);
    return max_size_;
}

}  // namespace redstream::detail
