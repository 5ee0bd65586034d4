// Prometheus and Nagios renderings of a status_report. Names follow Prometheus's conventions
// (base units in the name: _seconds, _total for counters, _ratio for 0..1); Nagios thresholds
// use its range syntax, where "0" alerts on anything above 0.
#include "bi/monitoring.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace bi {

namespace {

/// A label value as the exposition format quotes it: backslash, double quote and newline escaped.
std::string label_value(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

class exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
        name_ = name;
    }
    void sample(double value, std::string_view labels = {}) {
        out_ += name_;
        if (!labels.empty()) out_ += fmt::format("{{{}}}", labels);
        out_ += fmt::format(" {}\n", value);
    }
    std::string text() && { return std::move(out_); }

private:
    std::string out_;
    std::string name_;
};

std::string dump_labels(const dump_status& d) {
    return fmt::format("query=\"{}\",schedule=\"{}\"", label_value(d.query), label_value(d.schedule));
}

void dump_families(exposition& e, const status_report& r) {
    e.family("bi_dump_present", "gauge", "1 when the query's dump exists and reads as a dump.");
    for (auto& d : r.dumps) e.sample(d.present ? 1 : 0, dump_labels(d));
    e.family("bi_dump_stale", "gauge", "1 when the dump is past its schedule plus 25% or the database changed since.");
    for (auto& d : r.dumps)
        if (d.present) e.sample(d.fresh.stale ? 1 : 0, dump_labels(d));
    e.family("bi_dump_age_seconds", "gauge", "Seconds since the dump was generated.");
    for (auto& d : r.dumps)
        if (d.present) e.sample(static_cast<double>(d.fresh.age_seconds), dump_labels(d));
    e.family("bi_dump_rows", "gauge", "Rows in the dump.");
    for (auto& d : r.dumps)
        if (d.present) e.sample(static_cast<double>(d.rows), dump_labels(d));
    e.family("bi_regen_last_run_timestamp_seconds", "gauge", "When the query's last regeneration ended (Unix time).");
    for (auto& d : r.dumps)
        if (d.last_run)
            if (auto t = parse_utc(d.last_run->ended_at))
                e.sample(static_cast<double>(t->time_since_epoch().count()), dump_labels(d));
    e.family("bi_regen_last_run_success", "gauge", "1 when the query's last regeneration succeeded, 0 when it failed.");
    for (auto& d : r.dumps)
        if (d.last_run) e.sample(d.last_run->ok ? 1 : 0, dump_labels(d));
}

void ledger_families(exposition& e, const ledger_stats& l) {
    e.family("bi_answers_total", "counter", "Questions answered (and not), by source, from the answer ledger.");
    for (auto& [source, n] : l.by_source) e.sample(static_cast<double>(n), fmt::format("source=\"{}\"", label_value(source)));
    e.family("bi_tokens_spent_total", "counter", "LLM tokens the fallback spent.");
    e.sample(static_cast<double>(l.tokens_spent));
    e.family("bi_tokens_saved_total", "counter", "LLM tokens saved by answers from the catalog (estimate, 4 characters a token).");
    e.sample(static_cast<double>(l.tokens_saved));
    e.family("bi_hit_ratio", "gauge", "Answers from dumps over all questions in the ledger.");
    e.sample(l.hit_rate);
}

struct dump_counts {
    int fresh = 0, stale = 0, missing = 0, failed = 0;
    std::int64_t oldest_age = 0;
};

dump_counts count_dumps(const status_report& r) {
    dump_counts c;
    for (auto& d : r.dumps) {
        if (!d.present) ++c.missing;
        else if (d.fresh.stale) ++c.stale;
        else ++c.fresh;
        if (d.present) c.oldest_age = std::max(c.oldest_age, d.fresh.age_seconds);
        if (d.last_run && !d.last_run->ok) ++c.failed;
    }
    return c;
}

/// A message on one line: control characters (a newline in an error) become spaces, and the
/// pipe that starts Nagios's performance data becomes '/'.
std::string one_line(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        else if (c == '|') c = '/';
    }
    return out;
}

}  // namespace

std::string status_prometheus(const status_report& r) {
    exposition e;
    auto c = count_dumps(r);
    e.family("bi_status", "gauge", "Health as bi-status's exit code: 0 ok, 1 warning, 2 critical.");
    e.sample(static_cast<int>(r.level));
    e.family("bi_database_up", "gauge", "1 when the database could be opened.");
    e.sample(r.database.reachable ? 1 : 0);
    e.family("bi_catalog_readable", "gauge", "1 when the query catalog could be read.");
    e.sample(r.catalog_error.empty() ? 1 : 0);
    e.family("bi_schedule_installed", "gauge", "1 when a regeneration schedule for this catalog and dumps directory is installed.");
    e.sample(r.schedule.installed ? 1 : 0);
    e.family("bi_dumps", "gauge", "Catalog queries by the state of their dump.");
    e.sample(c.fresh, "state=\"fresh\"");
    e.sample(c.stale, "state=\"stale\"");
    e.sample(c.missing, "state=\"missing\"");
    dump_families(e, r);
    ledger_families(e, r.ledger);
    return std::move(e).text();
}

std::string status_nagios(const status_report& r) {
    static constexpr const char* names[] = {"OK", "WARNING", "CRITICAL"};
    auto c = count_dumps(r);
    std::string summary;
    if (r.problems.empty())
        summary = fmt::format("{} dump{} fresh", c.fresh, c.fresh == 1 ? "" : "s");
    else if (r.problems.size() == 1)
        summary = one_line(r.problems.front());
    else
        summary = fmt::format("{} (and {} more)", one_line(r.problems.front()), r.problems.size() - 1);
    return fmt::format("BI {} - {} | stale={};0;;0 missing={};;0;0 failed={};0;;0 oldest_age={}s;;;0 hit_rate={:.1f}%;;;0;100\n",
                       names[static_cast<int>(r.level)], summary, c.stale, c.missing, c.failed, c.oldest_age,
                       r.ledger.hit_rate * 100);
}

}  // namespace bi
