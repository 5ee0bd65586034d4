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
#include "bi/shape.hpp"
#include "bi/text.hpp"
#include "detail/json.hpp"

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

void write_candidates(json_writer& w, const router_index& index, const std::vector<candidate>& list, size_t from) {
    w.StartArray();
    for (size_t i = from; i < list.size() && i < from + 3; ++i) {
        w.StartObject();
        w.Key("query"); w.String(index.queries[list[i].query].id);
        w.Key("title"); w.String(index.queries[list[i].query].title);
        w.Key("score"); w.Double(list[i].score);
        w.EndObject();
    }
    w.EndArray();
}

void write_explain(json_writer& w, const router_index& index, const route_result& r) {
    w.Key("explain");
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
        w.Key("query"); w.String(index.queries[c.query].id);
        w.Key("score"); w.Double(c.score);
        w.Key("matched");
        w.StartArray();
        for (auto& m : c.matched) w.String(m);
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
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

answerer::answerer(config cfg, router_index index) : config_(std::move(cfg)), index_(std::move(index)) {
    routing_.threshold = config_.match_threshold;
    routing_.margin = config_.match_margin;
}

answerer::~answerer() = default;

const dump* answerer::load_dump(int qi, std::string& why) {
    if (auto it = dumps_.find(qi); it != dumps_.end()) return it->second.get();
    if (auto it = dump_errors_.find(qi); it != dump_errors_.end()) {
        why = it->second;
        return nullptr;
    }
    auto& q = index_.defs[qi];
    auto path = dump_path(config_.dumps_dir, q);
    std::error_code ec;
    try {
        if (!fs::exists(path, ec)) throw error(fmt::format("'{}': dump is missing", path));
        auto d = std::make_unique<dump>(read_dump(path));
        if (d->data.index_of(q.sort.column) < 0 && !q.columns.empty())
            throw error(fmt::format("'{}': dump does not match the catalog (run bi-dump)", path));
        return (dumps_[qi] = std::move(d)).get();
    } catch (const error& e) {
        why = e.what();
        dump_errors_[qi] = why;
        return nullptr;
    }
}

answer answerer::ask(std::string_view question, bool explain) {
    auto r = route(index_, question, routing_);
    answer a;
    rapidjson::StringBuffer buffer;
    json_writer w(buffer);
    w.StartObject();

    if (r.outcome != route_outcome::answered) {
        a.code = exit_code::no_match;
        a.score = r.candidates.empty() ? 0 : r.candidates[0].score;
        w.Key("matched"); w.Bool(false);
        w.Key("query"); w.Null();
        w.Key("title"); w.Null();
        w.Key("score"); w.Double(a.score);
        w.Key("tokens"); w.Int(0);
        w.Key("source"); w.Null();
        w.Key("reason");
        w.String(r.outcome == route_outcome::ambiguous ? "ambiguous: two queries fit about equally well"
                                                        : "no confident match in the catalog");
        if (r.outcome == route_outcome::ambiguous) {
            auto& first = index_.queries[r.candidates[0].query];
            auto& second = index_.queries[r.candidates[1].query];
            w.Key("clarify");
            w.String(fmt::format("Did you mean \"{}\" ({}) or \"{}\" ({})?", first.title, first.id, second.title, second.id));
        }
        w.Key("alternatives");
        write_candidates(w, index_, r.candidates, 0);
        w.Key("suggestions");
        w.StartArray();
        std::vector<std::string> suggestions;
        for (auto& c : r.candidates) {
            auto& ex = index_.queries[c.query].example_texts;
            if (!ex.empty() && suggestions.size() < 3) suggestions.push_back(ex.front());
        }
        for (size_t i = 0; suggestions.size() < 3 && i < index_.queries.size(); i += std::max<size_t>(1, index_.queries.size() / 3)) {
            auto& ex = index_.queries[i].example_texts;
            if (!ex.empty() && std::find(suggestions.begin(), suggestions.end(), ex.front()) == suggestions.end())
                suggestions.push_back(ex.front());
        }
        for (auto& s : suggestions) w.String(s);
        w.EndArray();
        if (explain) write_explain(w, index_, r);
        w.EndObject();
        a.json = buffer.GetString();
        return a;
    }

    int qi = r.candidates[0].query;
    auto& q = index_.defs[qi];
    a.query = q.id();
    a.score = r.candidates[0].score;

    // Slots → filters this query can apply; the rest are reported, never silently dropped.
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

    std::string why;
    const dump* d = load_dump(qi, why);
    table live_rows;
    std::string generated_at;
    if (d) {
        a.source = "dump";
        generated_at = d->generated_at;
    } else {
        a.source = "live";
        a.notes.push_back(fmt::format("answering {} live: {}", q.id(), why));
        if (!live_) live_ = open_database(config_.database, config_.limits);
        live_rows = to_table(query_all(*live_, q.sql));
        generated_at = utc_now_iso8601();
    }
    shape_request request;
    for (auto& f : filters) request.filters.push_back({f.column, f.wanted});
    request.reverse = wants_reverse(r, q);
    request.limit = r.limit;
    auto shaped = shape_answer(q, d ? d->data : live_rows, request);

    std::string chart_title = q.title;
    if (!filters.empty()) {
        std::string list;
        for (auto& f : filters) list += (list.empty() ? "" : ", ") + f.text;
        chart_title += " — " + list;
    }
    auto chart = chart_config(q.chart, shaped.rows, chart_title, q.units);

    w.Key("matched"); w.Bool(true);
    w.Key("query"); w.String(q.id());
    w.Key("title"); w.String(q.title);
    w.Key("score"); w.Double(a.score);
    w.Key("tokens"); w.Int(0);
    w.Key("source"); w.String(a.source);
    w.Key("filters");
    w.StartObject();
    for (auto& f : filters) {
        w.Key(f.slot.c_str());
        write_slot_value(w, f.slot, f.text);
        a.filters[f.slot] = f.text;
    }
    w.EndObject();
    if (!unapplied.empty()) {
        w.Key("unapplied");
        w.StartArray();
        for (auto& u : unapplied) {
            w.StartObject();
            w.Key("slot"); w.String(u.slot);
            w.Key("value"); write_slot_value(w, u.slot, u.value);
            w.Key("reason"); w.String(u.reason);
            w.EndObject();
        }
        w.EndArray();
    }
    w.Key("limit");
    if (shaped.limit) w.Int(*shaped.limit);
    else w.Null();
    w.Key("sort");
    w.StartObject();
    w.Key("column"); w.String(shaped.sort.column);
    w.Key("direction"); w.String(shaped.sort.direction == sort_direction::asc ? "asc" : "desc");
    w.EndObject();
    w.Key("generated_at"); w.String(generated_at);
    w.Key("row_count"); w.Uint64(shaped.rows.rows.size());
    w.Key("columns");
    w.StartArray();
    for (size_t i = 0; i < shaped.rows.columns.size(); ++i) {
        w.StartObject();
        w.Key("name"); w.String(shaped.rows.columns[i]);
        w.Key("type"); w.String(shaped.rows.types[i]);
        if (auto u = q.units.find(shaped.rows.columns[i]); u != q.units.end()) { w.Key("unit"); w.String(u->second); }
        w.EndObject();
    }
    w.EndArray();
    w.Key("data");
    w.StartArray();
    for (auto& row : shaped.rows.rows) {
        w.StartObject();
        for (size_t i = 0; i < row.size(); ++i) {
            w.Key(shaped.rows.columns[i].c_str());
            detail::write_value(w, row[i]);
        }
        w.EndObject();
    }
    w.EndArray();
    w.Key("chart_config");
    w.RawValue(chart.data(), chart.size(), rapidjson::kObjectType);
    w.Key("alternatives");
    write_candidates(w, index_, r.candidates, 1);
    if (explain) write_explain(w, index_, r);
    w.EndObject();
    a.json = buffer.GetString();
    return a;
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
    for (auto& q : index_.queries) {
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

std::string answerer::list_json() const {
    rapidjson::StringBuffer buffer;
    json_writer w(buffer);
    w.StartObject();
    w.Key("categories");
    w.StartArray();
    std::string current;
    bool open = false;
    for (size_t i = 0; i < index_.defs.size(); ++i) {
        auto& d = index_.defs[i];
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
        for (auto& e : index_.queries[i].example_texts) w.String(e);
        w.EndArray();
        w.EndObject();
    }
    if (open) { w.EndArray(); w.EndObject(); }
    w.EndArray();
    w.EndObject();
    return buffer.GetString();
}

std::string answerer::error_json(std::string_view message) const {
    rapidjson::StringBuffer buffer;
    json_writer w(buffer);
    w.StartObject();
    w.Key("matched"); w.Bool(false);
    w.Key("error"); w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    w.EndObject();
    return buffer.GetString();
}

}  // namespace bi
