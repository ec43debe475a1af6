#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace redstream::test {
namespace {

using namespace std::chrono_literals;

constexpr auto start_timeout = 5s;
constexpr auto stop_grace = 2s;
constexpr auto poll_interval = 20ms;
constexpr int port_attempts = 5;

// ---------------------------------------------------------------------------
// Live servers, so that they die with the test process even when no
// destructor runs (exit(), abort(), a crash, Ctrl-C). PR_SET_PDEATHSIG in the
// child covers SIGKILL of the test process; these hooks cover the rest and
// also reap the children. Plain atomics: the signal handler reads them.

static_assert(std::atomic<pid_t>::is_always_lock_free);
constexpr std::array<int, 4> hooked_signals{SIGABRT, SIGSEGV, SIGTERM, SIGINT};
std::array<std::atomic<pid_t>, 256> live_pids{};
std::array<struct sigaction, hooked_signals.size()> previous_actions{};
// A forked child (e.g. a gtest death test) inherits the hooks but must not
// kill its parent's servers.
std::atomic<pid_t> owner_pid{0};

void kill_live_servers(bool reap) noexcept {
    if (::getpid() != owner_pid.load()) return;
    for (auto& slot : live_pids) {
        pid_t pid = slot.exchange(0);
        if (pid <= 0) continue;
        ::kill(pid, SIGKILL);
        if (reap) ::waitpid(pid, nullptr, 0);
    }
}

void on_exit_hook() {
    kill_live_servers(true);
}

// The servers belong to the parent; a forked child starts with none of its own.
void on_fork_child() {
    owner_pid = ::getpid();
    for (auto& slot : live_pids)
        slot = 0;
}

void on_fatal_signal(int sig, siginfo_t* info, void*) {
    kill_live_servers(false);
    for (std::size_t i = 0; i < hooked_signals.size(); ++i) {
        if (hooked_signals[i] == sig) ::sigaction(sig, &previous_actions[i], nullptr);
    }
    // A fault (si_code > 0) repeats when the handler returns and reaches the
    // previous handler (e.g. ASan's) with its real context; a sent signal must
    // be raised again.
    if (info == nullptr || info->si_code <= 0) ::raise(sig);
}

void install_hooks() {
    static std::once_flag once;
    std::call_once(once, [] {
        owner_pid = ::getpid();
        std::atexit(on_exit_hook);
        ::pthread_atfork(nullptr, nullptr, on_fork_child);
        struct sigaction action {};
        action.sa_sigaction = on_fatal_signal;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < hooked_signals.size(); ++i) {
            ::sigaction(hooked_signals[i], &action, &previous_actions[i]);
            // An ignored signal (e.g. SIGINT in a background job) does not end
            // the process, so it must not end the servers either.
            if (previous_actions[i].sa_handler == SIG_IGN) {
                ::sigaction(hooked_signals[i], &previous_actions[i], nullptr);
            }
        }
    });
}

bool register_pid(pid_t pid) {
    install_hooks();
    for (auto& slot : live_pids) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, pid)) return true;
    }
    return false;  // full: the death signal still covers it
}

// False when the exit hook already killed and reaped it.
bool unregister_pid(pid_t pid) {
    for (auto& slot : live_pids) {
        pid_t expected = pid;
        if (slot.compare_exchange_strong(expected, 0)) return true;
    }
    return false;
}

// ---------------------------------------------------------------------------

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// True when something answers a Redis PING on the port (NOAUTH counts: the
// server is up, it just wants a password).
bool plain_ping(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    timeval timeout{0, 500'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        constexpr std::string_view ping = "PING\r\n";
        if (::send(fd, ping.data(), ping.size(), MSG_NOSIGNAL) == ssize_t(ping.size())) {
            std::array<char, 64> reply{};
            ssize_t n = ::recv(fd, reply.data(), reply.size() - 1, 0);
            std::string_view text(reply.data(), n > 0 ? std::size_t(n) : 0);
            ok = text.starts_with("+PONG") || text.starts_with("-NOAUTH");
        }
    }
    ::close(fd);
    return ok;
}

void run_openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run_process(argv);
    if (result.status != 0) {
        throw std::runtime_error("openssl " + args.front() + " failed: " + result.err);
    }
}

