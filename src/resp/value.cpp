// Navigation over the flat node array of a reply. Attributes are metadata
// about the value that follows them, so every cursor step skips them.
#include <redstream/resp/value.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <new>

#include <redstream/core/error.hpp>

namespace redstream::resp {

namespace {

std::uint32_t skip_attributes(const Node* nodes, std::uint32_t i) noexcept {
    while (nodes[i].type == Type::attribute)
        i = nodes[i].next;
    return i;
}

// Redis writes infinities as "inf"/"-inf" (and older versions as "+inf");
// from_chars does not take a leading '+'.
std::optional<double> parse_double(std::string_view s) noexcept {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return d;
}

std::optional<std::int64_t> parse_int(std::string_view s) noexcept {
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

const std::vector<Node>& empty_nodes() noexcept {
    static const std::vector<Node> empty;
    return empty;
}

}  // namespace

bool is_aggregate(Type t) noexcept {
    switch (t) {
        case Type::array:
        case Type::map:
        case Type::set:
        case Type::attribute:
        case Type::push:
            return true;
        default:
            return false;
    }
}

std::string_view type_name(Type t) noexcept {
    switch (t) {
        case Type::simple_string:
            return "simple_string";
        case Type::simple_error:
            return "simple_error";
        case Type::integer:
            return "integer";
        case Type::bulk_string:
            return "bulk_string";
        case Type::array:
            return "array";
        case Type::null:
            return "null";
        case Type::boolean:
            return "boolean";
        case Type::double_type:
            return "double";
        case Type::big_number:
            return "big_number";
        case Type::bulk_error:
            return "bulk_error";
        case Type::verbatim_string:
            return "verbatim_string";
        case Type::map:
            return "map";
        case Type::set:
            return "set";
        case Type::attribute:
            return "attribute";
        case Type::push:
            return "push";
    }
    return "unknown";
}

Value Reply::root() const noexcept {
    if (empty()) return {};
    return {data_->nodes.data(), skip_attributes(data_->nodes.data(), 0)};
}

std::optional<Value> Reply::attribute() const noexcept {
    if (empty()) return std::nullopt;
    const Node* nodes = data_->nodes.data();
    std::optional<Value> last;
    for (std::uint32_t i = 0; nodes[i].type == Type::attribute; i = nodes[i].next)
        last = Value(nodes, i);
    return last;
}

const std::vector<Node>& Reply::nodes() const noexcept {
    return data_ ? data_->nodes : empty_nodes();
}

std::shared_ptr<const void> Reply::keep_alive() const {
    if (!data_) return {};
    return std::make_shared<const Reply>(*this);
}

namespace detail {

// One allocation per block: the header (owner count, size), then the bytes.
BlockRef BlockRef::allocate(std::size_t capacity) {
    void* memory = ::operator new(sizeof(Header) + capacity);
    return BlockRef(new (memory) Header{{}, capacity});
}

void BlockRef::release_memory(Header* header) noexcept {
    header->~Header();
    ::operator delete(header);
}

}  // namespace detail

bool Value::is_string() const noexcept {
    const Type t = type();
    return t == Type::simple_string || t == Type::bulk_string || t == Type::verbatim_string;
}

std::optional<std::int64_t> Value::to_int() const noexcept {
    switch (type()) {
        case Type::integer:
            return static_cast<std::int64_t>(node().count);
        case Type::simple_string:
        case Type::bulk_string:
        case Type::verbatim_string:
        case Type::big_number:
            return parse_int(str());
        default:
            return std::nullopt;
    }
}

std::optional<double> Value::to_double() const noexcept {
    switch (type()) {
        case Type::integer:
            return static_cast<double>(static_cast<std::int64_t>(node().count));
        case Type::double_type:
        case Type::simple_string:
        case Type::bulk_string:
        case Type::verbatim_string:
        case Type::big_number:
            return parse_double(str());
        default:
            return std::nullopt;
    }
}

std::optional<bool> Value::to_bool() const noexcept {
    // RESP2 servers answer yes/no questions with :1 / :0.
    if (type() == Type::boolean || type() == Type::integer) {
        if (node().count > 1) return std::nullopt;
        return node().count == 1;
    }
    return std::nullopt;
}

Value Value::operator[](std::size_t i) const noexcept {
    std::uint32_t child = skip_attributes(nodes_, index_ + 1);
    for (; i > 0; --i)
        child = skip_attributes(nodes_, nodes_[child].next);
    return {nodes_, child};
}

// An iterator position is the first node of a child's group (its attributes,
// then the value): that way end() is simply the parent's `next`, and stepping
// never reads past the parent.
Value Value::iterator::operator*() const noexcept {
    return {nodes_, skip_attributes(nodes_, index_)};
}

Value::iterator& Value::iterator::operator++() noexcept {
    index_ = nodes_[skip_attributes(nodes_, index_)].next;
    return *this;
}

Value::iterator Value::begin() const noexcept {
    if (!is_aggregate()) return end();
    return {nodes_, index_ + 1};
}

Value::iterator Value::end() const noexcept {
    return {nodes_, node().next};
}

std::error_code error_of(const Value& v) noexcept {
    if (!v.valid() || !v.is_error()) return {};
    return make_error_code(server_error_code(v.str()));
}

}  // namespace redstream::resp
