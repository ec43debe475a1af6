#include <redstream/core/detail/log.hpp>

#include "dead_letters.hpp"

#include <memory>

#include "dead_letter.hpp"

namespace redstream::detail {

void DeadLetters::add(std::string_view key, const commands::StreamEntry& e,
                      std::uint64_t deliveries) {
    dead_letter(req_, key, dead_letter_key(core_.options.dead_letter_key, key), core_.group, e,
                deliveries);
    keys_.emplace_back(key);
}

void DeadLetters::send() {
    if (keys_.empty()) return;
    struct Job {
        resp::Request req;
        net::Response resp;
        std::vector<std::string> keys;
    };
    auto job = std::make_shared<Job>();
    job->req = std::move(req_);
    job->keys = std::move(keys_);
    req_.clear();
    keys_.clear();
    in_flight_ += job->keys.size();
    // Not guard(): the count must come down, also after end().
    core_.router->async_exec(
        job->req, job->resp,
        asio::bind_executor(core_.strand, [this, alive = core_.hold(), job](std::error_code ec) {
            on_sent(ec, job->resp, job->keys);
        }));
}

void DeadLetters::on_sent(std::error_code ec, const net::Response& replies,
                          const std::vector<std::string>& keys) {
    in_flight_ -= keys.size();
    // After a transport error the entries stay pending and come back later.
    for (std::size_t i = 0; !ec && i < keys.size() && i < replies.size(); ++i) {
        std::error_code why;
        const auto outcome = decode_dead_letter(replies[i].root(), why);
        if (outcome == DeadLetterOutcome::moved) {
            ConsumerCounters::add(core_.counters.dead_lettered, 1);
            ++core_.counters.of(keys[i]).dead_lettered;
            if (log_enabled(LogLevel::warning))
                log(LogLevel::warning, "consumer",
                    "dead-lettered an entry of " + keys[i] + " after max_deliveries");
        } else if (outcome == DeadLetterOutcome::failed) {
            ConsumerCounters::add(core_.counters.dead_letter_failed, 1);
            if (log_enabled(LogLevel::error))
                log(LogLevel::error, "consumer",
                    "dead letter of an entry of " + keys[i] + " refused: " + why.message() +
                        " (it stays pending)");
        }
    }
    core_.step();
}

}  // namespace redstream::detail
