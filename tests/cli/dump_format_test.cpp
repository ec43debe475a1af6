// The dump format (tools/cli/dump_format.hpp), without a server: what the
// encoder writes the decoder reads back byte for byte, fed in any pieces,
// and every kind of damage is refused before anything in it is handed out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dump_cmds.hpp"
#include "dump_format.hpp"

namespace cli = redstream::cli;
using redstream::Field;
using redstream::MessageId;
using Item = cli::DumpDecoder::Item;

namespace {

struct Entry {
    std::string key;
    MessageId id;
    std::vector<std::pair<std::string, std::string>> fields;
    friend bool operator==(const Entry&, const Entry&) = default;
};

struct Read {
    std::vector<std::string> keys;  // "stream/key"
    std::vector<Entry> entries;
    std::vector<std::string> groups;  // "key/name/id"
    cli::DumpCounts counts;
};

const std::string binary("a\0b\xff", 4);

std::string sample_dump(cli::DumpEncoderOptions options = {}) {
    cli::DumpEncoder enc(options);
    std::string out;
    enc.begin_key("s", "s");
    std::vector<Field> f1{{"a", "1"}, {"a", "2"}, {binary, binary}};
    enc.entry(MessageId{5, 3}, f1);
    std::vector<Field> f2{{"", ""}};
    enc.entry(MessageId{5, 4}, f2);
    enc.group("g", MessageId{5, 3});
    out += enc.take();
    enc.begin_key("s", "s:7");
    for (std::uint64_t i = 1; i <= 300; ++i) {
        const std::string v(i, static_cast<char>(i));
        std::vector<Field> f{{"n", v}};
        enc.entry(MessageId{i, 0}, f);
    }
    enc.finish();
    return out + enc.take();
}

// Feeds `bytes` in pieces of `step`, collecting what comes out.
Read decode(const std::string& bytes, std::size_t step) {
    cli::DumpDecoder dec;
    Read r;
    std::size_t at = 0;
    std::string key;
    while (true) {
        const auto item = dec.next();
        if (item == Item::need_more) {
            if (at >= bytes.size()) {
                dec.end_of_input();
                continue;
            }
            dec.feed(std::string_view(bytes).substr(at, step));
            at += step;
        } else if (item == Item::key) {
            key = std::string(dec.key());
            r.keys.push_back(std::string(dec.stream()) + "/" + key);
        } else if (item == Item::entry) {
            Entry e{key, dec.entry_id(), {}};
            for (const auto& f : dec.entry_fields())
                e.fields.emplace_back(f.first, f.second);
            r.entries.push_back(std::move(e));
        } else if (item == Item::group) {
            r.groups.push_back(key + "/" + std::string(dec.group_name()) + "/" +
                               dec.group_last_id().to_string());
        } else {
            r.counts = dec.counts();
            EXPECT_EQ(dec.next(), Item::end);  // and nothing after it
            return r;
        }
    }
}

}  // namespace

TEST(CliDumpFormat, Crc32cIsTheCastagnoliOne) {
    EXPECT_EQ(cli::crc32c("123456789"), 0xE3069283u);
    EXPECT_EQ(cli::crc32c("6789", cli::crc32c("12345")), 0xE3069283u);
}

TEST(CliDumpFormat, RoundTripsEveryByteInAnyPieces) {
    cli::DumpEncoderOptions small;
    small.batch_bytes = 1000;  // many 'E' records per key
    const auto bytes = sample_dump(small);
    for (const std::size_t step :
         {std::size_t{1}, std::size_t{7}, std::size_t{4096}, bytes.size()}) {
        const auto r = decode(bytes, step);
        ASSERT_EQ(r.keys, (std::vector<std::string>{"s/s", "s/s:7"})) << step;
        ASSERT_EQ(r.entries.size(), 302u);
        EXPECT_EQ(r.entries[0], (Entry{"s", {5, 3}, {{"a", "1"}, {"a", "2"}, {binary, binary}}}));
        EXPECT_EQ(r.entries[1], (Entry{"s", {5, 4}, {{"", ""}}}));
        for (std::uint64_t i = 1; i <= 300; ++i)
            ASSERT_EQ(r.entries[i + 1],
                      (Entry{"s:7", {i, 0}, {{"n", std::string(i, static_cast<char>(i))}}}));
        EXPECT_EQ(r.groups, (std::vector<std::string>{"s/g/5-3"}));
        EXPECT_EQ(r.counts, (cli::DumpCounts{2, 302, 1}));
    }
}

