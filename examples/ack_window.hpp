// Acknowledge an input only once what was made from it is stored. A stream
// processor that acks an input as soon as it has sent its output can lose
// that output: send() returns before the server has it, and a crash in
// between leaves the input acked and the output gone. AckWindow keeps each
// send's future beside the inputs it came from and acks them when the
// server has confirmed it; a crash before that leaves them pending in the
// group, so they are processed again (at-least-once), never lost.
//
// Everything happens on the thread that calls it: no callback races with
// the consumer's end(). The window is bounded by the producer's
// max_unconfirmed (send() waits when that many are unconfirmed).
#pragma once

#include <deque>
#include <utility>
#include <vector>

#include <redstream/redstream.hpp>

namespace example {

class AckWindow {
  public:
    /// `consumer` must use AutoCommit::rolling or disabled (manual acks).
    explicit AckWindow(redstream::Consumer& consumer) : consumer_(consumer) {}

    /// Acks `inputs` once `sent` is confirmed.
    void add(redstream::SendFuture sent, std::vector<redstream::Message> inputs) {
        window_.push_back({std::move(sent), std::move(inputs)});
    }

    /// Acks the inputs of the confirmed sends at the front of the window
    /// (receipts come back in send order); never waits. Throws
    /// redstream::Error for a send that failed: its inputs stay unacked.
    void ack_confirmed() {
        while (!window_.empty() && window_.front().sent.ready())
            ack_front();
    }

    /// Waits for every send in the window and acks its inputs; call it
    /// before the consumer's end(), which commits them.
    void ack_all() {
        while (!window_.empty())
            ack_front();
    }

    /// Sends not yet confirmed (or not yet looked at).
    std::size_t size() const noexcept { return window_.size(); }

  private:
    struct Entry {
        redstream::SendFuture sent;
        std::vector<redstream::Message> inputs;
    };

    void ack_front() {
        Entry entry = std::move(window_.front());
        window_.pop_front();
        entry.sent.get();  // throws if the send failed
        for (const auto& m : entry.inputs)
            consumer_.ack(m);
    }

    redstream::Consumer& consumer_;
    std::deque<Entry> window_;
};

}  // namespace example
