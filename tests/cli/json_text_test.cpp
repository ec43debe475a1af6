// Binary-safe text in JSON (tools/cli/json_text.hpp).
#include <gtest/gtest.h>

#include "cli.hpp"
#include "json_text.hpp"

namespace cli = redstream::cli;

TEST(CliJsonText, Base64RoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(cli::base64_decode(cli::base64_encode(bytes)), bytes) << i;
        bytes += static_cast<char>(i * 37 + 200);
    }
    EXPECT_EQ(cli::base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(cli::base64_encode("fo"), "Zm8=");
    EXPECT_THROW(cli::base64_decode("Zm8"), cli::UsageError);
    EXPECT_THROW(cli::base64_decode("Zm8*"), cli::UsageError);
}

TEST(CliJsonText, Utf8IsCheckedStrictly) {
    EXPECT_TRUE(cli::is_utf8("plain"));
    EXPECT_TRUE(cli::is_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_FALSE(cli::is_utf8("\xff"));
    EXPECT_FALSE(cli::is_utf8("\xc0\xaf"));      // overlong
    EXPECT_FALSE(cli::is_utf8("\xed\xa0\x80"));  // a surrogate
    EXPECT_FALSE(cli::is_utf8("\xe2\x82"));      // cut short
}

TEST(CliJsonText, TextThatIsNotUtf8TravelsAsBase64) {
    const std::string binary("a\0b\xff\n", 5);
    const auto v = cli::text_value(binary);
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(cli::bytes_of(v, "payload"), binary);
    EXPECT_EQ(cli::text_value("hi"), "hi");
    EXPECT_EQ(cli::bytes_of(cli::Json::parse(v.dump()), "payload"), binary);
    EXPECT_THROW(cli::bytes_of(cli::Json::array(), "payload"), cli::UsageError);
}
