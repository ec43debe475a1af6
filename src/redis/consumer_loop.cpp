// The consumer actor's read loop: one request at a time on the consumer's
// own connection — connect, find shards (SCAN), resolve start ids
// (XREVRANGE), then XREAD BLOCK into the bounded prefetch queue.
#include <algorithm>
#include <utility>

#include <asio/bind_executor.hpp>

#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {
namespace {

constexpr std::uint64_t scan_count = 1000;

}  // namespace

void ConsumerImpl::start(BasicCompletion<std::error_code> started) {
    asio::post(strand_, [self = shared_from_this(), started = std::move(started)]() mutable {
        self->started_ = std::move(started);
        if (self->stopped_) return self->finish_start(make_error_code(errc::shutting_down));
        self->op_ = Op::connect;
        self->client_->async_connect(
            self->bind([](ConsumerImpl& s, std::error_code ec) { s.on_connected(ec); }));
    });
}

void ConsumerImpl::on_connected(std::error_code ec) {
    if (ec) return finish_start(ec);
    connected_ = true;
    discovery_due_ = options_.discover_shards;
    step();
}

void ConsumerImpl::finish_start(std::error_code ec) {
    if (started_) started_(ec);
}

// Decides the next request; every completion comes back here.
void ConsumerImpl::step() {
    if (stopped_ || !connected_) return;
    // A claim that found no room goes first once there is some.
    if (claim_waiting_ && inbox_.has_room()) {
        claim_waiting_ = false;
        claim();
    }
    if (op_ != Op::none) return;
    // A rewind to the end moves every key once its lookup is back: reading
    // (or resolving) the old position meanwhile would be wasted.
    if (error_ || end_lookups_ > 0) return;
    if (discovery_due_) return discover();
    if (group_mode() ? group_.needs_create() : state_.needs_resolution())
        return group_mode() ? create_groups() : resolve();
    if (started_) {
        finish_start({});
        schedule_discovery();
        schedule_claim(std::chrono::milliseconds(0));  // a restart claims at once
        schedule_renewal();
    }
    // Full: a take() that drains the inbox to half wakes us (wake()).
    if (group_mode()) {
        // Dead letters take room too: at most a prefetch of them out at once.
        if (group_.readable() && inbox_.room_for_read() &&
            dead_in_flight_ < options_.prefetch_or_default())
            read_group();
    } else if (state_.readable() && inbox_.room_for_read()) {
        read();
    }
}

void ConsumerImpl::schedule_discovery() {
    if (!options_.discover_shards || options_.discovery_interval.count() <= 0) return;
    discovery_timer_.expires_after(options_.discovery_interval);
    discovery_timer_.async_wait(guard([](ConsumerImpl& s, std::error_code ec) {
        if (ec) return;
        s.discovery_due_ = true;
        s.step();
    }));
}

void ConsumerImpl::discover() {
    if (scans_.empty())
        for (std::size_t i = 0; i < streams_.size(); ++i)
            scans_.emplace_back(i, "0");
    req_.clear();
    for (const auto& [i, cursor] : scans_)
        req_.push("SCAN", cursor, "MATCH", shard_scan_pattern(streams_[i].name()), "COUNT",
                  scan_count, "TYPE", "stream");
    op_ = Op::discover;
    client_->async_exec(req_, resp_,
                        bind([](ConsumerImpl& s, std::error_code ec) { s.on_discovered(ec); }));
}

void ConsumerImpl::on_discovered(std::error_code ec) {
    if (ec) return back_off(ec);
    const auto origin =
        first_scan_done_ ? ReadState::Origin::discovered : ReadState::Origin::initial;
    std::vector<std::pair<std::size_t, std::string>> more;
    for (std::size_t n = 0; n < scans_.size(); ++n) {
        const auto root = resp_.at(n).root();
        if (auto err = resp::error_of(root)) return fail(err);
        if (root.size() != 2 || !root[0].is_string() || !root[1].is_aggregate())
            return fail(make_error_code(errc::unexpected_reply));
        const auto& stream = streams_[scans_[n].first];
        for (auto key : root[1])
            if (auto shard = parse_shard_key(stream.name(), key.str()))
                add_key(stream, *shard, std::string(key.str()), origin);
        if (root[0].str() != "0") more.emplace_back(scans_[n].first, std::string(root[0].str()));
    }
    resp_.clear();
    scans_ = std::move(more);
    if (scans_.empty()) {
        first_scan_done_ = true;
        discovery_due_ = false;
        if (!started_) schedule_discovery();
    }
    backoff_.reset();
    step();
}

void ConsumerImpl::resolve() {
    req_.clear();
    resolving_.clear();
    for (const auto& c : state_.cursors()) {
        if (c.resolved) continue;
        resolving_.push_back(c.key);
        commands::xrevrange(req_, c.key, commands::RangeBound::max(), commands::RangeBound::min(),
                            1);
    }
    op_ = Op::resolve;
    client_->async_exec(req_, resp_,
                        bind([gen = state_.generation()](ConsumerImpl& s, std::error_code ec) {
                            s.on_resolved(ec, gen);
                        }));
}

