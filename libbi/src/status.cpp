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
#include "bi/generations.hpp"
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

std::string absolute(const std::string& path) {
    if (path.empty()) return path;
    std::error_code ec;
    auto p = fs::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
}

config_status describe_config(const config& cfg) {
    return {absolute(cfg.config_file), cfg.config_source,
            is_server_database(cfg.database) ? cfg.database : absolute(cfg.database), absolute(cfg.queries_dir),
            absolute(cfg.dumps_dir), absolute(cfg.log_dir)};
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
    ++stats_.by_source[e.source.empty() ? "none" : e.source];
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

namespace {

std::string canonical(const std::string& path) {
    std::error_code ec;
    auto p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    return ec ? path : p.string();
}

/// The value after `flag` in a command line of whitespace-separated words, quotes removed.
std::string flag_value(std::string_view command, std::string_view flag) {
    std::vector<std::string> words(1);
    for (char c : command) {
        if (c == ' ' || c == '\t') {
            if (!words.back().empty()) words.emplace_back();
        } else if (c != '\'' && c != '"') {
            words.back() += c;
        }
    }
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] == flag && i + 1 < words.size()) return words[i + 1];
        if (words[i].starts_with(std::string(flag) + "=")) return words[i].substr(flag.size() + 1);
    }
    return {};
}

/// The lines of the managed crontab block (empty when there is none).
std::vector<std::string_view> crontab_block(std::string_view text) {
    std::vector<std::string_view> out;
    bool inside = false;
    for (auto line : detail::split_lines(text)) {
        if (line.starts_with(crontab_marker)) inside = true;
        else if (line.starts_with("# <<< bi-regen schedule")) inside = false;
        else if (inside) out.push_back(line);
    }
    return out;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// What a crontab's managed block says: nullopt when it has none, else whether it schedules these dirs.
std::optional<bool> crontab_schedules(std::string_view text, const std::string& q, const std::string& d) {
    if (text.find(crontab_marker) == std::string_view::npos) return std::nullopt;
    for (auto line : crontab_block(text))
        if (schedules_these(line, q, d)) return true;
    return false;
}

}  // namespace

bool schedules_these(std::string_view command, const std::string& queries_dir, const std::string& dumps_dir) {
    if (command.find("bi-regen") == std::string_view::npos) return false;
    auto q = flag_value(command, "--queries-dir");
    auto d = flag_value(command, "--dumps-dir");
    return !q.empty() && !d.empty() && canonical(q) == canonical(queries_dir) && canonical(d) == canonical(dumps_dir);
}

schedule_status detect_schedule(const std::string& queries_dir, const std::string& dumps_dir) {
    schedule_status s;
    auto found = [&](std::optional<bool> ours, std::string where) {
        if (ours) (*ours ? s.where : s.others).push_back(std::move(where));
    };
    auto f = env("BI_CRONTAB_FILE");
    found(crontab_schedules(f ? read_text(f) : read_command("crontab -l 2>/dev/null"), queries_dir, dumps_dir), "crontab");
    std::error_code ec;
    if (fs::exists("/etc/cron.d/bi-regen", ec))
        found(crontab_schedules(read_text("/etc/cron.d/bi-regen"), queries_dir, dumps_dir), "/etc/cron.d/bi-regen");
    std::vector<std::string> unit_dirs = {"/etc/systemd/system"};
    if (auto u = env("BI_SYSTEMD_USER_DIR")) unit_dirs.insert(unit_dirs.begin(), u);
    else if (auto x = env("XDG_CONFIG_HOME")) unit_dirs.insert(unit_dirs.begin(), fmt::format("{}/systemd/user", x));
    else if (auto h = env("HOME")) unit_dirs.insert(unit_dirs.begin(), fmt::format("{}/.config/systemd/user", h));
    for (auto& dir : unit_dirs)
        for (auto* kind : {"daily", "weekly", "monthly"}) {
            auto timer = fmt::format("{}/bi-regen-{}.timer", dir, kind);
            if (!fs::exists(timer, ec)) continue;
            bool ours = false;
            auto service = read_text(fmt::format("{}/bi-regen-{}.service", dir, kind));  // the lines are views into it
            for (auto line : detail::split_lines(service))
                if (line.starts_with("ExecStart=") && schedules_these(line, queries_dir, dumps_dir)) ours = true;
            found(ours, timer);
        }
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
            load_model_json(model);
        } catch (const error& e) {
            out.push_back(e.what());
        }
    }
    if (auto why = binary_model_damage(model); !why.empty()) out.push_back(why);
    if (auto why = lexicon_damage(lexicon_path(dumps_dir), model); !why.empty()) out.push_back(why);
    return out;
}

