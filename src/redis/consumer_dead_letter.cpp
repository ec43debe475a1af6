// Dead letters of a group consumer: an entry that comes back more than
// max_deliveries times is moved (see detail/dead_letter.hpp) instead of
// delivered. The moves of one read go as one pipelined request over the
// Streamer's shared connection; one that fails leaves the entry pending, to
// be tried again when it comes back (next claim, restart, reconnect).
#include <asio/bind_executor.hpp>

#include <redstream/redis/detail/dead_letter.hpp>

#include "consumer_impl.hpp"

namespace redstream::detail {

bool ConsumerImpl::is_dead_letter(std::uint64_t deliveries) const noexcept {
    return options_.max_deliveries > 0 && deliveries > options_.max_deliveries;
}

void ConsumerImpl::add_dead_letter(std::string_view key, const commands::StreamEntry& e,
                                   std::uint64_t deliveries) {
    dead_letter(dead_req_, key, dead_letter_key(options_.dead_letter_key, key), group_name_, e,
                deliveries);
    dead_keys_.emplace_back(key);
}

void ConsumerImpl::send_dead_letters() {
    if (dead_keys_.empty()) return;
    struct Job {
        resp::Request req;
        net::Response resp;
        std::vector<std::string> keys;
    };
    auto job = std::make_shared<Job>();
    job->req = std::move(dead_req_);
    job->keys = std::move(dead_keys_);
    dead_req_.clear();
    dead_keys_.clear();
    dead_in_flight_ += job->keys.size();
    acks_client_->async_exec(
        job->req, job->resp,
        asio::bind_executor(strand_, [self = shared_from_this(), job](std::error_code ec) {
            self->on_dead_letters(ec, job->resp, job->keys);
        }));
}

void ConsumerImpl::on_dead_letters(std::error_code ec, const net::Response& replies,
                                   const std::vector<std::string>& keys) {
    dead_in_flight_ -= keys.size();
    // After a transport error the entries stay pending and come back later.
    for (std::size_t i = 0; !ec && i < keys.size() && i < replies.size(); ++i) {
        std::error_code why;
        const auto outcome = decode_dead_letter(replies[i].root(), why);
        if (outcome == DeadLetterOutcome::moved) {
            dead_lettered_.fetch_add(1, std::memory_order_relaxed);
            ++counters(keys[i]).dead_lettered;
        } else if (outcome == DeadLetterOutcome::failed) {
            dead_letter_failed_.fetch_add(1, std::memory_order_relaxed);
        }
    }
    step();
}

}  // namespace redstream::detail