void ConsumerImpl::on_resolved(std::error_code ec, std::uint64_t generation) {
    if (ec) return back_off(ec);
    if (generation != state_.generation()) return step();  // rewound meanwhile: ask again
    // Keys unassigned meanwhile are ignored by resolve(); keys added meanwhile
    // are resolved by the next round.
    const auto keys = std::move(resolving_);
    for (std::size_t n = 0; n < keys.size() && n < resp_.size(); ++n) {
        std::error_code dec;
        const auto entries = commands::decode_xrange(resp_[n].root(), dec);
        if (dec) return fail(dec);
        state_.resolve(keys[n], entries.empty() ? std::nullopt : std::optional(entries[0].id));
    }
    resp_.clear();
    backoff_.reset();
    step();
}

void ConsumerImpl::read(std::size_t incoming) {
    std::vector<const ReadCursor*> keys;
    for (const auto& c : state_.cursors())
        if (c.resolved) keys.push_back(&c);
    const auto room = inbox_.room(incoming);
    auto plan = plan_read(room, keys.size(), options_.batch_size, next_turn_);
    read_limit_ = 0;
    if (plan.keys < keys.size() && quiet_keys_ >= keys.size()) {
        // Every key was found empty turn by turn: block on all of them, COUNT
        // 1, keeping only what fits (in turn order); a key whose entries are
        // dropped is not advanced, so they are read again later.
        plan = {1, next_turn_ % keys.size(), keys.size()};
        read_limit_ = room;
    }
    std::vector<commands::StreamOffset> offsets;
    offsets.reserve(plan.keys);
    for (std::size_t i = 0; i < plan.keys; ++i) {
        const auto* c = keys[(plan.first + i) % keys.size()];
        offsets.push_back({c->key, commands::StreamStart::after(c->last)});
    }
    const bool turn = plan.keys < keys.size();
    read_turn_ = turn ? plan.keys : 0;
    read_count_ = plan.count;
    if (turn) next_turn_ = (plan.first + plan.keys) % keys.size();
    read_reserved_ = read_limit_ > 0 ? read_limit_ : plan.count * plan.keys;
    inbox_.reserve(read_reserved_);
    // A turn must not block: keys outside it may have entries.
    const auto block = read_block();
    req_.clear();
    commands::xread(req_, offsets,
                    {.count = plan.count, .block = turn ? std::nullopt : std::optional(block)});
    op_ = Op::read;
    client_->async_exec(req_, resp_,
                        net::ExecOptions{.timeout = block + read_margin,
                                         .blocking = turn ? std::chrono::milliseconds(0) : block},
                        bind([gen = state_.generation()](ConsumerImpl& s, std::error_code ec) {
                            s.on_read(ec, gen);
                        }));
}

void ConsumerImpl::on_read(std::error_code ec, std::uint64_t generation) {
    inbox_.unreserve(std::exchange(read_reserved_, 0));
    if (ec) return back_off(ec);
    reads_.fetch_add(1, std::memory_order_relaxed);
    const auto reply = std::move(resp_.at(0));
    resp_.clear();
    if (generation != state_.generation()) return step();  // read before a seek: drop it
    std::error_code dec;
    commands::decode_xread(reply.root(), pages_, dec);
    if (dec) return fail(dec);
    backoff_.reset();
    if (read_limit_ > 0) keep_first(read_limit_);
    std::size_t entries = 0;
    for (const auto& page : pages_) {  // where the next read starts
        entries += page.entries.size();
        if (!page.entries.empty()) state_.advance(page.key, page.entries.back().id);
    }
    // Keys known empty: a blocking read of all that found nothing leaves them so.
    quiet_keys_ = entries > 0 ? 0 : read_turn_ > 0 ? quiet_keys_ + read_turn_ : quiet_keys_;
    read_ahead();
    push_messages(reply);
    step();
}

// A blocking read over more keys than the room: keeps the first `limit`
// entries of pages_ and drops the rest (their keys are not advanced past
// them); the next turn starts at the first key that lost entries.
void ConsumerImpl::keep_first(std::size_t limit) {
    std::size_t kept = 0;
    bool cut = false;
    for (auto& page : pages_) {
        const auto take = std::min(page.entries.size(), limit - kept);
        if (take < page.entries.size() && !cut) {
            cut = true;
            std::size_t index = 0;
            for (const auto& c : state_.cursors()) {
                if (!c.resolved) continue;
                if (c.key == page.key) next_turn_ = index;
                ++index;
            }
        }
        page.entries.resize(take);
        kept += take;
    }
    std::erase_if(pages_, [](const commands::StreamPage& p) { return p.entries.empty(); });
}

// block_time, never 0 (BLOCK 0 would wait forever, past any deadline). On
// demand no longer than the waiting take wants a message: a NOACK read must
// not outlive the next_for() it was sent for, or what it brings afterwards
// is consumed with nobody asking.
std::chrono::milliseconds ConsumerImpl::read_block() const {
    using std::chrono::milliseconds;
    const auto block = std::max(options_.block_time, milliseconds(1));
    const auto until = inbox_.demand_until();
    if (!until || *until == Inbox::Clock::time_point::max()) return block;
    const auto left = std::chrono::duration_cast<milliseconds>(*until - Inbox::Clock::now());
    return std::clamp(left, milliseconds(1), block);
}