status_report collect_status(const config& cfg, utc_time now) {
    status_report r;
    r.config = describe_config(cfg);
    r.schedule = detect_schedule(cfg.queries_dir, cfg.dumps_dir);
    auto pinned = cfg;
    pinned.dumps_dir = pinned_dumps_dir(cfg.dumps_dir);  // one generation for the whole report
    r.database = probe_database(pinned);
    auto raise = [&](health h, std::string why) {
        r.level = std::max(r.level, h);
        r.problems.push_back(std::move(why));
    };
    if (!r.database.reachable) raise(health::critical, fmt::format("database unreachable: {}", r.database.error));
    try {
        r.dumps = dump_statuses(pinned, load_catalog(cfg.queries_dir), r.database.fingerprint, now);
    } catch (const std::exception& e) {
        r.catalog_error = e.what();
        raise(health::critical, fmt::format("catalog unreadable: {}", r.catalog_error));
    }
    r.cache_damage = cache_damage(cfg.dumps_dir);
    auto advised = [](const std::string& why) { return why.find("(run bi-") != std::string::npos ? why : why + " (run bi-regen)"; };
    for (auto& why : r.cache_damage) raise(health::critical, advised(why));
    if (r.cache_damage.empty())
        if (auto why = lexicon_from_other_bi(lexicon_path(pinned.dumps_dir)); !why.empty()) raise(health::warning, why);
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

    w.Key("config");
    w.StartObject();
    w.Key("file");
    if (r.config.file.empty()) w.Null();
    else text(r.config.file);
    w.Key("source"); text(r.config.source);
    w.Key("database"); text(r.config.database);
    w.Key("queries_dir"); text(r.config.queries_dir);
    w.Key("dumps_dir"); text(r.config.dumps_dir);
    w.Key("log_dir"); text(r.config.log_dir);
    w.EndObject();

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
    w.Key("others");
    w.StartArray();
    for (auto& s : r.schedule.others) text(s);
    w.EndArray();
    w.EndObject();
    w.EndObject();
    return std::string(b.GetString(), b.GetSize()) + "\n";
}

namespace {

/// The table's width: the dumps fit 100 columns, whatever the names.
constexpr size_t table_columns = 100;

/// `s` in exactly `width` columns: padded, or cut with "…" (names are ASCII; others are cut by byte).
std::string fit(std::string_view s, size_t width) {
    if (s.size() <= width) return std::string(s) + std::string(width - s.size(), ' ');
    return std::string(s.substr(0, width - 1)) + "…";
}

std::string size_text(std::int64_t bytes) {
    if (bytes < 1024) return fmt::format("{} B", bytes);
    if (bytes < (1 << 20)) return fmt::format("{:.1f} KB", static_cast<double>(bytes) / 1024);
    return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1048576);
}

std::string last_run_text(const std::optional<dump_outcome>& run) {
    if (!run) return "-";
    auto& t = run->ended_at;  // YYYY-MM-DDTHH:MM:SSZ: the month, day and minute
    auto when = t.size() >= 16 ? fmt::format("{} {}", t.substr(5, 5), t.substr(11, 5)) : t;
    return fmt::format("{} {}", run->ok ? "ok" : "FAILED", when);
}

/// Dumps grouped under their category: `  name  schedule rows size age state last-run`.
std::string dump_table(const std::vector<dump_status>& dumps) {
    constexpr std::string_view row = "{}  {:<8} {:>8} {:>9} {:>11}  {:<7}  {}\n";
    constexpr size_t fixed = 2 + 8 + 1 + 8 + 1 + 9 + 1 + 11 + 2 + 7 + 2 + 18;  // "FAILED MM-DD HH:MM"
    size_t width = 5;
    for (auto& d : dumps) width = std::max({width, d.category.size(), d.name.size() + 2});
    width = std::min(width, table_columns - fixed);
    std::string out = fmt::format(fmt::runtime(row), fit("QUERY", width), "SCHEDULE", "ROWS", "SIZE", "AGE", "STATE", "LAST RUN");
    std::string category;
    for (auto& d : dumps) {
        if (d.category != category)
            out += ((category = d.category).size() > width ? fit(category, width) : category) + '\n';
        auto name = fit("  " + d.name, width);
        if (!d.present)
            out += fmt::format(fmt::runtime(row), name, d.schedule, "-", "-", "-", "MISSING", last_run_text(d.last_run));
        else
            out += fmt::format(fmt::runtime(row), name, d.schedule, d.rows, size_text(d.bytes), format_age(d.fresh.age_seconds),
                               d.fresh.stale ? "STALE" : "fresh", last_run_text(d.last_run));
    }
    return out;
}

}  // namespace

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
    if (r.config.file.empty()) line("config     {}", r.config.source);
    else line("config     {} ({})", r.config.file, r.config.source);
    line("database   {}", r.database.path);
    if (r.database.reachable)
        line("           reachable, {:.1f} MB, fingerprint {}", r.database.bytes / 1048576.0, r.database.fingerprint);
    else
        line("           UNREACHABLE: {}", r.database.error);
    out += '\n';
    if (!r.catalog_error.empty()) line("catalog    UNREADABLE: {}", r.catalog_error);
    out += dump_table(r.dumps);
    out += '\n';
    auto& l = r.ledger;
    line("ledger     {}", r.ledger_path);
    line("           {} answers, {} from dumps: hit rate {:.1f}%", l.answers, l.from_dumps, l.hit_rate * 100);
    line("           tokens spent {}, saved ~{} (an estimate: see bi-status --help)", l.tokens_spent, l.tokens_saved);
    line("           latency p50 {:.1f} ms, p95 {:.1f} ms", l.p50_ms, l.p95_ms);
    if (l.unreadable_lines) line("           {} unreadable lines skipped", l.unreadable_lines);
    if (!l.top_unanswered.empty()) {
        line("           most frequent unanswered questions (catalog candidates):");
        for (auto& [q, n] : l.top_unanswered) line("           {:>6}  {}", n, q);
    }
    out += '\n';
    auto joined = [](const std::vector<std::string>& v) {
        std::string out;
        for (auto& s : v) out += (out.empty() ? "" : ", ") + s;
        return out;
    };
    if (r.schedule.installed) {
        line("schedule   installed ({})", joined(r.schedule.where));
    } else {
        line("schedule   not installed for this catalog and dumps dir");
        line("           install one: bi-install-schedule (scripts/install-schedule in the source tree)");
    }
    if (!r.schedule.others.empty()) line("           for another catalog or dumps dir: {}", joined(r.schedule.others));
    return out;
}

}  // namespace bi
