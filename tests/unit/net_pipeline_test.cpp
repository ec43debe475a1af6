// The request queue stepped by hand: no socket, completions observed by
// running an io_context until it has nothing left to do.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>

#include <redstream/core/error.hpp>
#include <redstream/net/detail/pipeline.hpp>
#include <redstream/resp/reader.hpp>

namespace rs = redstream;
using rs::net::detail::Pipeline;

namespace {

class PipelineTest : public ::testing::Test {
  protected:
    struct Call {
        rs::resp::Request request;
        rs::net::Response response;
        std::optional<std::error_code> result;
    };

    Call& make(std::initializer_list<std::string_view> commands, bool fail_fast = false) {
        auto& c = calls_.emplace_back(std::make_unique<Call>());
        for (auto cmd : commands)
            c->request.push(cmd);
        c->request.config().fail_if_not_connected = fail_fast;
        return *c;
    }

    bool push(Call& c, Pipeline::Clock::time_point deadline = Pipeline::no_deadline) {
        auto done = rs::net::detail::Completion([&c](std::error_code ec) { c.result = ec; },
                                                io_.get_executor());
        return pipeline_.push({next_id_++, &c.request, &c.response, std::move(done), {}, deadline});
    }

    rs::resp::Reply reply(std::string_view bytes) {
        reader_.feed(bytes);
        rs::resp::Reply r;
        std::error_code ec;
        EXPECT_TRUE(reader_.next(r, ec));
        return r;
    }

    // poll(), not run(): requests still pending keep the context busy.
    void run() {
        io_.restart();
        io_.poll();
    }

