// `redstream restore < FILE`: reads a dump (dump_format.hpp) and adds every
// entry back with its exact id (restore_writer.hpp). A regular file is read
// twice: first to check every record and the keys it would write to, so a
// damaged file or a key in the way stops it before anything is written.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <system_error>

#include "dump_cmds.hpp"
#include "dump_format.hpp"
#include "fd_io.hpp"
#include "json_text.hpp"
#include "progress.hpp"
#include "restore_writer.hpp"
#include "router_client.hpp"

namespace redstream::cli {

using Renames = std::map<std::string, std::string, std::less<>>;

Renames parse_renames(const std::vector<std::string>& texts) {
    Renames renames;
    for (const auto& t : texts) {
        const auto eq = t.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == t.size())
            throw UsageError("--rename wants OLD=NEW, not '" + t + "'");
        if (!renames.emplace(t.substr(0, eq), t.substr(eq + 1)).second)
            throw UsageError("--rename names stream '" + t.substr(0, eq) + "' twice");
    }
    return renames;
}

std::string restored_key(const Renames& renames, std::string_view stream, std::string_view key) {
    const auto shard = key.substr(std::min(stream.size(), key.size()));
    const bool is_shard = shard.size() > 1 && shard[0] == ':' &&
                          shard.find_first_not_of("0123456789", 1) == std::string_view::npos;
    if (!key.starts_with(stream) || !(shard.empty() || is_shard))
        throw DumpFormatError("key " + std::string(key) + " is not a key of stream " +
                              std::string(stream));
    const auto to = renames.find(stream);
    if (to == renames.end()) return std::string(key);
    return to->second + std::string(shard);
}

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr const char* dump_in = "reading the dump from stdin";

// The decoder, fed from a file descriptor as it asks for more.
class DumpInput {
  public:
    explicit DumpInput(int fd) : fd_(fd), chunk_(read_chunk, '\0') {}

    /// The next item; nullopt when Ctrl-C stopped the read.
    std::optional<DumpDecoder::Item> next() {
        while (true) {
            const auto item = decoder_.next();
            if (item != DumpDecoder::Item::need_more) return item;
            const auto n = read_some(fd_, chunk_.data(), chunk_.size(), dump_in);
            if (stop_requested()) return std::nullopt;
            if (n == 0)
                decoder_.end_of_input();
            else
                decoder_.feed(std::string_view(chunk_).substr(0, n));
        }
    }
    const DumpDecoder& decoder() const noexcept { return decoder_; }

  private:
    int fd_;
    std::string chunk_;
    DumpDecoder decoder_;
};

// The first pass over a regular file: every record checked, and the first
// entry id each key would get. Throws DumpFormatError.
struct Scan {
    DumpCounts counts;
    std::vector<std::string> keys;  // restored keys that get entries
    std::vector<MessageId> firsts;  // the first entry of each
};

std::optional<Scan> scan_dump(int fd, const Renames& renames) {
    DumpInput in(fd);
    Scan scan;
    std::string key;
    bool first = false;
    while (true) {
        const auto item = in.next();
        if (!item) return std::nullopt;
        if (*item == DumpDecoder::Item::key) {
            key = restored_key(renames, in.decoder().stream(), in.decoder().key());
            first = true;
        } else if (*item == DumpDecoder::Item::entry && first) {
            scan.keys.push_back(key);
            scan.firsts.push_back(in.decoder().entry_id());
            first = false;
        } else if (*item == DumpDecoder::Item::end) {
            scan.counts = in.decoder().counts();
            return scan;
        }
    }
}

// Keys in the way of a restore without --skip-existing, found before
// anything is written. Throws RestoreError.
void check_keys(RouterClient& router, const Scan& scan) {
    const auto tops = key_tops(router, scan.keys);
    for (std::size_t i = 0; i < tops.size(); ++i)
        if (tops[i] && scan.firsts[i] <= *tops[i])
            throw RestoreError(conflict_text(scan.keys[i], scan.firsts[i], *tops[i]));
}

