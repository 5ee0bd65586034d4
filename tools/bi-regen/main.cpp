// bi-regen: the scheduled side of bi. Regenerates the dumps a schedule, category or name
// selects, one run at a time (a lock on the dumps dir), logging each query to the job log.
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "bi/freshness.hpp"
#include "bi/generations.hpp"
#include "bi/regen.hpp"
#include "bi/status.hpp"
#include "common.hpp"

namespace {

struct options {
    bi::tool::common_options common;
    std::vector<std::string> categories;
    std::vector<std::string> queries;
    std::vector<std::string> tags;
    std::string due;
    bool all = false;
    bool list = false;
    bool test = false;
    int wait = 0;
};

void setup(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_option("--category", o.categories, "Regenerate every query of this category, or of those a shell pattern matches (repeatable)");
    app.add_option("--query", o.queries,
                   "Regenerate this query, by name or category/name, or those a shell pattern ('claims_*') matches (repeatable)");
    app.add_option("--tag", o.tags, "Regenerate every query whose 'tags' header has this tag (repeatable)");
    app.add_option("--due", o.due, "Regenerate the queries whose schedule is this")
        ->check(CLI::IsMember({"daily", "weekly", "monthly"}));
    app.add_flag("--all", o.all, "Regenerate every catalog query");
    app.add_flag("--list", o.list, "List the queries with schedule, last run, rows and age; change nothing");
    app.add_flag("--test", o.test, "Check the database opens read-only and every query prepares; run nothing");
    app.add_option("--wait", o.wait, "Wait this many seconds for another run's lock (default 0)")
        ->check(CLI::NonNegativeNumber);
    app.footer(
        "Exit codes: 0 all good, 1 some query failed, 2 usage, 4 another run holds the lock,\n"
        "5 database unreachable. Progress goes to stderr on a terminal; from cron only failures\n"
        "are printed. Each query run is appended to <log_dir>/job_logs/regen.jsonl.");
}

int list(bi::config cfg) {
    cfg.dumps_dir = bi::pinned_dumps_dir(cfg.dumps_dir);
    auto catalog = bi::load_catalog(cfg.queries_dir);
    auto dumps = bi::dump_statuses(cfg, catalog, bi::database_fingerprint(cfg.database), bi::utc_now());
    size_t width = 5;
    for (auto& d : dumps) width = std::max(width, d.query.size());
    std::cout << fmt::format("{:<{}}  {:<8}  {:<27}  {:>9}  {:>10}  {}\n", "QUERY", width, "SCHEDULE", "LAST RUN", "ROWS",
                             "AGE", "STATE");
    for (auto& d : dumps) {
        auto last = d.last_run ? fmt::format("{} {}", d.last_run->ok ? "ok" : "FAILED", d.last_run->ended_at) : "-";
        auto rows = d.present ? std::to_string(d.rows) : "-";
        auto age = d.present ? bi::format_age(d.fresh.age_seconds) : "-";
        auto state = !d.present ? "MISSING" : d.fresh.stale ? "STALE" : "fresh";
        std::cout << fmt::format("{:<{}}  {:<8}  {:<27}  {:>9}  {:>10}  {}\n", d.query, width, d.schedule, last, rows,
                                 age, state);
    }
    return 0;
}

int test(const bi::config& cfg, const CLI::App& app) {
    auto catalog = bi::load_catalog(cfg.queries_dir);
    auto failures = bi::check_queries(cfg, catalog);
    for (auto& f : failures) std::cerr << fmt::format("{}: error: '{}': {}\n", app.get_name(), f.file, f.error);
    if (failures.empty())
        std::cerr << fmt::format("{}: '{}' opens read-only and all {} queries prepare\n", app.get_name(), cfg.database,
                                 catalog.queries.size());
    return failures.empty() ? 0 : static_cast<int>(bi::exit_code::failure);
}

int run(const options& o, const CLI::App& app) {
    bool selects = o.all || !o.due.empty() || !o.categories.empty() || !o.queries.empty() || !o.tags.empty();
    if (o.list + o.test + selects > 1) throw bi::usage_error("--list, --test and a selection cannot be combined");
    if (o.all && (!o.due.empty() || !o.categories.empty() || !o.queries.empty() || !o.tags.empty()))
        throw bi::usage_error("--all cannot be combined with --due, --category, --query or --tag");
    if (!o.list && !o.test && !selects)
        throw bi::usage_error("nothing to do: give --all, --due, --category, --query, --tag, --list or --test");
    auto cfg = bi::tool::resolve(o.common);
    if (o.list) return list(cfg);
    if (o.test) return test(cfg, app);

    std::vector<std::string> skipped;
    auto catalog = bi::load_catalog(cfg.queries_dir, &skipped);
    for (auto& why : skipped) std::cerr << fmt::format("{}: error: {} (skipped)\n", app.get_name(), why);
    bi::selection s{o.queries, o.categories, o.tags, std::nullopt};
    if (!o.due.empty()) s.due = bi::parse_schedule(o.due);
    auto queries = bi::select_queries(catalog, s);
    bool show = !o.common.quiet && ::isatty(STDERR_FILENO);
    int failed = static_cast<int>(skipped.size());
    bi::regen_hooks hooks;
    hooks.progress = [&](const bi::dump_outcome& r) {
        if (!r.ok) {
            ++failed;
            std::cerr << fmt::format("{}: error: {}: {}\n", app.get_name(), r.query, r.error);
        } else if (show) {
            std::cerr << fmt::format("{:<48} {:>8} rows {:>9.1f} ms\n", r.query, r.rows, r.duration_ms);
        }
    };
    hooks.warning = [&](const std::string& w) { bi::tool::warn(app, w); };
    auto outcomes = bi::regenerate(cfg, catalog, queries, std::chrono::seconds(o.wait), hooks);
    if (show || failed)
        std::cerr << fmt::format("{}: {} of {} dumps written to '{}'\n", app.get_name(),
                                 outcomes.size() + skipped.size() - failed, outcomes.size() + skipped.size(), cfg.dumps_dir);
    return failed ? static_cast<int>(bi::exit_code::failure) : 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Regenerate dumps by schedule, category or name, one run at a time", "bi-regen"};
    options o;
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o, app); });
}
