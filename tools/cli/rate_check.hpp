// The check of a --rate (messages per second): a finite number above 0, with
// a message people can read (CLI11's PositiveNumber prints the whole range).
#pragma once

#include <cmath>
#include <string>

#include <CLI/CLI.hpp>

namespace redstream::cli {

inline CLI::Validator positive_rate() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            std::size_t used = 0;
            double v = 0;
            try {
                v = std::stod(text, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != text.size() || used == 0) return "'" + text + "' is not a number";
            if (!(v > 0) || !std::isfinite(v)) return "must be more than 0 (messages per second)";
            return {};
        },
        "RATE");
}

}  // namespace redstream::cli
