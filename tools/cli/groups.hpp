// The parts of `redstream groups` (cmd_groups.cpp registers them): the lag
// table, seek (groups_seek.cpp) and members (groups_members.cpp).
#pragma once

#include <string>
#include <vector>

#include <redstream/redis/admin_types.hpp>

#include "cli.hpp"

namespace redstream::cli {

struct GroupArgs {
    std::string stream;
    std::string group;
    bool verbose = false;
};

struct SeekArgs {
    std::string stream;
    std::string group;
    std::string to;
    bool dry_run = false;
};

/// A key of a stream that has the group, and the group there.
struct KeyGroup {
    const ShardInfo* key = nullptr;
    const GroupInfo* group = nullptr;
};

/// The keys of `info` that have `group`; throws redstream::Error (nogroup,
/// or "does not exist") when none has.
std::vector<KeyGroup> keys_with_group(const StreamInfo& info, const std::string& group);

int run_groups_seek(Context& ctx, const SeekArgs& args);
int run_groups_members(Context& ctx, const GroupArgs& args);

}  // namespace redstream::cli
