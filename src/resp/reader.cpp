// The incremental parser. Each element is a line (type byte, payload, CRLF),
// plus a body for bulk types. Open aggregates sit on an explicit stack, so a
// reply split across reads resumes exactly where the bytes ran out.
#include <redstream/resp/reader.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <redstream/core/error.hpp>

#include "line_parsers.hpp"
#include "read_buffer.hpp"

namespace redstream::resp {

namespace {

struct Frame {
    std::uint32_t index;      // the aggregate's node
    std::uint64_t remaining;  // children still to come
};

// What one parsing step achieved.
enum class Step { more, progress, done, failed };

// A reused reply keeps its node capacity unless it grew huge once.
constexpr std::size_t max_retained_nodes = 64 * 1024;
constexpr std::size_t max_nodes = std::numeric_limits<std::uint32_t>::max() - 1;
// prepare() hands out what is left of a block that replies hold down to this
// size rather than leaving it unused.
constexpr std::size_t min_fill = 512;

// The reader's own owner of a ReplyData: it may refill the data once it is
// the sole owner again, i.e. once every Reply sharing it has been dropped.
class PooledReply {
  public:
    PooledReply() = default;
    static PooledReply make() { return PooledReply(new detail::ReplyData); }
    PooledReply(PooledReply&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
    PooledReply& operator=(PooledReply&& other) noexcept {
        PooledReply old(std::move(*this));
        data_ = std::exchange(other.data_, nullptr);
        return *this;
    }
    ~PooledReply() {
        if (data_ && data_->owners.drop()) delete data_;
    }

    detail::ReplyData* get() const noexcept { return data_; }
    bool sole() const noexcept { return data_ && data_->owners.sole(); }

  private:
    explicit PooledReply(detail::ReplyData* data) noexcept : data_(data) {}
    detail::ReplyData* data_ = nullptr;
};

}  // namespace

struct Reader::Impl {
    explicit Impl(const ReaderLimits& l) : limits(l), buffer(l.block_size) {
        stack.reserve(std::min<std::size_t>(l.max_depth, 64) + 1);
    }

    ReaderLimits limits;
    detail::ReadBuffer buffer;
    std::vector<Frame> stack;
    detail::ReplyData* reply = nullptr;  // the reply being parsed (a pool entry)
    // Recently returned replies: reused once the user has dropped them, so a
    // steady stream of replies allocates no node vectors.
    std::array<PooledReply, 2> pool;
    unsigned victim = 0;
    bool in_bulk = false;  // a bulk header was read; its body is incomplete
    Type bulk_type = Type::bulk_string;
    std::size_t bulk_length = 0;
    std::size_t scanned = 0;        // bytes after pos() already searched for '\n'
    std::uint64_t reply_start = 0;  // stream offset of the reply being parsed
    // Nodes the reply may hold before its node array grows again. Counted
    // against max_reply_bytes instead of the vector's capacity, so the bound
    // does not depend on what an earlier reply left in a reused vector.
    std::uint64_t node_budget = 0;
    std::uint64_t nodes_left = 0;  // node_budget minus the nodes appended
    // The stream offset up to which the reply's input fits beside its budget.
    std::uint64_t input_limit = 0;
    // Where the line being parsed starts in the current block (a position,
    // not a stream offset: one store per line).
    std::size_t line_pos = 0;
    std::uint64_t reply_end = 0;
    std::error_code error;

