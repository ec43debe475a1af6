#include <redstream/core/url.hpp>

#include <redstream/core/error.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cstdint>

// Error texts must never contain the password. The parser quotes only the
// scheme (letters, digits, '+', '-', '.': never a ':' and what follows) and
// known query keys. It never quotes hosts, ports or unknown query keys: when
// a user forgets the "@host" part, the password sits where a port goes
// (`redis://user:123456`), and a password containing ',' or '?' is split into
// more hosts or a query. It refuses an '@' after the host part when the host
// part has none (a password with an unencoded '/' or '?').

namespace redstream {
namespace {

constexpr std::string_view npos_safe(std::string_view s, std::size_t pos) {
    return pos == std::string_view::npos ? std::string_view{} : s.substr(pos);
}

bool all_digits(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <class T>
bool parse_number(std::string_view s, T max, T& out) noexcept {
    if (!all_digits(s)) return false;
    T v{};
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || v > max) return false;
    out = v;
    return true;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return false;
        const int hi = hex_value(in[i + 1]);
        const int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return true;
}

bool is_unreserved(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void percent_encode(std::string_view in, std::string& out, std::string_view keep = {}) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const char c : in) {
        if (is_unreserved(c) || keep.find(c) != std::string_view::npos) {
            out += c;
        } else {
            const auto b = static_cast<unsigned char>(c);
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 0xF];
        }
    }
}

