// StreamUrl::parse on arbitrary text: never crashes, the throwing and the
// error_code forms agree, and a parsed URL's redacted() form never depends
// on (so never reveals) the password.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <redstream/core/error.hpp>
#include <redstream/core/url.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::error_code ec;
    std::string why;
    redstream::StreamUrl url = redstream::StreamUrl::parse(text, ec, &why);

    bool threw = false;
    try {
        (void)redstream::StreamUrl::parse(text);
    } catch (const redstream::Error&) {
        threw = true;
    }
    if (threw != static_cast<bool>(ec)) std::abort();
    if (ec) return 0;

    const std::string redacted = url.redacted();
    if (url.password && !url.password->empty()) {
        // Same URL with another password must redact to the same text.
        url.password = *url.password + "\x01-other-secret";
        if (url.redacted() != redacted) std::abort();
    }
    return 0;
}
