#include <redstream/net/detail/pipeline.hpp>

#include <algorithm>

#include <redstream/core/error.hpp>

namespace redstream::net::detail {

void WriteBatch::clear() noexcept {
    copied_.clear();
    pieces_.clear();
    owners_.clear();
    size_ = 0;
}

void WriteBatch::add_copy(std::string_view bytes) {
    if (pieces_.empty() || pieces_.back().external) pieces_.push_back({nullptr, copied_.size(), 0});
    copied_.append(bytes);
    pieces_.back().size += bytes.size();
    size_ += bytes.size();
}

void WriteBatch::add_shared(std::string_view bytes, std::shared_ptr<const void> owner) {
    pieces_.push_back({bytes.data(), 0, bytes.size()});
    owners_.push_back(std::move(owner));
    size_ += bytes.size();
}

void WriteBatch::add_copy(const resp::Request& req) {
    req.for_each_piece([&](std::string_view piece) { add_copy(piece); });
}

void WriteBatch::add_shared(const resp::Request& req, std::shared_ptr<const void> owner) {
    req.for_each_piece([&](std::string_view piece) {
        pieces_.push_back({piece.data(), 0, piece.size()});
        size_ += piece.size();
    });
    owners_.push_back(std::move(owner));
}

std::string WriteBatch::flatten() const {
    std::string out;
    for_each_piece([&](std::string_view p) { out.append(p); });
    return out;
}

void Pipeline::complete(Entry& e, std::error_code ec) {
    if (e.slot.is_connected()) e.slot.clear();
    e.response = nullptr;
    e.sink = {};
    if (e.done) e.done(ec);
}

bool Pipeline::push(Submit s) {
    if (s.request->empty()) {
        if (s.response) s.response->clear();
        s.done(std::error_code{});
        return false;
    }
    if (entries_.size() >= max_requests_) {
        s.done(make_error_code(errc::queue_full));
        return false;
    }
    Entry e;
    e.id = s.id;
    e.request = s.request;
    e.response = s.response;
    e.expected = s.request->commands();
    e.done = std::move(s.done);
    e.slot = s.slot;
    e.deadline = s.deadline;
    e.quiet = s.quiet;
    e.owner = std::move(s.owner);
    e.sink = s.sink;
    e.fail_fast = s.request->config().fail_if_not_connected;
    if (e.response) {
        e.response->clear();
        e.response->resize(e.expected);
    }
    entries_.push_back(std::move(e));
    return true;
}

std::size_t Pipeline::prepare_write(WriteBatch& out, Clock::time_point now) {
    std::size_t taken = 0;
    while (written_ < entries_.size() && (taken == 0 || out.size() < max_write_batch_)) {
        Entry& e = entries_[written_++];
        if (e.owner)
            out.add_shared(*e.request, std::move(e.owner));
        else
            out.add_copy(*e.request);
        e.written_at = now;
        e.request = nullptr;  // the caller may reuse it once we complete
        ++taken;
    }
    return taken;
}

bool Pipeline::on_reply(resp::Reply&& reply) {
    if (written_ == 0) return false;
    Entry& e = entries_.front();
    if (e.response)
        (*e.response)[e.received] = std::move(reply);
    else if (e.sink.fn)
        e.sink.fn(e.sink.ctx, e.received, reply);
    if (++e.received < e.expected) return true;
    complete(e, {});
    entries_.pop_front();
    --written_;
    return true;
}

std::optional<Pipeline::Clock::time_point> Pipeline::reply_due() const noexcept {
    if (written_ == 0) return std::nullopt;
    const Entry& e = entries_.front();
    return e.written_at + e.quiet;
}

void Pipeline::on_disconnect(std::error_code cause) {
    const auto why = cause == condition::protocol ? cause : make_error_code(errc::connection_lost);
    for (std::size_t i = 0; i < written_; ++i)
        complete(entries_[i], why);
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(written_));
    written_ = 0;
    std::erase_if(entries_, [](Entry& e) {
        if (!e.fail_fast) return false;
        complete(e, make_error_code(errc::not_connected));
        return true;
    });
}

void Pipeline::fail_all(std::error_code ec) {
    for (auto& e : entries_)
        complete(e, ec);
    entries_.clear();
    written_ = 0;
}

bool Pipeline::cancel(std::uint64_t id, std::error_code ec) {
    auto it =
        std::find_if(entries_.begin(), entries_.end(), [id](const Entry& e) { return e.id == id; });
    if (it == entries_.end() || !it->done) return false;
    complete(*it, ec);
    const auto index = static_cast<std::size_t>(it - entries_.begin());
    if (index < written_) return true;
    entries_.erase(it);  // never sent: forget it
    return false;
}

Pipeline::Expired Pipeline::expire(Clock::time_point now) {
    Expired out;
    std::size_t i = 0;
    while (i < entries_.size()) {
        Entry& e = entries_[i];
        if (!e.done || e.deadline > now) {
            if (e.done) out.next = std::min(out.next, e.deadline);
            ++i;
            continue;
        }
        complete(e, make_error_code(errc::timeout));
        if (i >= written_) {
            entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            out.written = true;
            ++i;
        }
    }
    return out;
}

}  // namespace redstream::net::detail
