// The consumer the crash test kills with SIGKILL and restarts: a resumable
// group consumer with rolling commits that "processes" each message by
// writing its payload as one line to stdout, then acks it. What it wrote is
// what it processed: write(2) straight to the fd, so that nothing processed
// can sit in a userspace buffer and vanish with the process.
//
// Usage: redstream_crash_consumer URL STREAM GROUP
// Exits 0 after processing the sentinel payload (crash_sentinel), having
// committed its acks; 1 on an error (said on stderr); 2 on bad usage.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <system_error>

#include <redstream/redis/streamer.hpp>

#include "crash/crash_consumer.hpp"

namespace {

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "write");
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s URL STREAM GROUP\n", argc > 0 ? argv[0] : "crash_consumer");
        return 2;
    }
    try {
        auto streamer = redstream::Streamer::connect(argv[1]);
        auto consumer = streamer.create_consumer({redstream::StreamKey(argv[2])},
                                                 redstream::test::crash_consumer_options(argv[3]));
        std::string line;
        for (;;) {
            const auto m = consumer.next();
            line.assign(m.payload());
            line += '\n';
            write_all(STDOUT_FILENO, line);
            consumer.ack(m);
            if (m.payload() == redstream::test::crash_sentinel) break;
        }
        // Commits the acks still held. The Streamer goes after the consumer
        // (reverse declaration order): a consumer outliving its Streamer's
        // I/O threads would wait end_timeout in its destructor.
        consumer.end();
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "redstream_crash_consumer: %s\n", e.what());
        return 1;
    }
}
