// bi-ask: answers a business question from the dumps, with zero tokens.
#include <chrono>
#include <iostream>
#include <iterator>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

#include "bi/analysis.hpp"
#include "bi/answer.hpp"
#include "bi/catalog.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/format.hpp"
#include "bi/index.hpp"
#include "bi/ledger.hpp"
#include "common.hpp"

namespace {

struct options {
    bi::tool::common_options common;
    std::vector<std::string> question;
    bool batch = false;
    bool explain = false;
    bool list = false;
    std::string suggest;
    std::string fallback;
    long fallback_timeout_ms = 0;
    bool cache = false;
    std::string save_as;
    std::string format;         // empty: table on a terminal, else json
    std::string color = "auto";
    // The structured form: a semantic query given directly, so a script need not depend on phrasing.
    std::vector<std::string> measures, by, filters, excludes;
    std::string from, to, grain, rank_by;
    int top = 0, bottom = 0;
};

void setup(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_option("question", o.question, "The question (several words, or '-' to read it from stdin)");
    app.add_flag("--batch", o.batch, "Read one question a line from stdin, write one JSON answer a line");
    app.add_flag("--explain", o.explain, "Add why: matched terms, slots, candidates and scores");
    app.add_option("--suggest", o.suggest, "List catalog example questions that fit a partial question");
    app.add_flag("--list", o.list, "List categories, queries and their example questions");
    app.add_option("--fallback", o.fallback,
                   "Command asked for SQL when no catalog query fits (protocol: docs/fallback-protocol.schema.json) [env BI_FALLBACK_CMD]");
    app.add_option("--fallback-timeout", o.fallback_timeout_ms, "Milliseconds the fallback command may take (default 60000)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--cache", o.cache, "Reuse fallback SQL stored for the same question, and store new fallback SQL");
    app.add_option("--save-as", o.save_as, "Save the fallback's answer as catalog query CATEGORY/NAME");
    app.add_option("--format", o.format, "Output: json, jsonl, table, csv or html (default: table on a terminal, else json)")
        ->check(CLI::IsMember({"json", "jsonl", "table", "csv", "html"}));
    app.add_option("--color", o.color, "Colour the table's headers and bars: auto, always or never [env NO_COLOR]")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    auto* g = "Structured query (instead of a question)";
    app.add_option("--measure", o.measures, "A measure of the model (repeatable): revenue, units, margin_pct...")->group(g);
    app.add_option("--by", o.by, "A dimension to break down by (repeatable): region, dealer, model...")->group(g);
    app.add_option("--filter", o.filters, "DIMENSION=VALUE[,VALUE...]: keep only these values (repeatable)")->group(g);
    app.add_option("--exclude", o.excludes, "DIMENSION=VALUE[,VALUE...]: leave these values out (repeatable)")->group(g);
    app.add_option("--from", o.from, "First day of the period, YYYY-MM-DD")->group(g);
    app.add_option("--to", o.to, "Last day of the period, YYYY-MM-DD")->group(g);
    app.add_option("--grain", o.grain, "Time breakdown: day, month, quarter or year")
        ->check(CLI::IsMember({"day", "month", "quarter", "year"}))->group(g);
    app.add_option("--top", o.top, "The N rows highest on --rank-by (or the first measure)")->check(CLI::PositiveNumber)->group(g);
    app.add_option("--bottom", o.bottom, "The N rows lowest on --rank-by (or the first measure)")->check(CLI::PositiveNumber)->group(g);
    app.add_option("--rank-by", o.rank_by, "The measure --top/--bottom rank by")->group(g);
}

/// The structured flags as a semantic query, checked against the model; nullopt when none was given.
std::optional<bi::semantic_query> structured_query(const options& o, const bi::semantic_model* model) {
    if (o.measures.empty() && o.by.empty() && o.filters.empty() && o.excludes.empty() && o.from.empty() && o.to.empty() &&
        o.grain.empty() && !o.top && !o.bottom && o.rank_by.empty())
        return std::nullopt;
    if (!model) throw bi::usage_error("the structured flags need the semantic model: run bi-dump or bi-regen first");
    if (o.measures.empty()) throw bi::usage_error("--measure is required with the structured flags");
    auto date = [](const std::string& s, const char* flag) {
        bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
        for (size_t i = 0; ok && i < s.size(); ++i) ok = (i == 4 || i == 7) || std::isdigit(static_cast<unsigned char>(s[i]));
        if (!ok) throw bi::usage_error(fmt::format("{} '{}' is not a date of the form YYYY-MM-DD", flag, s));
    };
    bi::semantic_query q;
    for (auto& m : o.measures) {
        if (!model->measure(m)) throw bi::usage_error(fmt::format("--measure '{}' is not a measure of the model", m));
        q.measures.push_back(m);
    }
    for (auto& d : o.by) {
        if (!model->dimension(d)) throw bi::usage_error(fmt::format("--by '{}' is not a dimension of the model", d));
        q.group_by.push_back(d);
    }
    auto add_filters = [&](const std::vector<std::string>& list, bool exclude, const char* flag) {
        for (auto& f : list) {
            auto eq = f.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
                throw bi::usage_error(fmt::format("{} '{}' needs DIMENSION=VALUE", flag, f));
            auto dim = f.substr(0, eq);
            if (!model->dimension(dim)) throw bi::usage_error(fmt::format("{} '{}': '{}' is not a dimension of the model", flag, f, dim));
            bi::dimension_filter filter{dim, {}, exclude};
            std::string value;
            for (size_t i = eq + 1; i <= f.size(); ++i) {
                if (i == f.size() || f[i] == ',') {
                    if (!value.empty()) filter.values.push_back(value);
                    value.clear();
                } else {
                    value.push_back(f[i]);
                }
            }
            q.filters.push_back(std::move(filter));
        }
    };
    add_filters(o.filters, false, "--filter");
    add_filters(o.excludes, true, "--exclude");
    if (!o.from.empty() || !o.to.empty()) {
        if (!o.from.empty()) date(o.from, "--from");
        if (!o.to.empty()) date(o.to, "--to");
        bi::period p{o.from.empty() ? "0000-01-01" : o.from, o.to.empty() ? "9999-12-31" : o.to, "", false};
        p.label = fmt::format("{} to {}", o.from.empty() ? "the start" : o.from, o.to.empty() ? "today" : o.to);
        // a period that starts or ends inside a month needs a daily cube
        auto month_end = [](const std::string& d) {
            using namespace std::chrono;
            year_month ym{year{std::stoi(d.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(d.substr(5, 2)))}};
            return static_cast<unsigned>(year_month_day_last{ym / last}.day()) == static_cast<unsigned>(std::stoi(d.substr(8, 2)));
        };
        p.needs_days = (!o.from.empty() && o.from.substr(8) != "01") || (!o.to.empty() && !month_end(o.to));
        q.window = p;
    }
    if (!o.grain.empty())
        q.grain = o.grain == "day" ? bi::time_grain::day : o.grain == "month" ? bi::time_grain::month
                : o.grain == "quarter" ? bi::time_grain::quarter : bi::time_grain::year;
    if (o.top && o.bottom) throw bi::usage_error("--top and --bottom cannot be combined");
    if (o.top || o.bottom || !o.rank_by.empty()) {
        q.rank_measure = o.rank_by.empty() ? q.measures.front() : o.rank_by;
        if (!model->measure(q.rank_measure)) throw bi::usage_error(fmt::format("--rank-by '{}' is not a measure of the model", q.rank_measure));
        if (std::find(q.measures.begin(), q.measures.end(), q.rank_measure) == q.measures.end()) q.measures.push_back(q.rank_measure);
        q.direction = o.bottom ? bi::sort_direction::asc : bi::sort_direction::desc;
        if (o.top || o.bottom) q.limit = o.top ? o.top : o.bottom;
    }
    q.named_measure = true;
    return q;
}

/// The writer for --format: JSON for scripts and pipes, a table for a person at a terminal.
bi::answer_writer make_writer(const options& o) {
    auto format = o.format.empty() ? (bi::tool::stdout_is_terminal() ? bi::output_format::table : bi::output_format::json)
                                   : *bi::parse_output_format(o.format);
    bi::render_options render{bi::tool::terminal_width(), bi::tool::use_color(o.color)};
    std::string chartjs = format == bi::output_format::html ? bi::read_chartjs(bi::tool::chartjs_candidates()) : "";
    return bi::answer_writer(format, render, std::move(chartjs));
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

void print_notes(const CLI::App& app, const bi::answer& a, bool quiet) {
    if (quiet) return;
    for (auto& n : a.notes) bi::tool::warn(app, n);
}

/// Appends the answer to the ledger, or in a batch keeps it for the next flush; a ledger that
/// cannot be written costs one warning.
void record(bi::ledger& ledger, const CLI::App& app, bool quiet, std::string_view question, const bi::answer& a,
            std::chrono::steady_clock::time_point start, bool batch = false) {
    bi::ledger_entry e{bi::utc_now_iso8601(), std::string(question), a.code == bi::exit_code::ok, a.query, a.score,
                       a.filters, a.source, a.tokens,
                       std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()};
    if (batch) return ledger.keep(e);
    if (auto failure = ledger.append(e); failure && !quiet) bi::tool::warn(app, *failure);
}

/// Records a question that ended in an error (the fallback failed or its SQL was refused)
/// as unanswered, then lets the error go on to its exit code.
template <typename F>
bi::answer answer_or_record(F&& ask, bi::ledger& ledger, const CLI::App& app, bool quiet, std::string_view question,
                            std::chrono::steady_clock::time_point start, bool batch = false) {
    try {
        return ask();
    } catch (const bi::usage_error&) {
        throw;
    } catch (const bi::error& e) {
        bi::answer failed;
        failed.code = e.code();
        record(ledger, app, quiet, question, failed, start, batch);
        throw;
    }
}

int run(const options& o, const CLI::App& app) {
    auto cfg = bi::tool::resolve(o.common);
    if (!o.fallback.empty()) cfg.fallback_command = o.fallback;
    if (o.fallback_timeout_ms > 0) cfg.fallback_timeout = std::chrono::milliseconds(o.fallback_timeout_ms);
    bi::ask_options ask_options{o.explain, o.cache, o.save_as};
    if (!o.save_as.empty() && o.batch) throw bi::usage_error("--save-as takes one question, not --batch");
    int modes = (o.batch ? 1 : 0) + (o.list ? 1 : 0) + (!o.suggest.empty() ? 1 : 0);
    if (modes > 1) throw bi::usage_error("--batch, --list and --suggest cannot be combined");
    if (modes == 1 && !o.question.empty()) throw bi::usage_error("a question cannot be combined with --batch, --list or --suggest");
    auto writer = make_writer(o);

    bi::router_index index;
    auto path = bi::index_path(cfg.dumps_dir);
    try {
        index = bi::load_index(path);
    } catch (const bi::error& e) {
        // No usable index: route from the catalog itself, with the slot values the dumps hold.
        if (!o.common.quiet) bi::tool::warn(app, std::string(e.what()) + "; reading the catalog instead");
        index = bi::build_index(bi::load_catalog(cfg.queries_dir), cfg.dumps_dir);
    }
    // Never destroyed: the OS reclaims the index at exit, while freeing its many small
    // objects one by one cost a fifth of a question against a large catalog (callgrind).
    // Reachable through this pointer, so leak checkers do not count it.
    static auto* kept = new bi::answerer(cfg, std::move(index));
    auto& answerer = *kept;
    answerer.keep_dumps(o.batch);  // one question: read only its rows

    if (o.list) {
        std::cout << answerer.list_json() << '\n';
        return 0;
    }
    if (!o.suggest.empty()) {
        for (auto& s : answerer.suggest(o.suggest)) std::cout << s << '\n';
        return 0;
    }
    bi::ledger ledger(bi::ledger_path(cfg.log_dir), cfg.ledger_max_bytes);
    if (o.batch) {
        // Answers and ledger lines are written when no further question is waiting (or every
        // 256 KB): in bulk for a file of questions, at once for a program asking one at a time.
        bi::tool::line_reader in(STDIN_FILENO);
        std::string line, out;
        auto flush = [&] {
            std::cout << out << std::flush;
            out.clear();
            if (auto failure = ledger.flush(); failure && !o.common.quiet) bi::tool::warn(app, *failure);
        };
        try {
            while (in.next(line)) {
                try {
                    auto start = std::chrono::steady_clock::now();
                    auto a = answer_or_record([&] { return answerer.ask(line, ask_options); }, ledger, app,
                                              o.common.quiet, line, start, true);
                    record(ledger, app, o.common.quiet, line, a, start, true);
                    print_notes(app, a, o.common.quiet);
                    out += writer.add(a.json);
                } catch (const bi::error& e) {
                    // One bad line costs its own answer, never the batch.
                    out += writer.add(answerer.error_json(e.what()));
                }
                if (!in.more_buffered() || out.size() >= (256 << 10)) flush();
            }
        } catch (...) {
            flush();  // what was answered before an unexpected failure is written, not lost
            throw;
        }
        flush();
        std::cout << writer.finish();
        return 0;
    }
    if (auto q = structured_query(o, answerer.model())) {
        if (!o.question.empty()) throw bi::usage_error("a question cannot be combined with the structured flags");
        auto label = bi::restate(*answerer.model(), *q);
        auto start = std::chrono::steady_clock::now();
        auto a = answer_or_record([&] { return answerer.ask(*q, label, ask_options); }, ledger, app, o.common.quiet, label, start);
        record(ledger, app, o.common.quiet, label, a, start);
        print_notes(app, a, o.common.quiet);
        std::cout << writer.add(a.json) << writer.finish();
        return static_cast<int>(a.code);
    }
    if (o.question.empty()) throw bi::usage_error("no question given (try: bi-ask \"top selling models in the Northeast\")");
    std::string question = join(o.question);
    if (question == "-") question.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    auto start = std::chrono::steady_clock::now();
    auto a = answer_or_record([&] { return answerer.ask(question, ask_options); }, ledger, app, o.common.quiet, question,
                              start);
    record(ledger, app, o.common.quiet, question, a, start);
    print_notes(app, a, o.common.quiet);
    std::cout << writer.add(a.json) << writer.finish();
    return static_cast<int>(a.code);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Answer a business question from the pre-computed dumps, with zero tokens", "bi-ask"};
    options o;
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o, app); });
}
