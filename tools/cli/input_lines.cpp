#include "input_lines.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "cli.hpp"

namespace redstream::cli {

namespace {
constexpr std::size_t chunk = std::size_t{64} << 10;
}  // namespace

InputLines::InputLines(int fd, std::size_t max_line) : fd_(fd), max_line_(max_line) {}

InputLines::Result InputLines::next(std::string& line) {
    while (true) {
        const auto from = buffer_.begin() + static_cast<std::ptrdiff_t>(start_ + scanned_);
        const auto nl = std::find(from, buffer_.end(), '\n');
        if (nl != buffer_.end()) {
            const auto at = static_cast<std::size_t>(nl - buffer_.begin());
            if (at - start_ > max_line_) break;
            line.assign(buffer_, start_, at - start_);
            start_ = at + 1;
            scanned_ = 0;
            ++lines_;
            return Result::line;
        }
        scanned_ = buffer_.size() - start_;
        if (scanned_ > max_line_) break;
        if (!fill()) {
            if (interrupted_) return Result::interrupted;
            if (scanned_ == 0) return Result::end;
            line.assign(buffer_, start_, scanned_);
            start_ = buffer_.size();
            scanned_ = 0;
            ++lines_;
            return Result::line;
        }
    }
    throw InputError("line " + std::to_string(lines_ + 1) + " is longer than " +
                     std::to_string(max_line_) + " bytes");
}

bool InputLines::fill() {
    if (eof_) return false;
    // Drop the lines already returned before the buffer grows.
    if (start_ > 0) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    const auto old = buffer_.size();
    buffer_.resize(old + chunk);
    while (true) {
        if (stop_requested()) {
            buffer_.resize(old);
            interrupted_ = true;
            return false;
        }
        const auto n = ::read(fd_, buffer_.data() + old, chunk);
        if (n > 0) {
            buffer_.resize(old + static_cast<std::size_t>(n));
            return true;
        }
        if (n < 0 && errno == EINTR) continue;
        buffer_.resize(old);
        if (n < 0) throw InputError(std::string("cannot read the input: ") + std::strerror(errno));
        eof_ = true;
        return false;
    }
}

}  // namespace redstream::cli
