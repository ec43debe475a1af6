#include "fd_io.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "cli.hpp"

namespace redstream::cli {

void write_all(int fd, std::string_view bytes, const char* what) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;  // the data still has to go out
            throw std::system_error(errno, std::generic_category(), what);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::size_t read_some(int fd, char* buffer, std::size_t size, const char* what) {
    while (true) {
        const auto n = ::read(fd, buffer, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), what);
        if (stop_requested()) return 0;
    }
}

}  // namespace redstream::cli
