// Answer assembly: the router picks a query, its dump (or, when the dump is missing or
// unreadable, the same SQL run live under the guard) is shaped by the question's slots.
#include "bi/answer.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/chart.hpp"
#include "bi/fallback.hpp"
#include "bi/freshness.hpp"
#include "bi/planner.hpp"
#include "bi/shape.hpp"
#include "bi/text.hpp"
#include "detail/json.hpp"
#include "detail/strings.hpp"

namespace bi {

namespace fs = std::filesystem;

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct applied_filter {
    std::string slot;
    std::string column;
    value wanted;
    std::string text;
};

struct unapplied_slot {
    std::string slot;
    std::string value;
    std::string reason;
};


void write_slot_value(json_writer& w, const std::string& slot, const std::string& v) {
    if (slot == "year") w.Int(std::atoi(v.c_str()));
    else w.String(v);
}

/// Up to three candidates from `from` on, as the answer's alternatives.
std::vector<alternative> alternatives(const router_index& index, const std::vector<candidate>& list, size_t from) {
    std::vector<alternative> out;
    for (size_t i = from; i < list.size() && i < from + 3; ++i)
        out.push_back({index.query(list[i].query).id, index.query(list[i].query).title, list[i].score});
    return out;
}

/// The router's working for --explain, a JSON object.
std::string explain_json(const router_index& index, const route_result& r) {
    rapidjson::StringBuffer buffer;
    json_writer w(buffer);
    w.StartObject();
    w.Key("words");
    w.StartArray();
    for (auto& s : r.words) w.String(s);
    w.EndArray();
    w.Key("corrections");
    w.StartArray();
    for (auto& s : r.corrections) w.String(s);
    w.EndArray();
    w.Key("terms");
    w.StartArray();
    for (auto& s : r.terms) w.String(s);
    w.EndArray();
    w.Key("slots");
    w.StartArray();
    for (auto& s : r.slots) {
        w.StartObject();
        w.Key("slot"); w.String(s.slot);
        w.Key("value"); write_slot_value(w, s.slot, s.value);
        w.Key("text"); w.String(s.text);
        w.Key("weak"); w.Bool(s.weak);
        w.EndObject();
    }
    w.EndArray();
    w.Key("asks_worst"); w.Bool(r.asks_worst);
    w.Key("asks_best"); w.Bool(r.asks_best);
    w.Key("asks_least"); w.Bool(r.asks_least);
    w.Key("candidates");
    w.StartArray();
    for (auto& c : r.candidates) {
        w.StartObject();
        w.Key("query"); w.String(index.query(c.query).id);
        w.Key("score"); w.Double(c.score);
        w.Key("matched");
        w.StartArray();
        for (auto& m : c.matched) w.String(m);
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

/// The columns of `rows` with their units.
std::vector<answer_column> columns_of(const table& rows, const std::map<std::string, std::string>& units) {
    std::vector<answer_column> out;
    for (size_t i = 0; i < rows.columns.size(); ++i) {
        auto u = units.find(rows.columns[i]);
        out.push_back({rows.columns[i], rows.types[i], u == units.end() ? "" : u->second});
    }
    return out;
}

table to_table(result_set&& rs) {
    table t;
    for (auto& c : rs.columns) t.columns.push_back(c.name);
    t.types.assign(t.columns.size(), "null");
    for (auto& row : rs.rows)
        for (size_t i = 0; i < row.size(); ++i) t.types[i] = merge_type(t.types[i], type_name(row[i]));
    t.rows = std::move(rs.rows);
    return t;
}

}  // namespace

namespace {

/// A dump put in another's place (a link, a copy) would answer with another query's rows.
void check_identity(const dump& d, const query_def& q) {
    if (d.query_name != q.name || d.category != q.category)
        throw error(fmt::format("'{}': the dump is of {}/{}, not {} (run bi-regen)", d.path, d.category, d.query_name, q.id()));
}

}  // namespace

answerer::answerer(config cfg, router_index index) : config_(std::move(cfg)), index_(std::move(index)) {
    routing_.threshold = config_.match_threshold;
    routing_.margin = config_.match_margin;
}

answerer::~answerer() = default;

const dump* answerer::load_dump(int qi, const std::vector<std::pair<std::string, value>>& filters, std::string& why) {
    if (auto it = dumps_.find(qi); it != dumps_.end()) return it->second.get();
    if (auto it = dump_errors_.find(qi); it != dump_errors_.end()) {
        why = it->second;
        return nullptr;
    }
    auto& q = index_.def(qi);
    auto path = dump_path(config_.dumps_dir, q);
    std::error_code ec;
    try {
        if (!fs::exists(path, ec)) throw error(fmt::format("'{}': dump is missing", path));
        // Small dumps are kept whole for the next question (a batch); a large one, or any when
        // the process answers one question, is filtered while it is read, so memory follows
        // the rows an answer needs, not the dump's size.
        constexpr std::uintmax_t keep_whole_bytes = 4 << 20;
        std::string damage;
        auto binary_size = fs::file_size(binary_dump_path(path), ec);
        if (!ec && (binary_size > keep_whole_bytes || !keep_dumps_)) {
            if (auto d = read_binary_dump(path, filters, &damage); d && d->data.index_of(q.sort.column) >= 0) {
                check_identity(*d, q);
                filtered_ = std::make_unique<dump>(std::move(*d));
                return filtered_.get();
            }
        }
        auto binary = ec || !damage.empty() ? std::nullopt : read_binary_dump(path, {}, &damage);
        auto d = std::make_unique<dump>(binary ? std::move(*binary) : read_dump(path));
        check_identity(*d, q);
        if (d->data.index_of(q.sort.column) < 0 && !q.columns.empty())
            throw error(fmt::format("'{}': dump does not match the catalog (run bi-dump)", path));
        if (!damage.empty()) d->note = damage + "; answered from the JSON dump (run bi-regen)";
        return (dumps_[qi] = std::move(d)).get();
    } catch (const error& e) {
        why = e.what();
        dump_errors_[qi] = why;
        return nullptr;
    }
}

const std::string& answerer::database_fingerprint() {
    // A server is not asked for every question (it may be far, or down while the dumps
    // answer): its dumps are judged by age; bi-status and bi-regen --list ask it.
    if (!fingerprint_) fingerprint_ = is_server_database(config_.database) ? "" : bi::database_fingerprint(config_.database);
    return *fingerprint_;
}

database& answerer::live_database() {
    if (!live_) live_ = open_database(config_.database, config_.limits);
    return *live_;
}

const route_result& answerer::routed(std::string_view question) {
    std::string key(question);
    if (auto it = routes_.find(key); it != routes_.end()) return it->second;
    auto r = route(index_, question, routing_);
    if (routes_.size() >= 2048) routes_.clear();
    return routes_.emplace(std::move(key), std::move(r)).first->second;
}

std::string answerer::outside_scope(std::string_view question) const {
    if (auto it = routes_.find(std::string(question)); it != routes_.end()) return it->second.outside;
    return out_of_scope(index_, question, routing_);
}

namespace {

/// Why a question read into `q` cannot be answered exactly, or "" when it may be.
std::string not_understood(const std::vector<std::string>& words) {
    std::string list;
    for (auto& w : words) list += (list.empty() ? "'" : ", '") + w + "'";
    return "not understood: " + list;
}

std::string unanswerable(const semantic_query& q) {
    if (!q.unknown.empty()) return not_understood(q.unknown);
    if (!q.problem.empty()) return q.problem;
    if (q.rank_measure == "?") return "ranked by what? Name a measure (\"top 5 dealers by revenue\")";
    return "";
}

}  // namespace

const semantic_model* answerer::model() {
    if (!model_loaded_) {
        model_loaded_ = true;
        std::error_code ec;
        auto path = model_path(config_.dumps_dir);
        if (fs::exists(path, ec)) {
            model_ = std::make_unique<semantic_model>(load_model(path));
            // The phrase tables bi-dump saved with the model; built here only when they are
            // missing or belong to another model.json.
            auto saved = question_reader::load(*model_, lexicon_path(config_.dumps_dir), path);
            reader_ = std::make_unique<question_reader>(saved ? std::move(*saved) : question_reader(*model_));
        }
    }
    return model_.get();
}

const table& answerer::cube_rows(const std::string& cube, const semantic_query& q, std::string& generated_at,
                                 std::optional<freshness>& fresh, std::vector<std::string>& notes) {
    auto slash = cube.find('/');
    auto path = (fs::path(config_.dumps_dir) / cube.substr(0, slash) / (cube.substr(slash + 1) + ".json")).string();
    const dump* d = nullptr;
    bool live = false;
    if (auto it = cubes_.find(cube); it != cubes_.end()) {
        d = it->second.get();
        live = d->note.ends_with("answered live (run bi-regen)");
    } else {
        std::error_code ec;
        std::string damage;
        if (!fs::exists(path, ec)) throw error(fmt::format("'{}': the cube's dump is missing (run bi-dump)", path));
        if (!keep_dumps_ && !fills_empty_groups(*model_, q)) {
            // One question a process: read only the rows its single-value filters keep — but
            // not a share's part: the whole it is a share of is every value of that dimension,
            // nor groups with nothing in them: what they belong to is in rows the filters drop.
            std::vector<std::pair<std::string, value>> wanted;
            for (auto& f : q.filters)
                if (!f.exclude && f.values.size() == 1 && !(q.share && f.dimension == q.share_dimension))
                    wanted.emplace_back(f.dimension, value(f.values.front()));
            if (auto filtered = read_binary_dump(path, wanted, &damage)) {
                cube_filtered_ = std::make_unique<dump>(std::move(*filtered));
                d = cube_filtered_.get();
            }
        }
        if (!d) {
            auto binary = damage.empty() ? read_binary_dump(path, {}, &damage) : std::nullopt;
            std::unique_ptr<dump> kept;
            if (binary) {
                kept = std::make_unique<dump>(std::move(*binary));
            } else {
                try {
                    kept = std::make_unique<dump>(read_dump(path));
                } catch (const error& e) {
                    kept = cube_live(cube, e.what());  // a damaged dump: the cube's own SQL, live
                    live = true;
                }
            }
            if (!damage.empty() && !live) kept->note = damage + "; answered from the JSON dump (run bi-regen)";
            d = (cubes_[cube] = std::move(kept)).get();
        }
        if (!d->note.empty()) notes.push_back(d->note);
        if (d->category + "/" + d->query_name != cube)
            throw error(fmt::format("'{}': the dump is of {}/{}, not {} (run bi-regen)", path, d->category, d->query_name, cube));
    }
    if (!live && (generated_at.empty() || d->generated_at < generated_at)) {
        generated_at = d->generated_at;
        auto f = assess_freshness(*d, database_fingerprint(), utc_now());
        if (!fresh || f.stale) fresh = f;
    }
    return d->data;
}

std::unique_ptr<dump> answerer::cube_live(const std::string& cube, const std::string& damage) {
    auto slash = cube.find('/');
    auto file = (fs::path(config_.queries_dir) / (cube + ".sql")).string();
    std::optional<query_def> def;
    try {
        def = parse_query(read_file(file), file, cube.substr(0, slash), cube.substr(slash + 1));
    } catch (const error&) {
        throw error(damage);  // no SQL to run instead: the damage is the answer's error
    }
    auto live = std::make_unique<dump>();
    live->category = def->category;
    live->query_name = def->name;
    live->data = to_table(query_all(live_database(), sql_for(*def, live_database().dialect())));
    live->generated_at = utc_now_iso8601();
    live->note = damage + "; answered live (run bi-regen)";
    return live;
}

answer answerer::no_answer(std::string_view question, const std::string& reason, const semantic_query* q,
                           const route_result* r, bool explain) {
    answer a;
    a.code = exit_code::no_match;
    a.kind = answer_kind::none;
    a.question = question;
    a.score = r && !r->candidates.empty() ? r->candidates[0].score : 0;
    a.reason = reason;
    if (q && !q->clarify.empty()) {
        a.clarify = q->clarify;
    } else if (r && r->outcome == route_outcome::ambiguous) {
        auto& first = index_.query(r->candidates[0].query);
        auto& second = index_.query(r->candidates[1].query);
        a.clarify = fmt::format("Did you mean \"{}\" ({}) or \"{}\" ({})?", first.title, first.id, second.title, second.id);
    }
    if (q && model_) {
        a.interpretation = *q;
        a.restatement = restate(*model_, *q);
    }
    // Suggestions: the closest reports' first examples, then others, three in all.
    const route_result* near = r;
    if (!near) {
        try {
            near = &routed(question);
        } catch (const usage_error&) {
        }
    }
    if (near) a.alternatives = alternatives(index_, near->candidates, 0);
    if (near)
        for (auto& c : near->candidates) {
            auto& ex = index_.query(c.query).example_texts;
            if (!ex.empty() && a.suggestions.size() < 3) a.suggestions.push_back(ex.front());
        }
    auto& suggestions = a.suggestions;
    for (size_t i = 0; suggestions.size() < 3 && i < index_.size(); i += std::max<size_t>(1, index_.size() / 3)) {
        auto& ex = index_.query(i).example_texts;
        if (!ex.empty() && std::find(suggestions.begin(), suggestions.end(), ex.front()) == suggestions.end())
            suggestions.push_back(ex.front());
    }
    if (explain && r) a.explain_json = explain_json(index_, *r);
    return a;
}

answer answerer::ask(const semantic_query& q, std::string_view question, const ask_options& options) {
    if (!model()) throw error(fmt::format("'{}': no semantic model (run bi-dump or bi-regen)", model_path(config_.dumps_dir)));
    auto a = ask_semantic(q, question, options, false);
    return a ? std::move(*a) : no_answer(question, "the query names no measure", &q, nullptr, options.explain);
}

std::optional<answer> answerer::ask_semantic(const semantic_query& q, std::string_view question,
                                             const ask_options& options, bool from_text) {
    if (!q.is_semantic() && from_text) return std::nullopt;
    auto& m = *model_;
    std::string why = unanswerable(q);
    plan_result planned;
    if (why.empty()) {
        planned = make_plan(m, q);
        why = planned.reason;
    }
    // Implied measures only ("sales", "how many"): a report may still fit the question.
    if (!why.empty() && from_text && !q.named_measure && !planned.no_data) return std::nullopt;
    if (!why.empty()) return no_answer(question, why, &q, nullptr, options.explain);

    std::string generated_at;
    std::optional<freshness> fresh;
    std::vector<std::string> read_notes;
    auto rolled = roll_up(m, q, *planned.chosen, [&](const std::string& cube) -> const table& {
        return cube_rows(cube, q, generated_at, fresh, read_notes);
    });
    answer a;
    a.question = question;
    a.source = "dump";
    a.score = 1;
    std::string cubes;
    for (auto& p : planned.chosen->parts) cubes += (cubes.empty() ? "" : "+") + p.cube;
    a.query = cubes;
    if (fresh && fresh->stale) a.notes.push_back(fmt::format("the dump of {} is stale: {} (run bi-regen)", cubes, fresh->reason));
    a.notes.insert(a.notes.end(), read_notes.begin(), read_notes.end());
    for (auto& p : planned.chosen->parts)
        for (auto& d : p.unfiltered)
            for (auto& leaf : p.leaves)
                a.notes.push_back(fmt::format("{} counts all, whatever the {}: the whole the filter on {} takes a part of", leaf, d, d));
    a.kind = answer_kind::model;
    a.title = a.restatement = restate(m, q);
    a.interpretation = q;
    a.chart_config = chart_config_for_shape(rolled.rows, a.title);
    for (auto& f : q.filters) {
        std::string list;
        for (auto& v : f.values) list += (list.empty() ? "" : ", ") + v;
        a.filters[f.dimension] = (f.exclude ? "not " : "") + list;
        a.applied.emplace_back(f.dimension, a.filters[f.dimension]);
    }
    if (q.window) {
        a.applied.emplace_back("period", q.window->label);
        a.filters["period"] = q.window->label;
    }
    a.limit = rolled.limit;
    a.rows_total = rolled.rows_total;
    a.sort_column = rolled.sort_column;
    a.direction = rolled.direction;
    a.generated_at = generated_at;
    a.fresh = fresh;
    a.columns = columns_of(rolled.rows, rolled.units);
    a.rows = std::make_shared<const table>(std::move(rolled.rows));
    return a;
}

namespace {

/// Words that ask for a curated artefact rather than a number: "margin analysis", "the digest".
bool asks_for_a_report(std::string_view question) {
    static const std::set<std::string_view> words = {"analysis", "analyses", "report", "reports", "summary", "overview",
                                                     "matrix", "digest", "scorecard", "dashboard", "briefing", "recap"};
    for (auto& w : words_of(question))
        if (words.count(w)) return true;
    return false;
}

}  // namespace

bool answerer::names_a_report(const semantic_query& q, std::string_view question, bool whole) {
    // Nothing the report could not honour: no period, ranking, limit, condition or breakdown
    // in time; every word left over a word of the reports; and every routing term of the
    // question found in the report's own text.
    if (q.window || !q.compare.empty() || q.grain != time_grain::none || q.limit || !q.rank_measure.empty() ||
        !q.having.empty() || q.share || !q.average_over.empty())
        return false;
    if (!std::all_of(q.unknown.begin(), q.unknown.end(), [&](auto& u) { return index_.idf_of(stem(u)).has_value(); }))
        return false;
    auto& r = routed(question);
    return r.outcome == route_outcome::answered && (!whole || r.candidates[0].coverage >= 0.999);
}

std::string answerer::report_refusal(const semantic_query& q) const {
    std::vector<std::string> strange;
    for (auto& u : q.unknown)
        if (!index_.has_word(u)) strange.push_back(u);
    if (!strange.empty()) return not_understood(strange);  // words neither the model nor the reports know
    if (!q.problem.empty()) return q.problem;
    if (q.unknown.empty()) return "";
    // A ranking by words the model could not read ("costing us the most in warranty") would be
    // ranked by the report's own order, and a quantity asked for in such words ("how much have
    // we spent on…") answered with the report's own numbers: neither is what was asked.
    if (q.rank_measure == "?") return "ranked by what? Name the measure (\"top 5 components by warranty cost\")";
    if (q.limit || !q.rank_measure.empty() || !q.measures.empty()) return not_understood(q.unknown);
    return "";
}

namespace {

/// Whether the report the router chose answers the period the model read in the question: a
/// report narrows only by a whole year, so "Q1 this year" is not "2026".
bool report_holds_period(const semantic_query& q, const route_result& r, std::string_view today) {
    if (!q.window) return true;
    auto& w = *q.window;
    if (w.from.size() != 10 || w.from.substr(4) != "-01-01") return false;
    auto year = w.from.substr(0, 4);
    // a whole year, or this year to date: the data goes no further than today
    bool whole = w.to == year + "-12-31" || (today.substr(0, 4) == year && w.to.substr(0, 7) == today.substr(0, 7));
    return whole && std::any_of(r.slots.begin(), r.slots.end(), [&](auto& s) { return s.slot == "year" && s.value == year; });
}

}  // namespace

std::optional<answer> answerer::ask_model(const semantic_query& q, std::string_view question, const ask_options& options) {
    // "Failure pattern analysis", "variance report": a question that asks for an analysis or a
    // report by name gets the curated one, when the router is sure of it.
    if (asks_for_a_report(question) && names_a_report(q, question, false)) {
        auto report = ask_report(question, options, &q);
        if (report.code == exit_code::ok) return report;
    }
    auto a = ask_semantic(q, question, options, true);
    if (!a) {
        auto why = report_refusal(q);
        if (why.empty()) return std::nullopt;
        a = no_answer(question, why, &q, nullptr, options.explain);
    }
    // The model could not answer a question that named a measure: a report whose text holds
    // every term of the question may still answer it exactly ("Variance reports by category").
    if (a->code == exit_code::no_match && q.is_semantic() && names_a_report(q, question, true)) {
        auto report = ask_report(question, options, &q);
        if (report.code == exit_code::ok) return report;
    }
    return a;
}

namespace {

/// A capitalised word in mid-question that no slot value holds and no query is about (its
/// title, description, keywords, synonyms — examples name values, not topics): a name
/// ("Cordova", "Harbor Point") of something the answer would otherwise silently ignore.
std::optional<std::string> unplaced_name(std::string_view question, const route_result& r, const router_index& index) {
    std::set<std::string> topics;
    for (size_t i = 0; i < index.size(); ++i) {
        auto& q = index.def(i);
        std::string text = q.title + " " + q.description;
        for (auto& k : q.keywords) text += " " + k;
        for (auto& s : q.synonyms) text += " " + s;
        for (auto& w : words_of(text)) topics.insert(stem(w));
    }
    std::string word;
    bool first = true;
    auto placed = [&](const std::string& w) {
        auto lower = detail::lower_ascii(w);
        if (topics.count(stem(lower))) return true;
        for (auto& s : r.slots)
            for (auto& v : words_of(s.text))
                if (v == lower) return true;
        return false;
    };
    for (size_t i = 0; i <= question.size(); ++i) {
        char c = i < question.size() ? question[i] : ' ';
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += c;
            continue;
        }
        if (!word.empty()) {
            bool capitalised = std::isupper(static_cast<unsigned char>(word[0])) &&
                               std::any_of(word.begin() + 1, word.end(), [](char x) { return std::islower(static_cast<unsigned char>(x)); });
            if (!first && capitalised && !is_stop_word(detail::lower_ascii(word)) && !placed(word)) return word;
            first = false;
            word.clear();
        }
        if (c == '.' || c == '?' || c == '!' || c == ':') first = true;  // a new sentence
    }
    return std::nullopt;
}

}  // namespace

answer answerer::ask(std::string_view question, const ask_options& options) {
    // A batch asks the same questions again: each distinct one is answered once, whichever way.
    bool keep = keep_dumps_ && !options.explain && options.save_as.empty();
    std::string key = fmt::format("{}\x1f{}", options.use_cache ? 1 : 0, question);
    if (keep)
        if (auto it = answers_.find(key); it != answers_.end()) return it->second;
    auto a = answer_recovering(question, options);
    if (keep) {
        if (answers_.size() >= 2048) answers_.clear();
        answers_.emplace(std::move(key), a);
    }
    return a;
}

answer answerer::answer_recovering(std::string_view question, const ask_options& options) {
    try {
        auto a = answer_afresh(question, options);
        if (!index_.note.empty()) a.notes.push_back(index_.note);
        return a;
    } catch (const parse_error& e) {
        if (e.file() != "index.bin" || index_from_json_) throw;
        // The binary index is read lazily, so its damage shows only now: route again from
        // index.json, or from the catalog when that fails too.
        index_from_json_ = true;
        routes_.clear();
        try {
            index_ = load_index_json(index_path(config_.dumps_dir));
        } catch (const error&) {
            index_ = build_index(load_catalog(config_.queries_dir), config_.dumps_dir);
        }
        auto a = answer_afresh(question, options);
        a.notes.push_back(fmt::format("{} (routed from index.json instead)", e.what()));
        return a;
    }
}

answer answerer::answer_afresh(std::string_view question, const ask_options& options) {
    // Words the catalog declares out of scope ("drop table", "payroll") end the question on the
    // report path, which says so; the fallback is never asked. Only that is asked of the report
    // router here: scoring every report waits until a report may answer (it was a tenth of a
    // question the model answers, callgrind).
    if (!outside_scope(question).empty()) return ask_report(question, options, nullptr);
    if (!model()) {
        // Without the model (no dumps yet) only the report router reads the question. A name it
        // cannot place ("the Cordova") would be dropped, and the answer would be about every model.
        auto& r = routed(question);
        if (auto name = unplaced_name(question, r, index_))
            return no_answer(question,
                             fmt::format("'{}' names something bi cannot place without the model's values (run bi-dump)", *name),
                             nullptr, &r, options.explain);
        return ask_report(question, options, nullptr);
    }
    auto q = reader_->read(question, today_iso());
    auto a = ask_model(q, question, options);
    if (!a) {  // no measure named: the closest report, when it holds the period asked for
        // and every value the model read ("what % of deals had GAP Insurance": a report that
        // cannot be narrowed to GAP Insurance answers another question), and no share of them
        auto& r = routed(question);
        for (auto& f : q.filters)
            for (auto& v : f.values)
                if (std::none_of(r.slots.begin(), r.slots.end(), [&](auto& s) { return detail::lower_ascii(s.value) == detail::lower_ascii(v); }))
                    return no_answer(question, fmt::format("no report or pre-computed data answers this for {} {}", f.dimension, v), &q, &r,
                                     options.explain);
        // and a row for each of what the rows were asked by ("our biggest F&I product": not a
        // report of dealers)
        if (r.outcome == route_outcome::answered && !r.candidates.empty()) {
            auto& report = index_.def(r.candidates[0].query);
            for (auto& d : q.group_by) {
                auto* column = report.slot_column(d);
                if (std::find(report.columns.begin(), report.columns.end(), column ? *column : d) == report.columns.end())
                    return no_answer(question, fmt::format("no report or pre-computed data answers this by {}", d), &q, &r, options.explain);
            }
        }
        if (q.share) return no_answer(question, "a share of what? Name the measure (\"what % of revenue came from the West\")", &q, &r, options.explain);
        if (!report_holds_period(q, r, today_iso()))
            return no_answer(question, fmt::format("no report or pre-computed data answers this for {}", q.window->label), &q, &r,
                             options.explain);
        return ask_report(question, options, &q);
    }
    if (a->code == exit_code::ok && !options.save_as.empty())
        throw usage_error("--save-as saves an answer from the fallback; this question is answered by the catalog");
    if (a->code != exit_code::ok && (!config_.fallback_command.empty() || options.use_cache)) {
        auto f = ask_fallback(question, routed(question), options);
        if (f.code == exit_code::ok) return f;
    }
    return std::move(*a);
}

answer answerer::ask_report(std::string_view question, const ask_options& options, const semantic_query* reading) {
    bool explain = options.explain;
    const route_result& r = routed(question);
    if (r.outcome != route_outcome::answered && r.outside.empty() &&
        (!config_.fallback_command.empty() || options.use_cache)) {
        auto a = ask_fallback(question, r, options);
        if (a.code == exit_code::ok) return a;
    }
    if (!options.save_as.empty())
        throw usage_error(r.outcome == route_outcome::answered
                              ? "--save-as saves an answer from the fallback; this question is answered by the catalog"
                              : "--save-as needs an answer from the fallback (configure --fallback or BI_FALLBACK_CMD)");
    answer a;
    a.kind = answer_kind::report;
    a.question = question;
    if (r.outcome != route_outcome::answered)
        return no_answer(question,
                         r.outcome == route_outcome::ambiguous ? "ambiguous: two queries fit about equally well"
                         : !r.outside.empty()                   ? "outside the catalog's scope"
                                                                : "no confident match in the catalog",
                         nullptr, &r, explain);

    int qi = r.candidates[0].query;
    auto& q = index_.def(qi);
    a.query = q.id();
    a.score = r.candidates[0].score;

    // Slots → filters this query can apply. A slot it cannot apply means no answer: an answer
    // that ignored part of the question would answer a different one.
    std::vector<applied_filter> filters;
    std::vector<unapplied_slot> unapplied;
    for (auto& s : r.slots) {
        auto column = q.slot_column(s.slot);
        if (!column) {
            if (!s.weak) unapplied.push_back({s.slot, s.value, fmt::format("{} cannot be filtered by {}", q.id(), s.slot)});
            continue;
        }
        auto same = std::find_if(filters.begin(), filters.end(), [&](auto& f) { return f.slot == s.slot; });
        if (same != filters.end()) {
            if (!s.weak) unapplied.push_back({s.slot, s.value, fmt::format("only one {} at a time; kept {}", s.slot, same->text)});
            continue;
        }
        value wanted = s.slot == "year" ? value(std::int64_t{std::atoi(s.value.c_str())}) : value(s.value);
        filters.push_back({s.slot, *column, wanted, s.value});
    }

    if (!unapplied.empty()) {
        std::string reasons;
        for (auto& u : unapplied) reasons += (reasons.empty() ? "" : "; ") + u.reason;
        return no_answer(question, reasons, nullptr, &r, explain);
    }

    std::string why;
    std::vector<std::pair<std::string, value>> wanted;
    for (auto& f : filters) wanted.emplace_back(f.column, f.wanted);
    const dump* d = load_dump(qi, wanted, why);
    table live_rows;
    std::string generated_at;
    std::optional<freshness> fresh;
    if (d) {
        a.source = "dump";
        generated_at = d->generated_at;
        // Stale rows still answer: they are what there is, and the note says how old.
        fresh = assess_freshness(*d, database_fingerprint(), utc_now());
        if (fresh->stale) a.notes.push_back(fmt::format("the dump of {} is stale: {} (run bi-regen)", q.id(), fresh->reason));
        if (!d->note.empty()) a.notes.push_back(d->note);
    } else {
        a.source = "live";
        a.notes.push_back(fmt::format("answering {} live: {}", q.id(), why));
        live_rows = to_table(query_all(live_database(), sql_for(q, live_database().dialect())));
        generated_at = utc_now_iso8601();
    }
    shape_request request;
    for (auto& f : filters) request.filters.push_back({f.column, f.wanted});
    request.reverse = wants_reverse(r, q);
    request.limit = r.limit;
    // Rows shaped from a kept dump are kept too: the same query, filters, order and limit give
    // the same rows until the process ends, as the dump itself is kept that long.
    bool keep = d && d != filtered_.get();
    std::string key;
    if (keep) {
        key = fmt::format("{}|{}|{}", qi, request.reverse, request.limit.value_or(-1));
        for (auto& f : filters) key += fmt::format("|{}={}", f.column, f.text);
    }
    auto kept = keep ? shaped_.find(key) : shaped_.end();
    std::string chart_title = q.title;
    if (!filters.empty()) {
        std::string list;
        for (auto& f : filters) list += (list.empty() ? "" : ", ") + f.text;
        chart_title += " — " + list;
    }
    auto rows = kept != shaped_.end() ? kept->second : shape_rows(q, d ? d->data : live_rows, request, chart_title);
    if (keep && kept == shaped_.end()) remember_rows(std::move(key), rows);

    a.title = q.title;
    for (auto& f : filters) {
        a.applied.emplace_back(f.slot, f.slot == "year" ? value(std::int64_t{std::atoi(f.text.c_str())}) : value(f.text));
        a.filters[f.slot] = f.text;
    }
    a.limit = rows.limit;
    a.rows_total = rows.rows_total;
    a.sort_column = rows.sort.column;
    a.direction = rows.sort.direction;
    a.generated_at = std::move(generated_at);
    a.fresh = fresh;
    a.columns = columns_of(*rows.rows, q.units);
    a.rows = std::move(rows.rows);
    a.chart_config = std::move(rows.chart);
    a.alternatives = alternatives(index_, r.candidates, 1);
    if (explain) a.explain_json = explain_json(index_, r);
    if (explain && reading) a.reading = *reading;  // why the model did not answer: what it read
    return a;
}

answerer::shaped_rows answerer::shape_rows(const query_def& q, const table& rows, const shape_request& request,
                                           const std::string& chart_title) {
    auto made = shape_answer(q, rows, request);
    auto chart = chart_config(q.chart, made.rows, chart_title, q.units);
    return {std::make_shared<const table>(std::move(made.rows)), made.sort, made.limit, made.rows_total, std::move(chart)};
}

void answerer::remember_rows(std::string key, const shaped_rows& rows) {
    size_t cells = rows.rows->rows.size() * rows.rows->columns.size();
    if (shaped_cells_ + cells > 1'000'000) {
        shaped_.clear();
        shaped_cells_ = 0;
    }
    shaped_cells_ += cells;
    shaped_.emplace(std::move(key), rows);
}

std::vector<std::string> answerer::suggest(std::string_view partial, size_t max) const {
    // Rank example questions by how many of the partial question's stems they contain;
    // a trailing partial word matches any word it begins.
    auto words = words_of(partial);
    std::vector<std::string> stems;
    for (auto& w : words)
        if (!is_stop_word(w)) stems.push_back(stem(w));
    std::string prefix = words.empty() || (!partial.empty() && partial.back() == ' ') ? "" : words.back();
    std::vector<std::pair<double, std::string>> scored;
    for (size_t qi = 0; qi < index_.size(); ++qi) {
        auto& q = index_.query(qi);
        for (size_t e = 0; e < q.example_texts.size(); ++e) {
            double s = 0;
            std::set<std::string> es(q.examples[e].begin(), q.examples[e].end());
            for (auto& st : stems) s += es.count(st) ? 1.0 : 0.0;
            if (!prefix.empty()) {
                for (auto& w : words_of(q.example_texts[e]))
                    if (w.rfind(prefix, 0) == 0) { s += 0.5; break; }
            }
            if (s > 0 || stems.empty()) scored.emplace_back(s, q.example_texts[e]);
        }
    }
    std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first > b.first; });
    std::vector<std::string> out;
    for (auto& [s, text] : scored) {
        if (out.size() >= max) break;
        if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
    }
    return out;
}

