// A terminal for tests of what `redstream` draws for people (progress bars,
// top's screen): a detached tmux session of a fixed size on a tmux server of
// its own, whose socket is in a fresh temporary directory (`tmux -S`, and
// `-f /dev/null`), so a test never touches a user's tmux or config. The
// server is killed and the directory removed when the object goes away
// (also when a test fails). Should the test process die first, its
// redis-server goes with it (PR_SET_PDEATHSIG), so the command fails and
// ends; the pane stays a minute more, and then the server, left without
// panes, exits by itself.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace redstream::test {

class TmuxSession {
  public:
    static constexpr int default_width = 120;
    static constexpr int default_height = 30;

    /// Runs the shell command line `command` in a new session of
    /// `width` x `height`. When it ends, the pane shows `[exit N]` and
    /// stays for a minute so its last screen can be read. Throws
    /// std::runtime_error if tmux cannot start it.
    explicit TmuxSession(const std::string& command, int width = default_width,
                         int height = default_height)
        : dir_(make_temp_dir("redstream-tmux-")), socket_(dir_ + "/socket") {
        // bash, which goes on after a command that handled Ctrl-C itself (dash,
        // often /bin/sh, would end too). No `timeout` around the command: that
        // would take it out of the terminal's foreground group, away from Ctrl-C.
        const std::string wrapped =
            "exec bash -c '" + quote_body(command + "; echo \"[exit $?]\"; sleep 60") + "'";
        const auto r = tmux({"new-session", "-d", "-s", "t", "-x", std::to_string(width), "-y",
                             std::to_string(height), wrapped});
        if (r.status != 0) throw std::runtime_error("tmux new-session failed: " + r.err);
    }
    ~TmuxSession() {
        tmux({"kill-server"});
        run_process({"rm", "-rf", dir_});
    }
    TmuxSession(const TmuxSession&) = delete;
    TmuxSession& operator=(const TmuxSession&) = delete;

    /// tmux send-keys: key names (`C-c`, `Enter`) or text.
    void send_keys(const std::vector<std::string>& keys) const {
        std::vector<std::string> args{"send-keys", "-t", "t"};
        args.insert(args.end(), keys.begin(), keys.end());
        tmux(args);
    }

    /// The visible screen, one line per row (trailing blanks trimmed by tmux).
    std::string capture() const { return tmux({"capture-pane", "-p", "-t", "t"}).out; }

    /// Lines that scrolled off the top of the screen into the history.
    std::size_t history_lines() const {
        const auto r = tmux({"display-message", "-p", "-t", "t", "#{history_size}"});
        return r.status == 0 ? std::stoul(trim_right(r.out)) : 0;
    }

    /// Captures the screen every 50 ms until `done(screen)` holds or
    /// `limit` passes; returns the last screen either way (check with done).
    std::string wait_for(const std::function<bool(const std::string&)>& done,
                         std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
        const auto end = std::chrono::steady_clock::now() + limit;
        auto screen = capture();
        while (!done(screen) && std::chrono::steady_clock::now() < end) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            screen = capture();
        }
        return screen;
    }

  private:
    // The command goes inside single quotes: each ' becomes '\''.
    static std::string quote_body(const std::string& s) {
        std::string out;
        for (const char c : s)
            out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return out;
    }
    ProcessResult tmux(std::vector<std::string> args) const {
        args.insert(args.begin(), {"tmux", "-S", socket_, "-f", "/dev/null"});
        return run_process(args, std::chrono::seconds(10));
    }

    std::string dir_;
    std::string socket_;
};

}  // namespace redstream::test
