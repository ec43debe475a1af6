#include <gtest/gtest.h>

#include <redstream/core/error.hpp>

#include <string>
#include <system_error>

namespace redstream {
namespace {

constexpr errc first_code = errc::not_connected;
constexpr errc last_code = errc::queue_full;

TEST(Error, CategoryNamesAndMessages) {
    EXPECT_STREQ(error_category().name(), "redstream");
    EXPECT_STREQ(condition_category().name(), "redstream.condition");
    for (int v = static_cast<int>(first_code); v <= static_cast<int>(last_code); ++v) {
        const auto ec = make_error_code(static_cast<errc>(v));
        EXPECT_FALSE(ec.message().empty()) << v;
        EXPECT_NE(ec.message(), "unknown redstream error") << v;
    }
    EXPECT_EQ(make_error_code(errc::wrongtype).message().rfind("WRONGTYPE", 0), 0u);
    EXPECT_EQ(error_category().message(9999), "unknown redstream error");
}

TEST(Error, ImplicitConversionFromEnum) {
    std::error_code ec = errc::timeout;
    EXPECT_EQ(ec, errc::timeout);
    EXPECT_EQ(&ec.category(), &error_category());
    EXPECT_NE(ec, errc::cancelled);
}

TEST(Error, RetryableCondition) {
    for (auto e : {errc::not_connected, errc::connection_lost, errc::connect_failed, errc::timeout,
                   errc::readonly, errc::loading, errc::busy, errc::tryagain, errc::clusterdown,
                   errc::masterdown, errc::moved, errc::ask}) {
        EXPECT_EQ(make_error_code(e), condition::retryable) << make_error_code(e).message();
        EXPECT_NE(make_error_code(e), condition::fatal) << make_error_code(e).message();
    }
    for (auto e : {errc::wrongtype, errc::nogroup, errc::busygroup, errc::wrongpass,
                   errc::protocol_error, errc::invalid_url, errc::unexpected_reply})
        EXPECT_NE(make_error_code(e), condition::retryable) << make_error_code(e).message();
    // Socket failures from the OS are retryable.
    EXPECT_EQ(std::make_error_code(std::errc::connection_reset), condition::retryable);
    EXPECT_EQ(std::error_code(ECONNREFUSED, std::system_category()), condition::retryable);
}

TEST(Error, RedirectCondition) {
    EXPECT_EQ(make_error_code(errc::moved), condition::redirect);
    EXPECT_EQ(make_error_code(errc::ask), condition::redirect);
    EXPECT_NE(make_error_code(errc::tryagain), condition::redirect);
    EXPECT_NE(std::make_error_code(std::errc::io_error), condition::redirect);
}

TEST(Error, TimeoutCondition) {
    EXPECT_EQ(make_error_code(errc::timeout), condition::timeout);
    EXPECT_EQ(std::make_error_code(std::errc::timed_out), condition::timeout);
    EXPECT_NE(make_error_code(errc::cancelled), condition::timeout);
}

TEST(Error, AuthCondition) {
    for (auto e : {errc::noauth, errc::wrongpass, errc::noperm})
        EXPECT_EQ(make_error_code(e), condition::auth);
    EXPECT_NE(make_error_code(errc::wrongtype), condition::auth);
}

TEST(Error, ProtocolCondition) {
    for (int v = static_cast<int>(errc::protocol_error);
         v <= static_cast<int>(errc::unexpected_reply); ++v)
        EXPECT_EQ(make_error_code(static_cast<errc>(v)), condition::protocol) << v;
    EXPECT_NE(make_error_code(errc::server_error), condition::protocol);
    EXPECT_NE(make_error_code(errc::timeout), condition::protocol);
    // A reply over the reader's memory bound is a broken (or hostile) server:
    // a protocol error, and retrying will not help.
    EXPECT_EQ(make_error_code(errc::reply_too_large), condition::protocol);
    EXPECT_EQ(make_error_code(errc::reply_too_large), condition::fatal);
    EXPECT_NE(make_error_code(errc::reply_too_large), condition::retryable);
    EXPECT_NE(make_error_code(errc::reply_too_large).message().find("max_reply_bytes"),
              std::string::npos);
}

TEST(Error, FatalCondition) {
    for (auto e : {errc::wrongtype, errc::nogroup, errc::busygroup, errc::wrongpass, errc::noauth,
                   errc::invalid_url, errc::invalid_argument, errc::protocol_error,
                   errc::server_error, errc::shutting_down})
        EXPECT_EQ(make_error_code(e), condition::fatal) << make_error_code(e).message();
    EXPECT_NE(make_error_code(errc::cancelled), condition::fatal);
    EXPECT_NE(make_error_code(errc::timeout), condition::fatal);
}

TEST(Error, ConditionMessages) {
    EXPECT_EQ(make_error_condition(condition::retryable).message(), "retryable");
    EXPECT_EQ(make_error_condition(condition::fatal).message(), "fatal");
    EXPECT_EQ(condition_category().message(999), "unknown condition");
}

TEST(Error, ServerErrorPrefixes) {
    struct Case {
        const char* text;
        errc code;
    };
    for (const auto& c : {
             Case{"WRONGTYPE Operation against a key holding the wrong kind of value",
                  errc::wrongtype},
             Case{"NOGROUP No such key 's' or consumer group 'g'", errc::nogroup},
             Case{"BUSYGROUP Consumer Group name already exists", errc::busygroup},
             Case{"READONLY You can't write against a read only replica.", errc::readonly},
             Case{"LOADING Redis is loading the dataset in memory", errc::loading},
             Case{"BUSY Redis is busy running a script.", errc::busy},
             Case{"OOM command not allowed when used memory > 'maxmemory'.", errc::oom},
             Case{"NOAUTH Authentication required.", errc::noauth},
             Case{"WRONGPASS invalid username-password pair", errc::wrongpass},
             Case{"NOPERM this user has no permissions", errc::noperm},
             Case{"MOVED 3999 127.0.0.1:6381", errc::moved},
             Case{"ASK 3999 127.0.0.1:6381", errc::ask},
             Case{"TRYAGAIN Multiple keys request during rehashing", errc::tryagain},
             Case{"CLUSTERDOWN The cluster is down", errc::clusterdown},
             Case{"MASTERDOWN Link with MASTER is down", errc::masterdown},
             Case{"NOPROTO unsupported protocol version", errc::noproto},
             Case{"CROSSSLOT Keys in request don't hash to the same slot", errc::crossslot},
             Case{"ERR unknown command", errc::server_error},
             Case{"NOSCRIPT No matching script", errc::server_error},
             Case{"BUSYKEY Target key name already exists.", errc::server_error},
             Case{"ASKING", errc::server_error},
             Case{"MOVED", errc::moved},
             Case{"", errc::server_error},
             Case{"wrongtype lower case", errc::server_error},
         })
        EXPECT_EQ(server_error_code(c.text), c.code) << c.text;
}

TEST(Error, ExceptionCarriesCodeAndDetail) {
    try {
        throw_if(make_error_code(errc::nogroup), "NOGROUP No such key");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), errc::nogroup);
        EXPECT_NE(std::string(e.what()).find("NOGROUP No such key"), std::string::npos);
    }
    EXPECT_NO_THROW(throw_if(std::error_code{}));
    const Error bare(make_error_code(errc::timeout));
    EXPECT_EQ(bare.code(), condition::timeout);
}