answer answerer::ask_fallback(std::string_view question, const route_result& routed, const ask_options& options) {
    answer a;
    std::string sql;
    if (options.use_cache) {
        if (auto cached = cached_fallback_sql(config_.log_dir, question)) {
            sql = *cached;
            a.source = "cache";
        }
    }
    fallback_reply reply;
    if (sql.empty()) {
        if (config_.fallback_command.empty()) {
            a.code = exit_code::no_match;  // cache miss and no model: the catalog's no-match answer
            return a;
        }
        auto request = fallback_request(live_database(), index_, routed, question, config_.limits);
        reply = run_fallback(config_.fallback_command, request, config_.fallback_timeout);
        sql = reply.sql;
        a.source = "fallback";
        a.tokens = reply.tokens();
    }
    // The model's SQL gets no more trust than anyone's: the guard runs it or refuses it.
    auto rows = to_table(query_answer(live_database(), sql, config_.limits));
    if (a.source == "fallback" && options.use_cache) cache_fallback_sql(config_.log_dir, question, sql);
    std::string saved;
    if (!options.save_as.empty()) {
        saved = save_query(config_.queries_dir, options.save_as, saved_query_text(question, sql, rows));
        a.notes.push_back(fmt::format("saved as '{}': run bi-regen (or bi-dump) to answer it from a dump", saved));
    }
    a.kind = answer_kind::fallback;
    a.question = question;
    a.title = detail::trim(question);
    a.chart_config = chart_config_for_shape(rows, a.title);
    a.score = routed.candidates.empty() ? 0.0 : routed.candidates[0].score;
    a.sql = sql;
    if (a.source == "fallback") a.usage = std::pair{reply.prompt_tokens, reply.completion_tokens};
    a.saved_as = saved;
    a.generated_at = utc_now_iso8601();
    a.columns = columns_of(rows, {});
    a.rows = std::make_shared<const table>(std::move(rows));
    a.alternatives = alternatives(index_, routed.candidates, 0);
    if (options.explain) a.explain_json = explain_json(index_, routed);
    a.code = exit_code::ok;
    return a;
}

