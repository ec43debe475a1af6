#include <redstream/commands/xrange.hpp>

namespace redstream::commands {
namespace {

void write_range(resp::Request& req, std::string_view name, std::string_view key, RangeBound first,
                 RangeBound second, std::optional<std::uint64_t> count) {
    auto b = req.command(name);
    b.key(key);
    first.write(b);
    second.write(b);
    if (count) b.arg("COUNT").arg(*count);
}

}  // namespace

void xrange(resp::Request& req, std::string_view key, RangeBound start, RangeBound end,
            std::optional<std::uint64_t> count) {
    write_range(req, "XRANGE", key, start, end, count);
}

void xrevrange(resp::Request& req, std::string_view key, RangeBound end, RangeBound start,
               std::optional<std::uint64_t> count) {
    write_range(req, "XREVRANGE", key, end, start, count);
}

}  // namespace redstream::commands
