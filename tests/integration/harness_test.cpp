// Tests of the throwaway redis-server fixture itself: if these fail, every
// other integration test result is suspect.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace redstream::test {
namespace {

namespace fs = std::filesystem;

// Gone, or a zombie nobody reaped yet (a container's init may not reap):
// either way no longer a running server.
bool process_gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return errno == ESRCH;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    stat >> pid_field >> comm >> state;
    return state == "Z" || state == "X";
}

// SIGKILL is asynchronous: the target may take a moment to die.
bool process_gone_soon(pid_t pid) {
    for (int i = 0; i < 200; ++i) {
        if (process_gone(pid)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

std::string raw_cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"redis-cli"};
    argv.insert(argv.end(), args.begin(), args.end());
    return trim_right(run_process(argv).out);
}

TEST(HarnessTest, PlainServerAnswers) {
    RedisServer server;
    EXPECT_NE(server.port(), 0);
    EXPECT_NE(server.port(), 6379);
    EXPECT_GT(server.pid(), 0);
    EXPECT_TRUE(fs::is_directory(server.dir()));
    EXPECT_EQ(server.cli({"PING"}), "PONG");
    EXPECT_EQ(server.cli({"SET", "k", "v"}), "OK");
    EXPECT_EQ(server.cli({"GET", "k"}), "v");
    EXPECT_EQ(server.cli({"CONFIG", "GET", "save"}), "save");
    EXPECT_EQ(server.unix_path(), "");
}

TEST(HarnessTest, ConfigPointsAtServer) {
    RedisServer server;
    net::ConnectionConfig config = server.config();
    EXPECT_EQ(config.transport, Transport::tcp);
    ASSERT_EQ(config.nodes.size(), 1u);
    EXPECT_EQ(config.nodes[0], (HostPort{"127.0.0.1", server.port()}));
    EXPECT_EQ(config.password, "");
    EXPECT_EQ(config.protocol, 3);
    EXPECT_EQ(server.config(2).protocol, 2);
}

TEST(HarnessTest, TwoServersGetDifferentPortsAndDirs) {
    RedisServer a;
    RedisServer b;
    EXPECT_NE(a.port(), b.port());
    EXPECT_NE(a.dir(), b.dir());
    EXPECT_EQ(b.cli({"PING"}), "PONG");
}

TEST(HarnessTest, UnixSocket) {
    RedisServer server({.unix_socket = true});
    EXPECT_EQ(server.unix_path(), server.dir() + "/redis.sock");
    EXPECT_TRUE(fs::is_socket(server.unix_path()));
    EXPECT_EQ(raw_cli({"-s", server.unix_path(), "PING"}), "PONG");
}

TEST(HarnessTest, RequirePass) {
    RedisServer server({.requirepass = "s3cret"});
    EXPECT_EQ(server.cli({"PING"}), "PONG");  // cli() authenticates
    EXPECT_EQ(server.config().password, "s3cret");
    const std::string port = std::to_string(server.port());
    EXPECT_NE(raw_cli({"-h", "127.0.0.1", "-p", port, "PING"}).find("NOAUTH"), std::string::npos);
    auto wrong =
        raw_cli({"-h", "127.0.0.1", "-p", port, "-a", "nope", "--no-auth-warning", "PING"});
    EXPECT_EQ(wrong.find("PONG"), std::string::npos) << wrong;
}

TEST(HarnessTest, AclUser) {
    RedisServer server({.acl_user = AclUser{"alice", "wonder"}});
    const std::string port = std::to_string(server.port());
    EXPECT_EQ(raw_cli({"-h", "127.0.0.1", "-p", port, "--user", "alice", "--pass", "wonder",
                       "--no-auth-warning", "ACL", "WHOAMI"}),
              "alice");
    // redis-cli goes on as `default` after a failed AUTH, so check AUTH itself.
    EXPECT_EQ(server.cli({"AUTH", "alice", "wonder"}), "OK");
    auto wrong = server.cli({"AUTH", "alice", "nope"});
    EXPECT_NE(wrong.find("WRONGPASS"), std::string::npos) << wrong;
    EXPECT_EQ(server.cli({"ACL", "WHOAMI"}), "default");
}

TEST(HarnessTest, AclUserAndRequirePass) {
    RedisServer server({.requirepass = "s3cret", .acl_user = AclUser{"bob", "builder"}});
    const std::string port = std::to_string(server.port());
    auto as_bob = [&](const std::string& password) {
        return raw_cli({"-h", "127.0.0.1", "-p", port, "--user", "bob", "--pass", password,
                        "--no-auth-warning", "PING"});
    };
    EXPECT_EQ(as_bob("builder"), "PONG");
    EXPECT_NE(as_bob("nope").find("NOAUTH"), std::string::npos);
}

TEST(HarnessTest, ExtraArgs) {
    RedisServer server({.extra_args = {"--hz", "17"}});
    EXPECT_EQ(server.cli({"CONFIG", "GET", "hz"}), "hz\n17");
}

TEST(HarnessTest, BadArgumentsThrowWithLog) {
    try {
        RedisServer server({.extra_args = {"--no-such-directive", "1"}});
        FAIL() << "expected the server not to start";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-directive"), std::string::npos) << e.what();
    }
}

TEST(HarnessTest, StopAndStartKeepPortAndDir) {
    RedisServer server;
    const auto port = server.port();
    const auto dir = server.dir();
    const pid_t first = server.pid();
    EXPECT_EQ(server.cli({"SET", "k", "v"}), "OK");

    server.stop();
    EXPECT_EQ(server.pid(), -1);
    EXPECT_TRUE(process_gone(first));
    EXPECT_EQ(server.cli_result({"PING"}).out.find("PONG"), std::string::npos);
    server.stop();  // idempotent

    server.start();
    EXPECT_EQ(server.port(), port);
    EXPECT_EQ(server.dir(), dir);
    EXPECT_NE(server.pid(), first);
    EXPECT_EQ(server.cli({"PING"}), "PONG");
    EXPECT_EQ(server.cli({"EXISTS", "k"}), "0");  // nothing is persisted
}

TEST(HarnessTest, DestructorStopsServerAndRemovesDir) {
    std::string dir;
    pid_t pid = -1;
    {
        RedisServer server;
        dir = server.dir();
        pid = server.pid();
        ASSERT_TRUE(fs::exists(dir));
    }
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_NE(::kill(pid, 0), 0);
    EXPECT_EQ(errno, ESRCH);
}

// Writes the server's pid and dir where the parent of a death test finds them.
// Never destroyed, so only the exit/signal hooks can stop it; a global keeps
// it reachable, so LeakSanitizer does not count it as a leak.
RedisServer* leaked_server = nullptr;

void start_and_record(const std::string& record) {
    leaked_server = new RedisServer();
    std::ofstream(record) << leaked_server->pid() << "\n" << leaked_server->dir() << "\n";
}

void check_recorded_server_gone(const std::string& record) {
    std::ifstream in(record);
    pid_t pid = -1;
    std::string dir;
    in >> pid >> dir;
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(process_gone_soon(pid));
    std::error_code ignored;
    fs::remove_all(dir, ignored);  // only the destructor removes it
    fs::remove(record, ignored);
}

TEST(HarnessDeathTest, ExitKillsLeakedServer) {
    const std::string record = make_temp_dir("redstream-record-") + "/pid";
    EXPECT_EXIT(
        {
            start_and_record(record);
            std::exit(3);
        },
        ::testing::ExitedWithCode(3), "");
    check_recorded_server_gone(record);
    fs::remove(fs::path(record).parent_path());
}

TEST(HarnessDeathTest, AbortKillsLeakedServer) {
    const std::string record = make_temp_dir("redstream-record-") + "/pid";
    EXPECT_DEATH(
        {
            start_and_record(record);
            std::abort();
        },
        "");
    check_recorded_server_gone(record);
    fs::remove(fs::path(record).parent_path());
}

TEST(HarnessTest, UniqueKeyNamesTheTest) {
    std::set<std::string> keys;
    for (int i = 0; i < 3; ++i)
        keys.insert(unique_key("stream"));
    EXPECT_EQ(keys.size(), 3u);
    for (const auto& key : keys) {
        EXPECT_EQ(key.rfind("stream:HarnessTest.UniqueKeyNamesTheTest:", 0), 0u) << key;
    }
}

}  // namespace
}  // namespace redstream::test