std::string answerer::list_json() const {
    rapidjson::StringBuffer buffer;
    json_writer w(buffer);
    w.StartObject();
    w.Key("categories");
    w.StartArray();
    std::string current;
    bool open = false;
    for (size_t i = 0; i < index_.size(); ++i) {
        auto& d = index_.def(i);
        if (d.category != current) {
            if (open) { w.EndArray(); w.EndObject(); }
            current = d.category;
            w.StartObject();
            w.Key("category"); w.String(d.category);
            w.Key("queries");
            w.StartArray();
            open = true;
        }
        w.StartObject();
        w.Key("query"); w.String(d.id());
        w.Key("title"); w.String(d.title);
        w.Key("description"); w.String(d.description);
        w.Key("schedule"); w.String(std::string(to_string(d.when)));
        w.Key("slots");
        w.StartArray();
        for (auto& [slot, column] : d.slots) w.String(slot);
        w.EndArray();
        w.Key("examples");
        w.StartArray();
        for (auto& e : index_.query(i).example_texts) w.String(e);
        w.EndArray();
        w.EndObject();
    }
    if (open) { w.EndArray(); w.EndObject(); }
    w.EndArray();
    w.EndObject();
    return buffer.GetString();
}

answer answerer::error_answer(std::string_view question, std::string_view message) {
    answer a;
    a.code = exit_code::usage;
    a.kind = answer_kind::error;
    a.question = question;
    a.error = message;
    return a;
}

}  // namespace bi
