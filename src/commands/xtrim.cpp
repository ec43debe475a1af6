#include <redstream/commands/xtrim.hpp>

namespace redstream::commands {

void xtrim(resp::Request& req, std::string_view key, const TrimOptions& trim) {
    auto b = req.command("XTRIM");
    b.key(key);
    trim.write(b);
}

void xdel(resp::Request& req, std::string_view key, IdList ids) {
    auto b = req.command("XDEL");
    b.key(key);
    for (const auto& id : ids)
        b.arg(id);
}

void xlen(resp::Request& req, std::string_view key) {
    req.command("XLEN").key(key);
}

void xsetid(resp::Request& req, std::string_view key, MessageId last_id,
            const XSetIdOptions& opts) {
    auto b = req.command("XSETID");
    b.key(key).arg(last_id);
    if (opts.entries_added) b.arg("ENTRIESADDED").arg(*opts.entries_added);
    if (opts.max_deleted_id) b.arg("MAXDELETEDID").arg(*opts.max_deleted_id);
}

}  // namespace redstream::commands