TEST(CliDumpFormat, AnEmptyDumpIsValid) {
    cli::DumpEncoder enc;
    enc.finish();
    const auto r = decode(enc.take(), 3);
    EXPECT_TRUE(r.keys.empty());
    EXPECT_EQ(r.counts, cli::DumpCounts{});
}

TEST(CliDumpFormat, EveryCutIsRefused) {
    const auto bytes = sample_dump();
    // Any prefix: never taken for a whole dump, and what it hands out is
    // a prefix of the real entries (nothing damaged is ever handed out).
    for (std::size_t cut = 0; cut < bytes.size(); cut += (cut < 200 ? 1 : 97)) {
        try {
            decode(bytes.substr(0, cut), 64);
            ADD_FAILURE() << "a dump cut at " << cut << " was accepted";
        } catch (const cli::DumpFormatError& e) {
            const std::string what = e.what();
            EXPECT_TRUE(what.find("truncated") != std::string::npos ||
                        what.find("not a redstream dump") != std::string::npos)
                << cut << ": " << what;
        }
    }
}

TEST(CliDumpFormat, EveryFlippedByteIsRefused) {
    const auto bytes = sample_dump();
    for (std::size_t at = 0; at < bytes.size(); at += (at < 300 ? 1 : 131)) {
        auto bad = bytes;
        bad[at] = static_cast<char>(bad[at] ^ 0x10);
        EXPECT_THROW(decode(bad, 4096), cli::DumpFormatError) << "byte " << at;
    }
}

TEST(CliDumpFormat, ForeignDataIsRefusedAtOnce) {
    cli::DumpDecoder dec;
    dec.feed("{\"stream\":\"s\"}\n");
    try {
        dec.next();
        FAIL() << "JSON was taken for a dump";
    } catch (const cli::DumpFormatError& e) {
        EXPECT_NE(std::string(e.what()).find("not a redstream dump"), std::string::npos);
    }
    cli::DumpDecoder newer;
    std::string header(cli::dump_magic);
    header += std::string("\x02\0\0\0", 4);
    newer.feed(header);
    EXPECT_THROW(newer.next(), cli::DumpFormatError);
}

TEST(CliDumpFormat, RecordsDroppedOrAddedAreFound) {
    // A whole record taken out keeps every record's own CRC: the end record's
    // counts and file checksum catch it.
    cli::DumpEncoder enc;
    enc.begin_key("s", "s");
    std::vector<Field> f{{"k", "v"}};
    enc.entry(MessageId{1, 1}, f);
    auto head = enc.take();  // magic and the key record (the entry is still open)
    enc.group("g", MessageId{1, 1});
    const auto entries_and_group = enc.take();
    enc.finish();
    const auto end = enc.take();
    EXPECT_NO_THROW(decode(head + entries_and_group + end, 5));
    EXPECT_THROW(decode(head + end, 5), cli::DumpFormatError);
    EXPECT_THROW(decode(head + entries_and_group + entries_and_group + end, 5),
                 cli::DumpFormatError);
    EXPECT_THROW(decode(head + entries_and_group + end + "x", 5), cli::DumpFormatError);
}

TEST(CliDumpFormat, RenamesMapAStreamAndItsShards) {
    const auto renames = cli::parse_renames({"orders=copy", "a:b=c"});
    EXPECT_EQ(cli::restored_key(renames, "orders", "orders"), "copy");
    EXPECT_EQ(cli::restored_key(renames, "orders", "orders:12"), "copy:12");
    EXPECT_EQ(cli::restored_key(renames, "a:b", "a:b:0"), "c:0");
    EXPECT_EQ(cli::restored_key(renames, "other", "other:3"), "other:3");
    EXPECT_THROW(cli::restored_key(renames, "orders", "ordersx"), cli::DumpFormatError);
    EXPECT_THROW(cli::restored_key(renames, "orders", "orders:x"), cli::DumpFormatError);
    EXPECT_THROW(cli::restored_key(renames, "orders", "other"), cli::DumpFormatError);
    EXPECT_THROW(cli::parse_renames({"a"}), cli::UsageError);
    EXPECT_THROW(cli::parse_renames({"=b"}), cli::UsageError);
    EXPECT_THROW(cli::parse_renames({"a="}), cli::UsageError);
    EXPECT_THROW(cli::parse_renames({"a=b", "a=c"}), cli::UsageError);
}
