// callback: the round trip of coroutine.cpp with completion callbacks. It
// sends `ping N` every interval with async_send(), and prints each message
// it gets back through async_next(); SIGINT or SIGTERM cancels both loops.
//
//   redstream-example-callback --stream redis://localhost:6379/pings
//                              [--interval 1s] [--count N]
//
// Prints `sent ID ping N` for each receipt and `received ID ping N` for each
// message.
//
// Every handler runs on the Streamer's I/O thread: the ones without an
// executor of their own complete there, and the timer and the signal set
// live there too. The Streamer has one I/O thread by default, so the
// handlers never run at the same time and PingPong needs no lock (with
// ConnectOptions::io_threads > 1, bind them to a strand).
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <future>
#include <optional>
#include <string>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <redstream/redstream.hpp>

#include "args.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-callback --stream redis://HOST:PORT/STREAM [--interval 1s] "
    "[--count N]\n"
    "Sends `ping N` every --interval and prints it back as it arrives (callbacks).\n";

class PingPong {
  public:
    PingPong(rs::Producer& producer, rs::Consumer& consumer, std::optional<std::uint64_t> count,
             std::chrono::milliseconds interval, const asio::any_io_executor& executor)
        : producer_(producer),
          consumer_(consumer),
          count_(count),
          interval_(interval),
          timer_(executor),
          signals_(executor, SIGINT, SIGTERM) {}

    // Starts both loops (on the I/O thread). The future is ready once every
    // operation has completed: nothing refers to this object any more.
    std::future<void> start() {
        auto done = done_.get_future();
        asio::post(timer_.get_executor(), [this] {
            wait_for_signal();
            send_next();
            receive_next();
        });
        return done;
    }

  private:
    void wait_for_signal() {
        ++pending_;
        signals_.async_wait([this](std::error_code ec, int) {
            --pending_;
            if (!ec) stop();
            settle();
        });
    }

    void send_next() {
        if (stopping_ || (count_ && sent_ == *count_)) return;
        const std::string payload = "ping " + std::to_string(sent_);
        ++pending_;
        // The payload is copied before async_send() returns.
        producer_.async_send(producer_.stream(), payload,
                             [this, payload](std::error_code ec, const rs::Receipt& receipt) {
                                 --pending_;
                                 if (ec) {
                                     fail(ec);
                                 } else {
                                     std::printf("sent %s %s\n", receipt.id.to_string().c_str(),
                                                 payload.c_str());
                                     ++sent_;
                                     pause_then_send();
                                 }
                                 settle();
                             });
    }

    void pause_then_send() {
        if (stopping_ || (count_ && sent_ == *count_)) return;
        ++pending_;
        timer_.expires_after(interval_);
        timer_.async_wait([this](std::error_code ec) {
            --pending_;
            if (!ec) send_next();
            settle();
        });
    }

    void receive_next() {
        if (stopping_ || (count_ && received_ == *count_)) return;
        ++pending_;
        // The slot lets stop() cancel the wait (errc::cancelled).
        consumer_.async_next(asio::bind_cancellation_slot(
            cancel_.slot(), [this](std::error_code ec, const rs::Message& m) {
                --pending_;
                if (ec && ec != rs::errc::cancelled) {
                    fail(ec);
                } else if (!ec) {
                    example::print_message(m, "received");
                    ++received_;
                    receive_next();
                }
                settle();
            }));
    }

    void stop() {
        stopping_ = true;
        timer_.cancel();
        cancel_.emit(asio::cancellation_type::terminal);
    }

    void fail(std::error_code ec) {
        if (!error_) error_ = ec;
        stop();
    }

    // Once both loops are over, stops waiting for a signal; once nothing is
    // pending, reports the outcome, last: main() may then destroy this.
    void settle() {
        const bool over = stopping_ || (count_ && sent_ == *count_ && received_ == *count_);
        if (over && !signals_cancelled_) {
            signals_cancelled_ = true;
            signals_.cancel();
        }
        if (pending_ > 0) return;
        if (error_)
            done_.set_exception(std::make_exception_ptr(rs::Error(error_)));
        else
            done_.set_value();
    }

    rs::Producer& producer_;
    rs::Consumer& consumer_;
    std::optional<std::uint64_t> count_;
    std::chrono::milliseconds interval_;
    asio::steady_timer timer_;
    asio::signal_set signals_;
    asio::cancellation_signal cancel_;
    std::promise<void> done_;
    std::uint64_t sent_ = 0;
    std::uint64_t received_ = 0;
    int pending_ = 0;  // operations started and not yet completed
    bool stopping_ = false;
    bool signals_cancelled_ = false;
    std::error_code error_;
};

}  // namespace

int main(int argc, char** argv) {
    return example::run("callback", [&] {
        const example::Args args(argc, argv, usage, {"--stream", "--interval", "--count"});
        const auto url = args.stream_url("--stream");
        const auto interval = args.duration("--interval", std::chrono::seconds(1));
        const auto count = args.count("--count");

        auto streamer = rs::Streamer::connect(url);
        // Made before the first ping: with `latest`, a consumer gets
        // everything added after create_consumer() returned.
        rs::ConsumerOptions options;
        options.auto_stream_reset = rs::AutoStreamReset::latest;
        auto consumer = streamer.create_consumer(streamer.streams(), options);
        auto producer = streamer.create_producer(streamer.streams().front());

        PingPong ping_pong(producer, consumer, count, interval, streamer.get_executor());
        ping_pong.start().get();  // rethrows the error that ended it
        consumer.end();
        producer.end();
        return 0;
    });
}