bool valid_scheme(std::string_view s) noexcept {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

bool is_control(char c) noexcept {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7F;
}

bool is_host_char(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// An IPv6 literal: hex digits, ':' and '.' (an embedded IPv4), then an
// optional "%zone" (an interface name).
bool is_ipv6_literal(std::string_view s) noexcept {
    const auto percent = s.find('%');
    const auto address = s.substr(0, percent);
    if (address.find(':') == std::string_view::npos) return false;
    const bool address_ok = std::all_of(address.begin(), address.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
    });
    if (!address_ok || percent == std::string_view::npos) return address_ok;
    const auto zone = s.substr(percent + 1);
    return !zone.empty() && std::all_of(zone.begin(), zone.end(), is_host_char);
}

// Why `host` cannot be a host name or address, or nullptr when it can. Says
// what is wrong without quoting it.
const char* host_problem(std::string_view host, bool bracketed) noexcept {
    if (host.empty()) return "empty host";
    if (host.find(' ') != std::string_view::npos) return "host contains a space";
    if (std::any_of(host.begin(), host.end(), is_control))
        return "host contains a control character";
    if (bracketed) {
        return is_ipv6_literal(host)
                   ? nullptr
                   : "invalid IPv6 address in brackets (expected hex digits, ':' and '.', "
                     "then an optional %zone)";
    }
    if (!std::all_of(host.begin(), host.end(), is_host_char))
        return "host contains a character other than letters, digits, '-', '.' and '_' "
               "(an IPv6 address goes in brackets)";
    return nullptr;
}

class UrlParser {
  public:
    explicit UrlParser(std::string_view text) : text_(text) {}

    bool run(StreamUrl& out);
    const std::string& why() const noexcept { return why_; }

  private:
    bool fail(std::string why) {
        why_ = std::move(why);
        return false;
    }
    bool parse_network(std::string_view rest, StreamUrl& out);
    bool parse_unix(std::string_view rest, StreamUrl& out);
    bool parse_userinfo(std::string_view info, StreamUrl& out);
    bool parse_hosts(std::string_view list, StreamUrl& out);
    bool parse_host(std::string_view item, const std::string& where, StreamUrl& out);
    bool parse_port(std::string_view text, const std::string& where, std::uint16_t& port);
    bool parse_path(std::string_view path, StreamUrl& out);
    bool parse_db(std::string_view text, StreamUrl& out);
    bool parse_streams(std::string_view list, StreamUrl& out);
    bool parse_query(std::string_view query, StreamUrl& out);
    bool apply_param(std::string_view key, std::string_view raw_value, StreamUrl& out);

    std::string_view text_;
    std::string why_;
    std::string scratch_;
};

bool UrlParser::run(StreamUrl& out) {
    const auto sep = text_.find("://");
    // A scheme is letters and digits only, so quoting it can never leak a
    // password (which always follows a ':').
    if (sep == std::string_view::npos || !valid_scheme(text_.substr(0, sep)))
        return fail("missing scheme (expected redis://, rediss:// or unix://)");
    std::string scheme(text_.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    const auto rest = text_.substr(sep + 3);
    if (scheme == "redis" || scheme == "rediss") {
        out.transport = scheme == "redis" ? Transport::tcp : Transport::tls;
        return parse_network(rest, out);
    }
    if (scheme == "unix") {
        out.transport = Transport::unix_socket;
        return parse_unix(rest, out);
    }
    return fail("unknown scheme " + quoted(scheme) + " (expected redis, rediss or unix)");
}

bool UrlParser::parse_network(std::string_view rest, StreamUrl& out) {
    const auto authority_end = rest.find_first_of("/?");
    auto authority = rest.substr(0, authority_end);
    const auto tail = npos_safe(rest, authority_end);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos && tail.find('@') != std::string_view::npos)
        return fail(
            "unexpected '@' after the host; percent-encode '@', '/' and '?' in user "
            "names, passwords and stream names");
    if (at != std::string_view::npos) {
        if (!parse_userinfo(authority.substr(0, at), out)) return false;
        authority = authority.substr(at + 1);
    }
    if (!parse_hosts(authority, out)) return false;
    const auto q = tail.find('?');
    const auto path = tail.substr(0, q);
    if (!path.empty() && !parse_path(path.substr(1), out)) return false;
    return q == std::string_view::npos || parse_query(tail.substr(q + 1), out);
}

bool UrlParser::parse_unix(std::string_view rest, StreamUrl& out) {
    if (rest.empty()) return fail("empty socket path");
    if (rest.front() != '/') {
        const auto at = rest.find("@/");
        if (at == std::string_view::npos)
            return fail("unix socket path must be absolute (unix:///path/to/socket)");
        if (!parse_userinfo(rest.substr(0, at), out)) return false;
        rest = rest.substr(at + 1);
    }
    const auto q = rest.find('?');
    if (!percent_decode(rest.substr(0, q), out.socket_path))
        return fail("bad percent escape in the socket path (expected %XX with two hex digits)");
    if (out.socket_path == "/") return fail("empty socket path");
    // A NUL would cut the path short where the OS reads it.
    if (std::any_of(out.socket_path.begin(), out.socket_path.end(), is_control))
        return fail("socket path contains a control character");
    return q == std::string_view::npos || parse_query(rest.substr(q + 1), out);
}

bool UrlParser::parse_userinfo(std::string_view info, StreamUrl& out) {
    const auto colon = info.find(':');
    std::string user;
    if (!percent_decode(info.substr(0, colon), user))
        return fail("bad percent escape in the user name (expected %XX with two hex digits)");
    if (!user.empty()) out.username = std::move(user);
    if (colon == std::string_view::npos) return true;
    std::string password;
    if (!percent_decode(info.substr(colon + 1), password))
        return fail("bad percent escape in the password (expected %XX with two hex digits)");
    out.password = std::move(password);
    return true;
}

bool UrlParser::parse_hosts(std::string_view list, StreamUrl& out) {
    // Hosts are named by position, never quoted (see the top of the file).
    const bool several = list.find(',') != std::string_view::npos;
    for (std::size_t n = 1;; ++n) {
        const auto comma = list.find(',');
        const auto where = several ? " (host " + std::to_string(n) + ")" : std::string();
        if (!parse_host(list.substr(0, comma), where, out)) return false;
        if (comma == std::string_view::npos) return true;
        list = list.substr(comma + 1);
    }
}

bool UrlParser::parse_host(std::string_view item, const std::string& where, StreamUrl& out) {
    HostPort hp;
    std::string_view port_text;
    bool has_port = false;
    const bool bracketed = !item.empty() && item.front() == '[';
    if (bracketed) {
        const auto close = item.find(']');
        if (close == std::string_view::npos)
            return fail("unterminated '[' in an IPv6 host" + where);
        hp.host = std::string(item.substr(1, close - 1));
        const auto after = item.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            return fail("unexpected text after ']' (expected ':' and a port)" + where);
        has_port = !after.empty();
        if (has_port) port_text = after.substr(1);
    } else {
        const auto colon = item.find(':');
        hp.host = std::string(item.substr(0, colon));
        has_port = colon != std::string_view::npos;
        if (has_port) port_text = item.substr(colon + 1);
    }
    if (const char* problem = host_problem(hp.host, bracketed)) return fail(problem + where);
    if (has_port && !parse_port(port_text, where, hp.port)) return false;
    out.nodes.push_back(std::move(hp));
    return true;
}

// The port's text is never quoted: it may be a password written without the
// "@host" that should follow it.
bool UrlParser::parse_port(std::string_view text, const std::string& where, std::uint16_t& port) {
    if (text.empty()) return fail("empty port" + where);
    unsigned value = 0;
    if (text.size() > 5 || !parse_number(text, 65535u, value) || value == 0)
        return fail("invalid port" + where + ": not a number in 1..65535");
    port = static_cast<std::uint16_t>(value);
    return true;
}

bool UrlParser::parse_path(std::string_view path, StreamUrl& out) {
    if (path.empty()) return true;
    const auto slash = path.find('/');
    if (slash == std::string_view::npos) {
        // Checked on the raw text, so a stream named "42" can be written "%342".
        return all_digits(path) ? parse_db(path, out) : parse_streams(path, out);
    }
    const auto second = path.substr(slash + 1);
    if (second.find('/') != std::string_view::npos)
        return fail("too many path segments (expected /db, /streams or /db/streams)");
    return parse_db(path.substr(0, slash), out) && parse_streams(second, out);
}

bool UrlParser::parse_db(std::string_view text, StreamUrl& out) {
    if (out.db) return fail("db given twice (in the path and in the query)");
    int db = 0;
    if (!parse_number(text, INT_MAX, db)) return fail("db must be a number 0..2147483647");
    out.db = db;
    return true;
}

bool UrlParser::parse_streams(std::string_view list, StreamUrl& out) {
    while (true) {
        const auto comma = list.find(',');
        const auto raw = list.substr(0, comma);
        if (raw.empty()) return fail("empty stream name");
        std::string name;
        if (!percent_decode(raw, name))
            return fail("bad percent escape in a stream name (expected %XX with two hex digits)");
        out.streams.push_back(std::move(name));
        if (comma == std::string_view::npos) return true;
        list = list.substr(comma + 1);
    }
}

bool UrlParser::parse_query(std::string_view query, StreamUrl& out) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto param = query.substr(0, amp);
        query = npos_safe(query, amp == std::string_view::npos ? amp : amp + 1);
        if (param.empty()) continue;
        const auto eq = param.find('=');
        const auto key = param.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
        if (!apply_param(key, value, out)) return false;
    }
    return true;
}