    asio::io_context io_;
    Pipeline pipeline_{1024, 8};
    rs::resp::Reader reader_;
    std::vector<std::unique_ptr<Call>> calls_;
    std::uint64_t next_id_ = 1;
};

TEST_F(PipelineTest, CoalescesQueuedRequestsIntoOneWriteAndMatchesRepliesInOrder) {
    auto& a = make({"PING"});
    auto& b = make({"GET", "INCR"});
    ASSERT_TRUE(push(a));
    ASSERT_TRUE(push(b));
    rs::net::detail::WriteBatch out;
    EXPECT_EQ(pipeline_.prepare_write(out), 2u);
    EXPECT_EQ(out.flatten(), std::string(a.request.payload()) + std::string(b.request.payload()));
    EXPECT_FALSE(pipeline_.has_unwritten());

    EXPECT_TRUE(pipeline_.on_reply(reply("+PONG\r\n")));
    EXPECT_TRUE(pipeline_.on_reply(reply("$1\r\nx\r\n")));
    run();
    EXPECT_EQ(a.result, std::error_code{});
    EXPECT_FALSE(b.result);  // one of its two replies is still missing
    EXPECT_TRUE(pipeline_.on_reply(reply(":7\r\n")));
    run();
    ASSERT_EQ(b.result, std::error_code{});
    EXPECT_EQ(a.response.at(0).root().str(), "PONG");
    EXPECT_EQ(b.response.at(0).root().str(), "x");
    EXPECT_EQ(b.response.at(1).root().to_int(), 7);
    EXPECT_EQ(pipeline_.size(), 0u);
}

TEST_F(PipelineTest, WriteBatchIsBoundedButTakesAtLeastOneRequest) {
    Pipeline small(4, 8);
    rs::resp::Request r1, r2;
    r1.push("PING");
    r2.push("PING");
    rs::net::Response s1, s2;
    auto noop = [this] {
        return rs::net::detail::Completion([](std::error_code) {}, io_.get_executor());
    };
    small.push({1, &r1, &s1, noop(), {}, Pipeline::no_deadline});
    small.push({2, &r2, &s2, noop(), {}, Pipeline::no_deadline});
    rs::net::detail::WriteBatch out;
    EXPECT_EQ(small.prepare_write(out), 1u);
    EXPECT_TRUE(small.has_unwritten());
    out.clear();
    EXPECT_EQ(small.prepare_write(out), 1u);
}

TEST_F(PipelineTest, ReplyWithoutRequestIsRejected) {
    EXPECT_FALSE(pipeline_.on_reply(reply("+OK\r\n")));
    auto& a = make({"PING"});
    push(a);  // queued but not written: still no one waits for a reply
    EXPECT_FALSE(pipeline_.on_reply(reply("+OK\r\n")));
}

TEST_F(PipelineTest, DisconnectFailsWrittenKeepsUnwrittenAndFailsFastOnes) {
    auto& written = make({"INCR"});
    push(written);
    rs::net::detail::WriteBatch out;
    pipeline_.prepare_write(out);
    auto& waiting = make({"PING"});
    auto& fast = make({"PING"}, true);
    push(waiting);
    push(fast);

    pipeline_.on_disconnect();
    run();
    EXPECT_EQ(written.result, rs::errc::connection_lost);
    EXPECT_EQ(*written.result, rs::condition::retryable);
    EXPECT_EQ(fast.result, rs::errc::not_connected);
    EXPECT_FALSE(waiting.result);
    out.clear();
    EXPECT_EQ(pipeline_.prepare_write(out), 1u);  // sent on the next connection
    EXPECT_EQ(out.flatten(), waiting.request.payload());
}

TEST_F(PipelineTest, CancelUnwrittenRemovesItCancelWrittenDropsItsReplies) {
    auto& first = make({"GET"});
    auto& second = make({"GET"});
    auto& third = make({"GET"});
    push(first);
    push(second);
    rs::net::detail::WriteBatch out;
    pipeline_.prepare_write(out);
    push(third);

    // Never written: removed. Written: abandoned, and reported, so that the
    // driver drops the connection.
    EXPECT_FALSE(pipeline_.cancel(3, rs::make_error_code(rs::errc::cancelled)));
    EXPECT_TRUE(pipeline_.cancel(1, rs::make_error_code(rs::errc::cancelled)));
    run();
    EXPECT_EQ(first.result, rs::errc::cancelled);
    EXPECT_EQ(third.result, rs::errc::cancelled);
    EXPECT_FALSE(pipeline_.has_unwritten());

    EXPECT_TRUE(pipeline_.on_reply(reply("$5\r\nfirst\r\n")));  // dropped
    EXPECT_TRUE(pipeline_.on_reply(reply("$6\r\nsecond\r\n")));
    run();
    ASSERT_EQ(first.response.size(), 1u);
    EXPECT_TRUE(first.response[0].empty());  // the dropped reply never reached it
    ASSERT_EQ(second.result, std::error_code{});
    EXPECT_EQ(second.response.at(0).root().str(), "second");
    // Already done: no effect.
    EXPECT_FALSE(pipeline_.cancel(2, rs::make_error_code(rs::errc::cancelled)));
    run();
    EXPECT_EQ(second.result, std::error_code{});
}

TEST_F(PipelineTest, ExpireTimesOutPastDeadlinesAndReportsTheNextOne) {
    const auto now = Pipeline::Clock::now();
    auto& late = make({"PING"});
    auto& later = make({"PING"});
    auto& never = make({"PING"});
    push(late, now - std::chrono::milliseconds(1));
    push(later, now + std::chrono::seconds(5));
    push(never);
    const auto expired = pipeline_.expire(now);
    EXPECT_EQ(expired.next, now + std::chrono::seconds(5));
    EXPECT_FALSE(expired.written);
    run();
    EXPECT_EQ(late.result, rs::errc::timeout);
    EXPECT_FALSE(later.result);
    EXPECT_EQ(pipeline_.size(), 2u);
}

TEST_F(PipelineTest, AWrittenRequestThatTimesOutIsReported) {
    const auto now = Pipeline::Clock::now();
    auto& written = make({"PING"});
    push(written, now + std::chrono::milliseconds(10));
    rs::net::detail::WriteBatch out;
    pipeline_.prepare_write(out, now);
    const auto expired = pipeline_.expire(now + std::chrono::milliseconds(20));
    EXPECT_TRUE(expired.written);
    EXPECT_EQ(expired.next, Pipeline::no_deadline);
    run();
    EXPECT_EQ(written.result, rs::errc::timeout);
}

// The oldest written request is the one whose reply is due: its written time
// plus the silence it allows (a blocking read's BLOCK time).
TEST_F(PipelineTest, ReplyDueIsTheOldestWrittenRequestsWriteTimePlusItsQuietTime) {
    EXPECT_FALSE(pipeline_.reply_due());
    auto& blocking = make({"XREAD"});
    auto& next = make({"PING"});
    const auto t0 = Pipeline::Clock::now();
    pipeline_.push({next_id_++,
                    &blocking.request,
                    &blocking.response,
                    rs::net::detail::Completion([&](std::error_code ec) { blocking.result = ec; },
                                                io_.get_executor()),
                    {},
                    Pipeline::no_deadline,
                    std::chrono::seconds(5)});
    push(next);
    EXPECT_FALSE(pipeline_.reply_due());  // nothing written yet
    rs::net::detail::WriteBatch out;
    pipeline_.prepare_write(out, t0);
    EXPECT_EQ(pipeline_.reply_due(), t0 + std::chrono::seconds(5));
    EXPECT_TRUE(pipeline_.on_reply(reply("*-1\r\n")));
    EXPECT_EQ(pipeline_.reply_due(), t0);  // the PING allows no silence
    EXPECT_TRUE(pipeline_.on_reply(reply("+PONG\r\n")));
    EXPECT_FALSE(pipeline_.reply_due());
    run();
}

// A malformed reply broke the connection: every written request reports the
// protocol error, which is not retryable, instead of connection_lost.
TEST_F(PipelineTest, DisconnectForAProtocolErrorFailsWrittenRequestsWithIt) {
    auto& first = make({"GET"});
    auto& second = make({"GET"});
    push(first);
    push(second);
    rs::net::detail::WriteBatch out;
    pipeline_.prepare_write(out);
    pipeline_.on_disconnect(rs::make_error_code(rs::errc::invalid_type_byte));
    run();
    EXPECT_EQ(first.result, rs::errc::invalid_type_byte);
    EXPECT_NE(*first.result, rs::condition::retryable);
    EXPECT_EQ(second.result, rs::errc::invalid_type_byte);
}

TEST_F(PipelineTest, BoundedQueueAndEmptyRequest) {
    for (int i = 0; i < 8; ++i)
        ASSERT_TRUE(push(make({"PING"})));
    auto& over = make({"PING"});
    EXPECT_FALSE(push(over));
    auto& empty = make({});
    EXPECT_FALSE(push(empty));
    run();
    EXPECT_EQ(over.result, rs::errc::queue_full);
    EXPECT_EQ(empty.result, std::error_code{});
    EXPECT_EQ(pipeline_.size(), 8u);
}

TEST_F(PipelineTest, FailAllCompletesEverything) {
    auto& a = make({"PING"});
    auto& b = make({"PING"});
    push(a);
    rs::net::detail::WriteBatch out;
    pipeline_.prepare_write(out);
    push(b);
    pipeline_.fail_all(rs::make_error_code(rs::errc::shutting_down));
    run();
    EXPECT_EQ(a.result, rs::errc::shutting_down);
    EXPECT_EQ(b.result, rs::errc::shutting_down);
    EXPECT_EQ(pipeline_.size(), 0u);
}

}  // namespace

