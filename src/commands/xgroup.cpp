#include <redstream/commands/xgroup.hpp>

namespace redstream::commands {

void xgroup_create(resp::Request& req, std::string_view key, std::string_view group,
                   StreamStart start, const XGroupCreateOptions& opts) {
    auto b = req.command("XGROUP");
    b.arg("CREATE").key(key).arg(group);
    start.write(b);
    if (opts.mkstream) b.arg("MKSTREAM");
    if (opts.entries_read) b.arg("ENTRIESREAD").arg(*opts.entries_read);
}

void xgroup_createconsumer(resp::Request& req, std::string_view key, std::string_view group,
                           std::string_view consumer) {
    req.command("XGROUP").arg("CREATECONSUMER").key(key).arg(group).arg(consumer);
}

void xgroup_setid(resp::Request& req, std::string_view key, std::string_view group,
                  StreamStart start, const XGroupSetIdOptions& opts) {
    auto b = req.command("XGROUP");
    b.arg("SETID").key(key).arg(group);
    start.write(b);
    if (opts.entries_read) b.arg("ENTRIESREAD").arg(*opts.entries_read);
}

void xgroup_destroy(resp::Request& req, std::string_view key, std::string_view group) {
    req.command("XGROUP").arg("DESTROY").key(key).arg(group);
}

void xgroup_delconsumer(resp::Request& req, std::string_view key, std::string_view group,
                        std::string_view consumer) {
    req.command("XGROUP").arg("DELCONSUMER").key(key).arg(group).arg(consumer);
}

}  // namespace redstream::commands
