// Length, first and last ids and groups of a list of stream keys: XINFO
// STREAM and XINFO GROUPS per key, through the router, 128 keys per request
// (a reply carries each key's first and last entries, so a batch stays small
// whatever the payloads).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "job.hpp"

namespace redstream::detail {

/// Per key, in order: its ShardInfo, or nullopt if it is gone (deleted, or
/// no longer a stream, since it was found).
using ShardInfoThen =
    std::function<void(std::error_code, std::vector<std::optional<ShardInfo>>, std::string why)>;

void fetch_shard_info(const AdminEnv& env, std::vector<KeyRef> keys, ShardInfoThen then);

}  // namespace redstream::detail