    std::span<char> prepare(std::size_t min_size);
    bool parse();
    Step read_line();
    Step dispatch(char type, std::string_view body);
    Step bulk_header(Type type, std::string_view body);
    Step bulk_body();
    Step aggregate(Type type, std::string_view body, std::uint64_t per_entry);
    Step scalar(Type type, std::string_view text, std::uint64_t count = 0);
    Step finish_node(std::uint32_t index);
    // Adds a node, growing the budget when it is used up. Inline: it runs
    // once per element. The input is checked where parsing stops (parse()).
    bool append(const Node& node) {
        if (nodes_left == 0 && !grow_nodes()) [[unlikely]]
            return false;
        --nodes_left;
        reply->nodes.push_back(node);
        return true;
    }
    bool grow_nodes();
    bool bulk_fits(std::uint64_t end) const noexcept;
    Step bulk_pending();
    bool over_bound_already() const noexcept;
    Step fail(errc code);
    Step fail_line(std::string_view body, errc code);
    void start_reply();
    void drop_reply() noexcept;
    void recycle() noexcept;
};

void Reader::Impl::recycle() noexcept {
    for (auto& data : pool) {
        if (data.get() != reply && data.sole()) data.get()->blocks.clear();
    }
}

std::span<char> Reader::Impl::prepare(std::size_t min_size) {
    recycle();
    std::size_t want = std::max<std::size_t>(min_size, 1);
    std::size_t enough = std::min(want, min_fill);
    // A partial bulk must end up in one piece: make room for all of it now.
    // Its length was checked against max_reply_bytes before this allocation.
    if (in_bulk && bulk_length + 2 > buffer.unparsed()) {
        const std::size_t rest = bulk_length + 2 - buffer.unparsed();
        want = std::max(want, rest);
        enough = std::max(enough, rest);
    }
    bool switched = false;
    auto span = buffer.prepare(want, enough, switched);
    if (switched && reply) reply->blocks.push_back(buffer.block());
    return span;
}

void Reader::Impl::start_reply() {
    for (auto& data : pool) {
        if (!data.sole()) continue;
        if (data.get()->nodes.capacity() > max_retained_nodes) {
            data = PooledReply();
            continue;
        }
        data.get()->nodes.clear();
        data.get()->blocks.clear();
        reply = data.get();
        break;
    }
    if (!reply) {
        pool[victim] = PooledReply::make();
        reply = pool[victim].get();
        victim ^= 1U;
    }
    reply->blocks.push_back(buffer.block());
    reply_start = buffer.offset();
    node_budget = 0;
    nodes_left = 0;
    input_limit = 0;
}

// Releases what a reply that will never complete holds: a failed reader
// keeps nothing of it until reset().
void Reader::Impl::drop_reply() noexcept {
    stack.clear();
    in_bulk = false;
    if (!reply) return;
    reply->blocks.clear();
    if (reply->nodes.capacity() > max_retained_nodes)
        std::vector<Node>().swap(reply->nodes);
    else
        reply->nodes.clear();
    reply = nullptr;
}

Step Reader::Impl::fail(errc code) {
    if (code != errc::reply_too_large && over_bound_already()) code = errc::reply_too_large;
    error = make_error_code(code);
    drop_reply();
    return Step::failed;
}

// The reply's memory is its node budget plus the input bytes it spans; both
// must stay within max_reply_bytes. Growing the node array doubles the
// budget, clamped so that the old and the new array (both exist while the
// nodes move) and the input still fit. Called when the budget is used up.
bool Reader::Impl::grow_nodes() {
    auto& nodes = reply->nodes;
    if (nodes.size() >= max_nodes) {
        // Not through fail(): line_pos may belong to an earlier block here (a
        // bulk body completed after a block switch).
        error = make_error_code(errc::aggregate_too_large);
        drop_reply();
        return false;
    }
    const std::uint64_t limit = limits.max_reply_bytes;
    const std::uint64_t spanned = buffer.offset() - reply_start;
    const std::uint64_t room = spanned < limit ? (limit - spanned) / sizeof(Node) : 0;
    const std::uint64_t grown =
        std::min<std::uint64_t>({std::max<std::uint64_t>(2 * node_budget, 1),
                                 room > node_budget ? room - node_budget : 0, max_nodes});
    if (grown <= nodes.size()) {
        fail(errc::reply_too_large);
        return false;
    }
    node_budget = grown;
    nodes_left = grown - nodes.size();
    const std::uint64_t input_room = limit - grown * sizeof(Node);
    input_limit = input_room > std::numeric_limits<std::uint64_t>::max() - reply_start
                      ? std::numeric_limits<std::uint64_t>::max()
                      : reply_start + input_room;
    if (grown > nodes.capacity()) nodes.reserve(static_cast<std::size_t>(grown));
    return true;
}

// Whether one more node and the input up to the stream offset `end` fit in
// the bound, the node array growing as little as it can.
bool Reader::Impl::bulk_fits(std::uint64_t end) const noexcept {
    const std::uint64_t nodes_after = reply->nodes.size() + 1;
    const std::uint64_t node_bytes =
        (nodes_after <= node_budget ? node_budget : node_budget + nodes_after) * sizeof(Node);
    return node_bytes + (end - reply_start) <= limits.max_reply_bytes;
}

// The body of a bulk is still arriving. Checked before prepare() makes room
// for all of it, so a declared length beyond the bound allocates nothing. (A
// body already received is counted like any input, where parsing stops.)
Step Reader::Impl::bulk_pending() {
    const std::uint64_t end = buffer.offset() + bulk_length + 2;
    if ((nodes_left == 0 || end > input_limit) && !bulk_fits(end))
        return fail(errc::reply_too_large);
    return Step::more;
}

// Whether the reply went over the bound before the element that failed. The
// bound is checked where parsing stops, not at every element; reporting it
// here as well makes the error the one an element-by-element check would
// give, so it does not depend on how the input was split.
bool Reader::Impl::over_bound_already() const noexcept {
    if (!reply) return false;
    if (in_bulk) {
        const std::uint64_t end = buffer.offset() + bulk_length + 2;
        return (nodes_left == 0 || end > input_limit) && !bulk_fits(end);
    }
    return node_budget > 0 && buffer.offset() - buffer.pos() + line_pos > input_limit;
}

// A stray '\r' inside a line means the line did not end in CRLF where the
// sender meant it to; report that rather than a bad number.
Step Reader::Impl::fail_line(std::string_view body, errc code) {
    return fail(body.find('\r') != std::string_view::npos ? errc::missing_crlf : code);
}

bool Reader::Impl::parse() {
    for (;;) {
        const Step step = in_bulk ? bulk_body() : read_line();
        if (step == Step::progress) continue;
        if (step == Step::failed) return false;
        // The input a reply spans only grows, and so does its node budget:
        // checking it wherever parsing stops (and where the budget grows) is
        // as exact as checking it at every element, and cheaper. A pending
        // bulk was checked up to its end at its header.
        if (reply && !in_bulk && buffer.offset() > input_limit) {
            fail(errc::reply_too_large);
            return false;
        }
        return step == Step::done;
    }
}

Step Reader::Impl::read_line() {
    line_pos = buffer.pos();
    const char* start = buffer.data() + line_pos;
    const std::size_t available = buffer.unparsed();
    const auto* lf =
        static_cast<const char*>(std::memchr(start + scanned, '\n', available - scanned));
    if (lf == nullptr) {
        if (available > limits.max_line) return fail(errc::protocol_error);
        scanned = available;
        return Step::more;
    }
    const auto length = static_cast<std::size_t>(lf - start);  // up to the '\n'
    // Checked first so the code does not depend on how the bytes were split.
    if (length > limits.max_line) return fail(errc::protocol_error);
    if (length < 2 || lf[-1] != '\r') {
        return length == 1 && start[0] == '\r' ? fail(errc::invalid_type_byte)
                                               : fail(errc::missing_crlf);
    }
    scanned = 0;
    if (!reply) start_reply();
    buffer.advance(length + 1);
    return dispatch(start[0], std::string_view(start + 1, length - 2));
}

Step Reader::Impl::dispatch(char type, std::string_view body) {
    switch (type) {
        case '$':
            return bulk_header(Type::bulk_string, body);
        case '*':
            return aggregate(Type::array, body, 1);
        case '+':
        case '-':
            if (body.find('\r') != std::string_view::npos) return fail(errc::missing_crlf);
            return scalar(type == '+' ? Type::simple_string : Type::simple_error, body);
        case ':': {
            std::int64_t v = 0;
            if (!detail::parse_int64(body, v)) return fail_line(body, errc::invalid_number);
            return scalar(Type::integer, body, static_cast<std::uint64_t>(v));
        }
        case '%':
            return aggregate(Type::map, body, 2);
        case '~':
            return aggregate(Type::set, body, 1);
        case '>':
            return aggregate(Type::push, body, 1);
        case '|':
            return aggregate(Type::attribute, body, 2);
        case '!':
            return bulk_header(Type::bulk_error, body);
        case '=':
            return bulk_header(Type::verbatim_string, body);
        case '_':
            if (!body.empty()) return fail_line(body, errc::protocol_error);
            return scalar(Type::null, {});
        case '#':
            if (body != "t" && body != "f") return fail_line(body, errc::invalid_number);
            return scalar(Type::boolean, body, body == "t" ? 1 : 0);
        case ',':
            if (!detail::is_double(body)) return fail_line(body, errc::invalid_number);
            return scalar(Type::double_type, body);
        case '(':
            if (!detail::is_big_number(body)) return fail_line(body, errc::invalid_number);
            return scalar(Type::big_number, body);
        default:
            return fail(errc::invalid_type_byte);
    }
}

Step Reader::Impl::bulk_header(Type type, std::string_view body) {
    std::int64_t length = 0;
    if (!detail::parse_int64(body, length)) return fail_line(body, errc::invalid_length);
    if (length == -1 && type == Type::bulk_string) return scalar(Type::null, {});
    if (length < 0) return fail(errc::invalid_length);
    if (static_cast<std::uint64_t>(length) > limits.max_bulk) return fail(errc::bulk_too_large);
    if (type == Type::verbatim_string && length < 4) return fail(errc::protocol_error);
    in_bulk = true;
    bulk_type = type;
    bulk_length = static_cast<std::size_t>(length);
    return bulk_body();
}

// Kept inline in bulk_header(): most bodies are already there, and the call
// alone costs a few percent of the whole parse (bench/resp_parse_xread).
[[gnu::always_inline]] inline Step Reader::Impl::bulk_body() {
    if (buffer.unparsed() < bulk_length + 2) return bulk_pending();
    const char* p = buffer.data() + buffer.pos();
    if (p[bulk_length] != '\r' || p[bulk_length + 1] != '\n') return fail(errc::missing_crlf);
    const bool verbatim = bulk_type == Type::verbatim_string;
    if (verbatim && p[3] != ':') return fail(errc::protocol_error);
    in_bulk = false;
    buffer.advance(bulk_length + 2);
    if (!verbatim) return scalar(bulk_type, {p, bulk_length});
    const Step step = scalar(Type::verbatim_string, {p + 4, bulk_length - 4});
    // scalar() appended the node last; add the format it does not know about.
    if (step != Step::failed) std::memcpy(reply->nodes.back().format, p, 3);
    return step;
}

Step Reader::Impl::aggregate(Type type, std::string_view body, std::uint64_t per_entry) {
    std::int64_t n = 0;
    if (!detail::parse_int64(body, n)) return fail_line(body, errc::invalid_length);
    if (n == -1 && type == Type::array) return scalar(Type::null, {});
    if (n < 0) return fail(errc::invalid_length);
    if (static_cast<std::uint64_t>(n) > limits.max_elements / per_entry)
        return fail(errc::aggregate_too_large);
    if (stack.size() >= limits.max_depth) return fail(errc::nesting_too_deep);
    const auto index = static_cast<std::uint32_t>(reply->nodes.size());
    const std::uint64_t children = static_cast<std::uint64_t>(n) * per_entry;
    if (!append(Node{type, {}, index + 1, children, {}})) return Step::failed;
    if (children == 0) return finish_node(index);
    stack.push_back(Frame{index, children});
    return Step::progress;
}

Step Reader::Impl::scalar(Type type, std::string_view text, std::uint64_t count) {
    const auto index = static_cast<std::uint32_t>(reply->nodes.size());
    if (!append(Node{type, {}, index + 1, count, text})) return Step::failed;
    return finish_node(index);
}

// A value is complete: count it against its parent, closing every aggregate
// it completes. An attribute is not a value of its parent (it annotates the
// value that follows), so closing one counts for nothing.
Step Reader::Impl::finish_node(std::uint32_t index) {
    auto& nodes = reply->nodes;
    for (;;) {
        if (nodes[index].type == Type::attribute) return Step::progress;
        if (stack.empty()) return Step::done;
        Frame& parent = stack.back();
        if (--parent.remaining > 0) return Step::progress;
        index = parent.index;
        stack.pop_back();
        nodes[index].next = static_cast<std::uint32_t>(nodes.size());
    }
}

Reader::Reader(ReaderLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
Reader::~Reader() = default;
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;

std::span<char> Reader::prepare(std::size_t min_size) {
    return impl_->prepare(min_size);
}

void Reader::commit(std::size_t n) noexcept {
    impl_->buffer.commit(n);
}

void Reader::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto span = prepare(bytes.size());
        const auto n = std::min(span.size(), bytes.size());
        std::memcpy(span.data(), bytes.data(), n);
        commit(n);
        bytes.remove_prefix(n);
    }
}

bool Reader::next(Reply& out, std::error_code& ec) {
    Impl& d = *impl_;
    ec = d.error;
    if (d.error || d.buffer.data() == nullptr) return false;
    if (!d.parse()) {
        ec = d.error;
        return false;
    }
    d.reply_end = d.buffer.offset();
    out = Reply(*d.reply);
    d.reply = nullptr;
    return true;
}

std::size_t Reader::buffered() const noexcept {
    return static_cast<std::size_t>(impl_->buffer.received() - impl_->reply_end);
}

void Reader::reset() noexcept {
    Impl& d = *impl_;
    d.drop_reply();
    d.buffer.reset();
    d.scanned = 0;
    d.reply_end = 0;
    d.error.clear();
}

}  // namespace redstream::resp
