#include "restore_writer.hpp"

#include <algorithm>

#include <redstream/commands/keys.hpp>
#include <redstream/commands/xadd.hpp>
#include <redstream/commands/xgroup.hpp>
#include <redstream/commands/xinfo.hpp>
#include <redstream/core/error.hpp>

namespace redstream::cli {

namespace {

constexpr std::size_t keys_per_request = 256;
// A batch is sent at this size even before --batch entries: bounds memory
// for large entries.
constexpr std::size_t max_batch_bytes = 4u << 20;
constexpr std::size_t keys_in_text = 10;

std::string reply_text(const resp::Value& v) {
    return v.is_error() ? std::string(v.str()) : std::string("an unexpected reply");
}

std::optional<MessageId> key_top(const std::string& key, const resp::Value& type,
                                 const resp::Value& info) {
    std::error_code ec;
    const auto t = commands::decode_type(type, ec);
    if (ec) throw RestoreError("TYPE " + key + ": " + reply_text(type));
    if (t == "none") return std::nullopt;
    if (t != "stream")
        throw RestoreError("key " + key + " holds a " + std::string(t) + ", not a stream");
    const auto x = commands::decode_xinfo_stream(info, ec);
    if (ec) throw RestoreError("XINFO STREAM " + key + ": " + reply_text(info));
    return x.last_generated_id;
}

}  // namespace

std::vector<std::optional<MessageId>> key_tops(RouterClient& router,
                                               std::span<const std::string> keys) {
    std::vector<std::optional<MessageId>> tops;
    tops.reserve(keys.size());
    for (std::size_t at = 0; at < keys.size(); at += keys_per_request) {
        const auto part = keys.subspan(at, std::min(keys_per_request, keys.size() - at));
        resp::Request req;
        for (const auto& k : part) {
            commands::type(req, k);
            commands::xinfo_stream(req, k);
        }
        const auto resp = router.exec(req);
        for (std::size_t i = 0; i < part.size(); ++i)
            tops.push_back(key_top(part[i], resp[2 * i].root(), resp[2 * i + 1].root()));
    }
    return tops;
}

std::string conflict_text(std::string_view key, MessageId id, MessageId top) {
    return "key " + std::string(key) + " already has entries up to " + top.to_string() +
           ", and the dump's entry " + id.to_string() +
           " is not after it (--skip-existing adds only the entries after " + top.to_string() + ")";
}

RestoreWriter::RestoreWriter(RouterClient& router, const RestoreOptions& options)
    : router_(router), options_(options) {}

void RestoreWriter::begin_key(const std::string& target) {
    flush();
    const std::string keys[] = {target};
    top_ = key_tops(router_, keys).front();
    keys_.push_back({target, 0});
}

void RestoreWriter::entry(MessageId id, std::span<const Field> fields) {
    if (keys_.empty()) throw RestoreError("an entry before any key");
    // A stream takes only ids above the last it ever had.
    if (top_ && id <= *top_) {
        if (!options_.skip_existing) {
            flush();  // what is batched goes first, so the report is true
            throw RestoreError(conflict_text(keys_.back().name, id, *top_));
        }
        ++skipped_;
        return;
    }
    commands::XAddOptions opts;
    opts.id = commands::XAddId::exact(id);
    commands::xadd(req_, keys_.back().name, fields, opts);
    sent_.push_back({keys_.size() - 1, id});
    if (sent_.size() >= options_.batch || req_.size() >= max_batch_bytes) flush();
}

void RestoreWriter::group(std::string_view name, MessageId last_delivered) {
    if (keys_.empty()) throw RestoreError("a group before any key");
    flush();
    const auto& key = keys_.back().name;
    resp::Request req;
    commands::XGroupCreateOptions opts;
    opts.mkstream = true;  // a key whose entries were all trimmed still gets it
    commands::xgroup_create(req, key, name, commands::StreamStart::after(last_delivered), opts);
    const auto resp = router_.exec(req);
    std::error_code ec;
    commands::decode_ok(resp.front().root(), ec);
    if (ec == errc::busygroup && options_.skip_existing) {
        ++groups_skipped_;
        return;
    }
    if (ec)
        throw RestoreError("XGROUP CREATE " + key + " " + std::string(name) + ": " +
                           reply_text(resp.front().root()));
    ++groups_;
}

void RestoreWriter::flush() {
    if (sent_.empty()) return;
    net::Response resp;
    try {
        resp = router_.exec(req_);
    } catch (const Error& e) {
        throw RestoreError(std::string(e.what()) + " (whether the last " +
                           std::to_string(sent_.size()) + " entries were written is unknown)");
    }
    req_.clear();
    std::optional<std::string> failed;
    for (std::size_t i = 0; i < sent_.size(); ++i) {
        std::error_code ec;
        commands::decode_xadd(resp[i].root(), ec);
        if (!ec) {
            ++written_;
            ++keys_[sent_[i].key].written;
        } else if (!failed) {
            failed = "XADD " + keys_[sent_[i].key].name + " " + sent_[i].id.to_string() + ": " +
                     reply_text(resp[i].root());
        }
    }
    sent_.clear();
    if (failed) throw RestoreError(*failed);
}

std::string RestoreWriter::written_text() const {
    if (written_ == 0 && groups_ == 0) return "nothing";
    std::size_t touched = 0;
    std::string list;
    for (const auto& k : keys_) {
        if (k.written == 0) continue;
        if (++touched <= keys_in_text)
            list += (list.empty() ? "" : ", ") + k.name + ": " + std::to_string(k.written);
    }
    if (touched > keys_in_text) list += ", ...";
    std::string text = std::to_string(written_) + (written_ == 1 ? " entry to " : " entries to ") +
                       std::to_string(touched) + (touched == 1 ? " key" : " keys");
    if (!list.empty()) text += " (" + list + ")";
    return text + ", " + std::to_string(groups_) + (groups_ == 1 ? " group" : " groups");
}

}  // namespace redstream::cli
