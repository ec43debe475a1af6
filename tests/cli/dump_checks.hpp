// What the dump / restore tests share, on one server (cli/dump_test.cpp)
// and on the cluster (cluster/cli_dump_test.cpp): streams whose entries use
// every awkward byte, and a comparison of two sets of keys, each read
// straight from the master that holds it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"
#include "support/target.hpp"

namespace redstream::test::dump_checks {

using Fields = std::vector<std::pair<std::string, std::string>>;

/// Every byte value, \0 and 0xff included.
inline std::string all_bytes() {
    std::string s;
    for (int i = 0; i < 256; ++i)
        s += static_cast<char>(i);
    return s;
}

/// The entries each key gets first, with the ids they get: small explicit
/// ids (as a stream written by hand has), repeated field names, empty and
/// binary names and values.
inline std::vector<std::pair<std::string, Fields>> odd_entries() {
    const std::string nul("\0", 1);
    return {
        {"0-1", {{"a", "1"}}},
        {"5-3", {{"a", "1"}, {"a", "2"}, {"a", "1"}}},
        {"5-4", {{nul + "\xff", "\xff" + nul + "\xfe"}, {"", ""}}},
        {"7-0", {{"bytes", all_bytes()}, {all_bytes(), "x"}}},
        {"7-18446744073709551615", {{"big", std::string(100'000, '\xab')}}},
    };
}

/// Adds odd_entries() and then `bulk` more entries (ids `*`) to each key;
/// returns how many entries it added in all.
inline std::uint64_t fill(Direct& d, const std::vector<std::string>& keys, int bulk) {
    std::uint64_t n = 0;
    for (const auto& key : keys) {
        for (const auto& [id, fields] : odd_entries()) {
            std::vector<std::string> args{"XADD", key, id};
            for (const auto& [f, v] : fields) {
                args.push_back(f);
                args.push_back(v);
            }
            const auto reply = d.run(key, args);
            EXPECT_FALSE(reply.root().is_error()) << key << " " << id << ": " << reply.root().str();
            ++n;
        }
        d.xadd_many(key, bulk, key + " entry ");
        n += static_cast<std::uint64_t>(bulk);
    }
    return n;
}

/// Expects key from[i] (read through `a`) and to[i] (through `b`) to hold
/// the same entries (ids, fields in order, every byte) and the same groups.
inline void expect_same(Direct& a, const std::vector<std::string>& from, Direct& b,
                        const std::vector<std::string>& to) {
    ASSERT_EQ(from.size(), to.size());
    for (std::size_t k = 0; k < from.size(); ++k) {
        const auto want = a.xrange(from[k]);
        const auto got = b.xrange(to[k]);
        ASSERT_EQ(got.size(), want.size()) << from[k] << " -> " << to[k];
        for (std::size_t i = 0; i < want.size(); ++i) {
            ASSERT_EQ(got[i].id, want[i].id) << to[k] << " entry " << i;
            ASSERT_EQ(got[i].fields, want[i].fields) << to[k] << " " << want[i].id.to_string();
        }
        EXPECT_EQ(b.groups(to[k]), a.groups(from[k])) << to[k];
    }
}

/// A temporary directory, removed with what is in it.
struct TempDir {
    std::string path = make_temp_dir("redstream-dump-");
    ~TempDir() { run_process({"rm", "-rf", path}); }
    std::string file(const std::string& name) const { return path + "/" + name; }
};

}  // namespace redstream::test::dump_checks
