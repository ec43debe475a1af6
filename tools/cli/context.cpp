#include <unistd.h>

#include <atomic>
#include <csignal>

#include "cli.hpp"

namespace redstream::cli {

namespace {
std::atomic<bool> stopping{false};

extern "C" void on_stop_signal(int) {
    stopping.store(true);
}
}  // namespace

bool stop_requested() noexcept {
    return stopping.load();
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A reader that goes away (`| head`) ends the output with EPIPE, not a signal.
    std::signal(SIGPIPE, SIG_IGN);
}

bool Context::json_output() const {
    return global.json || ::isatty(STDOUT_FILENO) == 0;
}

bool Context::stderr_is_terminal() {
    return ::isatty(STDERR_FILENO) != 0;
}

Streamer& Context::streamer() {
    if (!streamer_) {
        ConnectOptions options;
        options.payload_field = global.payload_field;
        options.connection.connect_timeout = global.timeout;
        options.connection.request_timeout = global.timeout;
        streamer_.emplace(Streamer::connect(global.url, std::move(options)));
    }
    return *streamer_;
}

Admin Context::admin() {
    AdminOptions options;
    options.request_timeout = global.timeout;
    return streamer().admin(options);
}

}  // namespace redstream::cli
