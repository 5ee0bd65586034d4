// Dump runs shared by bi-dump and bi-regen.
#include "bi/regen.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/generations.hpp"
#include "bi/index.hpp"
#include "bi/lock.hpp"
#include "bi/analysis.hpp"
#include "bi/model.hpp"

#include <fnmatch.h>

namespace bi {

namespace {

bool is_pattern(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

bool matches(const std::string& pattern, const std::string& text) {
    return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

std::vector<const query_def*> select_queries(const catalog& c, const selection& s) {
    std::vector<const query_def*> out;
    auto add = [&](const query_def* q) {
        if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);
    };
    for (auto& name : s.queries) {
        if (!is_pattern(name)) {
            auto q = c.find(name);
            if (!q) throw usage_error(fmt::format("no query named '{}' in '{}'", name, c.dir));
            add(q);
            continue;
        }
        bool any = false;
        for (auto& q : c.queries)
            if (matches(name, q.id()) || matches(name, q.name)) add(&q), any = true;
        if (!any) throw usage_error(fmt::format("no query matches '{}' in '{}'", name, c.dir));
    }
    for (auto& cat : s.categories) {
        bool any = false;
        for (auto& q : c.queries)
            if (is_pattern(cat) ? matches(cat, q.category) : q.category == cat) add(&q), any = true;
        if (!any)
            throw usage_error(fmt::format("no category {} '{}' in '{}'", is_pattern(cat) ? "matches" : "named", cat, c.dir));
    }
    for (auto& tag : s.tags) {
        bool any = false;
        for (auto& q : c.queries)
            if (std::find(q.tags.begin(), q.tags.end(), tag) != q.tags.end()) add(&q), any = true;
        if (!any) throw usage_error(fmt::format("no query has the tag '{}' in '{}'", tag, c.dir));
    }
    if (s.due)
        for (auto& q : c.queries)
            if (q.when == *s.due) add(&q);
    if (s.queries.empty() && s.categories.empty() && s.tags.empty() && !s.due)
        for (auto& q : c.queries) add(&q);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
    return out;
}

std::vector<dump_outcome> dump_queries(const config& run_cfg, const catalog& c, const std::vector<const query_def*>& queries,
                                       const std::function<void(const dump_outcome&)>& progress) {
    // Every writer of the dumps dir holds its lock: a temporary older than this run was left
    // by one that was killed, and nothing will ever rename it into place.
    auto started = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
    remove_stale_temp_files(run_cfg.dumps_dir, started.count());
    auto db = open_database(run_cfg.database, run_cfg.limits);
    // With generations, the run writes a new one and publishes it at the end (generations.hpp);
    // a run that throws (the database went away) publishes nothing.
    std::optional<generation> next;
    if (run_cfg.generations > 0) next.emplace(run_cfg.dumps_dir, run_cfg.generations);
    config cfg = run_cfg;
    if (next) cfg.dumps_dir = next->dir();
    std::vector<dump_outcome> outcomes;
    for (auto* q : queries) {
        dump_outcome o;
        o.query = q->id();
        o.started_at = utc_now_iso8601();
        auto start = std::chrono::steady_clock::now();
        try {
            auto stats = write_dump(*db, *q, dump_path(cfg.dumps_dir, *q), replace_mode::entry);
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
    auto model = build_model(c, cfg.dumps_dir);
    write_model(model, model_path(cfg.dumps_dir));
    question_reader(model).save(lexicon_path(cfg.dumps_dir), model_path(cfg.dumps_dir));
    if (next) next->publish();
    return outcomes;
}

std::string job_log_path(const std::string& log_dir) {
    return (log_dir.empty() ? std::string("job_logs") : log_dir + "/job_logs") + "/regen.jsonl";
}

std::string job_log_line(const dump_outcome& o) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("start"); w.String(o.started_at);
    w.Key("end"); w.String(o.ended_at);
    w.Key("query"); w.String(o.query);
    w.Key("rows"); w.Int64(o.rows);
    w.Key("duration_ms"); w.Double(std::round(o.duration_ms * 10) / 10);
    w.Key("outcome"); w.String(o.ok ? "ok" : "failed");
    w.Key("error");
    if (o.ok) w.Null();
    else w.String(o.error);
    w.EndObject();
    std::string line(b.GetString(), b.GetSize());
    line += '\n';
    return line;
}

std::map<std::string, dump_outcome> last_runs(const std::string& job_log) {
    std::map<std::string, dump_outcome> last;
    std::ifstream in(job_log);
    std::string line;
    while (std::getline(in, line)) {
        rapidjson::Document d;
        d.Parse(line.c_str());
        if (d.HasParseError() || !d.IsObject()) continue;
        auto text = [&](const char* key) {
            auto it = d.FindMember(key);
            return it != d.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
        };
        dump_outcome o;
        o.query = text("query");
        if (o.query.empty()) continue;
        o.started_at = text("start");
        o.ended_at = text("end");
        o.ok = text("outcome") == "ok";
        o.error = text("error");
        if (auto it = d.FindMember("rows"); it != d.MemberEnd() && it->value.IsInt64()) o.rows = it->value.GetInt64();
        if (auto it = d.FindMember("duration_ms"); it != d.MemberEnd() && it->value.IsNumber())
            o.duration_ms = it->value.GetDouble();
        last[o.query] = std::move(o);
    }
    return last;
}

std::vector<const query_def*> with_damaged(const config& cfg, const catalog& c, std::vector<const query_def*> queries) {
    auto dir = pinned_dumps_dir(cfg.dumps_dir);
    for (auto& q : c.queries) {
        if (std::find(queries.begin(), queries.end(), &q) != queries.end()) continue;
        if (!dump_damage(dump_path(dir, q), q).empty()) queries.push_back(&q);
    }
    std::sort(queries.begin(), queries.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
    return queries;
}

std::vector<dump_outcome> regenerate(const config& cfg, const catalog& c, const std::vector<const query_def*>& selected,
                                     std::chrono::seconds wait, const regen_hooks& hooks) {
    dir_lock lock(lock_dir(cfg.dumps_dir, cfg.generations), wait);
    auto queries = with_damaged(cfg, c, selected);
    // The job log is a record, not the work: when it cannot be written the run goes on.
    std::unique_ptr<append_file> log;
    auto warn = [&](const std::string& what) {
        if (hooks.warning) hooks.warning(what);
    };
    try {
        log = std::make_unique<append_file>(job_log_path(cfg.log_dir));
    } catch (const error& e) {
        warn(fmt::format("cannot write the job log: {}", e.what()));
    }
    auto record = [&](const dump_outcome& o) {
        if (!log) return;
        try {
            log->write_line(job_log_line(o));
        } catch (const error& e) {
            warn(fmt::format("cannot write the job log: {}", e.what()));
            log.reset();
        }
    };
    try {
        return dump_queries(cfg, c, queries, [&](const dump_outcome& o) {
            record(o);
            if (hooks.progress) hooks.progress(o);
        });
    } catch (const unreachable_error& e) {
        auto now = utc_now_iso8601();
        for (auto* q : queries) record({q->id(), false, 0, 0, now, now, e.what()});
        throw;
    }
}

std::vector<check_failure> check_queries(const config& cfg, const catalog& c) {
    auto db = open_database(cfg.database, cfg.limits);
    std::vector<check_failure> failures;
    for (auto& q : c.queries) {
        try {
            db->check(sql_for(q, db->dialect()));
        } catch (const unreachable_error&) {
            throw;
        } catch (const error& e) {
            failures.push_back({q.id(), q.file, e.what()});
        }
    }
    return failures;
}

}  // namespace bi
