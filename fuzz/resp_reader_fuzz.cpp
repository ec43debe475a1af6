// Feeds arbitrary bytes to the RESP reader in a few input-derived chunks and
// checks that (1) nothing crashes or leaks, (2) every reply can be walked,
// (3) the result does not depend on how the bytes were split, and (4) views
// of replies kept alive stay intact while the reader moves on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/resp/reader.hpp>

namespace {

namespace resp = redstream::resp;

void check(bool ok) {
    if (!ok) std::abort();
}

// Walks every value (both by iteration and by index) into a canonical text.
void describe(const resp::Value& v, std::string& out) {
    out += static_cast<char>('A' + static_cast<int>(v.type()));
    if (!v.is_aggregate()) {
        out += std::to_string(v.node().count);
        out += ':';
        out.append(v.str());
        (void)v.to_int();
        (void)v.to_double();
        (void)v.to_bool();
        (void)resp::error_of(v);
        return;
    }
    out += '[';
    std::size_t i = 0;
    for (const resp::Value child : v) {
        check(i < v.size());
        check(v[i].node().next == child.node().next);
        describe(child, out);
        ++i;
    }
    check(i == v.size());
    out += ']';
}

std::string describe(const resp::Reply& reply) {
    std::string out;
    if (auto attribute = reply.attribute()) describe(*attribute, out);
    describe(reply.root(), out);
    return out;
}

struct Outcome {
    std::vector<std::string> texts;
    std::vector<resp::Reply> replies;
    std::error_code ec;
};

void drain(resp::Reader& reader, Outcome& outcome) {
    resp::Reply reply;
    while (reader.next(reply, outcome.ec)) {
        outcome.texts.push_back(describe(reply));
        outcome.replies.push_back(reply);
    }
}

resp::ReaderLimits limits_for(std::uint8_t knob) {
    resp::ReaderLimits limits;
    limits.max_depth = 8;
    limits.max_elements = 1024;
    limits.max_bulk = 2048;
    limits.max_line = 512;
    // Tiny blocks force block switches in the middle of replies.
    limits.block_size = 1 + knob % 64;
    // Half the inputs also run into a small reply bound (128 B .. 4 KiB).
    if (knob & 0x80) limits.max_reply_bytes = 128 + (knob & 0x3F) * 64;
    return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t knob = data[0];
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

    Outcome whole;
    resp::Reader reference(limits_for(knob));
    reference.feed(bytes);
    drain(reference, whole);

    Outcome split;
    resp::Reader reader(limits_for(knob));
    const std::size_t chunks = 1 + knob % 5;
    std::size_t pos = 0;
    for (std::size_t c = 1; c <= chunks; ++c) {
        const std::size_t end =
            c == chunks ? bytes.size() : bytes.size() * c * c / (chunks * chunks + knob % 7);
        if (end > pos) reader.feed(bytes.substr(pos, end - pos));
        pos = std::max(pos, end);
        drain(reader, split);
    }

    check(split.texts == whole.texts);
    check(split.ec == whole.ec);
    // Views into the kept replies survived everything the reader did since.
    for (std::size_t i = 0; i < split.replies.size(); ++i)
        check(describe(split.replies[i]) == split.texts[i]);
    if (split.ec) {
        reader.reset();
        reader.feed("+OK\r\n");
        resp::Reply reply;
        std::error_code ec;
        check(reader.next(reply, ec) && reply.root().str() == "OK");
    }
    return 0;
}
