// SlotMap from CLUSTER SLOTS replies captured from a redis-server 7.0.15
// cluster (3 masters, a replica each) in RESP2 and RESP3, with and without the
// networking metadata; from hand-made partial maps; and from malformed ones.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <redstream/cluster/slot_map.hpp>
#include <redstream/core/error.hpp>

#include "support/replies.hpp"

namespace redstream::cluster {
namespace {

using test::parse_reply;

// A node entry `[host, port, id, metadata]`, host "" for a RESP null.
std::string node(const std::string& host, int port, const std::string& id,
                 const std::string& metadata) {
    const std::string h =
        host == "null" ? "$-1\r\n" : "$" + std::to_string(host.size()) + "\r\n" + host + "\r\n";
    return "*4\r\n" + h + ":" + std::to_string(port) + "\r\n$40\r\n" + id + "\r\n" + metadata;
}

const std::string id_a = "0356aa8ad433e807dd15bc5d16e783b7669f57eb";
const std::string id_a_replica = "58ee606be928ddec7e3f1c48dcef312d7f621462";
const std::string id_b = "39b36a079d46edd1ba6256182958aa7492adbfee";
const std::string id_b_replica = "d01c2da210ad3a99980d16cc0ce42554b3fcfbcb";
const std::string id_c = "6c58af97d9658387327e99116de58e2286902132";
const std::string id_c_replica = "09ec6f4de8cda4bb6ac0f64173a49b0bb12e0b7a";

// The captured reply, byte for byte, with `host` and `meta(i)` (node i's
// metadata, 0..5 in the order listed) filled in per variant.
template <class Meta>
std::string three_shards(const std::string& host, Meta meta) {
    return "*3\r\n"
           "*4\r\n:0\r\n:5460\r\n" +
           node(host, 46429, id_a, meta(0)) + node(host, 35735, id_a_replica, meta(4)) +
           "*4\r\n:5461\r\n:10922\r\n" + node(host, 48743, id_b, meta(1)) +
           node(host, 37861, id_b_replica, meta(5)) + "*4\r\n:10923\r\n:16383\r\n" +
           node(host, 43871, id_c, meta(2)) + node(host, 44761, id_c_replica, meta(3));
}

std::string hostname_pairs(char type, int i) {
    const std::string name = "node" + std::to_string(i) + ".example";
    return std::string(1, type) + "1\r\n$8\r\nhostname\r\n$13\r\n" + name + "\r\n";
}

const std::string plain_resp2 = three_shards("127.0.0.1", [](int) { return "*0\r\n"; });
const std::string plain_resp3 = three_shards("127.0.0.1", [](int) { return "%0\r\n"; });
// cluster-announce-hostname set: RESP2 flat array, RESP3 map (both captured).
const std::string hostname_resp2 =
    three_shards("127.0.0.1", [](int i) { return "*2" + hostname_pairs('*', i).substr(2); });
const std::string hostname_resp3 =
    three_shards("127.0.0.1", [](int i) { return hostname_pairs('%', i); });
// cluster-preferred-endpoint-type unknown-endpoint: the host is null, the
// metadata carries both ip and hostname.
const std::string unknown_endpoint = three_shards("null", [](int i) {
    return "*4\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$13\r\nnode" +
           std::to_string(i) + ".example\r\n";
});
// Preferred hostname, but none announced: "?" as the host.
const std::string question_mark =
    three_shards("?", [](int) { return "*2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n"; });

SlotMap decode(const std::string& bytes, std::error_code& ec, std::string_view host = {}) {
    const auto reply = parse_reply(bytes);
    return SlotMap::from_cluster_slots(reply.root(), ec, host);
}

SlotMap decode_ok(const std::string& bytes, std::string_view host = {}) {
    std::error_code ec;
    auto map = decode(bytes, ec, host);
    EXPECT_FALSE(ec) << ec.message();
    return map;
}

void expect_three_shards(const SlotMap& map, const std::string& host) {
    EXPECT_TRUE(map.covers_all());
    EXPECT_EQ(map.covered_slots(), slot_count);
    EXPECT_EQ(map.nodes().size(), 6u);
    ASSERT_EQ(map.masters().size(), 3u);
    EXPECT_EQ(map.masters()[0]->name, host + ":46429");
    EXPECT_EQ(map.masters()[1]->name, host + ":48743");
    EXPECT_EQ(map.masters()[2]->name, host + ":43871");

    ASSERT_NE(map.master_of(0), nullptr);
    EXPECT_EQ(map.master_of(0)->endpoint, (HostPort{host, 46429}));
    EXPECT_EQ(map.master_of(0)->id, id_a);
    EXPECT_EQ(map.master_of(5460)->id, id_a);
    EXPECT_EQ(map.master_of(5461)->id, id_b);
    EXPECT_EQ(map.master_of(10922)->id, id_b);
    EXPECT_EQ(map.master_of(10923)->id, id_c);
    EXPECT_EQ(map.master_of(16383)->id, id_c);
    EXPECT_EQ(map.master_of(16384), nullptr);  // not a slot

    const auto replicas = map.replicas_of(7000);
    ASSERT_EQ(replicas.size(), 1u);
    EXPECT_EQ(replicas[0]->name, host + ":37861");
    EXPECT_EQ(replicas[0]->id, id_b_replica);
    EXPECT_TRUE(map.is_owner(7000, HostPort{host, 48743}));
    EXPECT_FALSE(map.is_owner(7000, HostPort{host, 37861}));

    const std::vector<SlotRange> expected{{0, 5460, 0}, {5461, 10922, 1}, {10923, 16383, 2}};
    EXPECT_EQ(map.ranges(), expected);
}

class ClusterSlotsReplies : public ::testing::TestWithParam<const std::string*> {};

TEST_P(ClusterSlotsReplies, DecodeToThreeShards) {
    expect_three_shards(decode_ok(*GetParam()), "127.0.0.1");
}

INSTANTIATE_TEST_SUITE_P(Captured, ClusterSlotsReplies,
                         ::testing::Values(&plain_resp2, &plain_resp3, &hostname_resp2,
                                           &hostname_resp3));

TEST(SlotMap, KeepsTheHostnameMetadata) {
    for (const auto* bytes : {&hostname_resp2, &hostname_resp3}) {
        const auto map = decode_ok(*bytes);
        EXPECT_EQ(map.master_of(0)->hostname, "node0.example");
        EXPECT_EQ(map.replicas_of(0)[0]->hostname, "node4.example");
        EXPECT_EQ(map.master_of(0)->ip, "");
    }
}

TEST(SlotMap, UnknownEndpointTakesTheHostTheReplyCameFrom) {
    expect_three_shards(decode_ok(unknown_endpoint, "10.9.8.7"), "10.9.8.7");
    expect_three_shards(decode_ok(question_mark, "10.9.8.7"), "10.9.8.7");
    const auto map = decode_ok(unknown_endpoint, "10.9.8.7");
    EXPECT_EQ(map.master_of(0)->ip, "127.0.0.1");
    EXPECT_EQ(map.master_of(0)->hostname, "node0.example");
}

TEST(SlotMap, UnknownEndpointWithoutAReplyHostStaysEmpty) {
    const auto map = decode_ok(unknown_endpoint);
    EXPECT_EQ(map.master_of(0)->endpoint, (HostPort{"", 46429}));
    EXPECT_EQ(map.master_of(0)->name, ":46429");
}

TEST(SlotMap, PartialCoverageLeavesSlotsWithoutOwner) {
    // Two masters, slots 0-99 and 200-299, with a gap; no replicas; a Redis 3
    // node entry without an id.
    const auto map = decode_ok(
        "*2\r\n*3\r\n:0\r\n:99\r\n*2\r\n$4\r\nhost\r\n:7000\r\n"
        "*3\r\n:200\r\n:299\r\n*3\r\n$4\r\nhost\r\n:7001\r\n$2\r\nid\r\n");
    EXPECT_FALSE(map.covers_all());
    EXPECT_EQ(map.covered_slots(), 200u);
    EXPECT_EQ(map.master_of(99)->name, "host:7000");
    EXPECT_EQ(map.master_of(99)->id, "");
    EXPECT_EQ(map.master_of(100), nullptr);
    EXPECT_EQ(map.shard_of(100), nullptr);
    EXPECT_TRUE(map.replicas_of(100).empty());
    EXPECT_TRUE(map.replicas_of(0).empty());
    EXPECT_FALSE(map.is_owner(150, HostPort{"host", 7000}));
    EXPECT_EQ(map.master_of(299)->id, "id");
    EXPECT_EQ(map.master_of(300), nullptr);
    EXPECT_EQ(map.masters().size(), 2u);
}

TEST(SlotMap, EmptyReplyIsAClusterWithNoSlots) {
    const auto map = decode_ok("*0\r\n");
    EXPECT_TRUE(map.empty());
    EXPECT_TRUE(map.masters().empty());
    EXPECT_TRUE(map.nodes().empty());
    EXPECT_EQ(map.master_of(0), nullptr);
    EXPECT_TRUE(SlotMap().empty());
}

TEST(SlotMap, AMasterWithSeveralRangesIsOneShard) {
    // After resharding, a master serves non-contiguous ranges; each range
    // lists it again, maybe with a replica the other range has not seen yet.
    const auto map = decode_ok(
        "*3\r\n"
        "*4\r\n:0\r\n:9\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\nr\r\n:2\r\n"
        "*3\r\n:10\r\n:19\r\n*2\r\n$1\r\nb\r\n:1\r\n"
        "*5\r\n:20\r\n:29\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\nr\r\n:2\r\n*2\r\n$1\r\ns\r\n:"
        "3\r\n");
    EXPECT_EQ(map.masters().size(), 2u);
    EXPECT_EQ(map.shards().size(), 2u);
    EXPECT_EQ(map.nodes().size(), 4u);
    EXPECT_EQ(map.shard_of(0), map.shard_of(25));
    EXPECT_EQ(map.replicas_of(5).size(), 2u);
    const std::vector<SlotRange> expected{{0, 9, 0}, {10, 19, 1}, {20, 29, 0}};
    EXPECT_EQ(map.ranges(), expected);
}

TEST(SlotMap, ErrorReplyGivesItsCode) {
    std::error_code ec;
    const auto map = decode("-ERR This instance has cluster support disabled\r\n", ec);
    EXPECT_EQ(ec, errc::server_error);
    EXPECT_TRUE(map.empty());
    decode("-CLUSTERDOWN The cluster is down\r\n", ec);
    EXPECT_EQ(ec, errc::clusterdown);
}

TEST(SlotMap, MalformedRepliesAreUnexpected) {
    const std::string a = "*2\r\n$1\r\na\r\n:1\r\n";  // a good node entry
    for (const std::string& bytes : std::vector<std::string>{
             std::string("$5\r\nslots\r\n"),       // not an array
             std::string("%1\r\n:0\r\n:1\r\n"),    // a map
             std::string(":3\r\n"),                // an integer
             std::string("_\r\n"),                 // null
             "*1\r\n*2\r\n:0\r\n:1\r\n",           // a range without a master
             "*1\r\n:0\r\n",                       // a range that is not an array
             "*1\r\n*3\r\n:0\r\n:16384\r\n" + a,   // slot out of range
             "*1\r\n*3\r\n:-1\r\n:5\r\n" + a,      // negative slot
             "*1\r\n*3\r\n:10\r\n:9\r\n" + a,      // first after last
             "*1\r\n*3\r\n$1\r\n0\r\n:9\r\n" + a,  // slot as a string
             "*2\r\n*3\r\n:0\r\n:9\r\n" + a + "*3\r\n:9\r\n:10\r\n" + a,  // overlap
             "*1\r\n*3\r\n:0\r\n:9\r\n*1\r\n$1\r\na\r\n",                 // no port
             "*1\r\n*3\r\n:0\r\n:9\r\n*2\r\n$1\r\na\r\n:0\r\n",           // port 0
             "*1\r\n*3\r\n:0\r\n:9\r\n*2\r\n$1\r\na\r\n:65536\r\n",       // port too big
             "*1\r\n*3\r\n:0\r\n:9\r\n*2\r\n$1\r\na\r\n$4\r\n6379\r\n",   // port as string
             "*1\r\n*3\r\n:0\r\n:9\r\n*2\r\n:1\r\n:1\r\n",                // host an integer
             "*1\r\n*3\r\n:0\r\n:9\r\n*3\r\n$1\r\na\r\n:1\r\n:5\r\n",     // id an integer
             "*1\r\n*3\r\n:0\r\n:9\r\n*4\r\n$1\r\na\r\n:1\r\n$1\r\ni\r\n*1\r\n$1\r\nk\r\n",
             "*1\r\n*3\r\n:0\r\n:9\r\n*4\r\n$1\r\na\r\n:1\r\n$1\r\ni\r\n:7\r\n",  // metadata
             "*1\r\n*3\r\n:0\r\n:9\r\n$1\r\na\r\n",                               // node a string
             "*1\r\n*4\r\n:0\r\n:9\r\n" + a + "$1\r\nr\r\n",  // replica a string
         }) {
        std::error_code ec;
        const auto map = decode(bytes, ec);
        EXPECT_EQ(ec, errc::unexpected_reply) << bytes;
        EXPECT_TRUE(map.empty()) << bytes;
    }
}

TEST(SlotMap, ExtraElementsOfALaterServerAreIgnored) {
    const auto map = decode_ok(
        "*1\r\n*3\r\n:0\r\n:16383\r\n"
        "*5\r\n$1\r\na\r\n:1\r\n$1\r\ni\r\n%1\r\n$4\r\nzone\r\n:3\r\n$5\r\nextra\r\n");
    EXPECT_TRUE(map.covers_all());
    EXPECT_EQ(map.master_of(0)->id, "i");
}

TEST(SlotMap, ApplyMovedFixesOneSlot) {
    auto map = decode_ok(plain_resp3);
    // Slot 100 moves from :46429 to :48743, a master already known.
    EXPECT_TRUE(map.apply_moved(100, HostPort{"127.0.0.1", 48743}));
    EXPECT_EQ(map.master_of(100)->id, id_b);
    EXPECT_EQ(map.master_of(99)->id, id_a);
    EXPECT_EQ(map.master_of(101)->id, id_a);
    EXPECT_EQ(map.replicas_of(100)[0]->id, id_b_replica);
    EXPECT_FALSE(map.apply_moved(100, HostPort{"127.0.0.1", 48743}));  // already so
    EXPECT_TRUE(map.covers_all());
    const std::vector<SlotRange> expected{
        {0, 99, 0}, {100, 100, 1}, {101, 5460, 0}, {5461, 10922, 1}, {10923, 16383, 2}};
    EXPECT_EQ(map.ranges(), expected);
}

TEST(SlotMap, ApplyMovedToANewNodeAddsAMaster) {
    auto map = decode_ok(plain_resp2);
    EXPECT_TRUE(map.apply_moved(0, HostPort{"127.0.0.1", 7777}));
    const auto* master = map.master_of(0);
    ASSERT_NE(master, nullptr);
    EXPECT_EQ(master->name, "127.0.0.1:7777");
    EXPECT_EQ(master->id, "");
    EXPECT_TRUE(map.replicas_of(0).empty());
    EXPECT_EQ(map.masters().size(), 4u);
    EXPECT_EQ(map.nodes().size(), 7u);
    EXPECT_EQ(map.find("127.0.0.1:7777"), master);
}

TEST(SlotMap, ApplyMovedToAReplicaPromotesIt) {
    auto map = decode_ok(plain_resp3);
    // A failover: the replica of shard a now answers for its slots.
    for (unsigned slot = 0; slot <= 5460; ++slot)
        map.apply_moved(static_cast<std::uint16_t>(slot), HostPort{"127.0.0.1", 35735});
    ASSERT_EQ(map.masters().size(), 3u);  // the old master serves nothing now
    EXPECT_EQ(map.master_of(0)->id, id_a_replica);
    EXPECT_EQ(map.masters()[2]->id, id_a_replica);
}

TEST(SlotMap, ApplyMovedFillsAGap) {
    auto map = decode_ok("*1\r\n*3\r\n:0\r\n:99\r\n*2\r\n$1\r\na\r\n:1\r\n");
    EXPECT_TRUE(map.apply_moved(500, HostPort{"a", 1}));
    EXPECT_EQ(map.covered_slots(), 101u);
    EXPECT_EQ(map.masters().size(), 1u);
    EXPECT_FALSE(map.apply_moved(16384, HostPort{"a", 1}));
}

}  // namespace
}  // namespace redstream::cluster
