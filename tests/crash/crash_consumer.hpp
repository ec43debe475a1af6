// What the crash test (tests/integration/consumer_crash_test.cpp) and the
// consumer it kills (crash_consumer.cpp) agree on. The options live here so
// that the test derives its bound on duplicates from the very values the
// consumer runs with.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <redstream/redis/consumer.hpp>

namespace redstream::test {

/// The payload after which the crash consumer commits, ends and exits 0.
inline constexpr std::string_view crash_sentinel = "end";

/// A resumable consumer with rolling commits: at-least-once, so a kill may
/// only ever cause messages to be processed again, never to be lost.
inline ConsumerOptions crash_consumer_options(std::string group) {
    using namespace std::chrono_literals;
    ConsumerOptions o;
    o.mode = ConsumerMode::resumable;
    o.auto_stream_reset = AutoStreamReset::earliest;
    o.auto_commit = AutoCommit::rolling;
    // Frequent commits keep what a kill redelivers small...
    o.auto_commit_interval = 20ms;
    // ...and so does a low ceiling on acks held between commits (the
    // default, 10'000, would let one kill redeliver 10% of the stream).
    o.max_uncommitted = 1'000;
    o.group = std::move(group);
    return o;
}

}  // namespace redstream::test
