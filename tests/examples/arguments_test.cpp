// Every example: --help prints the usage, and a bad command line is one line
// on stderr with exit status 2, before anything connects.
#include <string>
#include <vector>

#include <asio/detail/config.hpp>  // ASIO_HAS_CO_AWAIT

#include "examples/example_fixture.hpp"

namespace redstream::test {
namespace {

struct Program {
    const char* name;
    const char* path;
    const char* stream_flag;  // the option that takes the stream URL
};

std::vector<Program> programs() {
    std::vector<Program> all{
        {"clock", REDSTREAM_EXAMPLE_CLOCK, "--stream"},
        {"consumer", REDSTREAM_EXAMPLE_CONSUMER, "--stream"},
        {"resumable", REDSTREAM_EXAMPLE_RESUMABLE, "--stream"},
        {"load_balanced", REDSTREAM_EXAMPLE_LOAD_BALANCED, "--stream"},
        {"processor", REDSTREAM_EXAMPLE_PROCESSOR, "--input"},
        {"judge", REDSTREAM_EXAMPLE_JUDGE, "--stream"},
        {"lobby", REDSTREAM_EXAMPLE_LOBBY, "--stream"},
        {"callback", REDSTREAM_EXAMPLE_CALLBACK, "--stream"},
    };
#if defined(ASIO_HAS_CO_AWAIT)  // without, the example only says it needs them
    all.push_back({"coroutine", REDSTREAM_EXAMPLE_COROUTINE, "--stream"});
#endif
    return all;
}

// One line on stderr, nothing on stdout, exit status 2.
void expect_usage_error(const ProcessResult& r, const std::string& what) {
    EXPECT_EQ(r.status, 2) << what << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << what << ": " << r.out;
    EXPECT_EQ(lines_of(r.err).size(), 1u) << what << ": " << r.err;
}

// One test per program, so that each stays short (a sanitizer build starts
// programs slowly).
class ExampleArguments : public ::testing::TestWithParam<Program> {};

TEST_P(ExampleArguments, HelpPrintsTheUsage) {
    const auto& p = GetParam();
    const auto r = run_process({p.path, "--help"}, example_timeout);
    EXPECT_EQ(r.status, 0) << p.name;
    EXPECT_EQ(r.out.rfind("usage: ", 0), 0u) << p.name << ": " << r.out;
}

TEST_P(ExampleArguments, BadArgumentsAreOneLineAndExitStatus2) {
    const auto& p = GetParam();
    // Port 1 is never dialled: every check comes before the connect.
    const std::string good = "redis://127.0.0.1:1/s";
    const std::string flag = p.stream_flag;
    expect_usage_error(run_process({p.path}, example_timeout),
                       std::string(p.name) + " without a stream");
    expect_usage_error(run_process({p.path, flag, good, "--bogus", "1"}, example_timeout),
                       std::string(p.name) + " --bogus");
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleArguments, ::testing::ValuesIn(programs()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ExampleArgumentChecks, ABadUrlDoesNotShowThePassword) {
    const auto r =
        run_process({REDSTREAM_EXAMPLE_CLOCK, "--stream", "redis://user:hunter2@127.0.0.1:99999/s"},
                    example_timeout);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

// The parser and the URL check are shared (examples/args.hpp): tried on one.
TEST(ExampleArgumentChecks, SharedChecks) {
    const std::string good = "redis://127.0.0.1:1/s";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--stream", good, "--count"},
             {"--stream", good, "--count", "x"},
             {"--stream", good, "--count", "-1"},
             {"--stream", "redis://127.0.0.1:1"},
             {"--stream", "redis://user:hunter2@127.0.0.1:99999/s"},
             {"--stream", "http://127.0.0.1/s"},
         }) {
        std::vector<std::string> argv{REDSTREAM_EXAMPLE_CLOCK};
        argv.insert(argv.end(), args.begin(), args.end());
        expect_usage_error(run_process(argv, example_timeout), "clock " + args.back());
    }
}

TEST(ExampleArgumentChecks, SpecificChecks) {
    const std::string good = "redis://127.0.0.1:1/s";
    expect_usage_error(run_process({REDSTREAM_EXAMPLE_CLOCK, "--stream", good, "--interval", "1h"},
                                   example_timeout),
                       "clock --interval 1h");
    expect_usage_error(
        run_process({REDSTREAM_EXAMPLE_CONSUMER, "--stream", good, "--from", "middle"},
                    example_timeout),
        "consumer --from middle");
    expect_usage_error(
        run_process({REDSTREAM_EXAMPLE_LOAD_BALANCED, "--stream", good, "--workers", "0"},
                    example_timeout),
        "load_balanced --workers 0");
    expect_usage_error(run_process({REDSTREAM_EXAMPLE_PROCESSOR, "--input", good}, example_timeout),
                       "processor without --output");
    expect_usage_error(
        run_process({REDSTREAM_EXAMPLE_CLOCK, "--stream", "redis://h/a,b"}, example_timeout),
        "clock with two streams");
}

TEST(ExampleArgumentChecks, AServerThatIsNotThereIsAnErrorWithExitStatus1) {
    const auto port = find_free_port();  // nothing listens there
    const auto r = run_process({REDSTREAM_EXAMPLE_CLOCK, "--stream",
                                "redis://127.0.0.1:" + std::to_string(port) + "/s", "--count", "1"},
                               example_timeout);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.err.rfind("clock: error: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace redstream::test