// The second pass (or the only one, from a pipe). False when Ctrl-C stopped it.
bool restore_all(DumpInput& in, RestoreWriter& writer, const Renames& renames,
                 const RestoreOptions& options, Progress& progress) {
    while (true) {
        const auto item = in.next();
        if (!item) return false;
        const auto& d = in.decoder();
        switch (*item) {
            case DumpDecoder::Item::key:
                writer.begin_key(restored_key(renames, d.stream(), d.key()));
                break;
            case DumpDecoder::Item::entry:
                writer.entry(d.entry_id(), d.entry_fields());
                progress.update(d.counts().entries);
                break;
            case DumpDecoder::Item::group:
                if (!options.no_groups) writer.group(d.group_name(), d.group_last_id());
                break;
            case DumpDecoder::Item::end:
                writer.flush();
                return true;
            case DumpDecoder::Item::need_more:
                break;  // DumpInput never returns it
        }
        if (stop_requested()) {
            writer.flush();
            return false;
        }
    }
}

void print_summary(const Context& ctx, const RestoreWriter& w) {
    if (ctx.json_output()) {
        Json j;
        j["entries"] = w.entries_written();
        j["keys"] = w.keys();
        j["groups"] = w.groups_created();
        j["skipped_entries"] = w.entries_skipped();
        j["skipped_groups"] = w.groups_skipped();
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("restored %s", w.written_text().c_str());
    if (w.entries_skipped() + w.groups_skipped() != 0)
        std::printf("; skipped %llu entries and %llu groups that were there",
                    static_cast<unsigned long long>(w.entries_skipped()),
                    static_cast<unsigned long long>(w.groups_skipped()));
    std::printf("\n");
}

void fail(const std::string& what, const std::string& written) {
    std::fprintf(stderr, "redstream restore: error: %s\n", what.c_str());
    std::fprintf(stderr, "redstream restore: written before it: %s\n", written.c_str());
}

// The first pass, when stdin is a regular file: the total for the progress
// bar, and every error that needs no write found before the first write.
// nullopt: stdin is not a file; throws for a bad file or a key in the way.
std::optional<std::uint64_t> check_first(RouterClient& router, const Renames& renames,
                                         const RestoreOptions& options) {
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    const auto start = ::lseek(STDIN_FILENO, 0, SEEK_CUR);
    if (start < 0) return std::nullopt;
    const auto scan = scan_dump(STDIN_FILENO, renames);
    if (!scan) return std::nullopt;  // Ctrl-C: the second pass sees it at once
    if (!options.skip_existing) check_keys(router, *scan);
    if (::lseek(STDIN_FILENO, start, SEEK_SET) != start)
        throw std::system_error(errno, std::generic_category(), dump_in);
    return scan->counts.entries;
}

}  // namespace

int run_restore(Context& ctx, const RestoreOptions& options) {
    const auto renames = parse_renames(options.renames);
    if (options.batch == 0) throw UsageError("--batch must be at least 1");
    if (::isatty(STDIN_FILENO) != 0)
        throw UsageError("stdin is a terminal: give restore a dump (< FILE or a pipe)");
    RouterClient router(ctx);
    std::optional<std::uint64_t> total;
    try {
        total = check_first(router, renames, options);
    } catch (const std::exception& e) {
        fail(e.what(), "nothing");
        return exit_failure;
    }
    Progress progress("restore", total, Context::stderr_is_terminal());
    RestoreWriter writer(router, options);
    DumpInput in(STDIN_FILENO);
    try {
        const bool done = restore_all(in, writer, renames, options, progress);
        progress.finish();
        if (!done) {
            std::fprintf(stderr, "redstream restore: interrupted; written: %s\n",
                         writer.written_text().c_str());
            return exit_interrupted;
        }
    } catch (const std::exception& e) {
        progress.finish();
        fail(e.what(), writer.written_text());
        return exit_failure;
    }
    print_summary(ctx, writer);
    return exit_ok;
}

}  // namespace redstream::cli