// An EC P-256 key and a certificate for `cn` signed by the CA in `dir`.
void make_signed_cert(const std::string& dir, const std::string& name, const std::string& cn,
                      const std::string& extensions, int serial) {
    const std::string base = dir + "/" + name;
    run_openssl({"req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=" + cn});
    std::ofstream(base + ".ext") << extensions;
    run_openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/ca.crt", "-CAkey",
                 dir + "/ca.key", "-set_serial", std::to_string(serial), "-days", "30", "-out",
                 base + ".crt", "-extfile", base + ".ext"});
}

void generate_certificates(const std::string& dir) {
    run_openssl({"req",      "-x509",
                 "-new",     "-nodes",
                 "-newkey",  "ec",
                 "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-keyout",  dir + "/ca.key",
                 "-out",     dir + "/ca.crt",
                 "-days",    "30",
                 "-subj",    "/CN=redstream test CA",
                 "-addext",  "basicConstraints=critical,CA:TRUE",
                 "-addext",  "keyUsage=critical,keyCertSign,cRLSign"});
    make_signed_cert(dir, "server", "127.0.0.1",
                     "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                     "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
                     2);
    make_signed_cert(dir, "client", "redstream test client",
                     "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n", 3);
}

}  // namespace

struct RedisServer::State {
    ServerOptions options;
    std::string dir;
    std::string unix_path;
    std::uint16_t port = 0;
    pid_t pid = -1;
    bool registered = false;

    std::string log_path() const { return dir + "/redis.log"; }
    std::string output_path() const { return dir + "/redis.out"; }

    std::vector<std::string> server_args() const;
    std::vector<std::string> cli_args() const;
    void launch();
    bool wait_ready();
    void terminate() noexcept;
    std::string failure(const std::string& what) const;
};

std::vector<std::string> RedisServer::State::server_args() const {
    std::vector<std::string> args{"redis-server", "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", dir, "--daemonize", "no",
                                  "--logfile", log_path(),
                                  // Fault tests may use DEBUG SLEEP and the like.
                                  "--enable-debug-command", "local"};
    const auto p = std::to_string(port);
    if (options.tls) {
        args.insert(args.end(),
                    {"--port", "0", "--tls-port", p, "--tls-cert-file", dir + "/server.crt",
                     "--tls-key-file", dir + "/server.key", "--tls-ca-cert-file", dir + "/ca.crt",
                     "--tls-auth-clients", options.tls_require_client_cert ? "yes" : "no"});
    } else {
        args.insert(args.end(), {"--port", p});
    }
    if (options.unix_socket) {
        args.insert(args.end(), {"--unixsocket", unix_path, "--unixsocketperm", "700"});
    }
    if (!options.requirepass.empty()) {
        args.insert(args.end(), {"--requirepass", options.requirepass});
    }
    if (options.acl_user) {
        args.insert(args.end(), {"--user", options.acl_user->name, "on",
                                 ">" + options.acl_user->password, "~*", "&*", "+@all"});
    }
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    return args;
}

std::vector<std::string> RedisServer::State::cli_args() const {
    std::vector<std::string> args{"-h", "127.0.0.1", "-p", std::to_string(port)};
    if (options.tls) {
        args.insert(args.end(), {"--tls", "--cacert", dir + "/ca.crt", "--cert",
                                 dir + "/client.crt", "--key", dir + "/client.key"});
    }
    if (!options.requirepass.empty()) {
        args.insert(args.end(), {"-a", options.requirepass, "--no-auth-warning"});
    }
    return args;
}

void RedisServer::State::launch() {
    pid = spawn_process(server_args(), output_path());
    registered = register_pid(pid);
}

// Polls until the server answers or its process ends; false if it never answers.
bool RedisServer::State::wait_ready() {
    const auto deadline = std::chrono::steady_clock::now() + start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            if (registered) unregister_pid(pid);
            pid = -1;
            return false;
        }
        bool up = false;
        if (options.tls) {
            std::vector<std::string> argv{"redis-cli"};
            auto connection = cli_args();
            argv.insert(argv.end(), connection.begin(), connection.end());
            argv.emplace_back("PING");
            auto reply = run_process(argv, 2s);
            up = reply.out.find("PONG") != std::string::npos ||
                 reply.out.find("NOAUTH") != std::string::npos;
        } else {
            up = plain_ping(port);
        }
        if (up) return true;
        std::this_thread::sleep_for(poll_interval);
    }
    return false;
}

