// Built against the installed headers and library (see CMakeLists.txt here and
// scripts/test): parses a URL and prints it redacted.
#include <iostream>

#include <redstream/redstream.hpp>

int main() {
    auto url = redstream::StreamUrl::parse("redis://app:secret@127.0.0.1:6380/2/orders,payments");
    std::cout << url.redacted() << "\n";
    return url.nodes.size() == 1 && url.streams.size() == 2 ? 0 : 1;
}
