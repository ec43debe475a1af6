// Byte-level tests of the RESP reader: every type, splits at every byte,
// lifetimes of views across buffer reuse, malformed input and limits.
#include <redstream/resp/reader.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <redstream/core/error.hpp>

namespace redstream::resp {
namespace {

using namespace std::string_literals;

// A canonical text form of a value, so two parses can be compared exactly.
std::string describe(const Value& v) {
    std::string s(type_name(v.type()));
    if (v.type() == Type::verbatim_string) s += "[" + std::string(v.node().format, 3) + "]";
    if (v.type() == Type::integer || v.type() == Type::boolean)
        s += "(" + std::to_string(v.node().count) + ")";
    if (!v.is_aggregate()) return s + "'" + std::string(v.str()) + "'";
    s += "{";
    for (const Value child : v)
        s += describe(child) + ",";
    return s + "}";
}

std::string describe(const Reply& r) {
    std::string s;
    if (auto a = r.attribute()) s = "attr:" + describe(*a) + " ";
    return s + describe(r.root());
}

// Parses exactly one reply from `bytes`, fed at once.
Reply parse_one(std::string_view bytes, ReaderLimits limits = {}) {
    Reader reader(limits);
    reader.feed(bytes);
    Reply r;
    std::error_code ec;
    EXPECT_TRUE(reader.next(r, ec)) << ec.message() << " for " << bytes;
    EXPECT_FALSE(ec);
    EXPECT_EQ(reader.buffered(), 0U);
    return r;
}

std::error_code parse_error(std::string_view bytes, ReaderLimits limits = {}) {
    Reader reader(limits);
    reader.feed(bytes);
    Reply r;
    std::error_code ec;
    while (reader.next(r, ec)) {
    }
    return ec;
}

const std::vector<std::string> corpus = {
    "+OK\r\n",
    "-ERR something bad\r\n",
    ":0\r\n",
    ":-9223372036854775808\r\n",
    ":9223372036854775807\r\n",
    "$5\r\nhello\r\n",
    "$0\r\n\r\n",
    "$-1\r\n",
    "*-1\r\n",
    "*0\r\n",
    "$6\r\na\r\nb\r\n\r\n",
    "*3\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n-b\r\n",
    "_\r\n",
    "#t\r\n",
    "#f\r\n",
    ",3.25\r\n",
    ",inf\r\n",
    ",-inf\r\n",
    ",nan\r\n",
    ",1e+300\r\n",
    "(3492890328409238509324850943850943825024385\r\n",
    "!21\r\nSYNTAX invalid syntax\r\n",
    "=15\r\ntxt:Some string\r\n",
    "%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n:2\r\n",
    "~3\r\n+a\r\n+b\r\n+c\r\n",
    "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:"
    "9543892\r\n",
    "*3\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n:3\r\n",
    ">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
    "*2\r\n*0\r\n%0\r\n",
    "*1\r\n*1\r\n*1\r\n*1\r\n$-1\r\n",
    "*2\r\n*2\r\n$15\r\n1526985054069-0\r\n*4\r\n$4\r\nname\r\n$4\r\nSara\r\n"
    "$7\r\nsurname\r\n$8\r\nOConnell\r\n*2\r\n$15\r\n1526985054079-0\r\n*-1\r\n",
};

TEST(RespReader, EveryType) {
    EXPECT_EQ(describe(parse_one("+OK\r\n")), "simple_string'OK'");
    EXPECT_EQ(describe(parse_one("-ERR x\r\n")), "simple_error'ERR x'");
    EXPECT_EQ(parse_one(":-42\r\n").root().to_int(), -42);
    EXPECT_EQ(parse_one("$5\r\nhello\r\n").root().str(), "hello");
    EXPECT_EQ(parse_one("$5\r\nhello\r\n").root().type(), Type::bulk_string);
    EXPECT_TRUE(parse_one("$-1\r\n").root().is_null());
    EXPECT_TRUE(parse_one("*-1\r\n").root().is_null());
    EXPECT_TRUE(parse_one("_\r\n").root().is_null());
    EXPECT_EQ(parse_one("#t\r\n").root().to_bool(), true);
    EXPECT_EQ(parse_one("#f\r\n").root().to_bool(), false);
    EXPECT_EQ(parse_one(",3.25\r\n").root().to_double(), 3.25);
    EXPECT_EQ(parse_one(",inf\r\n").root().to_double(), INFINITY);
    EXPECT_EQ(parse_one(",-inf\r\n").root().to_double(), -INFINITY);
    EXPECT_TRUE(std::isnan(*parse_one(",nan\r\n").root().to_double()));
    EXPECT_EQ(parse_one("(-12345678901234567890123\r\n").root().type(), Type::big_number);
    EXPECT_EQ(parse_one("(-12345678901234567890123\r\n").root().str(), "-12345678901234567890123");
    auto err = parse_one("!10\r\nBUSY hello\r\n");
    EXPECT_EQ(err.root().type(), Type::bulk_error);
    EXPECT_TRUE(err.root().is_error());
    EXPECT_EQ(error_of(err.root()), make_error_code(errc::busy));
    auto verbatim = parse_one("=15\r\ntxt:Some string\r\n");
    EXPECT_EQ(verbatim.root().type(), Type::verbatim_string);
    EXPECT_EQ(verbatim.root().str(), "Some string");
    EXPECT_EQ(std::string_view(verbatim.root().node().format, 3), "txt");
}

TEST(RespReader, Aggregates) {
    auto r = parse_one(corpus[11]);
    EXPECT_EQ(describe(r),
              "array{integer(1)'1',bulk_string'foo',array{simple_string'a',simple_error'b',},}");
    auto mr = parse_one("%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n:2\r\n");
    auto m = mr.root();
    EXPECT_EQ(m.type(), Type::map);
    EXPECT_EQ(m.size(), 4U);
    EXPECT_EQ(m[2].str(), "second");
    EXPECT_EQ(m[3][0].to_int(), 2);
    auto sr = parse_one("~2\r\n+a\r\n+b\r\n");
    auto s = sr.root();
    EXPECT_EQ(s.type(), Type::set);
    EXPECT_EQ(s[1].str(), "b");
    auto pr = parse_one(corpus[27]);
    auto p = pr.root();
    EXPECT_EQ(p.type(), Type::push);
    EXPECT_EQ(p[0].str(), "message");
    EXPECT_EQ(describe(parse_one("*2\r\n*0\r\n%0\r\n")), "array{array{},map{},}");
    EXPECT_EQ(describe(parse_one(corpus[29])), "array{array{array{array{null'',},},},}");
}

TEST(RespReader, AttributeBeforeRoot) {
    auto r = parse_one(corpus[25]);
    ASSERT_TRUE(r.attribute().has_value());
    EXPECT_EQ(r.attribute()->type(), Type::attribute);
    EXPECT_EQ(r.attribute()->size(), 2U);
    EXPECT_EQ((*r.attribute())[1][1].to_double(), 0.1923);
    auto root = r.root();
    EXPECT_EQ(root.type(), Type::array);
    EXPECT_EQ(root.size(), 2U);
    EXPECT_EQ(root[1].to_int(), 9543892);
}

TEST(RespReader, AttributeInsideAggregate) {
    auto r = parse_one(corpus[26]);
    EXPECT_FALSE(r.attribute().has_value());
    auto root = r.root();
    EXPECT_EQ(root.size(), 3U);
    EXPECT_EQ(root[0].to_int(), 1);
    EXPECT_EQ(root[1].to_int(), 2);  // the attribute before it is skipped
    EXPECT_EQ(root[2].to_int(), 3);
    EXPECT_EQ(describe(r), "array{integer(1)'1',integer(2)'2',integer(3)'3',}");
    // A sibling's attribute right after an empty aggregate is not its child.
    auto er = parse_one("*2\r\n*0\r\n|1\r\n+a\r\n+b\r\n:7\r\n");
    auto e = er.root();
    EXPECT_EQ(e[0].size(), 0U);
    EXPECT_TRUE(e[0].begin() == e[0].end());
    EXPECT_EQ(e[1].to_int(), 7);
}

TEST(RespReader, BinaryAndBigBulk) {
    const std::string binary = "a\r\nb\0c\r"s + "\n\xff"s;
    auto r = parse_one("$" + std::to_string(binary.size()) + "\r\n" + binary + "\r\n");
    EXPECT_EQ(r.root().str(), binary);
    const std::string big(3 * 1024 * 1024 + 7, 'x');
    Reader reader;
    const std::string wire = "$" + std::to_string(big.size()) + "\r\n" + big + "\r\n";
    // Arrives in socket-sized reads; the bulk must come out in one piece.
    for (std::size_t pos = 0; pos < wire.size();) {
        auto span = reader.prepare(4096);
        const std::size_t n = std::min({span.size(), wire.size() - pos, std::size_t{16384}});
        std::memcpy(span.data(), wire.data() + pos, n);
        reader.commit(n);
        pos += n;
    }
    Reply out;
    std::error_code ec;
    ASSERT_TRUE(reader.next(out, ec));
    EXPECT_EQ(out.root().str(), big);
}

TEST(RespReader, EverySplitPoint) {
    for (const auto& bytes : corpus) {
        const std::string expected = describe(parse_one(bytes));
        for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
            Reader reader;
            Reply r;
            std::error_code ec;
            reader.feed(std::string_view(bytes).substr(0, cut));
            ASSERT_FALSE(reader.next(r, ec)) << bytes << " cut at " << cut;
            ASSERT_FALSE(ec);
            EXPECT_EQ(reader.buffered(), cut);
            reader.feed(std::string_view(bytes).substr(cut));
            ASSERT_TRUE(reader.next(r, ec)) << bytes << " cut at " << cut << ": " << ec.message();
            EXPECT_EQ(describe(r), expected);
            EXPECT_EQ(reader.buffered(), 0U);
        }
    }
}

TEST(RespReader, OneByteAtATime) {
    // Tiny blocks force a block switch in the middle of almost every reply.
    for (std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{65536}}) {
        ReaderLimits limits;
        limits.block_size = block;
        Reader reader(limits);
        std::vector<Reply> replies;
        for (const auto& bytes : corpus) {
            for (char c : bytes) {
                Reply r;
                std::error_code ec;
                reader.feed(std::string_view(&c, 1));
                if (reader.next(r, ec)) replies.push_back(r);
                ASSERT_FALSE(ec);
            }
        }
        ASSERT_EQ(replies.size(), corpus.size());
        for (std::size_t i = 0; i < corpus.size(); ++i)
            EXPECT_EQ(describe(replies[i]), describe(parse_one(corpus[i]))) << corpus[i];
    }
}