TEST(Error, TextIsTheMessageOrDetailThenMessage) {
    const auto ec = make_error_code(errc::wrongtype);
    // No stray ": " in front when there is no detail.
    EXPECT_EQ(std::string(Error(ec).what()), ec.message());
    EXPECT_EQ(std::string(Error(ec, "").what()), ec.message());
    EXPECT_EQ(std::string(Error(ec, "XADD failed").what()), "XADD failed: " + ec.message());
    try {
        throw_if(ec);
        FAIL();
    } catch (const std::exception& e) {
        EXPECT_EQ(std::string(e.what()), ec.message());
    }
    // Copies (as when an exception is rethrown) keep the text.
    const Error original(ec, "detail");
    const Error copy = original;
    EXPECT_STREQ(copy.what(), original.what());
    EXPECT_EQ(copy.code(), ec);
}

}  // namespace
}  // namespace redstream

// A default (success) error_code is in no condition: `ec == retryable` must
// not hold for "no error", or every success would look like a retry.
TEST(Error, SuccessIsInNoCondition) {
    for (auto c : {redstream::condition::retryable, redstream::condition::timeout,
                   redstream::condition::fatal}) {
        EXPECT_FALSE(std::error_code() == c);
        EXPECT_FALSE(std::error_code(0, std::generic_category()) == c);
    }
}
