// judge: referees tic-tac-toe games played over a stream. Each entry of the
// input stream is a move, `game=G player=X cell=N` (player X or O, X moves
// first; cells 0 to 8, row by row). For every move the judge writes an entry
// to the output stream: the move as payload, then the fields
//   verdict  valid | invalid
//   reason   why a move is invalid: malformed, out-of-range, not-your-turn,
//            cell-taken, too-many-games
//   outcome  on the move that ends a game: x-wins, o-wins or draw
//   move     the move's id in the input stream
// and prints `move-id verdict [reason] [outcome] move`. A game starts with
// its first move and is forgotten when it ends (its id may start a new one).
//
//   redstream-example-judge --stream redis://localhost:6379/moves
//                           [--output moves-judged] [--group judge]
//                           [--max-games 10000] [--count N]
//
// The boards live in memory; the output stream is the judge's memory across
// restarts. At start it replays its own verdicts to rebuild the boards, and
// notes the last move it judged; then it reads the moves in a resumable
// group, which continues where the last run stopped. A move delivered again
// after a crash (judged, but its ack not yet committed) is skipped, not
// judged twice. One judge per input stream: moves of a game must be judged
// in order, by one process.
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <redstream/redstream.hpp>

#include "ack_window.hpp"
#include "args.hpp"
#include "stop.hpp"

namespace rs = redstream;

namespace {

constexpr const char* usage =
    "usage: redstream-example-judge --stream redis://HOST:PORT/STREAM [--output STREAM] "
    "[--group judge] [--max-games 10000] [--count N]\n"
    "Judges tic-tac-toe moves `game=G player=X|O cell=0..8`; verdicts go to --output\n"
    "(default: the input's name + `-judged`).\n";

// The most a replay waits for the next verdict before giving up.
constexpr std::chrono::seconds replay_timeout{10};

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

// The value of an entry's field ("" if it has none).
std::string_view entry_field(const rs::Message& m, std::string_view name) {
    for (const auto& [key, value] : m.fields())
        if (key == name) return value;
    return {};
}

struct Verdict {
    std::string_view reason;   // empty for a valid move
    std::string_view outcome;  // set when the move ends the game
    bool valid() const { return reason.empty(); }
};

// The games in progress, at most max_games of them.
class Referee {
  public:
    explicit Referee(std::size_t max_games) : max_games_(max_games) {}

    Verdict judge(std::string_view move) {
        const auto game = field(move, "game");
        const auto player = field(move, "player");
        const auto cell_text = field(move, "cell");
        int cell = -1;
        const auto* end = cell_text.data() + cell_text.size();
        const auto [ptr, ec] = std::from_chars(cell_text.data(), end, cell);
        if (game.empty() || (player != "X" && player != "O") || ec != std::errc() || ptr != end)
            return {"malformed", {}};
        if (cell < 0 || cell > 8) return {"out-of-range", {}};
        auto it = games_.find(std::string(game));
        const Board fresh;
        const Board& board = it == games_.end() ? fresh : it->second;
        if (player[0] != board.turn) return {"not-your-turn", {}};
        if (board.cells[cell] != empty) return {"cell-taken", {}};
        if (it == games_.end()) {
            if (games_.size() >= max_games_) return {"too-many-games", {}};
            it = games_.emplace(std::string(game), fresh).first;
        }
        Board& b = it->second;
        b.cells[cell] = player[0];
        b.turn = player[0] == 'X' ? 'O' : 'X';
        const auto outcome = result(b, player[0]);
        if (!outcome.empty()) games_.erase(it);
        return {{}, outcome};
    }

  private:
    static constexpr char empty = '.';
    struct Board {
        std::array<char, 9> cells{empty, empty, empty, empty, empty, empty, empty, empty, empty};
        char turn = 'X';
    };

    // "x-wins" / "o-wins" when `player` just completed a line, "draw" when
    // the board is full, else "".
    static std::string_view result(const Board& b, char player) {
        static constexpr int lines[8][3] = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {0, 3, 6},
                                            {1, 4, 7}, {2, 5, 8}, {0, 4, 8}, {2, 4, 6}};
        for (const auto& line : lines)
            if (std::all_of(std::begin(line), std::end(line),
                            [&b, player](int c) { return b.cells[c] == player; }))
                return player == 'X' ? "x-wins" : "o-wins";
        if (std::find(b.cells.begin(), b.cells.end(), empty) == b.cells.end()) return "draw";
        return {};
    }