void RedisServer::State::terminate() noexcept {
    if (pid <= 0) return;
    const pid_t child = std::exchange(pid, -1);
    // Not registered any more means the exit hook has already killed and reaped it.
    if (registered && !unregister_pid(child)) return;
    ::kill(child, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + stop_grace;
    while (std::chrono::steady_clock::now() < deadline) {
        pid_t done = ::waitpid(child, nullptr, WNOHANG);
        if (done == child || (done < 0 && errno != EINTR)) return;
        std::this_thread::sleep_for(10ms);
    }
    ::kill(child, SIGKILL);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
}

std::string RedisServer::State::failure(const std::string& what) const {
    return what + " (port " + std::to_string(port) + ", dir " + dir + ")\n--- redis.log ---\n" +
           file_tail(log_path()) + "--- output ---\n" + file_tail(output_path());
}

RedisServer::RedisServer(ServerOptions options) : state_(new State) {
    state_->options = std::move(options);
    try {
        state_->dir = make_temp_dir("redstream-test-");
        if (state_->options.unix_socket) state_->unix_path = state_->dir + "/redis.sock";
        if (state_->options.tls) generate_certificates(state_->dir);
        for (int attempt = 1;; ++attempt) {
            std::filesystem::remove(state_->log_path());
            state_->port = find_free_port();
            state_->launch();
            if (state_->wait_ready()) return;
            state_->terminate();
            // Someone may have taken the port between probing and binding.
            bool port_taken =
                read_file(state_->log_path()).find("Address already in use") != std::string::npos;
            if (!port_taken || attempt == port_attempts) {
                throw std::runtime_error(state_->failure("redis-server did not start"));
            }
        }
    } catch (...) {
        state_->terminate();
        std::error_code ignored;
        if (!state_->dir.empty()) std::filesystem::remove_all(state_->dir, ignored);
        delete state_;
        throw;
    }
}

RedisServer::~RedisServer() {
    state_->terminate();
    std::error_code ignored;
    std::filesystem::remove_all(state_->dir, ignored);
    delete state_;
}

std::uint16_t RedisServer::port() const noexcept {
    return state_->port;
}
const std::string& RedisServer::unix_path() const noexcept {
    return state_->unix_path;
}
const std::string& RedisServer::dir() const noexcept {
    return state_->dir;
}
std::string RedisServer::ca_file() const {
    return state_->dir + "/ca.crt";
}
std::string RedisServer::client_cert_file() const {
    return state_->dir + "/client.crt";
}
std::string RedisServer::client_key_file() const {
    return state_->dir + "/client.key";
}
pid_t RedisServer::pid() const noexcept {
    return state_->pid;
}
std::string RedisServer::log_file() const {
    return state_->log_path();
}

net::ConnectionConfig RedisServer::config(int protocol) const {
    net::ConnectionConfig config;
    config.transport = state_->options.tls ? Transport::tls : Transport::tcp;
    config.nodes = {HostPort{"127.0.0.1", state_->port}};
    config.password = state_->options.requirepass;
    config.protocol = protocol;
    if (state_->options.tls) {
        config.tls.ca_file = ca_file();
        if (state_->options.tls_require_client_cert) {
            config.tls.cert_file = client_cert_file();
            config.tls.key_file = client_key_file();
        }
    }
    return config;
}

std::vector<std::string> RedisServer::cli_connection_args() const {
    return state_->cli_args();
}

ProcessResult RedisServer::cli_result(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"redis-cli"};
    auto connection = cli_connection_args();
    argv.insert(argv.end(), connection.begin(), connection.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
    return trim_right(cli_result(args).out);
}

void RedisServer::stop() {
    state_->terminate();
}

void RedisServer::start() {
    if (state_->pid > 0) return;
    state_->launch();
    if (!state_->wait_ready()) {
        state_->terminate();
        throw std::runtime_error(state_->failure("redis-server did not restart"));
    }
}

std::string unique_key(std::string_view prefix) {
    static std::atomic<unsigned> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test =
        info ? std::string(info->test_suite_name()) + "." + info->name() : std::string("no-test");
    return std::string(prefix) + ":" + test + ":" + std::to_string(++counter);
}

}  // namespace redstream::test
