// Polling for states that no event reports (a timer inside the code under
// test, a connection closed in the background): the one place tests wait
// without an event to await, always with a limit.
#pragma once

#include <chrono>
#include <thread>

namespace redstream::test {

/// Polls `cond` every 5 ms until it holds or `limit` passes; its last answer.
template <class Cond>
bool eventually(Cond cond, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return cond();
}

}  // namespace redstream::test