    std::size_t max_games_;
    std::unordered_map<std::string, Board> games_;
};

// Replays the verdicts already in `output` into `referee` (the valid moves
// rebuild the boards); returns the input id of the last move judged.
rs::MessageId replay(rs::Streamer& streamer, const rs::StreamKey& output, Referee& referee) {
    const auto info = streamer.admin().stream_info(output);
    if (!info.exists() || !info.shards.front().last_id) return {};
    const rs::MessageId last = *info.shards.front().last_id;
    rs::ConsumerOptions options;  // real-time: a plain read, no group
    options.auto_stream_reset = rs::AutoStreamReset::earliest;
    auto reader = streamer.create_consumer({output}, options);
    rs::MessageId judged{};
    for (;;) {
        const auto m = reader.next_for(replay_timeout);
        if (!m) throw std::runtime_error("replaying the verdicts stalled");
        if (entry_field(*m, "verdict") == "valid") referee.judge(m->payload());
        if (const auto id = rs::MessageId::parse(entry_field(*m, "move")))
            judged = std::max(judged, *id);
        if (m->id() >= last) break;
    }
    reader.end();
    return judged;
}

// Writes the verdict on `move` to the producer's stream; `move` is acked
// once it is stored.
void send_verdict(rs::Producer& producer, example::AckWindow& acks, const rs::Message& move,
                  const Verdict& v) {
    const auto move_id = move.id().to_string();
    std::vector<rs::Field> fields{{"verdict", v.valid() ? "valid" : "invalid"}};
    if (!v.valid()) fields.emplace_back("reason", v.reason);
    if (!v.outcome.empty()) fields.emplace_back("outcome", v.outcome);
    fields.emplace_back("move", move_id);
    // The fields are views: send() copies them before it returns.
    acks.add(producer.send(move.payload(), {.fields = fields}), {move});
    std::printf("%s %s%s%.*s%s%.*s %.*s\n", move_id.c_str(), v.valid() ? "valid" : "invalid",
                v.valid() ? "" : " ", static_cast<int>(v.reason.size()), v.reason.data(),
                v.outcome.empty() ? "" : " ", static_cast<int>(v.outcome.size()), v.outcome.data(),
                static_cast<int>(move.payload().size()), move.payload().data());
}

}  // namespace

int main(int argc, char** argv) {
    return example::run("judge", [&] {
        const example::Args args(argc, argv, usage,
                                 {"--stream", "--output", "--group", "--max-games", "--count"});
        const auto url = args.stream_url("--stream");
        const auto count = args.count("--count");
        Referee referee(args.count("--max-games", 10'000));
        example::stop_on_signals();

        auto streamer = rs::Streamer::connect(url);
        const rs::StreamKey input = streamer.streams().front();
        const rs::StreamKey output(args.text("--output", std::string(input.name()) + "-judged"));
        const rs::MessageId judged_before = replay(streamer, output, referee);

        rs::ConsumerOptions options;
        options.mode = rs::ConsumerMode::resumable;
        options.group = args.text("--group", "judge");
        options.auto_commit = rs::AutoCommit::rolling;
        options.auto_stream_reset = rs::AutoStreamReset::earliest;
        options.mkstream = true;
        auto consumer = streamer.create_consumer({input}, options);
        auto producer = streamer.create_producer(output);
        example::AckWindow acks(consumer);

        std::uint64_t judged = 0;
        while ((!count || judged < *count) && !example::stop_requested()) {
            const auto m = consumer.next_for(example::stop_check_interval);
            acks.ack_confirmed();
            if (!m) continue;
            if (m->id() <= judged_before) {  // judged by the last run, not acked before it ended
                consumer.ack(*m);
                continue;
            }
            send_verdict(producer, acks, *m, referee.judge(m->payload()));
            ++judged;
        }
        acks.ack_all();
        consumer.end();
        producer.end();
        return 0;
    });
}
