// Built against the installed TLS component (redstream::tls, or pkg-config
// redstream-tls): proves that linking it the documented way registers TLS.
// Nothing here calls into libredstream-tls; only the link options keep it. A
// rediss:// connect to a closed port must then fail as a connect does
// (connect_failed), not with the invalid_argument of a program without TLS.
#include <chrono>
#include <iostream>

#include <redstream/redstream.hpp>

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"<the package's version>\""
#endif

int main() {
    redstream::net::ConnectionConfig config =
        redstream::net::ConnectionConfig::from_url("rediss://127.0.0.1:1");
    config.connect_timeout = std::chrono::seconds(5);
    redstream::net::SyncClient client(config);
    std::error_code ec;
    client.connect(ec);
    std::cout << "redstream-tls " << EXPECTED_VERSION
              << ": rediss:// to a closed port: " << ec.message() << " ("
              << client.async_client().last_error() << ")\n";
    if (ec == redstream::errc::invalid_argument) {
        std::cerr << "the TLS component is not registered\n";
        return 1;
    }
    return ec == redstream::errc::connect_failed ? 0 : 1;
}