// Under a backlog (a full page came), the next read goes out before this
// page is handed over, so that the server works on it meanwhile instead of
// waiting for us. Only when nothing else must come first, and when the inbox
// has room for this page and the next.
void ConsumerImpl::read_ahead() {
    std::size_t incoming = 0;
    bool full = false;
    for (const auto& page : pages_) {
        incoming += page.entries.size();
        full = full || page.entries.size() >= read_count_;
    }
    if (!full || op_ != Op::none || discovery_due_ || error_) return;
    if (group_mode()) {
        if (claim_waiting_ || group_.needs_create() || group_.reading_pending() ||
            !group_.readable() || dead_in_flight_ >= options_.prefetch_or_default() ||
            !inbox_.room_for_read(incoming))
            return;
        return read_group(incoming);
    }
    if (state_.needs_resolution() || !state_.readable() || !inbox_.room_for_read(incoming)) return;
    read(incoming);
}

void ConsumerImpl::push_messages(const resp::Reply& reply, std::string claimed_key,
                                 std::span<const KeyPending> pending) {
    std::size_t fields = 0;
    for (const auto& page : pages_)
        for (const auto& e : page.entries)
            fields += e.fields.size();
    if (fields == 0 && pages_.empty()) return;
    auto hold = std::make_shared<PageHold>();
    hold->reply = reply;
    hold->key = std::move(claimed_key);
    hold->fields.reserve(fields);  // exact: the spans below never move
    std::uint64_t redelivered = 0;
    for (const auto& page : pages_) {
        const std::string_view key = hold->key.empty() ? page.key : std::string_view(hold->key);
        const auto owner = owner_of(key);
        if (!owner.stream || page.entries.empty()) continue;  // unassigned while the read was out
        // Group reads: entries XPENDING listed just before are redeliveries
        // with known counts; the others are first deliveries (`>`).
        const auto listed = std::find_if(pending.begin(), pending.end(),
                                         [key](const KeyPending& p) { return p.key == key; });
        const auto before = batch_.size();
        std::uint64_t again = 0;
        for (const auto& e : page.entries) {
            if (e.deleted()) continue;  // a pending entry without a body: acked, not delivered
            const std::uint64_t deliveries = !group_mode() ? 0
                                             : listed == pending.end()
                                                 ? 1
                                                 : delivery_count(listed->entries, e.id);
            if (is_dead_letter(deliveries)) {
                add_dead_letter(key, e, deliveries);
                continue;
            }
            std::string_view payload;
            bool found = false;
            const auto first = hold->fields.size();
            for (const auto& f : e.fields) {
                if (!found && f.first == payload_field_) {
                    payload = f.second;
                    found = true;
                } else {
                    hold->fields.push_back(f);
                }
            }
            std::span<const Field> own(hold->fields.data() + first, hold->fields.size() - first);
            batch_.emplace_back(MessageHeader{*owner.stream, owner.shard, e.id, timestamp_of(e.id)},
                                payload, own, hold, key, deliveries);
            again += deliveries > 1;
        }
        if (group_mode()) {
            auto& counts = counters(key);
            counts.delivered += batch_.size() - before;
            counts.redelivered += again;
        }
        redelivered += again;
    }
    pages_.clear();
    delivered_.fetch_add(batch_.size(), std::memory_order_relaxed);
    redelivered_.fetch_add(redelivered, std::memory_order_relaxed);
    send_dead_letters();
    inbox_.push(batch_);
}

ConsumerImpl::KeyOwner ConsumerImpl::owner_of(std::string_view key) const noexcept {
    if (group_mode()) {
        if (const auto* c = group_.find(key)) return {&c->stream, c->shard};
    } else if (const auto* c = state_.find(key)) {
        return {&c->stream, c->shard};
    }
    return {};
}

void ConsumerImpl::fail(std::error_code ec) {
    resp_.clear();
    if (ec == condition::retryable) return back_off(ec);
    error_ = ec;
    discovery_due_ = false;
    scans_.clear();
    finish_start({});  // the error is the consumer's state, reported by next()
    inbox_.set_error(ec);
}

void ConsumerImpl::back_off(std::error_code ec) {
    resp_.clear();
    // Before the consumer has started, create_consumer() reports the error
    // (and ends the consumer); after, the client reconnects and we retry.
    finish_start(ec);
    // Except a reply the connection could not parse: it would come again on
    // every retry, so it stops reading as a server refusal does.
    if (ec == condition::protocol) return fail(ec);
    op_ = Op::backoff;
    retry_timer_.expires_after(backoff_.next_delay());
    retry_timer_.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code wait_ec) {
            self->op_ = Op::none;
            if (wait_ec || self->stopped_) return;
            self->step();
        }));
}

}  // namespace redstream::detail
