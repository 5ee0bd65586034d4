// bi-status's findings. Everything here reads; nothing is repaired.
#include "bi/status.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/analysis.hpp"
#include "bi/database.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "detail/strings.hpp"
#include "bi/fallback.hpp"
#include "bi/index.hpp"
#include "bi/model.hpp"

namespace bi {

namespace fs = std::filesystem;
using detail::env;

namespace {

/// Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

bool crontab_has_block(const std::string& text) {
    return text.find(crontab_marker) != std::string::npos;
}

std::string read_command(const char* command) {
    std::string out;
    FILE* p = ::popen(command, "r");
    if (!p) return out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    ::pclose(p);
    return out;
}

database_status probe_database(const config& cfg) {
    database_status d;
    d.path = cfg.database;
    if (!is_server_database(cfg.database)) d.fingerprint = database_fingerprint(cfg.database);
    std::error_code ec;
    auto size = fs::file_size(cfg.database, ec);
    if (!ec) d.bytes = static_cast<std::int64_t>(size);
    try {
        auto db = open_database(cfg.database, cfg.limits);
        if (d.fingerprint.empty()) d.fingerprint = db->fingerprint();
        // The request the fallback would send, for an empty question: the same builder the
        // fallback uses, so tokens saved and tokens spent are counted alike.
        router_index index;
        try {
            index = load_index(index_path(cfg.dumps_dir));
        } catch (const error&) {
            // without an index the request carries no catalog examples
        }
        d.request_bytes = static_cast<std::int64_t>(fallback_request(*db, index, route_result{}, "", cfg.limits).size());
        d.reachable = true;
    } catch (const std::exception& e) {
        d.error = e.what();
    }
    return d;
}

}  // namespace

std::vector<dump_status> dump_statuses(const config& cfg, const catalog& c, std::string_view database_fingerprint,
                                       utc_time now) {
    auto runs = last_runs(job_log_path(cfg.log_dir));
    std::vector<dump_status> out;
    for (auto& q : c.queries) {
        dump_status s;
        s.query = q.id();
        s.category = q.category;
        s.name = q.name;
        s.schedule = std::string(to_string(q.when));
        s.path = dump_path(cfg.dumps_dir, q);
        if (auto it = runs.find(s.query); it != runs.end()) s.last_run = it->second;
        std::error_code ec;
        if (!fs::exists(s.path, ec)) {
            s.error = fmt::format("'{}': dump is missing", s.path);
        } else {
            try {
                auto d = read_dump(s.path);
                s.present = true;
                s.rows = d.row_count;
                s.bytes = static_cast<std::int64_t>(fs::file_size(s.path, ec));
                s.generated_at = d.generated_at;
                s.fresh = assess_freshness(d, database_fingerprint, now);
                s.damage = dump_damage(s.path, q);
            } catch (const error& e) {
                s.error = e.what();
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string normalise_question(std::string_view q) {
    std::string out;
    bool space = false;
    for (char c : q) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

void ledger_tally::add(const ledger_entry& e) {
    ++stats_.answers;
    stats_.tokens_spent += e.tokens;
    latencies_.push_back(e.latency_ms);
    if (e.matched) {
        ++stats_.matched;
        if (e.source == "dump") ++stats_.from_dumps;
        if (e.tokens == 0)
            stats_.tokens_saved += (request_bytes_ + static_cast<std::int64_t>(e.question.size()) + 3) / 4;
        return;
    }
    auto key = normalise_question(e.question);
    auto it = std::lower_bound(unanswered_.begin(), unanswered_.end(), key,
                               [](auto& entry, const std::string& k) { return entry.first < k; });
    if (it != unanswered_.end() && it->first == key) ++it->second;
    else unanswered_.insert(it, {key, 1});
}

void ledger_tally::add_line(std::string_view line) {
    if (line.empty()) return;
    if (auto e = parse_ledger_line(line)) add(*e);
    else ++stats_.unreadable_lines;
}

void ledger_tally::add_files(const std::string& path) {
    for (int g = ledger_generations; g >= 0; --g) {
        std::ifstream in(g ? fmt::format("{}.{}", path, g) : path);
        std::string line;
        while (std::getline(in, line)) add_line(line);
    }
}

ledger_stats ledger_tally::figures(size_t top) const {
    auto s = stats_;
    s.hit_rate = s.answers ? static_cast<double>(s.from_dumps) / static_cast<double>(s.answers) : 0;
    auto sorted = latencies_;
    std::sort(sorted.begin(), sorted.end());
    s.p50_ms = percentile(sorted, 50);
    s.p95_ms = percentile(sorted, 95);
    s.top_unanswered = unanswered_;
    std::stable_sort(s.top_unanswered.begin(), s.top_unanswered.end(),
                     [](auto& a, auto& b) { return a.second > b.second; });
    if (s.top_unanswered.size() > top) s.top_unanswered.resize(top);
    return s;
}

schedule_status detect_schedule() {
    schedule_status s;
    std::string crontab;
    if (auto f = env("BI_CRONTAB_FILE")) {
        std::ifstream in(f);
        crontab.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
        crontab = read_command("crontab -l 2>/dev/null");
    }
    if (crontab_has_block(crontab)) s.where.push_back("crontab");
    std::vector<std::string> files = {"/etc/cron.d/bi-regen"};
    std::string user_units;
    if (auto x = env("XDG_CONFIG_HOME")) user_units = fmt::format("{}/systemd/user", x);
    else if (auto h = env("HOME")) user_units = fmt::format("{}/.config/systemd/user", h);
    for (auto* kind : {"daily", "weekly", "monthly"}) {
        if (!user_units.empty()) files.push_back(fmt::format("{}/bi-regen-{}.timer", user_units, kind));
        files.push_back(fmt::format("/etc/systemd/system/bi-regen-{}.timer", kind));
    }
    std::error_code ec;
    for (auto& f : files)
        if (fs::exists(f, ec)) s.where.push_back(f);
    s.installed = !s.where.empty();
    return s;
}

/// What is wrong with the files bi-dump writes beside the dumps, each checked whole.
std::vector<std::string> cache_damage(const std::string& dumps_dir) {
    std::vector<std::string> out;
    std::error_code ec;
    auto index = index_path(dumps_dir);
    if (fs::exists(fs::symlink_status(index, ec))) {
        try {
            load_index_json(index);
        } catch (const error& e) {
            out.push_back(e.what());
        }
    }
    if (auto why = binary_index_damage(index); !why.empty()) out.push_back(why);
    auto model = model_path(dumps_dir);
    if (fs::exists(fs::symlink_status(model, ec))) {
        try {
            load_model(model);
        } catch (const error& e) {
            out.push_back(e.what());
        }
    }
    if (auto why = lexicon_damage(lexicon_path(dumps_dir), model); !why.empty()) out.push_back(why);
    return out;
}

status_report collect_status(const config& cfg, utc_time now) {
    status_report r;
    r.database = probe_database(cfg);
    auto raise = [&](health h, std::string why) {
        r.level = std::max(r.level, h);
        r.problems.push_back(std::move(why));
    };
    if (!r.database.reachable) raise(health::critical, fmt::format("database unreachable: {}", r.database.error));
    try {
        r.dumps = dump_statuses(cfg, load_catalog(cfg.queries_dir), r.database.fingerprint, now);
    } catch (const std::exception& e) {
        r.catalog_error = e.what();
        raise(health::critical, fmt::format("catalog unreadable: {}", r.catalog_error));
    }
    r.cache_damage = cache_damage(cfg.dumps_dir);
    auto advised = [](const std::string& why) { return why.find("(run bi-") != std::string::npos ? why : why + " (run bi-regen)"; };
    for (auto& why : r.cache_damage) raise(health::critical, advised(why));
    for (auto& d : r.dumps) {
        if (!d.present) raise(health::critical, d.error);
        else if (!d.damage.empty()) raise(health::critical, advised(d.damage));
        else if (d.fresh.stale) raise(health::warning, fmt::format("{} is stale: {}", d.query, d.fresh.reason));
        if (d.last_run && !d.last_run->ok)
            raise(health::warning, fmt::format("{}: last run failed: {}", d.query, d.last_run->error));
    }
    r.ledger_path = ledger_path(cfg.log_dir);
    ledger_tally tally(r.database.request_bytes);
    tally.add_files(r.ledger_path);
    r.ledger = tally.figures();
    r.schedule = detect_schedule();
    return r;
}

namespace {

std::string_view level_name(health h) {
    return h == health::ok ? "ok" : h == health::warning ? "warning" : "critical";
}

constexpr std::string_view tokens_saved_method =
    "each matched zero-token answer counts as ceil((fallback request bytes + question bytes) / 4) tokens: "
    "the request the LLM fallback would have sent (schema, values, catalog examples), by the 4-characters-a-token rule";

}  // namespace

std::string status_json(const status_report& r) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    auto text = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    w.StartObject();
    w.Key("status"); text(level_name(r.level));
    w.Key("exit_code"); w.Int(static_cast<int>(r.level));
    w.Key("problems");
    w.StartArray();
    for (auto& p : r.problems) text(p);
    w.EndArray();

    w.Key("database");
    w.StartObject();
    w.Key("path"); text(r.database.path);
    w.Key("reachable"); w.Bool(r.database.reachable);
    w.Key("bytes"); w.Int64(r.database.bytes);
    w.Key("fingerprint"); text(r.database.fingerprint);
    w.Key("fallback_request_bytes"); w.Int64(r.database.request_bytes);
    if (!r.database.reachable) { w.Key("error"); text(r.database.error); }
    w.EndObject();

    if (!r.catalog_error.empty()) { w.Key("catalog_error"); text(r.catalog_error); }
    w.Key("damaged_files");
    w.StartArray();
    for (auto& why : r.cache_damage) text(why);
    w.EndArray();
    w.Key("dumps");
    w.StartArray();
    for (auto& d : r.dumps) {
        w.StartObject();
        w.Key("query"); text(d.query);
        w.Key("category"); text(d.category);
        w.Key("name"); text(d.name);
        w.Key("schedule"); text(d.schedule);
        w.Key("path"); text(d.path);
        w.Key("present"); w.Bool(d.present);
        if (!d.damage.empty()) { w.Key("damage"); text(d.damage); }
        if (d.present) {
            w.Key("rows"); w.Int64(d.rows);
            w.Key("bytes"); w.Int64(d.bytes);
            w.Key("generated_at"); text(d.generated_at);
            w.Key("age_seconds"); w.Int64(d.fresh.age_seconds);
            w.Key("stale"); w.Bool(d.fresh.stale);
            if (d.fresh.stale) { w.Key("stale_reason"); text(d.fresh.reason); }
        } else {
            w.Key("error"); text(d.error);
        }
        w.Key("last_run");
        if (!d.last_run) {
            w.Null();
        } else {
            w.StartObject();
            w.Key("outcome"); text(d.last_run->ok ? "ok" : "failed");
            w.Key("start"); text(d.last_run->started_at);
            w.Key("end"); text(d.last_run->ended_at);
            w.Key("rows"); w.Int64(d.last_run->rows);
            w.Key("error");
            if (d.last_run->ok) w.Null();
            else text(d.last_run->error);
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndArray();

    auto& l = r.ledger;
    w.Key("ledger");
    w.StartObject();
    w.Key("path"); text(r.ledger_path);
    w.Key("answers"); w.Int64(l.answers);
    w.Key("matched"); w.Int64(l.matched);
    w.Key("from_dumps"); w.Int64(l.from_dumps);
    w.Key("hit_rate"); w.Double(l.hit_rate);
    w.Key("tokens_spent"); w.Int64(l.tokens_spent);
    w.Key("tokens_saved"); w.Int64(l.tokens_saved);
    w.Key("tokens_saved_estimate"); text(tokens_saved_method);
    w.Key("latency_ms");
    w.StartObject();
    w.Key("p50"); w.Double(l.p50_ms);
    w.Key("p95"); w.Double(l.p95_ms);
    w.EndObject();
    w.Key("top_unanswered");
    w.StartArray();
    for (auto& [q, n] : l.top_unanswered) {
        w.StartObject();
        w.Key("question"); text(q);
        w.Key("count"); w.Int64(n);
        w.EndObject();
    }
    w.EndArray();
    w.Key("unreadable_lines"); w.Int64(l.unreadable_lines);
    w.EndObject();

    w.Key("schedule");
    w.StartObject();
    w.Key("installed"); w.Bool(r.schedule.installed);
    w.Key("where");
    w.StartArray();
    for (auto& s : r.schedule.where) text(s);
    w.EndArray();
    w.EndObject();
    w.EndObject();
    return std::string(b.GetString(), b.GetSize()) + "\n";
}

std::string status_text(const status_report& r) {
    std::string out;
    auto line = [&]<typename... Args>(fmt::format_string<Args...> f, Args&&... args) {
        out += fmt::format(f, std::forward<Args>(args)...);
        out += '\n';
    };
    std::string level(level_name(r.level));
    std::transform(level.begin(), level.end(), level.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    line("status     {}{}", level, r.problems.empty() ? "" : fmt::format(" ({} problem{})", r.problems.size(), r.problems.size() == 1 ? "" : "s"));
    for (auto& p : r.problems) line("  - {}", p);
    out += '\n';
    line("database   {}", r.database.path);
    if (r.database.reachable)
        line("           reachable, {:.1f} MB, fingerprint {}", r.database.bytes / 1048576.0, r.database.fingerprint);
    else
        line("           UNREACHABLE: {}", r.database.error);
    out += '\n';
    if (!r.catalog_error.empty()) line("catalog    UNREADABLE: {}", r.catalog_error);
    size_t width = 5;
    for (auto& d : r.dumps) width = std::max(width, d.query.size());
    line("{:<{}}  {:<8} {:>9} {:>10}  {:<20}  {:>10}  {:<7}  {}", "QUERY", width, "SCHEDULE", "ROWS", "BYTES",
         "GENERATED", "AGE", "STATE", "LAST RUN");
    for (auto& d : r.dumps) {
        std::string last = !d.last_run ? "-" : fmt::format("{} {}", d.last_run->ok ? "ok" : "FAILED", d.last_run->ended_at);
        if (!d.present)
            line("{:<{}}  {:<8} {:>9} {:>10}  {:<20}  {:>10}  {:<7}  {}", d.query, width, d.schedule, "-", "-", "-", "-",
                 "MISSING", last);
        else
            line("{:<{}}  {:<8} {:>9} {:>10}  {:<20}  {:>10}  {:<7}  {}", d.query, width, d.schedule, d.rows, d.bytes,
                 d.generated_at, format_age(d.fresh.age_seconds), d.fresh.stale ? "STALE" : "fresh", last);
    }
    out += '\n';
    auto& l = r.ledger;
    line("ledger     {}", r.ledger_path);
    line("           {} answers, {} from dumps: hit rate {:.1f}%", l.answers, l.from_dumps, l.hit_rate * 100);
    line("           tokens spent {}, saved ~{} (estimate: {})", l.tokens_spent, l.tokens_saved, tokens_saved_method);
    line("           latency p50 {:.1f} ms, p95 {:.1f} ms", l.p50_ms, l.p95_ms);
    if (l.unreadable_lines) line("           {} unreadable lines skipped", l.unreadable_lines);
    if (!l.top_unanswered.empty()) {
        line("           most frequent unanswered questions (catalog candidates):");
        for (auto& [q, n] : l.top_unanswered) line("           {:>6}  {}", n, q);
    }
    out += '\n';
    if (r.schedule.installed) {
        std::string where;
        for (auto& s : r.schedule.where) where += (where.empty() ? "" : ", ") + s;
        line("schedule   installed ({})", where);
    } else {
        line("schedule   not installed (see scripts/install-schedule)");
    }
    return out;
}

}  // namespace bi
