// Exact bytes of serialized commands.
#include <redstream/resp/request.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace redstream::resp {
namespace {

using namespace std::string_literals;

TEST(RespRequest, PushStrings) {
    Request req;
    req.push("SET", "key", std::string("value"));
    EXPECT_EQ(req.payload(), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    EXPECT_EQ(req.commands(), 1U);
}

TEST(RespRequest, PushNumbers) {
    Request req;
    req.push("X", 42, -7, std::numeric_limits<std::uint64_t>::max(),
             std::numeric_limits<std::int64_t>::min(), 0U);
    EXPECT_EQ(req.payload(),
              "*6\r\n$1\r\nX\r\n$2\r\n42\r\n$2\r\n-7\r\n$20\r\n18446744073709551615\r\n"
              "$20\r\n-9223372036854775808\r\n$1\r\n0\r\n");
}

TEST(RespRequest, PushDoubles) {
    Request req;
    req.push("D", 1.5, -0.25, 1e300);
    EXPECT_EQ(req.payload(), "*4\r\n$1\r\nD\r\n$3\r\n1.5\r\n$5\r\n-0.25\r\n$6\r\n1e+300\r\n");
}

TEST(RespRequest, PushMessageId) {
    Request req;
    req.push("XACK", "s", "g", MessageId{1526985054069, 3}, MessageId::max());
    EXPECT_EQ(req.payload(),
              "*5\r\n$4\r\nXACK\r\n$1\r\ns\r\n$1\r\ng\r\n$15\r\n1526985054069-3\r\n"
              "$41\r\n18446744073709551615-18446744073709551615\r\n");
}

TEST(RespRequest, EmptyAndBinaryArguments) {
    Request req;
    req.push("SET", "", "a\r\n\0b"s);
    EXPECT_EQ(req.payload(), "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\r\n\0b\r\n"s);
}

TEST(RespRequest, BuilderWithManyArguments) {
    Request req;
    std::string expected_args = "$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n";
    {
        auto cmd = req.command("XADD");
        cmd.arg("s").arg("*");
        for (int i = 0; i < 500; ++i) {
            cmd.arg("f" + std::to_string(i)).arg(i);
            const std::string f = "f" + std::to_string(i);
            const std::string v = std::to_string(i);
            expected_args += "$" + std::to_string(f.size()) + "\r\n" + f + "\r\n";
            expected_args += "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
        }
    }
    EXPECT_EQ(req.payload(), "*1003\r\n" + expected_args);
    EXPECT_EQ(req.commands(), 1U);
}

TEST(RespRequest, FinishIsIdempotent) {
    Request req;
    auto cmd = req.command("PING");
    EXPECT_EQ(req.commands(), 0U);
    cmd.finish();
    cmd.finish();
    EXPECT_EQ(req.payload(), "*1\r\n$4\r\nPING\r\n");
    EXPECT_EQ(req.commands(), 1U);
}

TEST(RespRequest, SeveralCommands) {
    Request req;
    req.push("PING");
    req.command("GET").arg("k");
    req.push("INCRBY", "n", 10);
    EXPECT_EQ(req.payload(),
              "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
              "*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$2\r\n10\r\n");
    EXPECT_EQ(req.commands(), 3U);
    EXPECT_FALSE(req.empty());
    req.clear();
    EXPECT_TRUE(req.empty());
    EXPECT_EQ(req.payload(), "");
}

TEST(RespRequest, Config) {
    Request req(Request::Config{.fail_if_not_connected = true});
    EXPECT_TRUE(req.config().fail_if_not_connected);
}

}  // namespace
// Issue 10 §2: a large payload goes to the socket from where it is.
TEST(RespRequest, ByReferenceArgumentsAreSplicedInNotCopied) {
    const std::string big(1000, 'v');
    Request copy;
    copy.push("SET", "k", big);

    Request declared;  // argc up front: header first
    declared.command("SET", 3).arg("k").arg_by_reference(big);
    Request inserted;  // header inserted at finish(): the reference moves with its bytes
    inserted.command("SET").arg("k").arg_by_reference(big);

    for (const Request* req : {&declared, &inserted}) {
        std::string flat;
        bool referenced = false;
        req->for_each_piece([&](std::string_view piece) {
            flat.append(piece);
            referenced = referenced || piece.data() == big.data();
        });
        EXPECT_EQ(flat, copy.payload());
        EXPECT_TRUE(referenced) << "the argument was copied";
        EXPECT_TRUE(req->has_references());
        EXPECT_EQ(req->size(), copy.size());
        EXPECT_EQ(req->commands(), 1U);
    }

    Request both;  // append keeps the references, at their new offsets
    both.append(declared);
    both.append(inserted);
    std::string flat;
    both.for_each_piece([&](std::string_view piece) { flat.append(piece); });
    EXPECT_EQ(flat, std::string(copy.payload()) + std::string(copy.payload()));
    EXPECT_EQ(both.size(), 2 * copy.size());

    both.clear();
    EXPECT_FALSE(both.has_references());
    EXPECT_EQ(both.size(), 0U);
}

}  // namespace redstream::resp

namespace rs = redstream;

TEST(RespRequest, DeclaredCountWritesTheHeaderFirst) {
    rs::resp::Request req;
    req.command("SET", 3).arg("k").arg("v");
    rs::resp::Request same;
    same.push("SET", "k", "v");
    EXPECT_EQ(req.payload(), same.payload());
    EXPECT_EQ(req.commands(), 1u);
}

