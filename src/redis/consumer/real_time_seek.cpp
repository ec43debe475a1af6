// seek() and rewind() of the real-time reader. A position given as an id or
// a time moves at once; the end must be looked up first, and that lookup
// goes over the Streamer's shared connection, so that it is never queued
// behind this consumer's own blocking read: the end is then the end when
// rewind() returns, and whatever is added afterwards is delivered.
#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>

#include "real_time_reader.hpp"

namespace redstream::detail {

struct RealTimeReader::EndLookup {
    std::uint64_t epoch = 0;        // the inbox's seek epoch of this call
    std::vector<std::string> keys;  // of the XREVRANGEs in req, in order
    resp::Request req;
    net::Response resp;
    BasicCompletion<std::error_code> done;
};

void RealTimeReader::rewind(SeqPos pos, std::uint64_t epoch) {
    if (!core_.inbox.latest_seek(epoch)) return;  // a later seek has the last word
    state_.rewind(pos);
    reposition(epoch);
}

void RealTimeReader::seek(Timestamp t, std::uint64_t epoch) {
    if (!core_.inbox.latest_seek(epoch)) return;
    state_.seek(t);
    reposition(epoch);
}

void RealTimeReader::reposition(std::uint64_t epoch) {
    core_.clear_error();
    core_.inbox.open(epoch);
    core_.step();
}

void RealTimeReader::rewind_to_end(std::uint64_t epoch, BasicCompletion<std::error_code> done) {
    if (core_.stopped) return done(make_error_code(errc::shutting_down));
    auto lookup = std::make_shared<EndLookup>();
    lookup->epoch = epoch;
    lookup->done = std::move(done);
    for (const auto& c : state_.cursors()) {
        lookup->keys.push_back(c.key);
        commands::xrevrange(lookup->req, c.key, commands::RangeBound::max(),
                            commands::RangeBound::min(), 1);
    }
    if (lookup->keys.empty()) return on_ends({}, *lookup);
    ++end_lookups_;
    // Not guard(): the caller waits for `done`, also after end().
    core_.router->async_exec(
        lookup->req, lookup->resp, net::ExecOptions{Consumer::end_lookup_timeout},
        asio::bind_executor(core_.strand, [this, alive = core_.hold(), lookup](std::error_code ec) {
            --end_lookups_;
            if (core_.stopped) return lookup->done(make_error_code(errc::shutting_down));
            on_ends(ec, *lookup);
        }));
}

// Every key restarts at the end; those looked up start after their newest
// id. The others (the lookup failed, the server refused a key, a key added
// meanwhile) are resolved by the read loop, which also reports a refusal.
void RealTimeReader::on_ends(std::error_code ec, EndLookup& lookup) {
    if (!core_.inbox.latest_seek(lookup.epoch)) {  // a later seek or rewind has the last word
        lookup.done({});
        return core_.step();
    }
    state_.rewind(SeqPos::end());
    for (std::size_t n = 0; !ec && n < lookup.keys.size() && n < lookup.resp.size(); ++n) {
        std::error_code dec;
        const auto entries = commands::decode_xrange(lookup.resp[n].root(), dec);
        if (!dec)
            state_.resolve(lookup.keys[n],
                           entries.empty() ? std::nullopt : std::optional(entries[0].id));
    }
    reposition(lookup.epoch);
    lookup.done(ec);
}

}  // namespace redstream::detail
