// lobby: pairs players who want a game. A player asks with an entry
// `player=NAME` in the input stream; the lobby pairs them two by two, in the
// order it receives them, into entries `game=G x=NAME o=NAME` in the output
// stream (G: the id of the first player's request; x moves first, as
// judge.cpp expects). It prints `waiting NAME` when a player waits and
// `game G x=NAME o=NAME` for each pairing.
//
//   redstream-example-lobby --stream redis://localhost:6379/find-game
//                           [--output game-ready] [--group lobby] [--name NAME]
//                           [--count N]
//
// Lobbies are members of one load-balanced group: start several (each with
// its own --name, kept across restarts) to share the requests. Each member
// pairs the players it is handed, so it holds at most one waiting player,
// unacked until paired: a crash loses nobody (a restart with the same --name
// gets them back). When it stops, a lobby hands its waiting player back by
// sending the request again, for another member or the next run. With
// several members a lone player waits at theirs until the next request
// reaches that member.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <redstream/redstream.hpp>

#include "ack_window.hpp"
#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-lobby --stream redis://HOST:PORT/STREAM [--output game-ready] "
    "[--group lobby] [--name NAME] [--count N]\n"
    "Pairs `player=NAME` requests into `game=G x=NAME o=NAME` entries; --count: games.\n";

// The value of `key=value` in a text of space-separated pairs ("" if absent).
std::string_view field(std::string_view text, std::string_view key) {
    while (!text.empty()) {
        const auto space = text.find(' ');
        const auto pair = text.substr(0, space);
        if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
            return pair.substr(key.size() + 1);
        text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    }
    return {};
}

std::string as_string(std::string_view s) {
    return std::string(s);
}

class Lobby {
  public:
    Lobby(rs::Consumer& consumer, rs::Producer& producer)
        : consumer_(consumer), producer_(producer), acks_(consumer) {}

    // Takes one request; true when it made a game.
    bool take(const rs::Message& request) {
        const auto player = field(request.payload(), "player");
        if (player.empty()) {
            std::fprintf(stderr, "lobby: %s has no player=NAME; ignored\n",
                         request.id().to_string().c_str());
            consumer_.ack(request);
            return false;
        }
        if (!waiting_) {
            waiting_ = request;
            std::printf("waiting %s\n", as_string(player).c_str());
            return false;
        }
        const auto first = field(waiting_->payload(), "player");
        if (first == player) {  // asked twice: already waiting
            consumer_.ack(request);
            return false;
        }
        const auto game = "game=" + waiting_->id().to_string() + " x=" + as_string(first) +
                          " o=" + as_string(player);
        // Both requests are acked once the game is stored.
        acks_.add(producer_.send(game), {*waiting_, request});
        std::printf("%s\n", game.c_str());
        waiting_.reset();
        return true;
    }

    // Acks what is stored; call it often.
    void ack_confirmed() { acks_.ack_confirmed(); }

    // Hands the waiting player back to `input`, then acks everything.
    void finish(const rs::StreamKey& input) {
        if (waiting_) {
            acks_.add(producer_.send_to(input, waiting_->payload()), {*waiting_});
            std::printf("handed back %s\n",
                        as_string(field(waiting_->payload(), "player")).c_str());
            waiting_.reset();
        }
        acks_.ack_all();
    }

  private:
    rs::Consumer& consumer_;
    rs::Producer& producer_;
    example::AckWindow acks_;
    std::optional<rs::Message> waiting_;
};

}  // namespace

int main(int argc, char** argv) {
    return example::run("lobby", [&] {
        const example::Args args(argc, argv, usage,
                                 {"--stream", "--output", "--group", "--name", "--count"});
        const auto url = args.stream_url("--stream");
        const auto count = args.count("--count");
        example::stop_on_signals();

        rs::ConsumerOptions options;
        options.mode = rs::ConsumerMode::load_balanced;
        options.group = args.text("--group", "lobby");
        options.consumer = args.text("--name", "");  // empty: a name unique to this process
        options.auto_commit = rs::AutoCommit::rolling;
        options.auto_stream_reset = rs::AutoStreamReset::earliest;
        options.mkstream = true;
        auto streamer = rs::Streamer::connect(url);
        const rs::StreamKey input = streamer.streams().front();
        auto consumer = streamer.create_consumer({input}, options);
        auto producer =
            streamer.create_producer(rs::StreamKey(args.text("--output", "game-ready")));
        Lobby lobby(consumer, producer);

        std::uint64_t games = 0;
        while ((!count || games < *count) && !example::stop_requested()) {
            const auto m = consumer.next_for(example::stop_check_interval);
            lobby.ack_confirmed();
            if (m && lobby.take(*m)) ++games;
        }
        lobby.finish(input);
        consumer.end();
        producer.end();
        return 0;
    });
}
