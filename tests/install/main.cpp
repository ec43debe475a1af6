// Built against the installed headers and library (see CMakeLists.txt here and
// install_check in scripts/test), with no -std of its own. It parses a URL,
// makes a net::Client, runs a timer of its own on Asio (whose implementation is
// compiled into the library: this is what a shared build must export), and
// checks version.hpp against the package's version (EXPECTED_VERSION, from
// CMake or pkg-config).
#include <chrono>
#include <iostream>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <redstream/redstream.hpp>

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"<the package's version>\""
#endif

int main() {
    auto url = redstream::StreamUrl::parse("redis://app:secret@127.0.0.1:6380/2/orders,payments");
    std::cout << "redstream " << redstream::version() << ": " << url.redacted() << "\n";
    if (redstream::version() != EXPECTED_VERSION) {
        std::cerr << "version.hpp says " << redstream::version() << ", the package "
                  << EXPECTED_VERSION << "\n";
        return 1;
    }

    asio::io_context io;
    redstream::net::Client client(io.get_executor(),
                                  redstream::net::ConnectionConfig::from_url(url));
    bool fired = false;
    asio::steady_timer timer(io, std::chrono::milliseconds(1));
    timer.async_wait([&](std::error_code ec) { fired = !ec; });
    io.run_for(std::chrono::seconds(5));
    return fired && url.nodes.size() == 1 && url.streams.size() == 2 ? 0 : 1;
}
