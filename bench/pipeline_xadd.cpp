// pipeline_xadd: 1M XADDs of a 64 B payload through one connection, against
// `redis-benchmark -c 1 -P 256` sending the same command in the same run.
//
// Ours: single-command requests, as an application would issue them, with
// up to `window` in flight; the connection coalesces whatever is queued
// while a write is in flight into the next write (no batching by the caller).
// Usage: pipeline_xadd PORT [COUNT] [WINDOW]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include <redstream/net/client.hpp>

#include "peers.hpp"

namespace rs = redstream;
using Clock = std::chrono::steady_clock;

namespace {

const std::string payload(64, 'x');

double run_ours(std::uint16_t port, int count, int window) {
    asio::io_context io(1);
    rs::ConnectionConfig cfg;
    cfg.nodes = {{"127.0.0.1", port}};
    rs::Client client(io.get_executor(), cfg);
    bool connected = false;
    client.async_connect([&](std::error_code ec) {
        if (ec) std::fprintf(stderr, "connect: %s\n", ec.message().c_str()), std::exit(1);
        connected = true;
    });
    // run_one, not run: the client's health-check timer keeps the context busy.
    while (!connected)
        io.run_one();

    // A ring of request slots: each completion sends the next XADD from its slot.
    struct Slot {
        rs::resp::Request request;
        rs::Response response;
    };
    std::vector<Slot> slots(static_cast<std::size_t>(window));
    int sent = 0, done = 0;
    std::function<void(Slot&)> send = [&](Slot& s) {
        s.request.clear();
        s.request.push("XADD", "bench:ours", "*", "msg", payload);
        ++sent;
        client.async_exec(s.request, s.response, [&, slot = &s](std::error_code ec) {
            if (ec || slot->response[0].root().is_error())
                std::fprintf(stderr, "xadd failed\n"), std::exit(1);
            ++done;
            if (sent < count) send(*slot);
        });
    };
    const auto start = Clock::now();
    for (auto& s : slots)
        if (sent < count) send(s);
    while (done < count)
        io.run_one();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    if (done != count) std::fprintf(stderr, "only %d of %d completed\n", done, count), std::exit(1);
    client.close();
    return count / secs;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return std::fprintf(stderr, "usage: %s PORT [COUNT] [WINDOW]\n", argv[0]), 2;
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const int count = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
    const int window = argc > 3 ? std::atoi(argv[3]) : 1024;
    double ours = 0, peer = 0;
    for (int round = 0; round < 2; ++round) {  // best of two, alternating
        peer = std::max(peer, bench::redis_benchmark_xadd(port, count, "bench:peer", payload));
        bench::del(port, "bench:peer");
        ours = std::max(ours, run_ours(port, count, window));
        bench::del(port, "bench:ours");
    }
    bench::print("pipeline_xadd", ours, "msg/s", "redis-benchmark -c 1 -P 256", peer);
}
