// Replies made from raw RESP bytes, for tests of anything that consumes them.
#pragma once

#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include <redstream/resp/reader.hpp>

namespace redstream::test {

/// Parses exactly one complete reply from `bytes`; a test failure if it is not one.
inline resp::Reply parse_reply(std::string_view bytes) {
    resp::Reader reader;
    reader.feed(bytes);
    resp::Reply reply;
    std::error_code ec;
    EXPECT_TRUE(reader.next(reply, ec)) << ec.message() << " for " << bytes;
    return reply;
}

}  // namespace redstream::test