TEST(RespRequest, SizesMatchWhatIsWritten) {
    for (std::size_t n : {0u, 1u, 9u, 10u, 99u, 100u, 12345u}) {
        rs::resp::Request req;
        req.push("X", std::string(n, 'a'));
        EXPECT_EQ(req.size(),
                  rs::resp::header_size(2) + rs::resp::bulk_size(1) + rs::resp::bulk_size(n));
    }
}

TEST(RespRequest, KeysRecordTheirSlot) {
    rs::resp::Request req;
    EXPECT_EQ(req.slot(), rs::resp::Request::no_slot);
    req.command("GET").key("foo");
    EXPECT_EQ(req.slot(), 12182);
    req.command("GET").key("{foo}.bar");
    EXPECT_EQ(req.slot(), 12182);
    EXPECT_FALSE(req.multi_slot());
    EXPECT_FALSE(req.cross_slot());
    req.command("GET").key("bar");
    EXPECT_TRUE(req.multi_slot());   // a router would split these commands
    EXPECT_FALSE(req.cross_slot());  // but each is on one slot
    req.clear();
    EXPECT_EQ(req.slot(), rs::resp::Request::no_slot);
    EXPECT_FALSE(req.multi_slot());
}

TEST(RespRequest, ACommandSpanningSlotsIsMarked) {
    rs::resp::Request req;
    req.command("MGET").key("foo").key("bar");
    EXPECT_TRUE(req.cross_slot());
    rs::resp::Request tagged;
    tagged.command("MGET").key("{u}a").key("{u}b");
    EXPECT_FALSE(tagged.cross_slot());
}

TEST(RespRequest, ShardKeysAreWrittenAndHashedWhole) {
    rs::resp::Request req;
    req.command("XLEN").shard_key("orders", 12);
    rs::resp::Request same;
    same.command("XLEN").key("orders:12");
    EXPECT_EQ(req.payload(), same.payload());
    EXPECT_EQ(req.slot(), same.slot());
}

TEST(RespRequest, AppendKeepsTheSlots) {
    rs::resp::Request a, b, c;
    a.command("GET").key("foo");
    b.command("GET").key("{foo}x");
    c.command("GET").key("bar");
    a.append(b);
    EXPECT_EQ(a.slot(), 12182);
    EXPECT_FALSE(a.multi_slot());
    a.append(c);
    EXPECT_TRUE(a.multi_slot());
}

TEST(RespRequest, KnownSlotsAreTakenAsGiven) {
    rs::resp::Request hashed, known;
    hashed.command("XLEN").shard_key("orders", 3);
    known.command("XLEN").shard_key_in_slot("orders", 3, static_cast<std::uint16_t>(hashed.slot()));
    EXPECT_EQ(known.payload(), hashed.payload());
    EXPECT_EQ(known.slot(), hashed.slot());
    rs::resp::Request plain;
    plain.command("XLEN").key_in_slot("orders", 42);
    EXPECT_EQ(plain.slot(), 42);
}

// A cluster router splits a pipeline by node and re-sends single commands:
// each command keeps its slot, and copying one out gives exactly its bytes.
TEST(RespRequest, EachCommandKeepsItsSlotAndCanBeCopiedOut) {
    const std::string big(1000, 'v');
    rs::resp::Request req;
    req.command("SET").key("foo").arg_by_reference(big);  // header inserted at finish()
    req.push("PING");
    req.command("GET", 2).key("bar");
    rs::resp::Request tail;
    tail.command("SET", 3).key("{foo}x").arg_by_reference(big);
    req.append(tail);
    ASSERT_EQ(req.commands(), 4U);
    EXPECT_EQ(req.command_slot(0), 12182);
    EXPECT_EQ(req.command_slot(1), rs::resp::Request::no_slot);
    EXPECT_EQ(req.command_slot(2), 5061);
    EXPECT_EQ(req.command_slot(3), 12182);

    const auto flat = [](const rs::resp::Request& r) {
        std::string out;
        r.for_each_piece([&](std::string_view piece) { out.append(piece); });
        return out;
    };
    rs::resp::Request set, same_slot, ping;
    set.push("SET", "foo", big);
    same_slot.push("SET", "{foo}x", big);
    ping.push("PING");

    rs::resp::Request out;  // commands 0 and 3: one node's share
    out.append_command(req, 0);
    out.append_command(req, 3);
    EXPECT_EQ(flat(out), std::string(set.payload()) + std::string(same_slot.payload()));
    EXPECT_EQ(out.commands(), 2U);
    EXPECT_EQ(out.size(), set.size() + same_slot.size());
    EXPECT_EQ(out.slot(), 12182);
    EXPECT_FALSE(out.multi_slot());
    EXPECT_EQ(out.command_slot(1), 12182);
    int by_reference = 0;
    out.for_each_piece([&](std::string_view piece) { by_reference += piece.data() == big.data(); });
    EXPECT_EQ(by_reference, 2) << "the arguments were copied";

    rs::resp::Request rest;  // a command without keys, then one in another slot
    rest.append_command(req, 1);
    EXPECT_EQ(rest.slot(), rs::resp::Request::no_slot);
    rest.append_command(req, 2);
    EXPECT_EQ(rest.payload(), std::string(ping.payload()) + "*2\r\n$3\r\nGET\r\n$3\r\nbar\r\n");
    EXPECT_EQ(rest.slot(), 5061);
    EXPECT_FALSE(rest.multi_slot());
    rest.append_command(req, 0);
    EXPECT_TRUE(rest.multi_slot());
}
