// The bodies of the stream suites' tests (producer, real-time, groups, dead
// letters, stats), run by the standalone tests in tests/integration/ on one
// server and by tests/cluster/*_suite_test.cpp on the shared 3+3 cluster: the
// same checks, so that what a user relies on is shown to hold on both. Each
// check uses streams of its own (names unique to the test; a hash tag where
// keys must share a slot) and verifies on each key's master directly
// (support/target.hpp's Direct), not only through redstream. Sharded streams
// are not hash-tagged: on the cluster their keys sit on more than one master.
#pragma once

#include "support/target.hpp"

namespace redstream::test::stream_checks {

// Producer (stream_checks_producer.cpp).

/// Receipts in send order, with the ids and payloads the server stored.
void receipts_in_order_and_payloads_stored(const Target& t);
/// Payloads handed over (zero-copy) or copied, above and below the
/// threshold, stored whole.
void handed_over_payloads_stored_whole(const Target& t);
/// Extra fields after the payload, explicit and `<ms>-*` ids.
void extra_fields_and_explicit_ids(const Target& t);
/// A send the server refuses fails alone, with the server's code; the
/// producer's stats count each send once, as its future saw it.
void rejected_send_fails_alone(const Target& t);
/// flush() and Streamer::disconnect(): everything sent is stored, over
/// every shard; sends after end() fail.
void flush_and_disconnect_store_everything_sent(const Target& t);
/// Round robin: message i on shard i % n, every shard on its master.
void round_robin_covers_every_shard_evenly(const Target& t);
/// key_hash keeps a partition key on one shard; a custom sharder is used;
/// what each shard holds matches the receipts.
void key_hash_and_custom_sharders(const Target& t);
/// A trim policy on every send, and Producer::trim() over every shard.
void trim_policy_and_trim_helper(const Target& t);

// Real-time consumers (stream_checks_realtime.cpp).

/// earliest: the history of two streams, then what comes.
void earliest_sees_history_across_streams(const Target& t);
/// latest: nothing from before the start, what comes after.
void latest_sees_only_what_comes_after_start(const Target& t);
/// A quiet stream read with a busy one in the same slot (one XREAD) loses
/// nothing added between two reads.
void quiet_stream_next_to_busy_one_loses_nothing(const Target& t);
/// Stream key, shard, id, timestamp, payload and the other fields in order.
void message_has_header_payload_and_fields(const Target& t);
/// Keys with `:`, hash tags and glob characters, and the shard of one.
void keys_with_colons_hash_tags_and_glob_characters(const Target& t);
/// Every shard read back, in order per shard.
void shards_read_back_in_order(const Target& t);
/// A shard created after the start is found and read whole.
void shard_created_after_start_is_read_whole(const Target& t);
/// assign() and unassign() a shard.
void assign_and_unassign_a_shard(const Target& t);

// Group consumers, resumable and load-balanced (stream_checks_groups.cpp).

/// earliest and latest groups, in every mode and commit policy.
void group_start_positions(const Target& t);
/// delayed: a consumer under the same name resumes exactly after what
/// end() committed; nothing stays pending.
void delayed_resumes_after_the_last_committed(const Target& t);
/// Unacked entries come back first to the same member.
void unacked_entries_come_back_first_to_the_same_member(const Target& t);
/// disabled: acks go out on commit() only; resumes at the first unacked.
void disabled_commits_only_when_asked(const Target& t);
/// rolling: resumes at the first unacked after a restart.
void rolling_resumes_at_the_first_unacked(const Target& t);
/// Two load-balanced members share a sharded stream's work, none gets a
/// message twice, and nothing stays pending on any master.
void load_balanced_members_share_the_work(const Target& t);
/// A member that dies with entries of every shard unacked: another claims
/// exactly those, once, on every master; the dead one restarted goes on.
void dead_members_entries_are_claimed_once(const Target& t);
/// Pending entries deleted from the stream are acked, not delivered.
void deleted_pending_entries_are_acked_not_delivered(const Target& t);

// Dead letters (stream_checks_dead_letters.cpp).

/// Delivered max_deliveries times, then moved to `{<key>}:dead` with its
/// origin, group, id and delivery count, and acked.
void poison_message_dead_lettered_after_max_deliveries(const Target& t);
/// Load-balanced claims count as deliveries; a configured dead-letter key
/// (in the stream's slot: a hash tag).
void claims_count_deliveries_into_a_configured_key(const Target& t);
/// A dead-letter key of another type: the entry stays pending.
void refused_dead_letter_leaves_the_entry_pending(const Target& t);
/// Every shard's poison message goes to its own `{<shard key>}:dead`, on
/// the shard's master.
void every_shard_dead_letters_into_its_own_slot(const Target& t);

// Stats (stream_checks_stats.cpp).

/// group_stats(): the server's lag and pending next to our counts.
void group_stats_report_lag_pending_and_counters(const Target& t);
/// immediate reads no further than the batch in hand (lag, no pending).
void immediate_reads_no_further_than_the_batch(const Target& t);
/// delayed acks after the delay: pending 0 on the server, acked counted.
void delayed_acks_are_counted(const Target& t);
/// An ack of an entry another member claimed counts as acked, the
/// claimer's own as not_pending.
void ack_of_a_claimed_entry_is_counted(const Target& t);
/// group_stats() of a sharded stream: one row per shard key, each as its
/// master's XINFO and XPENDING say.
void group_stats_per_shard_match_each_master(const Target& t);
/// Streamer::stats(): every live producer and consumer, the shared and the
/// read connections; to_prometheus() of it passes promtool.
void streamer_stats_list_every_object(const Target& t);

}  // namespace redstream::test::stream_checks