TEST(RespReader, ManyRepliesInOneFeed) {
    std::string all;
    for (const auto& bytes : corpus)
        all += bytes;
    Reader reader;
    reader.feed(all);
    Reply r;
    std::error_code ec;
    for (const auto& bytes : corpus) {
        ASSERT_TRUE(reader.next(r, ec));
        EXPECT_EQ(describe(r), describe(parse_one(bytes)));
    }
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_FALSE(ec);
    EXPECT_EQ(reader.buffered(), 0U);
}

std::string payload_of(int i) {
    return std::string(static_cast<std::size_t>(i % 97), static_cast<char>('a' + i % 26));
}

TEST(RespReader, RepliesOutliveBufferReuse) {
    ReaderLimits limits;
    limits.block_size = 256;
    Reader reader(limits);
    std::vector<Reply> kept;
    Reply r;
    std::error_code ec;
    for (int i = 0; i < 2000; ++i) {
        const std::string payload = payload_of(i);
        const std::string wire = "*2\r\n:" + std::to_string(i) + "\r\n$" +
                                 std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
        // Split so that many replies straddle two feeds (and two blocks).
        reader.feed(std::string_view(wire).substr(0, wire.size() / 2));
        EXPECT_FALSE(reader.next(r, ec));
        reader.feed(std::string_view(wire).substr(wire.size() / 2));
        ASSERT_TRUE(reader.next(r, ec));
        kept.push_back(r);
        // Drop some, so that blocks are freed or reused under the others.
        if (i % 2 == 0 && kept.size() > 1) kept.erase(kept.end() - 2);
    }
    r = Reply();
    ASSERT_GT(kept.size(), 100U);
    for (const auto& reply : kept) {
        const auto i = static_cast<int>(*reply.root()[0].to_int());
        EXPECT_EQ(reply.root()[1].str(), payload_of(i));
    }
}

