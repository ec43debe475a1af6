// to_prometheus(): the text exposition format, checked line by line and by
// promtool, the format's own parser and linter.
#include <gtest/gtest.h>

#include <redstream/core/error.hpp>
#include <redstream/redis/streamer.hpp>

#include "support/promtool.hpp"

namespace rs = redstream;

namespace {

rs::StreamerStats sample() {
    rs::StreamerStats s;
    s.producers.push_back(
        {"orders", {.sent = 5, .confirmed = 4, .failed = 1, .in_flight = 0, .bytes = 300}});
    s.producers.push_back({"", {}});  // a generic producer
    rs::ConsumerReport c;
    c.streams = {"orders", "we\"ird\\name\nwith a newline"};
    c.group = "billing";
    c.member = "host-1";
    c.stats.delivered = 7;
    c.stats.queued = 2;
    s.consumers.push_back(c);
    s.connections.push_back({"127.0.0.1:7000",
                             "streamer",
                             {.reconnects = 1, .bytes_in = 10, .bytes_out = 20, .pending = 3}});
    s.connections.push_back({"127.0.0.1:7000", "consumer 0", {}});
    return s;
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Prometheus, EveryObjectIsASampleOfEachFamily) {
    const auto text = rs::to_prometheus(sample());
    EXPECT_TRUE(has_line(text, "# TYPE redstream_producer_sent_total counter")) << text;
    EXPECT_TRUE(
        has_line(text, "redstream_producer_sent_total{producer=\"0\",stream=\"orders\"} 5"));
    EXPECT_TRUE(
        has_line(text, "redstream_producer_failed_total{producer=\"0\",stream=\"orders\"} 1"));
    EXPECT_TRUE(has_line(text, "redstream_producer_sent_total{producer=\"1\",stream=\"\"} 0"));
    EXPECT_TRUE(has_line(text, "# TYPE redstream_producer_in_flight gauge"));
    EXPECT_TRUE(has_line(text, "# TYPE redstream_consumer_queued gauge"));
    EXPECT_TRUE(has_line(text,
                         "redstream_consumer_delivered_total{consumer=\"0\",streams=\"orders,we\\\""
                         "ird\\\\name\\nwith a newline\",group=\"billing\",member=\"host-1\"} 7"))
        << text;
    EXPECT_TRUE(has_line(text,
                         "redstream_connection_pending{connection=\"0\",endpoint=\"127.0.0."
                         "1:7000\",owner=\"streamer\"} 3"));
    EXPECT_TRUE(has_line(text,
                         "redstream_connection_sent_bytes_total{connection=\"1\",endpoint="
                         "\"127.0.0.1:7000\",owner=\"consumer 0\"} 0"));
    // One HELP and one TYPE per family, never repeated.
    EXPECT_EQ(text.find("# TYPE redstream_producer_sent_total"),
              text.rfind("# TYPE redstream_producer_sent_total"));
}

TEST(Prometheus, PromtoolAcceptsIt) {
    EXPECT_EQ(redstream::test::promtool_problems(rs::to_prometheus(sample())), "");
    EXPECT_EQ(redstream::test::promtool_problems(
                  rs::to_prometheus(sample(), {.prefix = "app_redis_streams"})),
              "");
}

TEST(Prometheus, PromtoolWouldCatchABrokenText) {
    // The check above can fail: promtool refuses a sample with a bad label.
    EXPECT_NE(redstream::test::promtool_problems("x{a=\"b} 1\n"), "");
}

TEST(Prometheus, NothingLiveIsNothingWritten) {
    EXPECT_EQ(rs::to_prometheus({}), "");
}

TEST(Prometheus, APrefixThatIsNotAMetricNameIsRefused) {
    for (const char* bad : {"", "1abc", "my-app", "a b", "app:x"}) {
        try {
            rs::to_prometheus(sample(), {.prefix = bad});
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const rs::Error& e) {
            EXPECT_EQ(e.code(), rs::make_error_code(rs::errc::invalid_argument));
        }
    }
}

}  // namespace
