// The judge and lobby examples: verdicts of a scripted tic-tac-toe session
// (valid and invalid moves, a win, restarts), and players paired into games.
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "examples/example_fixture.hpp"

namespace redstream::test {
namespace {

using JudgeTest = ExampleTest;
using LobbyTest = ExampleTest;

struct Expected {
    std::string move;
    std::string verdict;
    std::string reason;   // "" when valid
    std::string outcome;  // "" unless the move ends the game
};

const std::vector<Expected> script{
    {"game=g1 player=X cell=4", "valid", "", ""},
    {"game=g1 player=X cell=0", "invalid", "not-your-turn", ""},
    {"game=g1 player=O cell=4", "invalid", "cell-taken", ""},
    {"game=g1 player=O cell=9", "invalid", "out-of-range", ""},
    {"game=g2 player=O cell=0", "invalid", "not-your-turn", ""},  // X starts
    {"game=g1 player=O cell=0", "valid", "", ""},
    {"hello", "invalid", "malformed", ""},
    {"game=g2 player=X cell=8", "valid", "", ""},
    {"game=g1 player=X cell=1", "valid", "", ""},
    {"game=g1 player=O cell=8", "valid", "", ""},
    {"game=g1 player=X cell=7", "valid", "", "x-wins"},           // 1, 4, 7
    {"game=g1 player=O cell=2", "invalid", "not-your-turn", ""},  // g1 is over: a new game
    {"game=g2 player=O cell=4", "valid", "", ""},
};

std::string field_of(const Message& m, std::string_view name) {
    for (const auto& [key, value] : m.fields())
        if (key == name) return std::string(value);
    return {};
}

class JudgeScript : public ExampleTest {
  protected:
    // Appends the script's moves [from, to) to `moves`.
    void produce_moves(std::size_t from, std::size_t to) {
        std::vector<std::string> moves;
        for (std::size_t i = from; i < to; ++i)
            moves.push_back(script[i].move);
        const auto ids = produce("moves", moves);
        ids_.insert(ids_.end(), ids.begin(), ids.end());
    }

    ProcessResult judge(std::size_t count) {
        return run(REDSTREAM_EXAMPLE_JUDGE,
                   {"--stream", url("moves"), "--count", std::to_string(count)});
    }

    // moves-judged holds one verdict per move of the script, as expected.
    void expect_verdicts() {
        const auto verdicts = read_all("moves-judged");
        ASSERT_EQ(verdicts.size(), script.size());
        for (std::size_t i = 0; i < script.size(); ++i) {
            const auto& v = verdicts[i];
            EXPECT_EQ(v.payload(), script[i].move) << i;
            EXPECT_EQ(field_of(v, "verdict"), script[i].verdict) << script[i].move;
            EXPECT_EQ(field_of(v, "reason"), script[i].reason) << script[i].move;
            EXPECT_EQ(field_of(v, "outcome"), script[i].outcome) << script[i].move;
            EXPECT_EQ(field_of(v, "move"), ids_[i].to_string()) << script[i].move;
        }
        EXPECT_EQ(pending("moves", "judge"), 0u);
    }

    std::vector<MessageId> ids_;
};

TEST_F(JudgeScript, JudgesEveryMove) {
    produce_moves(0, script.size());
    const auto r = judge(script.size());
    ASSERT_EQ(r.status, 0) << r.err;
    expect_verdicts();
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), script.size());
    EXPECT_EQ(lines[2], ids_[2].to_string() + " invalid cell-taken game=g1 player=O cell=4");
    EXPECT_EQ(lines[10], ids_[10].to_string() + " valid x-wins game=g1 player=X cell=7");
}

TEST_F(JudgeScript, ARestartRebuildsTheBoardsFromItsVerdicts) {
    produce_moves(0, script.size());
    const auto first = judge(6);
    ASSERT_EQ(first.status, 0) << first.err;
    const auto second = judge(script.size() - 6);
    ASSERT_EQ(second.status, 0) << second.err;
    expect_verdicts();
}

TEST_F(JudgeScript, MovesDeliveredAgainAfterACrashAreNotJudgedTwice) {
    produce_moves(0, 6);
    const auto first = judge(6);
    ASSERT_EQ(first.status, 0) << first.err;
    produce_moves(6, script.size());
    // As if the acks had been lost: the group hands every move out again.
    ASSERT_EQ(server().cli({"XGROUP", "SETID", "moves", "judge", "0"}), "OK");
    const auto second = judge(script.size() - 6);
    ASSERT_EQ(second.status, 0) << second.err;
    expect_verdicts();
}

TEST_F(LobbyTest, PairsTwoNPlayersIntoNGamesNobodyTwice) {
    std::vector<std::string> requests;
    for (int i = 0; i < 20; ++i)
        requests.push_back("player=p" + std::to_string(i));
    const auto ids = produce("find-game", requests);
    const auto r = run(REDSTREAM_EXAMPLE_LOBBY, {"--stream", url("find-game"), "--count", "10"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto games = payloads("game-ready");
    ASSERT_EQ(games.size(), 10u);
    std::set<std::string> seen;
    for (std::size_t g = 0; g < games.size(); ++g) {
        // In order of arrival: p0 with p1, p2 with p3, ...
        const auto x = "p" + std::to_string(2 * g), o = "p" + std::to_string(2 * g + 1);
        EXPECT_EQ(games[g], "game=" + ids[2 * g].to_string() + " x=" + x + " o=" + o);
        EXPECT_TRUE(seen.insert(x).second && seen.insert(o).second) << games[g];
    }
    EXPECT_EQ(seen.size(), requests.size());
    EXPECT_EQ(starting_with(lines_of(r.out), "game=").size(), 10u) << r.out;
    EXPECT_EQ(pending("find-game", "lobby"), 0u);
}

TEST_F(LobbyTest, AStoppedLobbyHandsItsWaitingPlayerBack) {
    produce("find-game", {"player=ann", "player=ann", "player=bob", "player=cat"});
    PipedProcess lobby({REDSTREAM_EXAMPLE_LOBBY, "--stream", url("find-game"), "--name", "l1"});
    const auto deadline = std::chrono::steady_clock::now() + example_timeout;
    std::vector<std::string> lines;
    std::string line;
    while (line != "waiting cat" && lobby.read_line(line, deadline))
        lines.push_back(line);
    ASSERT_EQ(line, "waiting cat");
    lobby.kill(SIGTERM);
    const auto tail = read_to_end(lobby);
    ASSERT_EQ(lobby.wait(), 0);
    EXPECT_EQ(tail, std::vector<std::string>{"handed back cat"});
    // Ann asked twice while waiting: one game for her.
    ASSERT_EQ(payloads("game-ready").size(), 1u);
    EXPECT_NE(payloads("game-ready")[0].find(" x=ann o=bob"), std::string::npos);
    EXPECT_EQ(payloads("find-game").back(), "player=cat");

    // The next run (the same member) pairs cat with the next player.
    produce("find-game", {"player=dan"});
    const auto r = run(REDSTREAM_EXAMPLE_LOBBY,
                       {"--stream", url("find-game"), "--name", "l1", "--count", "1"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto games = payloads("game-ready");
    ASSERT_EQ(games.size(), 2u);
    EXPECT_NE(games[1].find(" x=cat o=dan"), std::string::npos) << games[1];
    EXPECT_EQ(pending("find-game", "lobby"), 0u);
}

}  // namespace
}  // namespace redstream::test
