#include <redstream/commands/xack.hpp>

namespace redstream::commands {

void xack(resp::Request& req, std::string_view key, std::string_view group, IdList ids) {
    auto b = req.command("XACK");
    b.key(key).arg(group);
    for (const auto& id : ids)
        b.arg(id);
}

}  // namespace redstream::commands
