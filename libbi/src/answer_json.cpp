// The typed answer as JSON, the form scripts read (and the eval grader), and back again for
// answers saved earlier. Each kind keeps the key order it has always had.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/format.hpp"
#include "detail/json.hpp"

namespace bi {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(json_writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_period(json_writer& w, const period& p) {
    w.StartObject();
    w.Key("from"); w.String(p.from);
    w.Key("to"); w.String(p.to);
    w.Key("label"); w.String(p.label);
    w.EndObject();
}

void write_rank(json_writer& w, const semantic_query& q) {
    w.Key("rank");
    if (q.rank_measure.empty() || q.rank_measure == "?") return w.Null(), void();
    w.StartObject();
    w.Key("measure"); w.String(q.rank_measure);
    w.Key("direction"); w.String(q.direction == sort_direction::asc ? "asc" : "desc");
    if (!q.limit_per.empty()) { w.Key("within"); w.String(q.limit_per); }
    if (q.rank_all) { w.Key("all"); w.Bool(true); }
    if (q.places) { w.Key("places"); w.Bool(true); }
    w.EndObject();
}

void write_having(json_writer& w, const semantic_query& q) {
    if (q.having.empty()) return;
    w.Key("having");
    w.StartArray();
    for (auto& h : q.having) {
        w.StartObject();
        w.Key("measure"); w.String(h.measure);
        w.Key("op"); w.String(h.op);
        if (h.other.empty()) { w.Key("value"); w.Double(h.value); }
        else { w.Key("other"); w.String(h.other); }
        w.Key("text"); w.String(h.text);
        if (!h.column.empty()) { w.Key("column"); w.String(h.column); }
        w.EndObject();
    }
    w.EndArray();
}

/// The typed query as read: what a script can give back with --measure/--by/--filter.
void write_interpretation(json_writer& w, const semantic_query& q) {
    w.StartObject();
    detail::write_strings(w, "measures", q.measures);
    detail::write_strings(w, "by", q.group_by);
    w.Key("grain");
    if (q.grain == time_grain::none) w.Null();
    else w.String(std::string(to_string(q.grain)));
    w.Key("filters");
    w.StartArray();
    for (auto& f : q.filters) {
        w.StartObject();
        w.Key("dimension"); w.String(f.dimension);
        detail::write_strings(w, f.exclude ? "not_in" : "in", f.values);
        w.EndObject();
    }
    w.EndArray();
    w.Key("period");
    if (q.window) write_period(w, *q.window);
    else w.Null();
    if (!q.compare.empty()) {
        w.Key("compare");
        w.StartArray();
        for (auto& p : q.compare) write_period(w, p);
        w.EndArray();
        w.Key("growth"); w.Bool(q.growth);
    }
    write_rank(w, q);
    w.Key("limit");
    if (q.limit) w.Int(*q.limit);
    else w.Null();
    write_having(w, q);
    if (q.share) { w.Key("share"); w.Bool(true); }
    if (q.together) { w.Key("together"); w.Bool(true); }
    if (!q.average_over.empty()) { w.Key("average_per"); w.String(q.average_over); }
    if (!q.corrections.empty()) detail::write_strings(w, "corrections", q.corrections);
    w.EndObject();
}

void write_alternatives(json_writer& w, const answer& a) {
    w.Key("alternatives");
    w.StartArray();
    for (auto& alt : a.alternatives) {
        w.StartObject();
        w.Key("query"); w.String(alt.query);
        w.Key("title"); w.String(alt.title);
        w.Key("score"); w.Double(alt.score);
        w.EndObject();
    }
    w.EndArray();
}

void write_applied(json_writer& w, const answer& a) {
    w.Key("filters");
    w.StartObject();
    for (auto& [name, v] : a.applied) {
        w.Key(name.c_str());
        if (auto i = std::get_if<std::int64_t>(&v)) w.Int64(*i);
        else if (auto s = std::get_if<std::string>(&v)) w.String(*s);
        else detail::write_value(w, v);
    }
    w.EndObject();
}

void write_sort(json_writer& w, const answer& a) {
    w.Key("sort");
    if (a.sort_column.empty()) return w.Null(), void();
    w.StartObject();
    w.Key("column"); w.String(a.sort_column);
    w.Key("direction"); w.String(a.direction == sort_direction::asc ? "asc" : "desc");
    w.EndObject();
}

void write_limit(json_writer& w, const answer& a) {
    w.Key("limit");
    if (a.limit) w.Int(*a.limit);
    else w.Null();
}

/// generated_at, and how fresh the dump was when it answered.
void write_freshness(json_writer& w, const answer& a) {
    w.Key("generated_at"); w.String(a.generated_at);
    if (!a.fresh) return;
    w.Key("stale"); w.Bool(a.fresh->stale);
    w.Key("age_seconds"); w.Int64(a.fresh->age_seconds);
    if (a.fresh->stale) { w.Key("stale_reason"); w.String(a.fresh->reason); }
}

/// row_count, columns (with units) and data: the part every answer with rows shares.
void write_rows(json_writer& w, const answer& a) {
    w.Key("row_count"); w.Uint64(a.row_count());
    w.Key("columns");
    w.StartArray();
    for (auto& c : a.columns) {
        w.StartObject();
        w.Key("name"); w.String(c.name);
        w.Key("type"); w.String(c.type);
        if (!c.unit.empty()) { w.Key("unit"); w.String(c.unit); }
        w.EndObject();
    }
    w.EndArray();
    w.Key("data");
    w.StartArray();
    if (a.rows)
        for (auto& row : a.rows->rows) {
            w.StartObject();
            for (size_t i = 0; i < row.size(); ++i) {
                w.Key(a.columns[i].name.c_str());
                detail::write_value(w, row[i]);
            }
            w.EndObject();
        }
    w.EndArray();
}

void write_chart(json_writer& w, const answer& a) {
    w.Key("chart_config");
    if (a.chart_config.empty()) w.Null();
    else w.RawValue(a.chart_config.data(), a.chart_config.size(), rapidjson::kObjectType);
}

void write_explain(json_writer& w, const answer& a) {
    if (a.explain_json.empty()) return;
    w.Key("explain");
    w.RawValue(a.explain_json.data(), a.explain_json.size(), rapidjson::kObjectType);
}

/// matched, question, query, title: how every answer opens.
void write_opening(json_writer& w, const answer& a) {
    w.Key("matched"); w.Bool(a.matched());
    w.Key("question"); write_string(w, a.question);
    w.Key("query");
    if (a.query.empty()) w.Null();
    else w.String(a.query);
    w.Key("title");
    if (a.kind == answer_kind::none) w.Null();
    else w.String(a.title);
}

void write_report(json_writer& w, const answer& a) {
    write_opening(w, a);
    w.Key("score"); w.Double(a.score);
    w.Key("tokens"); w.Int64(a.tokens);
    w.Key("source"); w.String(a.source);
    write_applied(w, a);
    write_limit(w, a);
    w.Key("rows_total"); w.Uint64(a.rows_total);
    write_sort(w, a);
    write_freshness(w, a);
    write_rows(w, a);
    write_chart(w, a);
    write_alternatives(w, a);
    write_explain(w, a);
    if (a.reading) {
        w.Key("reading");
        write_interpretation(w, *a.reading);
        detail::write_strings(w, "unknown", a.reading->unknown);
    }
}

void write_model(json_writer& w, const answer& a) {
    write_opening(w, a);
    w.Key("restatement"); w.String(a.restatement);
    w.Key("interpretation");
    write_interpretation(w, a.interpretation.value_or(semantic_query{}));
    w.Key("score"); w.Double(a.score);
    w.Key("tokens"); w.Int64(a.tokens);
    w.Key("source"); w.String(a.source);
    write_applied(w, a);
    write_limit(w, a);
    w.Key("rows_total"); w.Uint64(a.rows_total);
    write_sort(w, a);
    write_freshness(w, a);
    write_rows(w, a);
    write_chart(w, a);
    write_alternatives(w, a);
}

void write_fallback(json_writer& w, const answer& a) {
    write_opening(w, a);
    w.Key("score"); w.Double(a.score);
    w.Key("tokens"); w.Int64(a.tokens);
    w.Key("source"); w.String(a.source);
    w.Key("sql"); w.String(a.sql);
    if (a.usage) {
        w.Key("usage");
        w.StartObject();
        w.Key("prompt_tokens"); w.Int64(a.usage->first);
        w.Key("completion_tokens"); w.Int64(a.usage->second);
        w.EndObject();
    }
    if (!a.saved_as.empty()) { w.Key("saved_as"); w.String(a.saved_as); }
    write_applied(w, a);
    write_limit(w, a);
    write_sort(w, a);
    w.Key("generated_at"); w.String(a.generated_at);
    write_rows(w, a);
    write_chart(w, a);
    write_alternatives(w, a);
    write_explain(w, a);
}

void write_none(json_writer& w, const answer& a) {
    write_opening(w, a);
    w.Key("score"); w.Double(a.score);
    w.Key("tokens"); w.Int64(a.tokens);
    w.Key("source"); w.Null();
    w.Key("reason"); w.String(a.reason);
    if (!a.clarify.empty()) { w.Key("clarify"); w.String(a.clarify); }
    if (a.interpretation) {
        w.Key("interpretation");
        write_interpretation(w, *a.interpretation);
        w.Key("restatement"); w.String(a.restatement);
    }
    write_alternatives(w, a);
    detail::write_strings(w, "suggestions", a.suggestions);
    write_explain(w, a);
}

void write_error(json_writer& w, const answer& a) {
    w.Key("matched"); w.Bool(false);
    w.Key("question"); write_string(w, a.question);
    w.Key("error"); w.String(a.error);
}

}  // namespace

std::string render_json(const answer& a) {
    rapidjson::StringBuffer buffer(nullptr, 16 << 10);  // most answers fit: no regrowth
    json_writer w(buffer);
    w.StartObject();
    switch (a.kind) {
    case answer_kind::report: write_report(w, a); break;
    case answer_kind::model: write_model(w, a); break;
    case answer_kind::fallback: write_fallback(w, a); break;
    case answer_kind::none: write_none(w, a); break;
    case answer_kind::error: write_error(w, a); break;
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

namespace {

using detail::string_member;
using detail::json_text;

/// A JSON value as a cell: what the dump format defines as it is, anything else as its text.
value read_cell(const rapidjson::Value& v) {
    value parsed;
    if (!detail::read_value(v, parsed)) return json_text(v);
    return parsed;
}

answer_kind kind_of(const rapidjson::Value& doc) {
    auto m = doc.FindMember("matched");
    bool matched = m != doc.MemberEnd() && m->value.IsBool() && m->value.GetBool();
    if (doc.HasMember("error") && !matched) return answer_kind::error;
    if (!matched) return answer_kind::none;
    if (doc.HasMember("sql")) return answer_kind::fallback;
    if (doc.HasMember("interpretation")) return answer_kind::model;
    return answer_kind::report;
}

void read_filters(const rapidjson::Value& doc, answer& a) {
    auto f = doc.FindMember("filters");
    if (f == doc.MemberEnd() || !f->value.IsObject()) return;
    for (auto& m : f->value.GetObject())
        a.applied.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                               m.value.IsString() || m.value.IsInt64() ? read_cell(m.value) : value(json_text(m.value)));
}

void read_freshness(const rapidjson::Value& doc, answer& a) {
    a.generated_at = string_member(doc, "generated_at");
    auto s = doc.FindMember("stale");
    if (s == doc.MemberEnd() || !s->value.IsBool()) return;
    a.fresh = freshness{s->value.GetBool(), 0, string_member(doc, "stale_reason")};
    if (auto age = doc.FindMember("age_seconds"); age != doc.MemberEnd() && age->value.IsInt64())
        a.fresh->age_seconds = age->value.GetInt64();
}

void read_rows(const rapidjson::Value& doc, answer& a) {
    if (auto c = doc.FindMember("columns"); c != doc.MemberEnd() && c->value.IsArray())
        for (auto& v : c->value.GetArray())
            if (v.IsObject()) a.columns.push_back({string_member(v, "name"), string_member(v, "type"), string_member(v, "unit")});
    auto rows = std::make_shared<table>();
    auto d = doc.FindMember("data");
    if (d != doc.MemberEnd() && d->value.IsArray()) {
        // An answer without `columns` still shows its rows, in the first row's key order.
        if (a.columns.empty() && !d->value.Empty() && d->value[0].IsObject())
            for (auto& m : d->value[0].GetObject()) a.columns.push_back({m.name.GetString(), "", ""});
        for (auto& row : d->value.GetArray()) {
            if (!row.IsObject()) continue;
            std::vector<value> cells;
            for (auto& col : a.columns) {
                auto m = row.FindMember(col.name.c_str());
                cells.push_back(m == row.MemberEnd() ? value{} : read_cell(m->value));
            }
            rows->rows.push_back(std::move(cells));
        }
    }
    for (auto& c : a.columns) {
        rows->columns.push_back(c.name);
        rows->types.push_back(c.type);
    }
    a.rows = std::move(rows);
}

void read_no_answer(const rapidjson::Value& doc, answer& a) {
    a.reason = string_member(doc, "reason");
    a.clarify = string_member(doc, "clarify");
    if (auto s = doc.FindMember("suggestions"); s != doc.MemberEnd() && s->value.IsArray())
        for (auto& v : s->value.GetArray())
            if (v.IsString()) a.suggestions.emplace_back(v.GetString(), v.GetStringLength());
}

}  // namespace

answer answer_from_json(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject()) throw parse_error("answer", 0, "not a JSON answer object");
    answer a;
    a.kind = kind_of(doc);
    a.code = a.matched() ? exit_code::ok : exit_code::no_match;
    a.question = string_member(doc, "question");
    a.error = string_member(doc, "error");
    a.query = string_member(doc, "query");
    a.title = string_member(doc, "title");
    a.restatement = string_member(doc, "restatement");
    a.source = string_member(doc, "source");
    a.sql = string_member(doc, "sql");
    if (auto s = doc.FindMember("score"); s != doc.MemberEnd() && s->value.IsNumber()) a.score = s->value.GetDouble();
    if (auto l = doc.FindMember("limit"); l != doc.MemberEnd() && l->value.IsInt()) a.limit = l->value.GetInt();
    if (auto t = doc.FindMember("rows_total"); t != doc.MemberEnd() && t->value.IsUint64()) a.rows_total = t->value.GetUint64();
    if (auto s = doc.FindMember("sort"); s != doc.MemberEnd() && s->value.IsObject()) {
        a.sort_column = string_member(s->value, "column");
        a.direction = string_member(s->value, "direction") == "asc" ? sort_direction::asc : sort_direction::desc;
    }
    read_no_answer(doc, a);
    read_filters(doc, a);
    read_freshness(doc, a);
    read_rows(doc, a);
    if (auto c = doc.FindMember("chart_config"); c != doc.MemberEnd() && c->value.IsObject()) a.chart_config = json_text(c->value);
    return a;
}

}  // namespace bi
