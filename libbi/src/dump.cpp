// Dump writing and reading. Rows stream from the guard straight into the file, one row a
// line; the file is renamed into place only when complete.
#include "bi/dump.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/filewritestream.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/chart.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/hash.hpp"
#include "bi/shape.hpp"
#include "detail/json.hpp"

namespace bi {

namespace fs = std::filesystem;

std::string_view type_name(const value& v) {
    switch (v.index()) {
        case 1: return "integer";
        case 2: return "real";
        case 3: return "text";
        case 4: return "blob";
        default: return "null";
    }
}

std::string merge_type(std::string_view so_far, std::string_view next) {
    if (next == "null" || so_far == next) return std::string(so_far);
    if (so_far == "null") return std::string(next);
    if ((so_far == "integer" && next == "real") || (so_far == "real" && next == "integer")) return "real";
    return "mixed";
}

std::string dump_path(const std::string& dumps_dir, const query_def& q) {
    return (fs::path(dumps_dir) / q.category / (q.name + ".json")).string();
}

std::string utc_now_iso8601() {
    if (const char* fixed = std::getenv("BI_NOW"); fixed && *fixed) return fixed;
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

constexpr size_t chart_rows_for_sql = 100;

/// Where a dump goes: an atomically replaced file, or stdout.
class dump_output {
public:
    explicit dump_output(const std::string& out) {
        if (out == "-") {
            stream_ = stdout;
        } else {
            file_.emplace(out);
            stream_ = file_->stream();
        }
    }
    std::FILE* stream() const { return stream_; }
    void commit() {
        if (file_) {
            file_->commit();
        } else if (std::fflush(stream_) != 0 || std::ferror(stream_)) {
            throw error("cannot write to standard output");
        }
    }

private:
    std::optional<atomic_file> file_;
    std::FILE* stream_ = nullptr;
};

using file_writer = rapidjson::Writer<rapidjson::FileWriteStream>;

/// Streams rows into the dump's "data" array as they arrive, one row a line, keeping what
/// the chart and the checks need.
class dump_sink : public row_sink {
public:
    dump_sink(file_writer& out, size_t keep_rows) : out_(out), row_writer_(row_buffer_), keep_rows_(keep_rows) {}

    void begin(const std::vector<column_info>& columns) override {
        table_.columns.clear();
        for (auto& c : columns) table_.columns.push_back(c.name);
        table_.types.assign(columns.size(), "null");
        if (on_begin) on_begin(table_);
        out_.Key("data");
        out_.StartArray();
    }

    void row(const row_view& row) override {
        row_buffer_.Clear();
        row_buffer_.Put('\n');
        row_writer_.Reset(row_buffer_);
        row_writer_.StartObject();
        std::vector<value> kept;
        bool keep = table_.rows.size() < keep_rows_;
        for (int i = 0; i < row.size(); ++i) {
            row_writer_.Key(table_.columns[i].data(), static_cast<rapidjson::SizeType>(table_.columns[i].size()));
            switch (row.type(i)) {
                case column_type::integer: row_writer_.Int64(row.integer(i)); note_type(i, "integer"); break;
                case column_type::real: detail::write_real(row_writer_, row.real(i)); note_type(i, "real"); break;
                case column_type::text: detail::write_text(row_writer_, row.text(i)); note_type(i, "text"); break;
                case column_type::blob: detail::write_blob(row_writer_, row.text(i)); note_type(i, "blob"); break;
                case column_type::null: row_writer_.Null(); break;
            }
            if (keep) kept.push_back(row.get(i));
        }
        row_writer_.EndObject();
        out_.RawValue(row_buffer_.GetString(), row_buffer_.GetSize(), rapidjson::kObjectType);
        if (keep) table_.rows.push_back(std::move(kept));
        ++rows_;
    }

    std::function<void(const table&)> on_begin;
    table table_;
    std::int64_t rows_ = 0;

private:
    void note_type(int i, std::string_view t) {
        if (table_.types[i] != t) table_.types[i] = merge_type(table_.types[i], t);
    }

    file_writer& out_;
    rapidjson::StringBuffer row_buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> row_writer_;
    size_t keep_rows_;
};

template <typename W>
void key_string(W& w, const char* key, std::string_view value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

/// Checks the columns a header names against the SQL's result columns.
void check_columns(const query_def& q, const table& t) {
    auto need = [&](const std::string& column, std::string_view key) {
        if (t.index_of(column) < 0)
            throw parse_error(q.file, 0, fmt::format("column '{}' named by '{}' is not in the query's result", column, key));
    };
    for (auto& [slot, column] : q.slots) need(column, "slots");
    for (auto& c : q.columns) need(c, "columns");
    for (auto& [c, agg] : q.measures) need(c, "measures");
    for (auto& r : q.ratios) {
        need(r.column, "ratio");
        need(r.numerator, "ratio");
        need(r.denominator, "ratio");
        if (!r.subtrahend.empty()) need(r.subtrahend, "ratio");
    }
    need(q.sort.column, "sort");
    if (std::find(q.columns.begin(), q.columns.end(), q.sort.column) == q.columns.end())
        throw parse_error(q.file, 0, fmt::format("sort column '{}' is not one of 'columns'", q.sort.column));
    need(q.chart.label, "chart_label");
    for (auto& c : q.chart.values) need(c, "chart_values");
    if (!q.chart.series.empty()) need(q.chart.series, "chart_series");
    for (auto& c : t.columns) {
        bool shown = std::find(q.columns.begin(), q.columns.end(), c) != q.columns.end();
        bool slot = std::any_of(q.slots.begin(), q.slots.end(), [&](auto& s) { return s.second == c; });
        if (!shown && !slot && !q.measure(c) && !q.ratio(c))
            throw parse_error(q.file, 0, fmt::format("result column '{}' is neither shown in 'columns', a slot column nor a measure", c));
    }
}

struct dump_header {
    std::string query_name, category, title, description, schedule;
    dump_source source;
};

dump_stats run_dump(database& db, std::string_view sql, const std::string& out, const dump_header& h,
                    const query_def* q) {
    dump_output output(out);
    char buffer[1 << 16];
    rapidjson::FileWriteStream os(output.stream(), buffer, sizeof buffer);
    file_writer w(os);
    w.StartObject();
    key_string(w, "query_name", h.query_name);
    key_string(w, "category", h.category);
    key_string(w, "title", h.title);
    if (!h.description.empty()) key_string(w, "description", h.description);
    if (!h.schedule.empty()) key_string(w, "schedule", h.schedule);
    key_string(w, "generated_at", utc_now_iso8601());
    w.Key("source");
    w.StartObject();
    key_string(w, "database", h.source.database);
    key_string(w, "fingerprint", h.source.fingerprint);
    key_string(w, "sql_sha256", h.source.sql_sha256);
    w.EndObject();

    dump_sink sink(w, q ? static_cast<size_t>(-1) : chart_rows_for_sql);
    if (q) sink.on_begin = [q](const table& t) { check_columns(*q, t); };
    auto stats = db.query(sql, sink);
    os.Put('\n');
    w.EndArray();

    std::string chart;
    if (q) {
        auto shaped = shape_answer(*q, sink.table_, {});
        chart = chart_config(q->chart, shaped.rows, q->title, q->units);
    } else {
        chart = chart_config_for_shape(sink.table_, h.title);
    }
    w.Key("row_count");
    w.Int64(sink.rows_);
    w.Key("duration_ms");
    w.Double(std::round(static_cast<double>(stats.elapsed.count()) / 10.0) / 100.0);
    w.Key("columns");
    w.StartArray();
    for (size_t i = 0; i < sink.table_.columns.size(); ++i) {
        w.StartObject();
        key_string(w, "name", sink.table_.columns[i]);
        key_string(w, "type", sink.table_.types[i]);
        if (q) {
            auto unit = q->units.find(sink.table_.columns[i]);
            if (unit != q->units.end()) key_string(w, "unit", unit->second);
        }
        w.EndObject();
    }
    w.EndArray();
    w.Key("chart_config");
    w.RawValue(chart.data(), chart.size(), rapidjson::kObjectType);
    w.EndObject();
    os.Put('\n');
    os.Flush();
    output.commit();
    return {sink.rows_, stats.bytes, stats.elapsed};
}

}  // namespace

dump_stats write_dump(database& db, const query_def& q, const std::string& out) {
    dump_header h{q.name, q.category, q.title, q.description, std::string(to_string(q.when)),
                  {db.path(), database_fingerprint(db.path()), sha256_hex(q.sql)}};
    return run_dump(db, q.sql, out, h, &q);
}

dump_stats write_sql_dump(database& db, std::string_view sql, const std::string& out) {
    dump_header h{"adhoc", "adhoc", "Ad-hoc query", "", "",
                  {db.path(), database_fingerprint(db.path()), sha256_hex(sql)}};
    return run_dump(db, sql, out, h, nullptr);
}

dump parse_dump(std::string_view text, const std::string& path) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
    if (doc.HasParseError())
        throw parse_error(path, 0, fmt::format("not valid JSON at byte {}: {}", doc.GetErrorOffset(),
                                               rapidjson::GetParseError_En(doc.GetParseError())));
    auto fail = [&](std::string_view what) -> parse_error {
        return parse_error(path, 0, fmt::format("not a bi dump: {}", what));
    };
    if (!doc.IsObject()) throw fail("not a JSON object");
    auto text_of = [&](const rapidjson::Value& obj, const char* key, bool required) -> std::string {
        auto it = obj.FindMember(key);
        if (it == obj.MemberEnd() || !it->value.IsString()) {
            if (required) throw fail(fmt::format("missing '{}'", key));
            return {};
        }
        return {it->value.GetString(), it->value.GetStringLength()};
    };
    dump d;
    d.path = path;
    d.query_name = text_of(doc, "query_name", true);
    d.category = text_of(doc, "category", true);
    d.title = text_of(doc, "title", true);
    d.generated_at = text_of(doc, "generated_at", true);
    d.schedule = text_of(doc, "schedule", false);
    if (auto it = doc.FindMember("duration_ms"); it != doc.MemberEnd() && it->value.IsNumber())
        d.duration_ms = it->value.GetDouble();
    if (auto it = doc.FindMember("source"); it != doc.MemberEnd() && it->value.IsObject()) {
        d.source.database = text_of(it->value, "database", false);
        d.source.fingerprint = text_of(it->value, "fingerprint", false);
        d.source.sql_sha256 = text_of(it->value, "sql_sha256", false);
    }
    auto columns = doc.FindMember("columns");
    if (columns == doc.MemberEnd() || !columns->value.IsArray()) throw fail("missing 'columns'");
    for (auto& c : columns->value.GetArray()) {
        if (!c.IsObject()) throw fail("a column is not an object");
        d.data.columns.push_back(text_of(c, "name", true));
        d.data.types.push_back(text_of(c, "type", true));
    }
    auto data = doc.FindMember("data");
    if (data == doc.MemberEnd() || !data->value.IsArray()) throw fail("missing 'data'");
    auto count = doc.FindMember("row_count");
    if (count == doc.MemberEnd() || !count->value.IsInt64()) throw fail("missing 'row_count'");
    d.row_count = count->value.GetInt64();
    if (static_cast<std::int64_t>(data->value.Size()) != d.row_count)
        throw fail(fmt::format("row_count says {} but 'data' has {} rows", d.row_count, data->value.Size()));
    d.data.rows.reserve(data->value.Size());
    size_t row_no = 0;
    for (auto& row : data->value.GetArray()) {
        ++row_no;
        if (!row.IsObject()) throw fail(fmt::format("row {} is not an object", row_no));
        std::vector<value> values(d.data.columns.size());
        for (size_t i = 0; i < d.data.columns.size(); ++i) {
            auto it = row.FindMember(rapidjson::StringRef(d.data.columns[i].data(), d.data.columns[i].size()));
            if (it == row.MemberEnd()) throw fail(fmt::format("row {} has no '{}'", row_no, d.data.columns[i]));
            if (!detail::read_value(it->value, values[i]))
                throw fail(fmt::format("row {} has an unreadable '{}'", row_no, d.data.columns[i]));
        }
        d.data.rows.push_back(std::move(values));
    }
    auto chart = doc.FindMember("chart_config");
    if (chart == doc.MemberEnd() || !chart->value.IsObject()) throw fail("missing 'chart_config'");
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    chart->value.Accept(w);
    d.chart_config = b.GetString();
    return d;
}

dump read_dump(const std::string& path) {
    return parse_dump(read_file(path), path);
}

}  // namespace bi
