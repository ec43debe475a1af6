// The redstream demo: talks to a redis-server on 127.0.0.1:PORT — first with
// a Producer and a real-time Consumer, then through the typed stream commands
// with a consumer group — and prints what happened. `scripts/demo` starts a
// throwaway server for it.
//
// Usage: redstream-demo --port N [--protocol 2|3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <redstream/redstream.hpp>

namespace rs = redstream;
namespace cmd = redstream::commands;

namespace {

// Decoders report server errors through `ec`; the demo stops on the first.
void check(std::error_code ec, const char* what) {
    if (!ec) return;
    std::fprintf(stderr, "%s failed: %s\n", what, ec.message().c_str());
    std::exit(1);
}

void print_entry(const cmd::StreamEntry& e) {
    std::printf("  %s", e.id.to_string().c_str());
    if (e.deleted()) std::printf(" (deleted)");
    for (auto [field, value] : e.fields)
        std::printf(" %.*s=%.*s", static_cast<int>(field.size()), field.data(),
                    static_cast<int>(value.size()), value.data());
    std::printf("\n");
}

struct Args {
    std::uint16_t port = 0;
    int protocol = 3;
};

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--port") a.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
        if (flag == "--protocol") a.protocol = std::atoi(argv[i + 1]);
    }
    if (a.port == 0) {
        std::fprintf(stderr, "usage: %s --port N [--protocol 2|3]\n", argv[0]);
        std::exit(2);
    }
    return a;
}

}  // namespace

// Producer and Consumer: the high-level API.
void streamer_demo(const Args& args) {
    const std::string url = "redis://127.0.0.1:" + std::to_string(args.port) +
                            "?protocol=" + std::to_string(args.protocol);
    rs::Streamer streamer = rs::Streamer::connect(url);
    const rs::StreamKey stream("demo:events");

    rs::ConsumerOptions options;
    options.auto_stream_reset = rs::AutoStreamReset::latest;  // only what comes next
    rs::Consumer consumer = streamer.create_consumer({stream}, options);

    rs::Producer producer = streamer.create_producer(stream);
    std::vector<rs::SendFuture> sent;
    for (const char* event : {"signed-up", "logged-in", "bought", "logged-out"})
        sent.push_back(producer.send(event));  // returns at once; pipelined
    producer.flush();
    for (auto& f : sent) {
        const rs::Receipt r = f.get();
        std::printf("sent     %s shard %llu id %s\n", std::string(r.stream_key.name()).c_str(),
                    static_cast<unsigned long long>(r.shard_id.value), r.id.to_string().c_str());
    }
    for (std::size_t i = 0; i < sent.size(); ++i) {
        const auto m = consumer.next_for(std::chrono::seconds(5));
        if (!m) {
            std::fprintf(stderr, "consumer: nothing arrived\n");
            std::exit(1);
        }
        std::printf("received %s shard %llu id %s payload %.*s\n",
                    std::string(m->stream_key().name()).c_str(),
                    static_cast<unsigned long long>(m->shard_id().value),
                    m->id().to_string().c_str(), static_cast<int>(m->payload().size()),
                    m->payload().data());
    }
    consumer.end();
    producer.end();
}

int main(int argc, char** argv) {
    const Args args = parse_args(argc, argv);
    std::printf("== Producer and real-time Consumer\n");
    streamer_demo(args);
    std::printf("== Typed commands and a consumer group\n");
    rs::net::ConnectionConfig config;
    config.nodes = {{"127.0.0.1", args.port}};
    config.protocol = args.protocol;
    config.client_name = "redstream-demo";
    rs::net::SyncClient client(config);
    client.connect();
    std::printf("connected to 127.0.0.1:%u, RESP%d\n", args.port, client.async_client().protocol());

    const std::string stream = "demo:orders";
    client.exec_one("DEL", stream);

    // Five XADDs in one request: one write, five replies in order.
    rs::resp::Request produce;
    const char* items[] = {"apple", "bread", "cheese", "dates", "eggs"};
    for (int i = 0; i < 5; ++i) {
        const std::string qty = std::to_string(i + 1);
        const rs::Field fields[] = {{"msg", items[i]}, {"qty", qty}};
        cmd::xadd(produce, stream, fields);
    }
    const rs::net::Response added = client.exec(produce);
    std::printf("XADD x5 (pipelined) -> ids:");
    std::error_code ec;
    for (const auto& reply : added) {
        const auto id = cmd::decode_xadd(reply.root(), ec);
        check(ec, "XADD");
        std::printf(" %s", id->to_string().c_str());
    }
    std::printf("\n");

    // Read everything back.
    rs::resp::Request range;
    cmd::xrange(range, stream);
    const auto all = client.exec(range);
    const auto entries = cmd::decode_xrange(all[0].root(), ec);
    check(ec, "XRANGE");
    std::printf("XRANGE - + -> %zu entries\n", entries.size());
    for (const auto& e : entries)
        print_entry(e);

    // A consumer group reads two, acknowledges them, and the rest stay unread.
    rs::resp::Request group;
    cmd::xgroup_create(group, stream, "billing", cmd::StreamStart::beginning());
    const cmd::StreamOffset from[] = {{stream, cmd::StreamStart::undelivered()}};
    cmd::xreadgroup(group, "billing", "worker-1", from, {.count = 2});
    auto replies = client.exec(group);
    cmd::decode_ok(replies[0].root(), ec);
    check(ec, "XGROUP CREATE");
    const auto pages = cmd::decode_xread(replies[1].root(), ec);
    check(ec, "XREADGROUP");
    std::printf("XREADGROUP billing/worker-1 COUNT 2 -> %zu entries\n", pages.at(0).entries.size());
    std::vector<rs::MessageId> ids;
    for (const auto& e : pages.at(0).entries) {
        print_entry(e);
        ids.push_back(e.id);
    }

    rs::resp::Request ack;
    cmd::xack(ack, stream, "billing", ids);
    cmd::xpending(ack, stream, "billing");
    replies = client.exec(ack);
    std::printf("XACK -> %llu acknowledged\n",
                static_cast<unsigned long long>(cmd::decode_xack(replies[0].root(), ec)));
    check(ec, "XACK");
    const auto pending = cmd::decode_xpending_summary(replies[1].root(), ec);
    check(ec, "XPENDING");
    std::printf("XPENDING -> %llu pending\n", static_cast<unsigned long long>(pending.count));

    client.exec_one("DEL", stream, "demo:events");
    std::printf("done\n");
    return 0;
}
