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
#include "bi/files.hpp"
#include "bi/format.hpp"
#include "bi/generations.hpp"
#include "bi/index.hpp"
#include "bi/ledger.hpp"
#include "bi/text.hpp"
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
    std::string query_json;     // the same as a JSON object: a file, or '-' for stdin
};

/// What the usual call, `bi-ask [shared flags] "question"`, needs declared.
void setup_question(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_option("question", o.question, "The question (several words, or '-' to read it from stdin)");
}

void setup(CLI::App& app, options& o) {
    setup_question(app, o);
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
    app.add_option("--format", o.format,
                   "Output: json, jsonl, table, csv, tsv, markdown or html (default: table on a terminal, else json)")
        ->check(CLI::IsMember({"json", "jsonl", "table", "csv", "tsv", "markdown", "html"}));
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
    app.add_option("--query-json", o.query_json,
                   "The structured query as JSON (the 'interpretation' of an answer), from a file or '-' for stdin")
        ->group(g);
}

/// The structured flags as a query spec; nullopt when none was given.
std::optional<bi::query_spec> flags_spec(const options& o) {
    // no flag gives a direction of its own: --top and --bottom say it
    bi::query_spec spec{o.measures, o.by, o.filters, o.excludes, o.from, o.to, o.grain, o.rank_by, o.top, o.bottom, {}};
    if (spec.empty()) return std::nullopt;
    return spec;
}

/// The writer for --format: JSON for scripts and pipes, a table for a person at a terminal.
bi::answer_writer make_writer(const options& o) {
    auto format = o.format.empty() ? (bi::tool::stdout_is_terminal() ? bi::output_format::table : bi::output_format::json)
                                   : *bi::parse_output_format(o.format);
    bi::render_options render{bi::tool::terminal_width(), bi::tool::use_color(o.color)};
    render.batch = o.batch;
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
    cfg.dumps_dir = bi::pinned_dumps_dir(cfg.dumps_dir);  // one generation for the whole run
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
        bi::tool::line_reader in(STDIN_FILENO, bi::max_question_bytes);
        std::string line, out;
        auto flush = [&] {
            std::cout << out << std::flush;
            out.clear();
            if (auto failure = ledger.flush(); failure && !o.common.quiet) bi::tool::warn(app, *failure);
        };
        try {
            while (in.next(line)) {
                try {
                    if (in.cut())
                        throw bi::usage_error(fmt::format("question is too long (more than {} bytes; at most {})",
                                                          bi::max_question_bytes, bi::max_question_bytes));
                    auto start = std::chrono::steady_clock::now();
                    auto a = answer_or_record([&] { return answerer.ask(line, ask_options); }, ledger, app,
                                              o.common.quiet, line, start, true);
                    record(ledger, app, o.common.quiet, line, a, start, true);
                    print_notes(app, a, o.common.quiet);
                    out += writer.add(a);
                } catch (const bi::error& e) {
                    // One bad line costs its own answer, never the batch.
                    out += writer.add(bi::answerer::error_answer(line, e.what()));
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
    auto spec = flags_spec(o);
    if (!o.query_json.empty()) {
        if (spec) throw bi::usage_error("--query-json cannot be combined with the structured flags");
        std::string text;
        if (o.query_json == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        else text = bi::read_file(o.query_json);
        spec = bi::parse_query_spec(text, o.query_json == "-" ? "stdin" : o.query_json);
    }
    if (spec) {
        if (!o.question.empty()) throw bi::usage_error("a question cannot be combined with the structured form");
        auto q = std::optional<bi::semantic_query>(bi::structured_query(answerer.model(), *spec));
        auto label = bi::restate(*answerer.model(), *q);
        auto start = std::chrono::steady_clock::now();
        auto a = answer_or_record([&] { return answerer.ask(*q, label, ask_options); }, ledger, app, o.common.quiet, label, start);
        record(ledger, app, o.common.quiet, label, a, start);
        print_notes(app, a, o.common.quiet);
        std::cout << writer.add(a) << writer.finish();
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
    std::cout << writer.add(a) << writer.finish();
    return static_cast<int>(a.code);
}

}  // namespace

// Before the other static initialisers (libstdc++'s locales among them, whose code lies
// spread over what answering reaches): one call maps that code instead of a fault per 64 KiB.
__attribute__((constructor(101))) static void map_code_ahead() {
    bi::tool::prefault_code(std::size_t{1024} << 10);
}

int main(int argc, char** argv) {
    // What a question's heap and stack reach, with a margin: each page mapped ahead costs
    // ~1.3 µs here and ~7.5 µs more when first written, each one faulted in instead ~16 µs
    // (docs/benchmarks.md, seventh round).
    bi::tool::prefault_heap(std::size_t{1024} << 10);
    bi::tool::prefault_stack(std::size_t{40} << 10);
    const char* about = "Answer a business question from the pre-computed dumps, with zero tokens";
    options o;
    {
        // Declaring all of bi-ask's flags is most of CLI11's cost (docs/benchmarks.md, eighth
        // round), and the usual command line names only the shared ones and the question: CLI11
        // parses that with just those declared. Any other flag, --help among them, goes to the
        // app below with every flag declared.
        CLI::App app{about, "bi-ask"};
        setup_question(app, o);
        app.set_help_flag();
        if (bi::tool::declares_every_flag(app, argc, argv)) return bi::tool::run(app, argc, argv, [&] { return run(o, app); });
    }
    CLI::App app{about, "bi-ask"};
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o, app); });
}