TEST(RespReader, SteadyStateReusesBlock) {
    Reader reader;
    Reply r;
    std::error_code ec;
    reader.feed("+first\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    r = Reply();
    const char* start = reader.prepare(16).data();
    for (int i = 0; i < 100; ++i) {
        auto span = reader.prepare(16);
        EXPECT_EQ(span.data(), start) << "allocated although no reply was alive";
        std::memcpy(span.data(), ":1\r\n", 4);
        reader.commit(4);
        ASSERT_TRUE(reader.next(r, ec));
        EXPECT_EQ(r.root().to_int(), 1);
        r = Reply();
    }
}

struct BadInput {
    std::string bytes;
    errc code;
};

TEST(RespReader, MalformedInput) {
    const std::vector<BadInput> cases = {
        {"?x\r\n", errc::invalid_type_byte},
        {"\r\n", errc::invalid_type_byte},
        {"$abc\r\n", errc::invalid_length},
        {"$-2\r\n", errc::invalid_length},
        {"*-5\r\n", errc::invalid_length},
        {"%-1\r\n", errc::invalid_length},
        {"!-1\r\n", errc::invalid_length},
        {"*?\r\n", errc::invalid_length},
        {"$\r\n", errc::invalid_length},
        {"$99999999999999999999\r\n", errc::invalid_length},
        {"$3\r\nfooXY", errc::missing_crlf},
        {"$3\r\nfoo\n\r", errc::missing_crlf},
        {"+OK\n", errc::missing_crlf},
        {"+OK\rX\r\n", errc::missing_crlf},
        {"$3\nfoo\r\n", errc::missing_crlf},
        {":12\r3\r\n", errc::missing_crlf},
        {":12a\r\n", errc::invalid_number},
        {":\r\n", errc::invalid_number},
        {":99999999999999999999\r\n", errc::invalid_number},
        {"#x\r\n", errc::invalid_number},
        {",1.2.3\r\n", errc::invalid_number},
        {",\r\n", errc::invalid_number},
        {"(12a\r\n", errc::invalid_number},
        {"=3\r\ntxt\r\n", errc::protocol_error},
        {"=5\r\ntxtxx\r\n", errc::protocol_error},
        {"_x\r\n", errc::protocol_error},
        {"*1\r\n*1\r\n?\r\n", errc::invalid_type_byte},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(parse_error(c.bytes), make_error_code(c.code)) << c.bytes;
    }
}

TEST(RespReader, OverlongLine) {
    ReaderLimits limits;
    limits.max_line = 100;
    EXPECT_EQ(parse_error("+" + std::string(200, 'a'), limits),
              make_error_code(errc::protocol_error));
    EXPECT_EQ(parse_error("+" + std::string(200, 'a') + "\r\n", limits),
              make_error_code(errc::protocol_error));
    EXPECT_FALSE(parse_error("+" + std::string(90, 'a') + "\r\n", limits));
    // Default: 64 KiB.
    EXPECT_EQ(parse_error(":" + std::string(70000, '1')), make_error_code(errc::protocol_error));
}

TEST(RespReader, Limits) {
    ReaderLimits limits;
    limits.max_depth = 3;
    EXPECT_EQ(parse_error("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits),
              make_error_code(errc::nesting_too_deep));
    EXPECT_FALSE(parse_error("*1\r\n*1\r\n*1\r\n:1\r\n", limits));
    limits = {};
    limits.max_elements = 10;
    EXPECT_EQ(parse_error("*11\r\n", limits), make_error_code(errc::aggregate_too_large));
    EXPECT_EQ(parse_error("%6\r\n", limits), make_error_code(errc::aggregate_too_large));
    limits = {};
    limits.max_bulk = 10;
    EXPECT_EQ(parse_error("$11\r\n", limits), make_error_code(errc::bulk_too_large));
    EXPECT_EQ(parse_error("=11\r\n", limits), make_error_code(errc::bulk_too_large));
}

TEST(RespReader, HugeDeclaredCountAllocatesNothingUpFront) {
    ReaderLimits limits;
    limits.max_elements = 4'000'000'000ULL;
    Reader reader(limits);
    reader.feed("*2000000000\r\n:1\r\n");
    Reply r;
    std::error_code ec;
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_FALSE(ec);
    EXPECT_GT(reader.buffered(), 0U);
}

// Feeds `wire` in two pieces split at `split` and reads one reply (or the error).
std::error_code parse_split(std::string_view wire, std::size_t split, ReaderLimits limits) {
    Reader reader(limits);
    Reply r;
    std::error_code ec;
    reader.feed(wire.substr(0, split));
    if (reader.next(r, ec)) return {};
    if (ec) return ec;
    reader.feed(wire.substr(split));
    if (reader.next(r, ec)) return {};
    return ec ? ec : make_error_code(errc::protocol_error);  // incomplete: not expected here
}

ReaderLimits reply_bound(std::uint64_t bytes) {
    ReaderLimits limits;
    limits.max_reply_bytes = bytes;
    return limits;
}

TEST(RespReader, ReplyBoundCountsInputAndNodes) {
    // One node and its bytes: the bound is exactly the two together.
    const std::string wire = "$1000\r\n" + std::string(1000, 'x') + "\r\n";
    const std::uint64_t exact = wire.size() + sizeof(Node);
    for (std::size_t split = 0; split <= wire.size(); ++split) {
        EXPECT_FALSE(parse_split(wire, split, reply_bound(exact))) << split;
        EXPECT_EQ(parse_split(wire, split, reply_bound(exact - 1)),
                  make_error_code(errc::reply_too_large))
            << split;
    }
}

TEST(RespReader, ReplyBoundDoesNotDependOnHowBytesAreSplit) {
    std::string wire = "*4\r\n";
    for (int i = 0; i < 3; ++i)
        wire += "$300\r\n" + std::string(300, static_cast<char>('a' + i)) + "\r\n";
    wire += ":7\r\n";
    // The smallest bound this reply fits in, found with the reply fed at once.
    std::uint64_t least = wire.size();
    while (parse_split(wire, wire.size(), reply_bound(least)) && least < wire.size() + 4096)
        ++least;
    // It holds at least its bytes and 5 nodes, and not much more.
    EXPECT_GE(least, wire.size() + 5 * sizeof(Node));
    EXPECT_LE(least, wire.size() + 16 * sizeof(Node));
    for (std::size_t split = 0; split <= wire.size(); ++split) {
        EXPECT_FALSE(parse_split(wire, split, reply_bound(least))) << split;
        EXPECT_EQ(parse_split(wire, split, reply_bound(least - 1)),
                  make_error_code(errc::reply_too_large))
            << split;
    }
}

TEST(RespReader, ReplyBoundReportedBeforeALaterMalformedElement) {
    // The bulk takes the reply over the bound; the element after it is
    // malformed. Whichever way the bytes arrive, the first fault is reported.
    const std::string wire = "*4\r\n:1\r\n:2\r\n$300\r\n" + std::string(300, 'x') + "\r\n?x\r\n";
    for (std::size_t split = 0; split <= wire.size(); ++split)
        EXPECT_EQ(parse_split(wire, split, reply_bound(300)),
                  make_error_code(errc::reply_too_large))
            << split;
    // Within the bound, the malformed element is what fails.
    EXPECT_EQ(parse_split(wire, wire.size(), reply_bound(4096)),
              make_error_code(errc::invalid_type_byte));
}

TEST(RespReader, BulkBeyondTheReplyBoundFailsAtItsHeaderWithoutAllocating) {
    constexpr std::uint64_t bound = 1024 * 1024;
    Reader reader(reply_bound(bound));  // max_bulk stays 512 MiB: the reply bound caps it
    Reply r;
    std::error_code ec;
    reader.feed("*2\r\n:1\r\n$536870912\r\n");
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_EQ(ec, make_error_code(errc::reply_too_large));
    EXPECT_EQ(ec, condition::protocol);
    // Nothing was sized for the body: the buffer hands out a normal block.
    EXPECT_LT(reader.prepare(4096).size(), bound);

    // Just within the bound, the same header is accepted and its body's room
    // is made at once.
    Reader fits(reply_bound(bound));
    fits.feed("$1000000\r\n");
    EXPECT_FALSE(fits.next(r, ec));
    EXPECT_FALSE(ec);
    EXPECT_GE(fits.prepare(4096).size(), 1000000U - 4096U);
}

TEST(RespReader, EndlessArrayFailsOnceTheBoundIsCrossed) {
    constexpr std::uint64_t bound = 1024 * 1024;
    Reader reader(reply_bound(bound));
    Reply r;
    std::error_code ec;
    reader.feed("*16777216\r\n");
    std::string chunk;
    for (int i = 0; i < 4096; ++i)
        chunk += ":1\r\n";
    std::uint64_t fed = 0;
    while (!ec && fed < 16 * bound) {
        reader.feed(chunk);
        fed += chunk.size();
        EXPECT_FALSE(reader.next(r, ec));
    }
    EXPECT_EQ(ec, make_error_code(errc::reply_too_large));
    // Each 4-byte element costs a 32-byte node: the nodes reach the bound
    // long before the input does.
    EXPECT_LE(fed, bound / 8 + chunk.size()) << "nodes are not counted";
}

TEST(RespReader, ReplyTooLargeStaysFailedUntilReset) {
    Reader reader(reply_bound(4096));
    Reply r;
    std::error_code ec;
    reader.feed("+small\r\n$5000\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(r.root().str(), "small");
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_EQ(ec, make_error_code(errc::reply_too_large));
    reader.feed(std::string(5000, 'x') + "\r\n+next\r\n");
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_EQ(ec, make_error_code(errc::reply_too_large));
    reader.reset();
    reader.feed("*2\r\n$3\r\nabc\r\n:5\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_FALSE(ec);
    EXPECT_EQ(describe(r), "array{bulk_string'abc',integer(5)'5',}");
    // The bound is per reply: many replies together may exceed it.
    for (int i = 0; i < 10; ++i) {
        reader.feed("$3000\r\n" + std::string(3000, 'y') + "\r\n");
        ASSERT_TRUE(reader.next(r, ec)) << ec.message();
    }
}

TEST(RespReader, SmallReadsFillABlockThatRepliesHold) {
    // A reply arriving in small reads while earlier replies are alive must
    // not take a fresh block per read.
    ReaderLimits limits;
    limits.block_size = 4096;
    Reader reader(limits);
    Reply kept;
    std::error_code ec;
    reader.feed("+first\r\n");
    ASSERT_TRUE(reader.next(kept, ec));
    const std::string wire = "$2000\r\n" + std::string(2000, 'z') + "\r\n";
    const char* block = reader.prepare(64).data();
    Reply r;
    for (std::size_t pos = 0; pos < wire.size(); pos += 10) {
        auto span = reader.prepare(4096);  // asks for more than is left
        EXPECT_GE(span.size(), 10U);
        const auto n = std::min<std::size_t>(10, wire.size() - pos);
        std::memcpy(span.data(), wire.data() + pos, n);
        reader.commit(n);
        EXPECT_EQ(reader.next(r, ec), pos + n == wire.size());
    }
    EXPECT_EQ(r.root().str(), std::string(2000, 'z'));
    EXPECT_GE(r.root().str().data(), block);
    EXPECT_LT(r.root().str().data(), block + limits.block_size) << "moved to another block";
    EXPECT_EQ(kept.root().str(), "first");
}

TEST(RespReader, BlockGrownForABigBulkIsNotKept) {
    ReaderLimits limits;
    limits.block_size = 4096;
    Reader reader(limits);
    Reply r;
    std::error_code ec;
    reader.feed("$100000\r\n" + std::string(100000, 'b') + "\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_GE(reader.prepare(64).size(), 64U);  // still in use: kept
    r = Reply();
    EXPECT_LE(reader.prepare(64).size(), limits.block_size) << "kept a 100 kB block for good";
    reader.feed("+ok\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(r.root().str(), "ok");
}

TEST(RespReader, TruncatedNesting) {
    Reader reader;
    reader.feed("*3\r\n*2\r\n:1\r\n:2\r\n");
    Reply r;
    std::error_code ec;
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_FALSE(ec);
    EXPECT_EQ(reader.buffered(), 16U);
    EXPECT_FALSE(reader.next(r, ec));
    reader.feed("$1\r\n");
    EXPECT_FALSE(reader.next(r, ec));
    reader.feed("x\r\n_\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(describe(r), "array{array{integer(1)'1',integer(2)'2',},bulk_string'x',null'',}");
}

TEST(RespReader, StaysFailedUntilReset) {
    Reader reader;
    Reply r;
    std::error_code ec;
    reader.feed("+OK\r\n@bad\r\n+NEXT\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_EQ(ec, make_error_code(errc::invalid_type_byte));
    reader.feed("+more\r\n");
    EXPECT_FALSE(reader.next(r, ec));
    EXPECT_EQ(ec, make_error_code(errc::invalid_type_byte));
    reader.reset();
    EXPECT_EQ(reader.buffered(), 0U);
    reader.feed("*1\r\n$2\r\nok\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_FALSE(ec);
    EXPECT_EQ(r.root()[0].str(), "ok");
}

TEST(RespReader, ResetDropsPartialReplyButNotLiveOnes) {
    Reader reader;
    Reply kept;
    std::error_code ec;
    reader.feed("$5\r\nhello\r\n*2\r\n:1\r\n");
    ASSERT_TRUE(reader.next(kept, ec));
    Reply r;
    EXPECT_FALSE(reader.next(r, ec));
    reader.reset();
    reader.feed("$5\r\nworld\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(r.root().str(), "world");
    EXPECT_EQ(kept.root().str(), "hello");
}

TEST(RespReader, PrepareCommit) {
    Reader reader;
    const std::string wire = "*2\r\n$3\r\nabc\r\n:5\r\n";
    auto span = reader.prepare(wire.size());
    ASSERT_GE(span.size(), wire.size());
    std::memcpy(span.data(), wire.data(), 7);
    reader.commit(7);
    Reply r;
    std::error_code ec;
    EXPECT_FALSE(reader.next(r, ec));
    span = reader.prepare(1);
    std::memcpy(span.data(), wire.data() + 7, wire.size() - 7);
    reader.commit(wire.size() - 7);
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(r.root()[0].str(), "abc");
}

TEST(RespReader, FeedsBeforeParsingAFinishedBulk) {
    // Found by fuzzing: a bulk that became complete but was not parsed yet
    // must not make prepare() ask for a negative amount of room.
    ReaderLimits limits;
    limits.block_size = 8;
    Reader reader(limits);
    Reply r;
    std::error_code ec;
    reader.feed("$10\r\nab");
    EXPECT_FALSE(reader.next(r, ec));
    reader.feed("cdefghij\r\n+more");
    reader.feed("\r\n");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(r.root().str(), "abcdefghij");
    ASSERT_TRUE(reader.next(r, ec));
    EXPECT_EQ(r.root().str(), "more");
}

TEST(RespReader, MovedReaderKeepsWorking) {
    Reader a;
    a.feed("+x");
    Reader b(std::move(a));
    b.feed("\r\n");
    Reply r;
    std::error_code ec;
    ASSERT_TRUE(b.next(r, ec));
    EXPECT_EQ(r.root().str(), "x");
}

}  // namespace
}  // namespace redstream::resp
