// Output for people on a terminal: aligned text tables, and the short forms
// of sizes, durations and untrusted text that go into their cells. Any
// command may use it; JSON output never goes through here.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace redstream::cli {

/// A table printed with its columns aligned: a header line, then one line
/// per row, two spaces between columns. Cells are measured in code points,
/// so UTF-8 text lines up; give it printable() text, not raw bytes.
class Table {
  public:
    enum class Align { left, right };

    explicit Table(std::vector<std::string> headers);

    /// Right-aligns a column (numbers); columns are left-aligned otherwise.
    Table& align(std::size_t column, Align how);
    /// A row: missing cells are empty, extra cells are dropped.
    void add_row(std::vector<std::string> cells);
    std::size_t rows() const noexcept { return rows_.size(); }

    /// The header and the rows, each line ending in '\n', without trailing
    /// spaces.
    std::string render() const;
    /// render() to `out`.
    void print(std::FILE* out = stdout) const;

  private:
    std::vector<std::string> headers_;
    std::vector<Align> align_;
    std::vector<std::vector<std::string>> rows_;
};

/// Code points in `text` (bytes that do not start one are not counted).
std::size_t display_width(std::string_view text) noexcept;

/// `text` safe to put in a cell: control characters and bytes that are not
/// UTF-8 become escapes (`\n`, `\x00`), and anything longer than `max`
/// code points is cut with `…` (0: no limit).
std::string printable(std::string_view text, std::size_t max = 0);

/// 1536 → "1.5 KiB"; below 1 KiB in bytes ("512 B").
std::string format_bytes(std::uint64_t bytes);

/// A duration as people read it: "350ms", "12.3s", "4m05s", "2h10m", "3d4h".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace redstream::cli