namespace {

// A shared request's by-reference arguments are pieces of the write, in
// place; the request's owner (which holds their bytes) is held once.
TEST(WriteBatch, ByReferenceArgumentsOfASharedRequestAreWrittenInPlace) {
    struct Owned {
        std::string payload = std::string(1000, 'v');
        rs::resp::Request request;
    };
    auto owned = std::make_shared<Owned>();
    owned->request.command("SET", 3).arg("k").arg_by_reference(owned->payload);
    rs::resp::Request copy;
    copy.push("SET", "k", owned->payload);

    asio::io_context io;
    Pipeline pipeline{1 << 20, 8};
    auto done = rs::net::detail::Completion([](std::error_code) {}, io.get_executor());
    Pipeline::Submit submit;
    submit.id = 1;
    submit.request = &owned->request;
    submit.done = std::move(done);
    submit.owner = owned;
    ASSERT_TRUE(pipeline.push(std::move(submit)));
    rs::net::detail::WriteBatch out;
    ASSERT_EQ(pipeline.prepare_write(out), 1U);
    bool referenced = false;
    out.for_each_piece([&](std::string_view piece) {
        referenced = referenced || piece.data() == owned->payload.data();
    });
    EXPECT_TRUE(referenced) << "the payload was copied";
    EXPECT_EQ(out.flatten(), copy.payload());
    EXPECT_EQ(out.take_owners().size(), 1U);
}

TEST(WriteBatch, SharedRequestsAreReferencedInPlaceBetweenCopiedOnes) {
    rs::net::detail::WriteBatch batch;
    auto big = std::make_shared<std::string>(1000, 'b');
    batch.add_copy("a1");
    batch.add_copy("a2");  // joins the copied piece before it
    batch.add_shared(*big, big);
    batch.add_copy("c");
    std::vector<std::string_view> pieces;
    batch.for_each_piece([&](std::string_view p) { pieces.push_back(p); });
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_EQ(pieces[0], "a1a2");
    EXPECT_EQ(pieces[1].data(), big->data());  // not copied
    EXPECT_EQ(pieces[2], "c");
    EXPECT_EQ(batch.size(), 1005u);
    EXPECT_EQ(batch.flatten(), "a1a2" + *big + "c");
    EXPECT_EQ(big.use_count(), 2);  // held by the batch until the write completes
    auto owners = batch.take_owners();
    batch.clear();
    EXPECT_EQ(big.use_count(), 2);  // now by the write's handler
    owners.clear();
    EXPECT_EQ(big.use_count(), 1);
}

}  // namespace
