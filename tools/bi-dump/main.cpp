// bi-dump: runs catalog queries (or one ad-hoc SELECT) under the read-only guard and writes
// their dumps, then rebuilds the index bi-ask routes with.
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "bi/catalog.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/generations.hpp"
#include "bi/lock.hpp"
#include "bi/regen.hpp"
#include "common.hpp"

namespace {

struct options {
    bi::tool::common_options common;
    std::vector<std::string> queries;
    std::vector<std::string> categories;
    std::string sql;
    std::string output;
    int wait = 0;
};

void setup(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_option("query", o.queries, "Queries to dump, by name or category/name (default: all)");
    app.add_option("-c,--category", o.categories, "Dump every query of this category (repeatable)");
    app.add_option("--sql", o.sql, "Dump one ad-hoc read-only SELECT instead of catalog queries");
    app.add_option("-o,--output", o.output, "Write the dump here ('-' for stdout); one query or --sql only");
    app.add_option("--wait", o.wait, "Wait this many seconds for another run's lock on the dumps dir (default 0)")
        ->check(CLI::NonNegativeNumber);
}

int run(const options& o, const CLI::App& app) {
    auto cfg = bi::tool::resolve(o.common);
    if (!o.sql.empty()) {
        if (!o.queries.empty() || !o.categories.empty())
            throw bi::usage_error("--sql cannot be combined with query names or --category");
        auto db = bi::open_database(cfg.database, cfg.limits);
        auto stats = bi::write_sql_dump(*db, o.sql, o.output.empty() ? "-" : o.output);
        if (!o.common.quiet && o.output != "-" && !o.output.empty())
            std::cerr << fmt::format("{}: {} rows in {:.1f} ms\n", o.output, stats.rows, stats.elapsed.count() / 1000.0);
        return 0;
    }
    std::vector<std::string> skipped;
    auto catalog = bi::load_catalog(cfg.queries_dir, o.output.empty() ? &skipped : nullptr);
    auto queries = bi::select_queries(catalog, {o.queries, o.categories, {}, std::nullopt});
    if (!o.output.empty()) {
        if (queries.size() != 1) throw bi::usage_error("-o needs exactly one query (or --sql)");
        auto db = bi::open_database(cfg.database, cfg.limits);
        bi::write_dump(*db, *queries.front(), o.output);
        return 0;
    }
    bi::dir_lock lock(bi::lock_dir(cfg.dumps_dir, cfg.generations), std::chrono::seconds(o.wait));  // bi-regen's too
    bool show = !o.common.quiet && ::isatty(STDERR_FILENO);
    for (auto& why : skipped) std::cerr << app.get_name() << ": error: " << why << " (skipped)\n";
    int failed = static_cast<int>(skipped.size());
    auto outcomes = bi::dump_queries(cfg, catalog, queries, [&](const bi::dump_outcome& r) {
        if (!r.ok) {
            ++failed;
            std::cerr << app.get_name() << ": error: " << r.query << ": " << r.error << '\n';
        } else if (show) {
            std::cerr << fmt::format("{:<48} {:>8} rows {:>9.1f} ms\n", r.query, r.rows, r.duration_ms);
        }
    });
    if (!o.common.quiet)
        std::cerr << fmt::format("{}: {} of {} dumps written to '{}'\n", app.get_name(),
                                 outcomes.size() + skipped.size() - failed, outcomes.size() + skipped.size(), cfg.dumps_dir);
    return failed ? static_cast<int>(bi::exit_code::failure) : 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Run catalog queries read-only and write their JSON dumps", "bi-dump"};
    options o;
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o, app); });
}
