// Health of a bi installation for people and monitors: the database, every catalog query's
// dump (freshness, last run), what the answer ledger says, and whether a schedule is set up.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bi/catalog.hpp"
#include "bi/config.hpp"
#include "bi/freshness.hpp"
#include "bi/ledger.hpp"
#include "bi/regen.hpp"

namespace bi {

/// Nagios plugin levels, which are also bi-status's exit codes.
enum class health { ok = 0, warning = 1, critical = 2 };

struct database_status {
    std::string path;
    bool reachable = false;
    std::int64_t bytes = 0;
    std::string fingerprint;
    std::string error;                 ///< why it is unreachable
    std::int64_t request_bytes = 0;    ///< bytes of the fallback request for an empty question
};

struct dump_status {
    std::string query;                 ///< category/name
    std::string category;
    std::string name;
    std::string schedule;              ///< as the catalog says
    std::string path;
    bool present = false;              ///< exists and reads as a dump
    std::string error;                 ///< missing or unreadable, when !present
    std::string damage;                ///< what dump_damage finds (a damaged companion), when present
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    std::string generated_at;
    freshness fresh;
    std::optional<dump_outcome> last_run;   ///< from the job log
};

/// The dump of every catalog query, judged against `database_fingerprint` at `now`, with the
/// last job-log record of each.
std::vector<dump_status> dump_statuses(const config& cfg, const catalog& c, std::string_view database_fingerprint,
                                       utc_time now);

/// Figures from the answer ledger.
struct ledger_stats {
    std::int64_t answers = 0;          ///< every question asked
    std::int64_t matched = 0;          ///< answered at all (dump, live or fallback)
    std::int64_t from_dumps = 0;
    std::map<std::string, std::int64_t> by_source;  ///< answers by source; "none" for unanswered
    double hit_rate = 0;               ///< from_dumps / answers
    std::int64_t tokens_spent = 0;
    std::int64_t tokens_saved = 0;     ///< estimate, see ledger_tally
    double p50_ms = 0;                 ///< latency percentiles, nearest rank
    double p95_ms = 0;
    std::vector<std::pair<std::string, std::int64_t>> top_unanswered;  ///< normalised question, count
    std::int64_t unreadable_lines = 0;
};

/// Accumulates ledger figures line by line. Tokens saved: each matched answer that cost zero
/// tokens is counted as the request the LLM fallback would have needed, estimated as
/// ceil((request_bytes + question bytes) / 4), the common 4-characters-a-token rule.
class ledger_tally {
public:
    explicit ledger_tally(std::int64_t request_bytes) : request_bytes_(request_bytes) {}
    void add(const ledger_entry& e);
    /// Adds a line; counts it as unreadable when it is not a ledger entry.
    void add_line(std::string_view line);
    /// Reads a ledger file and its rotated generations, oldest first; missing files are empty.
    void add_files(const std::string& path);
    /// The figures, with the `top` most frequent unanswered questions.
    ledger_stats figures(size_t top = 10) const;

private:
    std::int64_t request_bytes_;
    ledger_stats stats_;
    std::vector<double> latencies_;
    std::vector<std::pair<std::string, std::int64_t>> unanswered_;  // sorted by text
};

/// The normal form unanswered questions are counted under: lower case, single spaces, trimmed.
std::string normalise_question(std::string_view q);

struct schedule_status {
    bool installed = false;            ///< a schedule regenerates this catalog into this dumps dir
    std::vector<std::string> where;    ///< those schedules: "crontab", or the cron or unit file
    std::vector<std::string> others;   ///< schedules of ours for another catalog or dumps dir
};

/// Looks for an installed schedule that regenerates `queries_dir` into `dumps_dir`: the
/// marked block in the crontab (`crontab -l`, or the file $BI_CRONTAB_FILE names, for tests),
/// /etc/cron.d/bi-regen, and bi-regen-*.service beside bi-regen-*.timer in the user's
/// ($BI_SYSTEMD_USER_DIR, for tests) and the system's systemd unit directories. A schedule
/// counts when its bi-regen command names the same --queries-dir and --dumps-dir.
schedule_status detect_schedule(const std::string& queries_dir, const std::string& dumps_dir);

/// Whether a scheduled command line (a crontab line, a unit's ExecStart) runs bi-regen with
/// `--queries-dir` and `--dumps-dir` naming these directories (compared as canonical paths).
bool schedules_these(std::string_view command, const std::string& queries_dir, const std::string& dumps_dir);

/// The marker line that opens the crontab block scripts/install-schedule manages.
constexpr std::string_view crontab_marker = "# >>> bi-regen schedule";

/// Which configuration is in effect, with every path made absolute.
struct config_status {
    std::string file;                  ///< the config file read, or ""
    std::string source;                ///< why that file (config::config_source)
    std::string database;              ///< a file's absolute path, or a server's URI
    std::string queries_dir;
    std::string dumps_dir;
    std::string log_dir;
};

struct status_report {
    config_status config;
    database_status database;
    std::vector<dump_status> dumps;
    std::string catalog_error;         ///< the catalog could not be read
    std::vector<std::string> cache_damage;  ///< index.json, index.bin, model.json, lexicon.txt found damaged
    std::string ledger_path;
    ledger_stats ledger;
    schedule_status schedule;
    health level = health::ok;
    std::vector<std::string> problems; ///< one line for each reason the level is not ok
};

/// Gathers everything bi-status reports. Dumps are read from the generation cfg.dumps_dir
/// points to when this starts. Never throws for what it reports on (a missing database or
/// catalog is a critical finding, not an error).
status_report collect_status(const config& cfg, utc_time now);

/// The report as one JSON object.
std::string status_json(const status_report& r);

/// The report as a table for a terminal.
std::string status_text(const status_report& r);

}  // namespace bi
