// Running catalog queries into dumps: the selection by name, category or schedule, one
// failure never stopping the others, and the index rebuilt afterwards.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bi/catalog.hpp"
#include "bi/config.hpp"

namespace bi {

struct selection {
    std::vector<std::string> queries;      ///< names or category/name, or shell patterns of either
    std::vector<std::string> categories;   ///< names or shell patterns
    std::vector<std::string> tags;         ///< queries carrying any of these tags
    std::optional<schedule> due;           ///< queries whose schedule is this
};

/// The queries `s` names (all of them when `s` is empty). A name or pattern (fnmatch: `*`, `?`,
/// `[…]`) that matches nothing, or a tag no query carries, is a usage_error.
std::vector<const query_def*> select_queries(const catalog& c, const selection& s);

/// What happened to one query in a run.
struct dump_outcome {
    std::string query;          ///< category/name
    bool ok = false;
    std::int64_t rows = 0;
    double duration_ms = 0;
    std::string started_at;     ///< UTC ISO 8601
    std::string ended_at;
    std::string error;          ///< the message when !ok
};

/// Dumps each query into cfg.dumps_dir (its previous dump stays when it fails), calling
/// `progress` after each, then rebuilds the index. First removes the temporaries a killed run
/// left in the dumps dir (remove_stale_temp_files): the caller holds the dumps dir's lock. Throws unreachable_error when the
/// database cannot be opened at all.
std::vector<dump_outcome> dump_queries(const config& cfg, const catalog& c, const std::vector<const query_def*>& queries,
                                       const std::function<void(const dump_outcome&)>& progress = {});

/// The job log every bi-regen run appends to: <log_dir>/job_logs/regen.jsonl.
std::string job_log_path(const std::string& log_dir);

/// One job-log record as a JSON line: start, end, query, rows, duration_ms, outcome (ok or
/// failed) and error (null when ok).
std::string job_log_line(const dump_outcome& o);

/// The latest record of each query (category/name) in a job log; empty when there is none.
/// Lines that are not records (a torn last line) are skipped.
std::map<std::string, dump_outcome> last_runs(const std::string& job_log);

struct regen_hooks {
    std::function<void(const dump_outcome&)> progress;   ///< after each query
    std::function<void(const std::string&)> warning;     ///< e.g. the job log cannot be written
};

/// `queries` and every other catalog query whose dump is damaged (dump_damage), by id.
std::vector<const query_def*> with_damaged(const config& cfg, const catalog& c, std::vector<const query_def*> queries);

/// A bi-regen run: takes the lock on cfg.dumps_dir (waiting up to `wait`), dumps `queries`
/// and those whose dump is damaged (with_damaged), and appends one job-log record per query. Throws error(exit_code::locked) when another
/// run keeps the lock, unreachable_error (each query logged as failed) when the database
/// cannot be opened.
std::vector<dump_outcome> regenerate(const config& cfg, const catalog& c, const std::vector<const query_def*>& queries,
                                     std::chrono::seconds wait, const regen_hooks& hooks = {});

/// A catalog query the database cannot prepare.
struct check_failure {
    std::string query;   ///< category/name
    std::string file;    ///< its .sql file
    std::string error;
};

/// Opens the database read-only and prepares every catalog query under the guard without
/// running it. Throws unreachable_error when the database cannot be opened.
std::vector<check_failure> check_queries(const config& cfg, const catalog& c);

}  // namespace bi
