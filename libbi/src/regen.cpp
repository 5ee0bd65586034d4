// Dump runs shared by bi-dump and bi-regen.
#include "bi/regen.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"

namespace bi {

std::vector<const query_def*> select_queries(const catalog& c, const selection& s) {
    std::vector<const query_def*> out;
    auto add = [&](const query_def* q) {
        if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);
    };
    for (auto& name : s.queries) {
        auto q = c.find(name);
        if (!q) throw usage_error(fmt::format("no query named '{}' in '{}'", name, c.dir));
        add(q);
    }
    auto cats = c.categories();
    for (auto& cat : s.categories) {
        if (std::find(cats.begin(), cats.end(), cat) == cats.end())
            throw usage_error(fmt::format("no category named '{}' in '{}'", cat, c.dir));
        for (auto& q : c.queries)
            if (q.category == cat) add(&q);
    }
    if (s.due)
        for (auto& q : c.queries)
            if (q.when == *s.due) add(&q);
    if (s.queries.empty() && s.categories.empty() && !s.due)
        for (auto& q : c.queries) add(&q);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
    return out;
}

std::vector<dump_outcome> dump_queries(const config& cfg, const catalog& c, const std::vector<const query_def*>& queries,
                                       const std::function<void(const dump_outcome&)>& progress) {
    auto db = open_database(cfg.database, cfg.limits);
    std::vector<dump_outcome> outcomes;
    for (auto* q : queries) {
        dump_outcome o;
        o.query = q->id();
        o.started_at = utc_now_iso8601();
        auto start = std::chrono::steady_clock::now();
        try {
            auto stats = write_dump(*db, *q, dump_path(cfg.dumps_dir, *q));
            o.ok = true;
            o.rows = stats.rows;
        } catch (const unreachable_error&) {
            throw;  // the database went away: nothing else will work either
        } catch (const error& e) {
            o.error = e.what();
        }
        o.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        o.ended_at = utc_now_iso8601();
        if (progress) progress(o);
        outcomes.push_back(std::move(o));
    }
    write_index(build_index(c, cfg.dumps_dir), index_path(cfg.dumps_dir));
    return outcomes;
}

}  // namespace bi
