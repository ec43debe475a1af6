// The body of `consume`: reads with short waits (so Ctrl-C, --until and -e
// are honoured promptly), prints each message, acks what it wrote once it
// is written, and stops when the plan says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include <redstream/redis/admin.hpp>
#include <redstream/redis/consumer.hpp>

#include "consume_plan.hpp"
#include "drain_tracker.hpp"
#include "output_buffer.hpp"

namespace redstream::cli {

/// Each key of `plan.streams` with its newest id (and the group's last
/// delivered id in group modes), as the server has them now.
std::vector<KeyEnd> look_up_ends(const Admin& admin, const ConsumePlan& plan);

class ConsumeLoop {
  public:
    /// How long one wait for a message lasts, at most.
    static constexpr std::chrono::milliseconds poll{100};
    /// With --until in the future: once the clock passed it, stop after the
    /// consumer has been idle this long (a blocking read returns within
    /// block_time when there is nothing).
    static constexpr std::chrono::milliseconds until_grace{1500};
    /// -e in a group: idle this long, this reader has re-read its own
    /// pending entries, so those still pending are other members'.
    static constexpr std::chrono::milliseconds settle_time{2000};

    /// `drain`: set when plan.drain, started with the ends at the start.
    ConsumeLoop(Consumer& consumer, const ConsumePlan& plan, Admin admin,
                std::optional<DrainTracker> drain);

    /// Reads until done; the exit code. Ends the consumer (committing what
    /// it owes) on every way out.
    int run();

  private:
    enum class Step { more, done, interrupted };
    Step step();
    Step on_idle();
    void print(const Message& m);
    // Writes what was gathered, then acks what it held.
    bool flush();
    bool until_passed_and_idle();

    Consumer& consumer_;
    const ConsumePlan& plan_;
    Admin admin_;
    std::optional<DrainTracker> drain_;
    OutputBuffer out_;
    std::vector<Message> unacked_;  // written to out_, not yet flushed
    std::uint64_t printed_ = 0;
    std::chrono::steady_clock::time_point idle_since_;
    std::chrono::milliseconds refresh_every_{200};
    std::chrono::steady_clock::time_point next_refresh_;
};

}  // namespace redstream::cli
