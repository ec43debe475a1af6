// StreamKey validation and the shard key convention.
#include <redstream/core/error.hpp>
#include <redstream/core/stream.hpp>

namespace redstream {
namespace {

// Empty when `name` is a valid key, else what is wrong with it.
std::string key_problem(std::string_view name) {
    if (name.empty()) return "stream key is empty";
    if (name.size() > StreamKey::max_size)
        return "stream key is " + std::to_string(name.size()) + " bytes; the limit is " +
               std::to_string(StreamKey::max_size);
    return {};
}

}  // namespace

StreamKey::StreamKey(std::string_view name) {
    if (auto why = key_problem(name); !why.empty())
        throw Error(make_error_code(errc::invalid_argument), why);
    name_ = std::make_shared<const std::string>(name);
}

StreamKey StreamKey::make(std::string_view name, std::error_code& ec, std::string* why) {
    auto problem = key_problem(name);
    if (!problem.empty()) {
        ec = make_error_code(errc::invalid_argument);
        if (why) *why = std::move(problem);
        return {};
    }
    ec.clear();
    return StreamKey(name);
}

std::string shard_key(const StreamKey& stream, ShardId shard, std::uint64_t shard_count) {
    std::string key(stream.name());
    if (shard_count <= 1) return key;
    key += ':';
    key += std::to_string(shard.value);
    return key;
}

}  // namespace redstream
