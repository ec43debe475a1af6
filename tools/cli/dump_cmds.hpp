// `redstream dump` and `redstream restore` (registered in cmd_dump.cpp):
// their options and what they run. The file format is dump_format.hpp's.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"

namespace redstream::cli {

struct DumpOptions {
    static constexpr std::uint64_t default_page = 1000;

    /// The streams to dump (every key of each: `name` and `name:N`).
    std::vector<std::string> streams{};
    /// Entries per XRANGE page: what the tool holds of a key at once.
    std::uint64_t page = default_page;
    /// Leave the consumer groups out.
    bool no_groups = false;
};

struct RestoreOptions {
    static constexpr std::uint64_t default_batch = 1000;

    /// `OLD=NEW`: entries of stream OLD (its keys OLD and OLD:N) go to NEW.
    std::vector<std::string> renames{};
    /// Leave out the entries a key already has (ids up to its last one) and
    /// groups that exist, instead of failing.
    bool skip_existing = false;
    /// Leave the consumer groups out.
    bool no_groups = false;
    /// XADDs pipelined per round trip.
    std::uint64_t batch = default_batch;
};

int run_dump(Context& ctx, const DumpOptions& options);
int run_restore(Context& ctx, const RestoreOptions& options);

/// Stream renames from `OLD=NEW` texts; throws UsageError for a text
/// without `=`, an empty side, or an OLD given twice.
std::map<std::string, std::string, std::less<>> parse_renames(
    const std::vector<std::string>& texts);

/// The key `key` of stream `stream` is restored to: the same, or under the
/// stream's new name. Throws DumpFormatError for a key that is not one of
/// the stream's (`stream` or `stream:N`).
std::string restored_key(const std::map<std::string, std::string, std::less<>>& renames,
                         std::string_view stream, std::string_view key);

}  // namespace redstream::cli
