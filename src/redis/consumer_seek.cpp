// seek() and rewind() of the real-time consumer. A position given as an id
// or a time moves at once; the end must be looked up first, and that lookup
// goes over the Streamer's shared connection, so that it is never queued
// behind this consumer's own blocking read: the end is then the end when
// rewind() returns, and whatever is added afterwards is delivered.

#include <asio/bind_executor.hpp>

#include <redstream/commands/xrange.hpp>
#include <redstream/core/error.hpp>

#include "consumer_impl.hpp"
#include "sync_wait.hpp"

namespace redstream::detail {

struct ConsumerImpl::EndLookup {
    std::uint64_t epoch = 0;        // the inbox's seek epoch of this call
    std::vector<std::string> keys;  // of the XREVRANGEs in req, in order
    resp::Request req;
    net::Response resp;
    BasicCompletion<std::error_code> done;
};

// The inbox is emptied and shut at once, on the caller's thread, so that the
// very next take() sees only what is read from the new position; it opens
// again once the read loop has moved there. A later seek has the last word.
void ConsumerImpl::rewind(SeqPos pos) {
    on_strand([pos, epoch = inbox_.close_for_seek()](ConsumerImpl& self) {
        if (!self.inbox_.latest_seek(epoch)) return;
        self.state_.rewind(pos);
        self.reposition(epoch);
    });
}

void ConsumerImpl::seek(Timestamp t) {
    on_strand([t, epoch = inbox_.close_for_seek()](ConsumerImpl& self) {
        if (!self.inbox_.latest_seek(epoch)) return;
        self.state_.seek(t);
        self.reposition(epoch);
    });
}

void ConsumerImpl::reposition(std::uint64_t epoch) {
    error_.clear();
    inbox_.clear_error();
    inbox_.open(epoch);
    step();
}

void ConsumerImpl::rewind_to_end(BasicCompletion<std::error_code> done) {
    auto lookup = std::make_shared<EndLookup>();
    lookup->epoch = inbox_.close_for_seek();
    lookup->done = std::move(done);
    on_strand([lookup](ConsumerImpl& self) mutable { self.look_up_ends(std::move(lookup)); });
}

void ConsumerImpl::rewind_to_end_and_wait() {
    // On the strand the lookup could never complete while we wait; after
    // end() (or Streamer::disconnect()) nothing may answer at all.
    if (strand_.running_in_this_thread() || inbox_.last_error() == errc::shutting_down)
        return rewind_to_end(BasicCompletion<std::error_code>([](std::error_code) {}, strand_));
    // The lookup's own deadline is end_lookup_timeout: this bound only
    // matters if the strand never runs it. A failed lookup is not reported:
    // the read loop looks the ends up itself (see Consumer::rewind()).
    wait_for(strand_, Consumer::end_lookup_timeout + read_margin,
             [this](auto done) { rewind_to_end(std::move(done)); });
}

void ConsumerImpl::look_up_ends(std::shared_ptr<EndLookup> lookup) {
    if (stopped_) return lookup->done(make_error_code(errc::shutting_down));
    for (const auto& c : state_.cursors()) {
        lookup->keys.push_back(c.key);
        commands::xrevrange(lookup->req, c.key, commands::RangeBound::max(),
                            commands::RangeBound::min(), 1);
    }
    if (lookup->keys.empty()) return on_ends({}, *lookup);
    ++end_lookups_;
    acks_client_->async_exec(
        lookup->req, lookup->resp, net::ExecOptions{Consumer::end_lookup_timeout},
        asio::bind_executor(strand_, [self = shared_from_this(), lookup](std::error_code ec) {
            --self->end_lookups_;
            if (self->stopped_) return lookup->done(make_error_code(errc::shutting_down));
            self->on_ends(ec, *lookup);
        }));
}

// Every key restarts at the end; those looked up start after their newest
// id. The others (the lookup failed, the server refused a key, a key added
// meanwhile) are resolved by the read loop, which also reports a refusal.
void ConsumerImpl::on_ends(std::error_code ec, EndLookup& lookup) {
    if (!inbox_.latest_seek(lookup.epoch)) {  // a later seek or rewind has the last word
        lookup.done({});
        return step();
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
