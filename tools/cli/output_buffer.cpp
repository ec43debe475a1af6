#include "output_buffer.hpp"

#include <unistd.h>

#include <cerrno>

namespace redstream::cli {

bool OutputBuffer::flush() {
    std::size_t done = 0;
    while (!broken_ && done < text_.size()) {
        const auto n = ::write(fd_, text_.data() + done, text_.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            broken_ = true;  // EPIPE (SIGPIPE is ignored), a full disk, ...
            error_ = n < 0 ? errno : EIO;
        }
    }
    text_.clear();
    return !broken_;
}

}  // namespace redstream::cli
