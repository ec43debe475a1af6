#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace redstream::test {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// An fd closed on scope exit, so early throws do not leak descriptors.
class Fd {
  public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }
    /// Gives up ownership: the caller closes it.
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

// The argv array execv wants, built before fork: the child may only call
// async-signal-safe functions, so it must not allocate.
struct ExecArgs {
    std::string path;
    std::vector<std::string> storage;
    std::vector<char*> argv;

    explicit ExecArgs(const std::vector<std::string>& args) : storage(args) {
        if (storage.empty()) throw std::invalid_argument("empty argv");
        path = find_program(storage.front());
        for (auto& arg : storage)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
    }
};

// Runs in the forked child: wire up stdio, make sure the child cannot outlive
// the test process, drop every other inherited descriptor, exec.
[[noreturn]] void exec_child(const ExecArgs& args, pid_t parent, int in_fd, int out_fd,
                             int err_fd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    if (::dup2(in_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
        ::_exit(127);
    }
    if (::close_range(3, ~0U, 0) != 0) {
        for (int fd = 3; fd < 1024; ++fd)
            ::close(fd);
    }
    // The test process may block or ignore signals; the server must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(args.path.c_str(), args.argv.data());
    ::_exit(127);
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// Reads both pipes until they close or the deadline passes; false on timeout.
bool drain_pipes(int out_fd, int err_fd, ProcessResult& result,
                 std::chrono::steady_clock::time_point deadline) {
    std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open = 2;
    std::array<char, 4096> buffer{};
    while (open > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw_errno("poll");
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fds[i].fd = -1;
                --open;
                continue;
            }
            sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
        }
    }
    return true;
}

int wait_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw_errno("waitpid");
    }
    return decode_status(status);
}

}  // namespace

std::string find_program(std::string_view program) {
    if (program.find('/') != std::string_view::npos) return std::string(program);
    const char* path_env = std::getenv("PATH");
    std::string_view path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    while (!path.empty()) {
        auto colon = path.find(':');
        auto dir = path.substr(0, colon);
        std::string candidate = std::string(dir.empty() ? "." : dir) + "/" + std::string(program);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) break;
        path.remove_prefix(colon + 1);
    }
    throw std::runtime_error("program not found in PATH: " + std::string(program));
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::string& stdin_path) {
    ExecArgs args(argv);
    std::array<int, 2> out_pipe{};
    std::array<int, 2> err_pipe{};
    if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) throw_errno("pipe2");
    Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
    if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) throw_errno("pipe2");
    Fd err_read(err_pipe[0]), err_write(err_pipe[1]);
    Fd null_in(::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (null_in.get() < 0) throw_errno("open " + stdin_path);

    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) exec_child(args, parent, null_in.get(), out_write.get(), err_write.get());
    out_write.reset();
    err_write.reset();

    ProcessResult result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool finished = drain_pipes(out_read.get(), err_read.get(), result, deadline);
    if (!finished) ::kill(pid, SIGKILL);
    int status = wait_child(pid);
    result.status = finished ? status : -1;
    return result;
}

pid_t spawn_process(const std::vector<std::string>& argv, const std::string& output_file) {
    ExecArgs args(argv);
    Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (null_in.get() < 0) throw_errno("open /dev/null");
    Fd out(::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (out.get() < 0) throw_errno("open " + output_file);

    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) exec_child(args, parent, null_in.get(), out.get(), out.get());
    return pid;
}

PipedProcess::PipedProcess(const std::vector<std::string>& argv, std::size_t pipe_size) {
    ExecArgs args(argv);
    std::array<int, 2> out_pipe{};
    if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) throw_errno("pipe2");
    Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
    if (pipe_size > 0 && ::fcntl(out_read.get(), F_SETPIPE_SZ, static_cast<int>(pipe_size)) < 0) {
        throw_errno("fcntl F_SETPIPE_SZ");
    }
    Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (null_in.get() < 0) throw_errno("open /dev/null");

    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) exec_child(args, parent, null_in.get(), out_write.get(), STDERR_FILENO);
    pid_ = pid;
    // Only the child may hold the write end, or EOF would never come.
    out_write.reset();
    out_fd_ = out_read.release();
}

PipedProcess::~PipedProcess() {
    if (!status_) {
        kill(SIGKILL);
        try {
            wait();
        } catch (...) {  // nothing more can be done from a destructor
        }
    }
    if (out_fd_ >= 0) ::close(out_fd_);
}

bool PipedProcess::read_line(std::string& line, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto newline = buffer_.find('\n', buffer_start_);
        if (newline != std::string::npos) {
            line.assign(buffer_, buffer_start_, newline - buffer_start_);
            buffer_start_ = newline + 1;
            return true;
        }
        // Keep the buffer from growing with what was already returned.
        buffer_.erase(0, buffer_start_);
        buffer_start_ = 0;
        if (out_fd_ < 0) {
            if (buffer_.empty()) return false;
            line = std::move(buffer_);
            buffer_.clear();
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            throw std::runtime_error("no line from pid " + std::to_string(pid_) + " in time");
        }
        pollfd fd{out_fd_, POLLIN, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw_errno("poll");
        if (ready == 0) continue;
        std::array<char, 64 * 1024> chunk;  // filled by read(): no need to zero it
        const ssize_t n = ::read(out_fd_, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("read");
        if (n == 0) {
            ::close(out_fd_);
            out_fd_ = -1;
            continue;
        }
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    }
}

void PipedProcess::kill(int signal) noexcept {
    if (!status_ && pid_ > 0) ::kill(pid_, signal);
}

int PipedProcess::wait() {
    if (!status_) status_ = wait_child(pid_);
    return *status_;
}

std::uint16_t find_free_port() {
    for (int attempt = 0; attempt < 20; ++attempt) {
        Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (sock.get() < 0) throw_errno("socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw_errno("bind 127.0.0.1:0");
        }
        socklen_t len = sizeof addr;
        if (::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            throw_errno("getsockname");
        }
        std::uint16_t port = ntohs(addr.sin_port);
        if (port != 6379) return port;
    }
    throw std::runtime_error("no free loopback port found");
}

std::string make_temp_dir(std::string_view prefix) {
    // Unix socket paths are limited to ~107 bytes, so a long TMPDIR is not used.
    const char* tmp = std::getenv("TMPDIR");
    std::string base = (tmp && *tmp && std::strlen(tmp) < 60) ? tmp : "/tmp";
    std::string pattern = base + "/" + std::string(prefix) + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
    return pattern;
}

std::string file_tail(const std::string& path, std::size_t max_lines) {
    std::ifstream in(path);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(std::move(line));
        if (lines.size() > max_lines) lines.pop_front();
    }
    std::string tail;
    for (const auto& line : lines)
        tail += line + "\n";
    return tail;
}

std::string trim_right(std::string text) {
    auto end = text.find_last_not_of(" \t\r\n");
    text.erase(end == std::string::npos ? 0 : end + 1);
    return text;
}

}  // namespace redstream::test
