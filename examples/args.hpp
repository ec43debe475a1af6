// What every example shares: a tiny command-line parser (`--name value` or
// `--name=value`; `--help`), the one-line error and exit status 2 for a bad
// argument, and the message printer. Deliberately small and hand-written, so
// that an example builds with nothing but redstream.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <redstream/redstream.hpp>

namespace example {

/// A bad command line: run() prints it on one line and exits with status 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The command line: every option is `--name value` (or `--name=value`) and
/// must be one of the names the example knows.
class Args {
  public:
    /// Parses argv; `--help` prints `usage` and exits 0. Throws UsageError.
    Args(int argc, char** argv, std::string_view usage,
         std::initializer_list<std::string_view> known) {
        for (int i = 1; i < argc; ++i) {
            std::string_view arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                std::printf("%.*s", static_cast<int>(usage.size()), usage.data());
                std::exit(0);
            }
            std::string_view value;
            const auto eq = arg.find('=');
            if (eq != std::string_view::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                throw UsageError(std::string(arg) + " needs a value");
            }
            if (!is_known(arg, known)) throw UsageError("unknown option " + std::string(arg));
            values_.emplace_back(arg, value);
        }
    }

    /// The value of `name` (the last one if given twice).
    std::optional<std::string> get(std::string_view name) const {
        for (auto it = values_.rbegin(); it != values_.rend(); ++it)
            if (it->first == name) return it->second;
        return std::nullopt;
    }

    /// The value of `name`, or `fallback`.
    std::string text(std::string_view name, std::string_view fallback) const {
        return get(name).value_or(std::string(fallback));
    }

    /// A stream URL such as redis://localhost:6379/orders, required; it must
    /// name exactly one stream (`several`: at least one). Checked here, so
    /// that a bad one is a usage error; the error never shows a password.
    std::string stream_url(std::string_view name, bool several = false) const {
        const auto url = get(name);
        if (!url) throw UsageError(std::string(name) + " is required (redis://host:port/STREAM)");
        std::error_code ec;
        std::string why;
        const auto parsed = redstream::StreamUrl::parse(*url, ec, &why);
        if (ec) throw UsageError(std::string(name) + ": " + why);
        if (parsed.streams.empty() || (!several && parsed.streams.size() > 1))
            throw UsageError(std::string(name) + ": the URL's path must name " +
                             (several ? "the streams" : "one stream") +
                             " (redis://host:port/STREAM)");
        return *url;
    }

    /// A count (a whole number), or nullopt when not given.
    std::optional<std::uint64_t> count(std::string_view name) const {
        const auto value = get(name);
        if (!value) return std::nullopt;
        std::uint64_t n = 0;
        const auto* end = value->data() + value->size();
        const auto [ptr, ec] = std::from_chars(value->data(), end, n);
        if (ec != std::errc() || ptr != end || value->empty())
            throw UsageError(std::string(name) + ": not a whole number: " + *value);
        return n;
    }

    /// A count, or `fallback`.
    std::uint64_t count(std::string_view name, std::uint64_t fallback) const {
        return count(name).value_or(fallback);
    }

    /// A duration: a whole number with a unit (`250ms`, `2s`, `1m`; bare: seconds).
    std::chrono::milliseconds duration(std::string_view name,
                                       std::chrono::milliseconds fallback) const {
        const auto value = get(name);
        if (!value) return fallback;
        std::uint64_t n = 0;
        const auto* end = value->data() + value->size();
        const auto [ptr, ec] = std::from_chars(value->data(), end, n);
        const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
        std::uint64_t ms_per_unit = 0;
        if (unit == "ms") ms_per_unit = 1;
        if (unit == "s" || unit.empty()) ms_per_unit = 1000;
        if (unit == "m") ms_per_unit = 60'000;
        if (ec != std::errc() || ms_per_unit == 0 || n > 1'000'000'000)
            throw UsageError(std::string(name) + ": not a duration (e.g. 500ms, 2s): " + *value);
        return std::chrono::milliseconds(static_cast<std::int64_t>(n * ms_per_unit));
    }

    /// One of `choices`, or `fallback`.
    std::string choice(std::string_view name, std::initializer_list<std::string_view> choices,
                       std::string_view fallback) const {
        auto value = text(name, fallback);
        for (auto c : choices)
            if (c == value) return value;
        std::string all;
        for (auto c : choices)
            all += (all.empty() ? "" : "|") + std::string(c);
        throw UsageError(std::string(name) + ": expected " + all + ", got " + value);
    }

  private:
    static bool is_known(std::string_view arg, std::initializer_list<std::string_view> known) {
        for (auto k : known)
            if (k == arg) return true;
        return false;
    }

    std::vector<std::pair<std::string, std::string>> values_;
};

/// Runs an example's body: its return value is the exit status. A
/// UsageError prints `NAME: what` and exits 2; any other exception (a
/// redstream::Error from a failed connect, say) `NAME: error: what`, exit 1.
template <class Body>
int run(const char* name, Body&& body) {
    // Line-buffered even into a pipe, so that each line is seen as it is printed.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    try {
        return body();
    } catch (const UsageError& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", name, e.what());
        return 1;
    }
}

/// Prints `[prefix ]id payload` on one line.
inline void print_message(const redstream::Message& m, std::string_view prefix = {}) {
    const auto payload = m.payload();
    std::printf("%.*s%s%s %.*s\n", static_cast<int>(prefix.size()), prefix.data(),
                prefix.empty() ? "" : " ", m.id().to_string().c_str(),
                static_cast<int>(payload.size()), payload.data());
}

}  // namespace example
