#include "consume_loop.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "cli.hpp"
#include "json_text.hpp"

namespace redstream::cli {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds max_refresh_every{2000};
}  // namespace

std::vector<KeyEnd> look_up_ends(const Admin& admin, const ConsumePlan& plan) {
    std::vector<KeyEnd> ends;
    for (const auto& stream : plan.streams) {
        for (const auto& shard : admin.stream_info(stream).shards) {
            KeyEnd end{shard.key, shard.last_id};
            if (plan.group_mode()) {
                const auto& groups = shard.groups;
                const auto g = std::find_if(
                    groups.begin(), groups.end(),
                    [&plan](const GroupInfo& gi) { return gi.name == plan.options.group; });
                if (g != groups.end()) {
                    end.group_delivered = g->last_delivered_id;
                    end.group_pending = g->pending;
                }
            }
            ends.push_back(std::move(end));
        }
    }
    return ends;
}

ConsumeLoop::ConsumeLoop(Consumer& consumer, const ConsumePlan& plan, Admin admin,
                         std::optional<DrainTracker> drain)
    : consumer_(consumer),
      plan_(plan),
      admin_(std::move(admin)),
      drain_(std::move(drain)),
      out_(STDOUT_FILENO),
      idle_since_(Clock::now()),
      next_refresh_(Clock::now() + refresh_every_) {}

int ConsumeLoop::run() {
    Step s = Step::more;
    try {
        while (s == Step::more)
            s = step();
    } catch (...) {
        flush();  // what was printed is written and acked, then the error is reported
        consumer_.end();
        throw;
    }
    flush();
    consumer_.end();
    // A reader that went away (`| head`) is a normal end; a failed write is not.
    if (out_.broken() && out_.error() != EPIPE)
        throw std::runtime_error(std::string("cannot write the output: ") +
                                 std::strerror(out_.error()));
    return s == Step::interrupted ? exit_interrupted : exit_ok;
}

ConsumeLoop::Step ConsumeLoop::step() {
    if (stop_requested()) return Step::interrupted;
    if (drain_ && drain_->done()) return Step::done;
    if (plan_.count && printed_ >= *plan_.count) return Step::done;
    auto m = consumer_.next_for(poll);
    if (!m) return on_idle();
    idle_since_ = Clock::now();
    if (plan_.until && m->id() > *plan_.until) {
        if (drain_) drain_->wants(m->redis_key(), m->id());  // ends its key
        return Step::more;
    }
    if (drain_ && !drain_->wants(m->redis_key(), m->id())) return Step::more;
    print(*m);
    // Flush when nothing more is queued, so a pipe sees each message at once
    // when they trickle and in large writes when they stream.
    if (out_.full() || consumer_.stats().queued == 0) {
        if (!flush()) return Step::done;  // the reader went away
    }
    return Step::more;
}

ConsumeLoop::Step ConsumeLoop::on_idle() {
    if (!flush()) return Step::done;
    if (drain_ && Clock::now() >= next_refresh_) {
        // Entries deleted after the start, or a group that moved on, must not
        // leave -e waiting for ids that will never be delivered.
        drain_->refresh(look_up_ends(admin_, plan_), Clock::now() - idle_since_ >= settle_time);
        refresh_every_ = std::min(refresh_every_ * 2, max_refresh_every);
        next_refresh_ = Clock::now() + refresh_every_;
    }
    if (!drain_ && until_passed_and_idle()) return Step::done;
    return Step::more;
}

bool ConsumeLoop::until_passed_and_idle() {
    if (!plan_.until) return false;
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (now_ms <= static_cast<std::int64_t>(plan_.until->ms)) return false;
    return Clock::now() - idle_since_ >= until_grace;
}

void ConsumeLoop::print(const Message& m) {
    if (plan_.json) {
        out_.text() += message_json(m).dump();
        out_.text() += '\n';
    } else {
        plan_.format.append(m, out_.text());
    }
    ++printed_;
    if (plan_.acks()) unacked_.push_back(m);
}

bool ConsumeLoop::flush() {
    if (!out_.flush()) return false;
    if (unacked_.empty()) return true;
    for (const auto& m : unacked_)
        consumer_.ack(m);
    unacked_.clear();
    if (plan_.options.auto_commit == AutoCommit::disabled) consumer_.commit();
    return true;
}

}  // namespace redstream::cli
