// `redstream produce`: its input parsers directly, then the tool against a
// server of its own per test: payloads byte for byte, fields, partition keys
// over shards, --count and --rate, failures and bad arguments.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "cli.hpp"
#include "cli_io_support.hpp"
#include "field_text.hpp"
#include "input_lines.hpp"
#include "produce_input.hpp"
#include "support/eventually.hpp"

namespace cli = redstream::cli;
namespace rt = redstream::test;
using namespace std::string_literals;
using namespace std::chrono_literals;

namespace {

// Lines read back from `text` written into a pipe, with a cap of `max_line`.
std::vector<std::string> read_lines(const std::string& text, std::size_t max_line) {
    // The reader may stop before the writer is done (a line over the cap).
    std::signal(SIGPIPE, SIG_IGN);
    std::array<int, 2> fds{};
    EXPECT_EQ(::pipe(fds.data()), 0);
    std::thread writer([&text, fd = fds[1]] {
        std::size_t done = 0;
        while (done < text.size()) {
            const auto n = ::write(fd, text.data() + done, text.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });
    std::vector<std::string> lines;
    cli::InputLines in(fds[0], max_line);
    std::string line;
    try {
        while (in.next(line) == cli::InputLines::Result::line)
            lines.push_back(line);
    } catch (...) {
        ::close(fds[0]);
        writer.join();
        throw;
    }
    ::close(fds[0]);
    writer.join();
    return lines;
}

TEST(CliInputLines, SplitsAtNewlinesOnlyAndKeepsEveryOtherByte) {
    const auto lines = read_lines("a\n\nb\r\n\0c\nlast"s, 100);
    EXPECT_EQ(lines, (std::vector<std::string>{"a", "", "b\r", "\0c"s, "last"}));
    EXPECT_TRUE(read_lines("", 100).empty());
    EXPECT_EQ(read_lines("one\n", 100), std::vector<std::string>{"one"});
}

TEST(CliInputLines, LinesLongerThanAChunkAreWholeAndTheCapIsEnforced) {
    const std::string big(300'000, 'x');
    EXPECT_EQ(read_lines(big + "\nshort\n", 300'000), (std::vector<std::string>{big, "short"}));
    EXPECT_THROW(read_lines(big + "\n", 299'999), cli::InputError);
    EXPECT_THROW(read_lines(big, 1000), cli::InputError);  // also without a newline
    EXPECT_EQ(read_lines("0123456789\n", 10).size(), 1U);
}

TEST(CliFieldText, ParsesEscapesAndRoundTrips) {
    const auto f = cli::parse_fields_line("  a=1\tb=two\\ words c=x=y d= e\\=q=\\n\\0\\\\ ");
    ASSERT_EQ(f.size(), 5U);
    EXPECT_EQ(f[0], (cli::OwnedField{"a", "1"}));
    EXPECT_EQ(f[1], (cli::OwnedField{"b", "two words"}));
    EXPECT_EQ(f[2], (cli::OwnedField{"c", "x=y"}));
    EXPECT_EQ(f[3], (cli::OwnedField{"d", ""}));
    EXPECT_EQ(f[4], (cli::OwnedField{"e=q", "\n\0\\"s}));

    const std::string name = "a b=c\\\t", value = "x y\n\r\0=\\"s;
    std::string line;
    cli::append_field_text(line, name, true);
    line += '=';
    cli::append_field_text(line, value, false);
    EXPECT_EQ(cli::parse_fields_line(line), (std::vector<cli::OwnedField>{{name, value}}));

    EXPECT_THROW(cli::parse_fields_line("novalue"), cli::UsageError);
    EXPECT_THROW(cli::parse_fields_line("=v"), cli::UsageError);
    EXPECT_THROW(cli::parse_fields_line("a=b\\"), cli::UsageError);
}

TEST(CliProduceInput, EachFormTakesPayloadFieldsAndKey) {
    cli::OutgoingMessage m;
    cli::InputOptions fields{cli::InputFormat::fields, "msg", "user"};
    cli::parse_input_line("user=ann msg=hello n=1", fields, m);
    EXPECT_EQ(m.payload, "hello");
    EXPECT_EQ(m.fields, (std::vector<cli::OwnedField>{{"user", "ann"}, {"n", "1"}}));
    EXPECT_EQ(m.key, "ann");

    cli::InputOptions json{cli::InputFormat::json, "msg", ""};
    cli::parse_input_line(
        R"({"payload": {"base64": "AP8K"}, "fields": {"a": "1", "base64:/w==": "x"}, "key": "k",
            "id": "1-1"})",
        json, m);
    EXPECT_EQ(m.payload, "\0\xff\n"s);
    EXPECT_EQ(m.fields, (std::vector<cli::OwnedField>{{"a", "1"}, {"\xff", "x"}}));
    EXPECT_EQ(m.key, "k");

    json.key_field = "a";  // a field first, then a member
    cli::parse_input_line(R"({"fields": {"a": "from-field"}, "a": "member"})", json, m);
    EXPECT_EQ(m.key, "from-field");
    EXPECT_EQ(m.payload, "");
    cli::parse_input_line(R"({"payload": 7, "a": "member"})", json, m);
    EXPECT_EQ(m.key, "member");
    EXPECT_EQ(m.payload, "7");

    EXPECT_THROW(cli::parse_input_line("not json", json, m), cli::UsageError);
    EXPECT_THROW(cli::parse_input_line("[1]", json, m), cli::UsageError);
    EXPECT_THROW(cli::parse_input_line(R"({"payload": [1]})", json, m), cli::UsageError);
    EXPECT_TRUE(cli::is_blank_line(" \t", cli::InputFormat::json));
    EXPECT_FALSE(cli::is_blank_line("", cli::InputFormat::lines));
}

class CliProduce : public rt::CliServerTest {};

TEST_F(CliProduce, LinesArePayloadsByteForByte) {
    const auto r = cli({"produce", "s"}, "plain\n\xff\xfe raw\n\n tab\t and cr\r\nlast");
    ASSERT_EQ(r.status, 0) << r.err;
    // stdout is a pipe here: the summary is a JSON line.
    EXPECT_EQ(r.out, "{\"sent\":5,\"confirmed\":5,\"failed\":0}\n");
    EXPECT_EQ(payloads("s"),
              (std::vector<std::string>{"plain", "\xff\xfe raw", "", " tab\t and cr\r", "last"}));
}

TEST_F(CliProduce, FieldsLinesBecomeFieldsAndThePayloadFieldThePayload) {
    const auto r = cli({"produce", "--fields", "s"}, "a=1 b=two\\ words msg=hi\n\n  \nc=3\n");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = rt::json_lines(cli({"consume", "-e", "-J", "s"}).out);
    ASSERT_EQ(lines.size(), 2U);  // blank lines are skipped
    EXPECT_EQ(lines[0]["payload"], "hi");
    EXPECT_EQ(lines[0]["fields"].dump(), R"({"a":"1","b":"two words"})");
    EXPECT_EQ(lines[1]["payload"], "");
    EXPECT_EQ(lines[1]["fields"].dump(), R"({"c":"3"})");
    // In the server, the payload field comes first, then the others in order.
    EXPECT_EQ(server_.cli({"XRANGE", "s", "-", "+", "COUNT", "1"}).substr(16),
              "msg\nhi\na\n1\nb\ntwo words");
}

TEST_F(CliProduce, AKeyFieldKeepsEachKeyOnOneShard) {
    std::string input;
    for (int i = 0; i < 64; ++i)
        input += "user=u" + std::to_string(i % 8) + " n=" + std::to_string(i) + "\n";
    const auto r = cli({"produce", "--fields", "--key-field", "user", "--shards", "4", "s"}, input);
    ASSERT_EQ(r.status, 0) << r.err;
    std::map<std::string, std::set<std::string>> keys_of_user;
    std::set<std::string> keys;
    for (const auto& j : rt::json_lines(cli({"consume", "-e", "-J", "s"}).out)) {
        keys_of_user[j["fields"]["user"].get<std::string>()].insert(j["key"].get<std::string>());
        keys.insert(j["key"].get<std::string>());
    }
    ASSERT_EQ(keys_of_user.size(), 8U);
    for (const auto& [user, ks] : keys_of_user)
        EXPECT_EQ(ks.size(), 1U) << user;
    EXPECT_GT(keys.size(), 1U) << "8 keys over 4 shards use more than one";
}

TEST_F(CliProduce, OneKeyForAllGoesToOneShardAndNoKeyRoundRobin) {
    ASSERT_EQ(cli({"produce", "--key", "k", "--shards", "4", "one"}, "1\n2\n3\n4\n5\n").status, 0);
    std::set<std::string> keys;
    for (const auto& j : rt::json_lines(cli({"consume", "-e", "-J", "one"}).out))
        keys.insert(j["key"].get<std::string>());
    EXPECT_EQ(keys.size(), 1U);

    ASSERT_EQ(cli({"produce", "--shards", "4", "rr"}, "1\n2\n3\n4\n5\n6\n7\n8\n").status, 0);
    for (int shard = 0; shard < 4; ++shard)
        EXPECT_EQ(server_.cli({"XLEN", "rr:" + std::to_string(shard)}), "2") << shard;
}

TEST_F(CliProduce, CountStopsAndRatePaces) {
    auto r = cli({"produce", "--count", "4", "s"}, "1\n2\n3\n4\n5\n6\n");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(server_.cli({"XLEN", "s"}), "4");
    EXPECT_EQ(rt::json_lines(r.out).at(0)["sent"], 4);

    // Message n is due n/rate after the first: the 11th at 200 ms at 50/s.
    const auto start = std::chrono::steady_clock::now();
    r = cli({"produce", "--rate", "50", "paced"}, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(server_.cli({"XLEN", "paced"}), "11");
    EXPECT_GE(took, std::chrono::milliseconds(200));
}

TEST_F(CliProduce, JsonInputRoundTripsWhatConsumeWrites) {
    std::string bytes;
    for (int b = 0; b < 256; ++b)
        bytes += static_cast<char>(b);
    const cli::Json in{{"payload", cli::text_value(bytes)},
                       {"fields", {{"a", "x\ny"}, {"bin", cli::text_value("\xff\x00"s)}}}};
    auto r = cli({"produce", "-J", "src"}, in.dump() + "\n{\"payload\": \"\"}\n");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto copied = cli({"consume", "-e", "-J", "src"});
    ASSERT_EQ(copied.status, 0) << copied.err;
    r = cli({"produce", "-J", "dst"}, copied.out);
    ASSERT_EQ(r.status, 0) << r.err;

    const auto src = rt::json_lines(copied.out);
    const auto dst = rt::json_lines(cli({"consume", "-e", "-J", "dst"}).out);
    ASSERT_EQ(dst.size(), 2U);
    EXPECT_EQ(cli::bytes_of(dst[0]["payload"], "payload"), bytes);
    EXPECT_EQ(cli::bytes_of(dst[0]["fields"]["bin"], "bin"), "\xff\x00"s);
    EXPECT_EQ(dst[0]["fields"]["a"], "x\ny");
    EXPECT_EQ(dst[1]["payload"], "");
    for (std::size_t i = 0; i < src.size(); ++i) {
        EXPECT_EQ(src[i]["payload"], dst[i]["payload"]);
        EXPECT_EQ(src[i].value("fields", cli::Json()), dst[i].value("fields", cli::Json()));
    }
}

TEST_F(CliProduce, ABadInputLineStopsWithItsNumberAfterSendingTheOnesBefore) {
    const auto r =
        cli({"produce", "-J", "s"}, "{\"payload\": \"a\"}\nnot json\n{\"payload\": \"c\"}\n");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("line 2: not valid JSON"), std::string::npos) << r.err;
    EXPECT_EQ(server_.cli({"XLEN", "s"}), "1");
    EXPECT_EQ(rt::json_lines(r.out).at(0)["sent"], 1);
}

TEST_F(CliProduce, FailedSendsExitOneWithTheFirstError) {
    server_.cli({"SET", "s", "not a stream"});
    const auto r = cli({"produce", "s"}, "a\nb\n");
    EXPECT_EQ(r.status, 1);
    const auto summary = rt::json_lines(r.out).at(0);
    EXPECT_EQ(summary["sent"], 2);
    EXPECT_EQ(summary["failed"], 2);
    EXPECT_NE(r.err.find("2 of 2 sends failed; first: WRONGTYPE"), std::string::npos) << r.err;
}

TEST_F(CliProduce, CtrlCWhileWaitingForInputFlushesAndExits130) {
    const std::string dir = rt::make_temp_dir("redstream-produce-");
    const std::string fifo = dir + "/in";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // The shell hands its process over to the tool, with the fifo as stdin.
    rt::PipedProcess produce(
        {"sh", "-c", "exec \"$0\" --url \"$1\" produce s < \"$2\"", rt::cli_path(), url(), fifo});
    // Opens once the tool has opened its end (without waiting forever if it never does).
    int in = -1;
    ASSERT_TRUE(rt::eventually(
        [&in, &fifo] { return (in = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) >= 0; }, 10s));
    ASSERT_EQ(::write(in, "a\nb\n", 4), 4);
    EXPECT_TRUE(rt::eventually([this] { return server_.cli({"XLEN", "s"}) == "2"; }));
    produce.kill(SIGINT);  // while it waits in read(2) for more
    std::string summary;
    ASSERT_TRUE(produce.read_line(summary, std::chrono::steady_clock::now() + 10s));
    EXPECT_EQ(summary, R"({"sent":2,"confirmed":2,"failed":0,"interrupted":true})");
    EXPECT_EQ(produce.wait(), 130);
    ::close(in);
    ::unlink(fifo.c_str());
    ::rmdir(dir.c_str());
}

TEST_F(CliProduce, BadArgumentsExitTwoWithOneLineAndWriteNothing) {
    const std::vector<std::vector<std::string>> bad{
        {"produce", "s", "--key", "a", "--key-field", "b"},
        {"produce", "s", "--rate", "0"},
        {"produce", "s", "--rate", "fast"},
        {"produce", "s", "--shards", "0"},
        {"produce", "s", "--count", "0"},
        {"produce", "s", "--key-field", "f"},
        {"produce", "s", "--fields", "-J"},
        {"produce", "s", "--bogus"},
        {"produce"},
        {"produce", ""},
    };
    for (const auto& args : bad) {
        const auto r = cli(args, "x\n");
        EXPECT_EQ(r.status, 2) << args.back() << ": " << r.err;
        EXPECT_EQ(rt::split_lines(r.err).size(), 1U) << r.err;
        EXPECT_EQ(r.out, "");
    }
    EXPECT_EQ(keys(), 0);
}

}  // namespace
