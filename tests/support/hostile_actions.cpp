// The scripted server's actions, and what it answers when the test did not
// script a command: what a real Redis 7 answers on an empty database.
#include <algorithm>
#include <charconv>
#include <string>

#include "support/hostile_server.hpp"

namespace redstream::test {
namespace {

// The largest XREAD BLOCK honoured, so that a broken parse cannot park a
// connection for long.
constexpr std::chrono::milliseconds max_block{5000};

std::string bulk(std::string_view s) {
    return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// HELLO's reply as Redis 7 gives it: a map in RESP3, a flat array in RESP2.
std::string hello_reply(int protocol, std::uint64_t client_id) {
    const std::string body = bulk("server") + bulk("redis") + bulk("version") + bulk("7.0.15") +
                             bulk("proto") + ":" + std::to_string(protocol) + "\r\n" + bulk("id") +
                             ":" + std::to_string(client_id) + "\r\n" + bulk("mode") +
                             bulk("standalone") + bulk("role") + bulk("master") + bulk("modules") +
                             "*0\r\n";
    return (protocol == 3 ? "%7\r\n" : "*14\r\n") + body;
}

Action hello(const Command& cmd, const Session& session) {
    const std::string version = cmd.args.size() > 1 ? cmd.args[1] : "2";
    if (version != "2" && version != "3")
        return Action::error("NOPROTO unsupported protocol version");
    return Action::reply(hello_reply(version == "3" ? 3 : 2, session.id));
}

// XREAD [COUNT n] [BLOCK ms] STREAMS ...: nothing to read, so null once the
// block time has passed, as Redis does.
Action xread(const Command& cmd, const Session& session) {
    auto none = Action::reply(session.protocol == 3 ? "_\r\n" : "*-1\r\n");
    for (std::size_t i = 1; i + 1 < cmd.args.size(); ++i) {
        if (cmd.upper(i) == "STREAMS") break;
        if (cmd.upper(i) != "BLOCK") continue;
        std::uint64_t ms = 0;
        const auto& arg = cmd.args[i + 1];
        std::from_chars(arg.data(), arg.data() + arg.size(), ms);
        const auto block = std::min<std::uint64_t>(ms == 0 ? max_block.count() : ms,
                                                   static_cast<std::uint64_t>(max_block.count()));
        return std::move(none).after(std::chrono::milliseconds(block));
    }
    return none;
}

}  // namespace

Action Action::reply(std::string bytes) {
    Action a;
    a.bytes = std::move(bytes);
    return a;
}

Action Action::error(std::string_view text) {
    return reply("-" + std::string(text) + "\r\n");
}

Action Action::generate(std::string header, std::string unit, std::uint64_t limit,
                        std::uint64_t rate) {
    Action a;
    a.kind = Kind::generate;
    a.bytes = std::move(header);
    a.unit = unit.empty() ? std::string(" ") : std::move(unit);
    a.limit = limit;
    a.rate = std::max<std::uint64_t>(rate, 1);
    return a;
}

Action Action::silence() {
    Action a;
    a.kind = Kind::silence;
    return a;
}

Action Action::close() {
    Action a;
    a.kind = Kind::close;
    return a;
}

Action Action::reset() {
    Action a;
    a.kind = Kind::reset;
    return a;
}

Action Action::after(std::chrono::milliseconds d) && {
    delay = d;
    return std::move(*this);
}

Action endless_array(std::uint64_t limit, std::uint64_t rate) {
    return Action::generate("*16000000\r\n", ":1\r\n", limit, rate);
}

Action endless_bulk(std::uint64_t limit, std::uint64_t rate) {
    return Action::generate("$536870912\r\n", "xxxxxxxxxxxxxxxx", limit, rate);
}

Action garbage() {
    return Action::reply("?this is not RESP\r\n");
}

std::chrono::milliseconds Session::age() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 accepted);
}

Action redis_default(const Command& cmd, const Session& session) {
    const auto name = cmd.name();
    if (name == "HELLO") return hello(cmd, session);
    if (name == "PING")
        return Action::reply(cmd.args.size() > 1 ? bulk(cmd.args[1]) : std::string("+PONG\r\n"));
    if (name == "AUTH" || name == "CLIENT" || name == "SELECT") return Action::reply("+OK\r\n");
    if (name == "XADD") return Action::reply(bulk("1-" + std::to_string(session.serial)));
    if (name == "XRANGE" || name == "XREVRANGE") return Action::reply("*0\r\n");
    if (name == "SCAN") return Action::reply("*2\r\n" + bulk("0") + "*0\r\n");
    if (name == "XREAD") return xread(cmd, session);
    const auto shown = cmd.args.empty() ? std::string() : cmd.args[0];
    return Action::error("ERR unknown command '" + shown + "'");
}

}  // namespace redstream::test
