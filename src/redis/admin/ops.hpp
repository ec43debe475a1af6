// The administration operations, one function each, behind Admin's
// start_* calls (admin.cpp). Each completes `done` exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <redstream/cluster/slot_map.hpp>

#include "job.hpp"

namespace redstream::detail {

// streams.cpp
void list_streams(const AdminEnv& env, const std::string& pattern, std::size_t limit,
                  DonePtr<StreamList> done);
void describe_stream(const AdminEnv& env, const StreamKey& stream, DonePtr<StreamInfo> done);

// keys.cpp
void trim_stream(const AdminEnv& env, const StreamKey& stream, const commands::TrimOptions& trim,
                 DonePtr<std::uint64_t> done);
void delete_stream(const AdminEnv& env, const StreamKey& stream, DonePtr<std::uint64_t> done);

// groups.cpp
void create_group(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                  commands::StreamStart start, bool mkstream, DonePtr<std::uint64_t> done);
void destroy_group(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                   DonePtr<std::uint64_t> done);
void set_group_id(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                  commands::StreamStart start, DonePtr<std::uint64_t> done);
void delete_consumer(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                     const std::string& consumer, DonePtr<std::uint64_t> done);

// pending.cpp
void pending_summary(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                     DonePtr<PendingSummary> done);
void pending_entries(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                     const PendingOptions& options, DonePtr<std::vector<PendingEntryInfo>> done);

// claim.cpp
void claim_entries(const AdminEnv& env, const StreamKey& stream, const std::string& group,
                   const std::string& consumer, std::chrono::milliseconds min_idle,
                   const std::vector<EntryRef>& entries, DonePtr<std::vector<EntryRef>> done);

// slots.cpp
SlotMapInfo slot_map_info(const cluster::SlotMap& map);

}  // namespace redstream::detail