bool UrlParser::apply_param(std::string_view key, std::string_view raw_value, StreamUrl& out) {
    if (key != "db" && key != "client_name" && key != "name" && key != "protocol" &&
        key != "timeout_ms" && key != "cluster")
        // Not quoted: it could be the end of a password that contains '?'.
        return fail(
            "unknown query parameter (known: db, client_name, name, protocol, timeout_ms, "
            "cluster)");
    if (!percent_decode(raw_value, scratch_))
        return fail("bad percent escape in query parameter " + quoted(key));
    if (key == "db") return parse_db(scratch_, out);
    if (key == "client_name" || key == "name") {
        out.client_name = scratch_;
        return true;
    }
    if (key == "cluster") {
        if (scratch_ != "yes" && scratch_ != "no") return fail("cluster must be yes or no");
        out.cluster = scratch_ == "yes";
        return true;
    }
    if (key == "protocol") {
        if (scratch_ != "2" && scratch_ != "3") return fail("protocol must be 2 or 3");
        out.protocol = scratch_[0] - '0';
        return true;
    }
    std::uint32_t ms = 0;
    if (!parse_number(std::string_view(scratch_), UINT32_MAX, ms))
        return fail("timeout_ms must be a number of milliseconds 0..4294967295");
    out.timeout_ms = ms;
    return true;
}

void append_path(const StreamUrl& url, std::string& s) {
    if (url.db) s += "/" + std::to_string(*url.db);
    if (url.streams.empty()) return;
    s += '/';
    const auto start = s.size();
    for (std::size_t i = 0; i < url.streams.size(); ++i) {
        if (i) s += ',';
        percent_encode(url.streams[i], s);
    }
    // A lone all-digit stream name would read back as a db number.
    if (!url.db && all_digits(std::string_view(s).substr(start))) {
        const char first = s[start];
        s.replace(start, 1, "%3" + std::string(1, first));
    }
}

void append_query(const StreamUrl& url, std::string& s) {
    char sep = '?';
    auto add = [&](std::string_view key, std::string_view value) {
        s += sep;
        s += key;
        s += '=';
        percent_encode(value, s);
        sep = '&';
    };
    if (url.transport == Transport::unix_socket && url.db) add("db", std::to_string(*url.db));
    if (url.client_name) add("client_name", *url.client_name);
    if (url.protocol) add("protocol", std::to_string(*url.protocol));
    if (url.timeout_ms) add("timeout_ms", std::to_string(*url.timeout_ms));
    if (url.cluster) add("cluster", *url.cluster ? "yes" : "no");
}

}  // namespace

StreamUrl StreamUrl::parse(std::string_view text, std::error_code& ec, std::string* why) {
    StreamUrl url;
    UrlParser parser(text);
    if (parser.run(url)) {
        ec.clear();
        return url;
    }
    ec = make_error_code(errc::invalid_url);
    if (why) *why = parser.why();
    return {};
}

StreamUrl StreamUrl::parse(std::string_view text) {
    std::error_code ec;
    std::string why;
    auto url = parse(text, ec, &why);
    if (ec) throw Error(ec, why);
    return url;
}

std::string StreamUrl::redacted() const {
    std::string s = transport == Transport::tcp   ? "redis://"
                    : transport == Transport::tls ? "rediss://"
                                                  : "unix://";
    if (username || password) {
        if (username) percent_encode(*username, s);
        if (password) s += ":***";
        s += '@';
    }
    if (transport == Transport::unix_socket) {
        percent_encode(socket_path, s, "/");
    } else {
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (i) s += ',';
            const bool v6 = nodes[i].host.find(':') != std::string::npos;
            s += v6 ? "[" + nodes[i].host + "]" : nodes[i].host;
            s += ':' + std::to_string(nodes[i].port);
        }
        append_path(*this, s);
    }
    append_query(*this, s);
    return s;
}

}  // namespace redstream
