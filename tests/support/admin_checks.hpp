// The bodies of the administration API's tests, run by
// tests/integration/admin_test.cpp on one server and by
// tests/cluster/admin_test.cpp on the shared 3+3 cluster: the same checks, so
// that Admin is shown to behave the same on both. Each check produces to
// streams of its own (names unique to the test) and verifies what Admin did
// by asking each key's master directly, never through redstream's router.
#pragma once

#include "support/target.hpp"

namespace redstream::test::admin_checks {

/// streams(): streams by pattern, each key's length, first and last ids,
/// groups and node; the wider MATCH does not bring in other streams or keys
/// of other types; the limit truncates.
void streams_lists_every_key(const Target& t);
/// stream_info(): the plain key before the shards; a stream without keys.
void stream_info_finds_every_key(const Target& t);
/// trim(): every key trimmed, on its own master.
void trim_trims_every_key(const Target& t);
/// delete_stream(): every key gone, nothing else.
void delete_removes_every_key(const Target& t);
/// create_group, set_group_id, delete_consumer, destroy_group, seen by XINFO
/// on each key's master; mkstream; nogroup.
void group_ops_apply_to_every_key(const Target& t);
/// pending_summary, pending (count, consumer), claim (ids per key).
void pending_and_claim_per_key(const Target& t);
/// invalid arguments, missing streams and groups, a disconnected Streamer.
void errors_are_reported(const Target& t);
/// Every async form once, with asio::use_awaitable (compiled with g++
/// only: ASIO_HAS_CO_AWAIT; elsewhere it does nothing).
void async_forms_work(const Target& t);

}  // namespace redstream::test::admin_checks
