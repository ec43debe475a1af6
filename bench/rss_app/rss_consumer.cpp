// rss_consumer: the example consumer of the idle_rss / backlog_rss benchmarks
// (run by bench/rss, which reads its max RSS). Default options everywhere
// (one I/O thread, batch_size 100, prefetch 1000) unless given.
//   rss_consumer idle PORT KEY                  latest; next_for(1 s); exit
//   rss_consumer backlog PORT KEY COUNT [BATCH_SIZE PREFETCH]
//                                               earliest; next() until COUNT seen
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <redstream/redis/streamer.hpp>

namespace rs = redstream;

int main(int argc, char** argv) {
    if (argc < 4)
        return std::fprintf(stderr, "usage: %s idle|backlog PORT KEY [COUNT [BATCH PREFETCH]]\n",
                            argv[0]),
               2;
    const std::string_view mode = argv[1];
    const std::string url = std::string("redis://127.0.0.1:") + argv[2];
    const rs::StreamKey key(argv[3]);
    auto streamer = rs::Streamer::connect(url);
    rs::ConsumerOptions options;
    if (mode == "idle") {
        options.auto_stream_reset = rs::AutoStreamReset::latest;
        auto consumer = streamer.create_consumer({key}, options);
        if (consumer.next_for(std::chrono::seconds(1)))
            return std::fprintf(stderr, "rss_consumer: the stream is not empty\n"), 1;
        return 0;
    }
    if (mode != "backlog") return std::fprintf(stderr, "unknown mode %s\n", argv[1]), 2;
    const long long count = argc > 4 ? std::atoll(argv[4]) : 1'000'000;
    options.auto_stream_reset = rs::AutoStreamReset::earliest;
    if (argc > 6) {
        options.batch_size = std::strtoul(argv[5], nullptr, 10);
        options.prefetch = std::strtoul(argv[6], nullptr, 10);
    }
    auto consumer = streamer.create_consumer({key}, options);
    std::size_t touched = 0;
    for (long long i = 0; i < count; ++i) {
        const rs::Message m = consumer.next();
        touched += m.id().seq + m.payload().size();
    }
    return touched == 0;
}
