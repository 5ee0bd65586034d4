// Dump writing and reading. Rows stream from the guard straight into the file, one row a
// line; the file is renamed into place only when complete.
#include "bi/dump.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>
#include <cstring>
#include <cerrno>
#include <clocale>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/internal/dtoa.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/chart.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/freshness.hpp"
#include "bi/hash.hpp"
#include "bi/shape.hpp"
#include "detail/json.hpp"
#include "detail/strings.hpp"

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
    return format_utc(utc_now());  // BI_NOW checked in one place
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

/// rapidjson's FileWriteStream with a bulk write: rapidjson's Writer copies a raw value one
/// byte at a time (a fifth of bi-dump's time), so rows, formatted by hand, go out with write().
class file_stream {
public:
    using Ch = char;
    file_stream(std::FILE* fp, char* buffer, size_t size) : fp_(fp), begin_(buffer), end_(buffer + size), at_(buffer) {}
    void Put(char c) {
        if (at_ == end_) Flush();
        *at_++ = c;
    }
    void write(std::string_view s) {
        if (s.size() > static_cast<size_t>(end_ - at_)) {
            Flush();
            if (s.size() > static_cast<size_t>(end_ - begin_)) {
                std::fwrite(s.data(), 1, s.size(), fp_);
                return;
            }
        }
        std::memcpy(at_, s.data(), s.size());
        at_ += s.size();
    }
    void Flush() {
        if (at_ != begin_) std::fwrite(begin_, 1, static_cast<size_t>(at_ - begin_), fp_);
        at_ = begin_;
    }

private:
    std::FILE* fp_;
    char* begin_;
    char* end_;
    char* at_;
};

using file_writer = rapidjson::Writer<file_stream>;

// The binary companion: "BIDUMP02", then one record per row ([u32 length][cells]), each cell a
// tag byte and its payload; then the value index (below); then the header block (written
// last, when the column types and the JSON file's identity are known); then the header's
// offset and "BIDUMPOK". Numbers are little-endian as in memory: the file is a cache for
// this machine, the JSON is the format.
//
// The value index lets a filtered question read only its rows: for each of the query's slot
// columns, the offsets (u64, ascending) of the rows holding each value; then a directory:
// where the rows end, and per column its position and, per value key, where its offsets are
// and how many. A key is what value_matches compares: "t" + text without ASCII case, or
// "n" + a number as a double.
constexpr char binary_magic[8] = {'B', 'I', 'D', 'U', 'M', 'P', '0', '2'};
constexpr char binary_end[8] = {'B', 'I', 'D', 'U', 'M', 'P', 'O', 'K'};
enum binary_tag : unsigned char { tag_null = 0, tag_integer = 1, tag_real = 2, tag_text = 3, tag_blob = 4 };

template <typename T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_bytes(std::string& out, std::string_view bytes) {
    put(out, static_cast<std::uint32_t>(bytes.size()));
    out.append(bytes);
}

std::string text_key(std::string_view text) { return "t" + detail::lower_ascii(text); }

std::string number_key(double d) {
    if (d == 0) d = 0;  // -0 matches 0
    return "n" + fmt::format("{}", d);
}

/// Streams rows into the dump's "data" array as they arrive, one row a line, keeping what
/// the chart and the checks need.
class dump_sink : public row_sink {
public:
    dump_sink(file_writer& out, file_stream& stream, size_t keep_rows) : out_(out), stream_(stream), keep_rows_(keep_rows) {}

    void begin(const std::vector<column_info>& columns) override {
        table_.columns.clear();
        for (auto& c : columns) table_.columns.push_back(c.name);
        value_index_.clear();
        for (auto& name : index_columns)
            for (size_t i = 0; i < columns.size(); ++i)
                if (columns[i].name == name) value_index_.push_back({static_cast<std::uint32_t>(i), {}});
        table_.types.assign(columns.size(), "null");
        kinds_.assign(columns.size(), 0);
        if (on_begin) on_begin(table_);
        out_.Key("data");
        out_.StartArray();
    }

    void row(const row_view& row) override {
        // Written by hand, byte for byte what rapidjson's Writer wrote (the same number
        // formatting, the same escapes): this loop is most of bi-dump's own time.
        if (keys_.size() != table_.columns.size()) {
            keys_.clear();
            for (auto& name : table_.columns) keys_.push_back(json_string(name) + ":");
        }
        line_.assign("\n{");
        std::vector<value> kept;
        bool keep = table_.rows.size() < keep_rows_;
        for (int i = 0; i < row.size(); ++i) {
            if (i > 0) line_ += ',';
            line_ += keys_[static_cast<size_t>(i)];
            switch (row.type(i)) {
                case column_type::integer: append_integer(row.integer(i)); note_type(i, kind_integer); break;
                case column_type::real: append_real(row.real(i)); note_type(i, kind_real); break;
                case column_type::text: append_text(row.text(i)); note_type(i, kind_text); break;
                case column_type::blob:
                    line_ += R"({"$blob":")" + detail::base64_encode(row.text(i)) + "\"}";
                    note_type(i, kind_blob);
                    break;
                case column_type::null: line_ += "null"; break;
            }
            if (keep) kept.push_back(row.get(i));
        }
        line_ += '}';
        out_.RawValue("", 0, rapidjson::kObjectType);  // the separator: the Writer knows when one is due
        stream_.write(line_);
        if (binary) write_binary_row(row);
        if (keep) table_.rows.push_back(std::move(kept));
        ++rows_;
    }

    std::function<void(const table&)> on_begin;
    std::FILE* binary = nullptr;  ///< the binary companion's stream, when one is written
    std::vector<std::string> index_columns;  ///< columns the companion indexes by value
    table table_;
    std::int64_t rows_ = 0;

    /// Names each column's type from the kinds of value it held (as merge_type would).
    void finish_types() {
        for (size_t i = 0; i < kinds_.size(); ++i) {
            switch (kinds_[i]) {
                case 0: table_.types[i] = "null"; break;
                case kind_integer: table_.types[i] = "integer"; break;
                case kind_real:
                case kind_integer | kind_real: table_.types[i] = "real"; break;
                case kind_text: table_.types[i] = "text"; break;
                case kind_blob: table_.types[i] = "blob"; break;
                default: table_.types[i] = "mixed"; break;
            }
        }
    }

    /// Writes the value index after the rows; returns where its directory starts.
    std::uint64_t write_value_index() {
        std::string out;
        std::uint64_t rows_end = binary_at_;
        std::string directory;
        put(directory, rows_end);
        put(directory, static_cast<std::uint32_t>(value_index_.size()));
        for (auto& column : value_index_) {
            std::vector<const std::pair<const std::string, std::vector<std::uint64_t>>*> keys;
            for (auto& entry : column.rows) keys.push_back(&entry);
            std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return a->first < b->first; });
            put(directory, column.column);
            put(directory, static_cast<std::uint32_t>(keys.size()));
            for (auto* key : keys) {
                put_bytes(directory, key->first);
                put(directory, rows_end + out.size());
                put(directory, static_cast<std::uint32_t>(key->second.size()));
                for (auto at : key->second) put(out, at);
            }
        }
        std::fwrite(out.data(), 1, out.size(), binary);
        std::fwrite(directory.data(), 1, directory.size(), binary);
        return rows_end + out.size();
    }

private:
    void index_row(const row_view& row, std::uint64_t at) {
        if (value_index_.empty()) return;
        for (auto& column : value_index_) {
            int i = static_cast<int>(column.column);
            std::string key;
            switch (row.type(i)) {
                case column_type::integer: key = number_key(static_cast<double>(row.integer(i))); break;
                case column_type::real:
                    if (std::isnan(row.real(i))) continue;  // NaN equals nothing
                    key = number_key(row.real(i));
                    break;
                case column_type::text: key = text_key(row.text(i)); break;
                default: continue;  // NULL and blobs match no filter
            }
            column.rows[key].push_back(at);
        }
    }

    void write_binary_row(const row_view& row) {
        binary_row_.assign(4, '\0');
        for (int i = 0; i < row.size(); ++i) {
            switch (row.type(i)) {
                case column_type::integer: binary_row_.push_back(tag_integer); put(binary_row_, row.integer(i)); break;
                case column_type::real: binary_row_.push_back(tag_real); put(binary_row_, row.real(i)); break;
                case column_type::text: binary_row_.push_back(tag_text); put_bytes(binary_row_, row.text(i)); break;
                case column_type::blob: binary_row_.push_back(tag_blob); put_bytes(binary_row_, row.text(i)); break;
                case column_type::null: binary_row_.push_back(tag_null); break;
            }
        }
        auto length = static_cast<std::uint32_t>(binary_row_.size() - 4);
        std::memcpy(binary_row_.data(), &length, 4);
        std::fwrite(binary_row_.data(), 1, binary_row_.size(), binary);
        index_row(row, binary_at_);
        binary_at_ += binary_row_.size();
    }

    struct value_index {
        std::uint32_t column;
        std::unordered_map<std::string, std::vector<std::uint64_t>> rows;  // key → row offsets
    };
    std::vector<value_index> value_index_;
    std::uint64_t binary_at_ = sizeof binary_magic;
    std::string binary_row_;
    // The kinds of value each column has held, as bits; table_.types is named from them at the end.
    enum kind_bit : std::uint8_t { kind_integer = 1, kind_real = 2, kind_text = 4, kind_blob = 8 };
    void note_type(int i, kind_bit kind) { kinds_[static_cast<size_t>(i)] |= kind; }
    std::vector<std::uint8_t> kinds_;

    file_writer& out_;
    file_stream& stream_;
    /// `s` as a JSON string, escaped by rapidjson.
    static std::string json_string(std::string_view s) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        return {buffer.GetString(), buffer.GetSize()};
    }
    void append_integer(std::int64_t v) {
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
        line_.append(digits, end);
    }
    void append_real(double d) {
        if (!std::isfinite(d)) {
            line_ += std::isnan(d) ? R"({"$real":"NaN"})" : d > 0 ? R"({"$real":"Infinity"})" : R"({"$real":"-Infinity"})";
            return;
        }
        // Most BI reals are money. A double that is exactly the nearest one to a number of
        // cents has those cents as its shortest form, which is what dtoa finds, slowly.
        if (d != 0 && std::fabs(d) < 1e13) {
            auto cents = std::llround(d * 100);
            if (static_cast<double>(cents) / 100.0 == d) {
                if (cents < 0) line_ += '-';
                auto magnitude = static_cast<std::uint64_t>(cents < 0 ? -cents : cents);
                append_integer(static_cast<std::int64_t>(magnitude / 100));
                auto fraction = magnitude % 100;
                line_ += '.';
                line_ += static_cast<char>('0' + fraction / 10);
                if (fraction % 10 != 0) line_ += static_cast<char>('0' + fraction % 10);
                return;
            }
        }
        char digits[32];
        auto end = rapidjson::internal::dtoa(d, digits);  // what Writer::Double calls
        line_.append(digits, end);
    }
    void append_text(std::string_view t) {
        bool plain = std::none_of(t.begin(), t.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
        });
        if (!detail::valid_utf8(t)) {
            line_ += R"({"$text_base64":")" + detail::base64_encode(t) + "\"}";
        } else if (plain) {
            line_ += '"';
            line_ += t;
            line_ += '"';
        } else {
            line_ += json_string(t);
        }
    }

    std::vector<std::string> keys_;  // each column's `"name":`
    std::string line_;
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
    if (q.is_cube()) {
        for (auto& c : q.columns) need(c, "cube, dimensions or measures");
        for (auto& c : t.columns)
            if (std::find(q.columns.begin(), q.columns.end(), c) == q.columns.end())
                throw parse_error(q.file, 0, fmt::format("result column '{}' is neither in the cube's grain, its dimensions nor its measures", c));
        return;
    }
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
    file_stream os(output.stream(), buffer, sizeof buffer);
    file_writer w(os);
    w.StartObject();
    key_string(w, "query_name", h.query_name);
    key_string(w, "category", h.category);
    key_string(w, "title", h.title);
    if (!h.description.empty()) key_string(w, "description", h.description);
    if (!h.schedule.empty()) key_string(w, "schedule", h.schedule);
    auto generated_at = utc_now_iso8601();
    key_string(w, "generated_at", generated_at);
    w.Key("source");
    w.StartObject();
    key_string(w, "database", h.source.database);
    key_string(w, "fingerprint", h.source.fingerprint);
    key_string(w, "sql_sha256", h.source.sql_sha256);
    w.EndObject();

    dump_sink sink(w, os, q && !q->is_cube() ? static_cast<size_t>(-1) : chart_rows_for_sql);
    if (q) sink.on_begin = [q](const table& t) { check_columns(*q, t); };
    // Catalog dumps written to a file get the binary companion bi-ask reads; not those written
    // to a device or FIFO (`-o /dev/null` must not make /dev/null.bin).
    std::optional<atomic_file> binary;
    struct stat out_st {};
    bool to_file = out != "-" && (::stat(out.c_str(), &out_st) != 0 || S_ISREG(out_st.st_mode));
    if (q && to_file) {
        binary.emplace(binary_dump_path(out));
        std::fwrite(binary_magic, 1, sizeof binary_magic, binary->stream());
        sink.binary = binary->stream();
        for (auto& [slot, column] : q->slots) sink.index_columns.push_back(column);
        // A cube's rows are read by dimension value: every dimension but the time grain is indexed.
        for (auto& c : q->grain)
            if (c != "month" && c != "day") sink.index_columns.push_back(c);
        for (auto& c : q->attributes) sink.index_columns.push_back(c);
    }
    auto stats = db.query(sql, sink);
    sink.finish_types();
    os.Put('\n');
    w.EndArray();

    std::string chart;
    if (q && !q->is_cube()) {
        auto shaped = shape_answer(*q, sink.table_, {});
        chart = chart_config(q->chart, shaped.rows, q->title, q->units);
    } else {
        chart = chart_config_for_shape(sink.table_, h.title);
    }
    w.Key("row_count");
    w.Int64(sink.rows_);
    double duration_ms = std::round(static_cast<double>(stats.elapsed.count()) / 10.0) / 100.0;
    w.Key("duration_ms");
    w.Double(duration_ms);
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
    if (binary) {
        // The header goes last: the column types are known only now, and the stamp names the
        // JSON file as renamed into place, so a companion never outlives its JSON unnoticed.
        auto stamp = stamp_of(out).value_or(file_stamp{});
        auto directory_at = sink.write_value_index();
        auto offset = static_cast<std::uint64_t>(std::ftell(binary->stream()));
        std::string header;
        put(header, static_cast<std::uint32_t>(sink.table_.columns.size()));
        for (size_t i = 0; i < sink.table_.columns.size(); ++i) {
            put_bytes(header, sink.table_.columns[i]);
            put_bytes(header, sink.table_.types[i]);
        }
        for (auto& text : {h.query_name, h.category, h.title, h.schedule, generated_at, h.source.database,
                           h.source.fingerprint, h.source.sql_sha256})
            put_bytes(header, text);
        put(header, sink.rows_);
        put(header, duration_ms);
        put(header, stamp.inode);
        put(header, stamp.size);
        put(header, stamp.mtime_ns);
        put(header, directory_at);
        put(header, offset);
        header.append(binary_end, sizeof binary_end);
        std::fwrite(header.data(), 1, header.size(), binary->stream());
        binary->commit();
    }
    return {sink.rows_, stats.bytes, stats.elapsed};
}

}  // namespace

dump_stats write_dump(database& db, const query_def& q, const std::string& out) {
    auto sql = sql_for(q, db.dialect());
    dump_header h{q.name, q.category, q.title, q.description, std::string(to_string(q.when)),
                  {db.path(), db.fingerprint(), sha256_hex(sql)}};
    return run_dump(db, sql, out, h, &q);
}

dump_stats write_sql_dump(database& db, std::string_view sql, const std::string& out) {
    dump_header h{"adhoc", "adhoc", "Ad-hoc query", "", "",
                  {db.path(), db.fingerprint(), sha256_hex(sql)}};
    return run_dump(db, sql, out, h, nullptr);
}

namespace {

/// Builds a Document from rapidjson's events, reading each number itself: rapidjson 1.1.0's
/// full-precision strtod computes garbage for a zero mantissa with an exponent ("-0e99" read
/// as -6.5e296); glibc's strtod is exact, and the C locale keeps '.' the decimal point.
struct exact_number_handler {
    rapidjson::Document& doc;

    bool Null() { return doc.Null(); }
    bool Bool(bool b) { return doc.Bool(b); }
    bool Int(int i) { return doc.Int(i); }
    bool Uint(unsigned u) { return doc.Uint(u); }
    bool Int64(std::int64_t i) { return doc.Int64(i); }
    bool Uint64(std::uint64_t u) { return doc.Uint64(u); }
    bool Double(double d) { return doc.Double(d); }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
    bool StartObject() { return doc.StartObject(); }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
    bool EndObject(rapidjson::SizeType n) { return doc.EndObject(n); }
    bool StartArray() { return doc.StartArray(); }
    bool EndArray(rapidjson::SizeType n) { return doc.EndArray(n); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
        std::string number(s, n);
        if (number.find_first_of(".eE") == std::string::npos) {  // an integer, typed as rapidjson would
            errno = 0;
            char* end = nullptr;
            long long i = std::strtoll(number.c_str(), &end, 10);
            if (errno == 0 && *end == '\0') return doc.Int64(i);
            errno = 0;
            unsigned long long u = number[0] == '-' ? 0 : std::strtoull(number.c_str(), &end, 10);
            if (number[0] != '-' && errno == 0 && *end == '\0') return doc.Uint64(u);
        }
        static locale_t c_locale = newlocale(LC_ALL_MASK, "C", nullptr);
        double d = strtod_l(number.c_str(), nullptr, c_locale);
        return std::isfinite(d) && doc.Double(d);  // too big for a double: invalid, as rapidjson says
    }
};

}  // namespace

dump parse_dump(std::string_view text, const std::string& path) {
    rapidjson::Document doc;
    rapidjson::Reader reader;
    auto parse = [&](rapidjson::Document& d) {
        exact_number_handler handler{d};
        rapidjson::MemoryStream stream(text.data(), text.size());
        // Iterative, so that a deeply nested file cannot overflow the stack while parsing.
        return !reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag>(stream, handler)
                    .IsError();
    };
    doc.Populate(parse);
    if (reader.HasParseError())
        throw parse_error(path, 0, fmt::format("not valid JSON at byte {}: {}", reader.GetErrorOffset(),
                                               rapidjson::GetParseError_En(reader.GetParseErrorCode())));
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

std::string binary_dump_path(const std::string& json_path) {
    auto p = fs::path(json_path);
    return p.replace_extension(".bin").string();
}

namespace {

/// Reads a binary companion front to back through a fixed buffer: memory stays flat however
/// many rows the dump has.
class binary_reader {
public:
    binary_reader(int fd, size_t file_size) : fd_(fd), buffer_size_(std::min<size_t>(file_size, 1 << 20)) {}
    ~binary_reader() { ::close(fd_); }

    bool read_at(std::uint64_t offset, void* out, size_t n) const {
        return ::pread(fd_, out, n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n);
    }
    /// The next `n` bytes from the current position, or nullptr at a short file.
    const char* next(size_t n) {
        if (buffer_.empty()) buffer_.resize(std::max<size_t>(buffer_size_, 1));  // only a scan needs it
        if (end_ - begin_ < n) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
            if (n > buffer_.size()) buffer_.resize(n);
            while (end_ < n) {
                ssize_t got = ::pread(fd_, buffer_.data() + end_, buffer_.size() - end_, static_cast<off_t>(position_));
                if (got <= 0) return nullptr;
                end_ += static_cast<size_t>(got);
                position_ += static_cast<std::uint64_t>(got);
            }
        }
        const char* p = buffer_.data() + begin_;
        begin_ += n;
        return p;
    }
    void seek(std::uint64_t offset) {
        position_ = offset;
        begin_ = end_ = 0;
    }

private:
    int fd_;
    size_t buffer_size_;
    std::vector<char> buffer_;
    size_t begin_ = 0, end_ = 0;
    std::uint64_t position_ = 0;
};

/// Decodes one cell at `p` (within `end`), advancing `p`; false on a malformed cell.
bool decode_cell(const char*& p, const char* end, value& out) {
    if (p >= end) return false;
    auto tag = static_cast<unsigned char>(*p++);
    auto fixed = [&](auto& v) {
        if (end - p < static_cast<long>(sizeof v)) return false;
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
        return true;
    };
    switch (tag) {
        case tag_null: out = std::monostate{}; return true;
        case tag_integer: { std::int64_t v; if (!fixed(v)) return false; out = v; return true; }
        case tag_real: { double v; if (!fixed(v)) return false; out = v; return true; }
        case tag_text:
        case tag_blob: {
            std::uint32_t n;
            if (!fixed(n) || end - p < static_cast<long>(n)) return false;
            if (tag == tag_text) out = std::string(p, n);
            else out = blob{std::string(p, n)};
            p += n;
            return true;
        }
        default: return false;
    }
}

/// Whether the encoded cell at `p` matches `wanted` as value_matches() would decide, without
/// decoding it when it is a number or text; nullopt when only a decoded value can tell (text
/// against a number: a year kept as text).
std::optional<bool> cell_matches(const char* p, const value& wanted) {
    auto tag = static_cast<unsigned char>(*p++);
    if (tag == tag_null || tag == tag_blob) return false;
    if (auto text = std::get_if<std::string>(&wanted)) {
        if (tag != tag_text) return false;
        std::uint32_t n;
        std::memcpy(&n, p, 4);
        if (n != text->size()) return false;
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        for (std::uint32_t i = 0; i < n; ++i)
            if (lower(p[4 + i]) != lower((*text)[i])) return false;
        return true;
    }
    if (!is_number(wanted)) return false;
    if (tag == tag_integer) {
        std::int64_t v;
        std::memcpy(&v, p, 8);
        return static_cast<double>(v) == as_double(wanted);
    }
    if (tag == tag_real) {
        double v;
        std::memcpy(&v, p, 8);
        return v == as_double(wanted);
    }
    return std::nullopt;
}

/// Steps over one cell; false on a malformed cell.
bool skip_cell(const char*& p, const char* end) {
    if (p >= end) return false;
    auto tag = static_cast<unsigned char>(*p++);
    long n = 0;
    if (tag == tag_integer || tag == tag_real) {
        n = 8;
    } else if (tag == tag_text || tag == tag_blob) {
        std::uint32_t len;
        if (end - p < 4) return false;
        std::memcpy(&len, p, 4);
        p += 4;
        n = static_cast<long>(len);
    } else if (tag != tag_null) {
        return false;
    }
    if (end - p < n) return false;
    p += n;
    return true;
}

}  // namespace

std::optional<dump> read_binary_dump(const std::string& json_path,
                                     const std::vector<std::pair<std::string, value>>& filters) {
    auto json_stamp = stamp_of(json_path);
    if (!json_stamp) return std::nullopt;
    auto path = binary_dump_path(json_path);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not hang us
    if (fd < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return std::nullopt;
    }
    binary_reader in(fd, static_cast<size_t>(st.st_size));
    char magic[8];
    std::uint64_t header_at = 0;
    if (st.st_size < 24 || !in.read_at(0, magic, 8) || std::memcmp(magic, binary_magic, 8) != 0 ||
        !in.read_at(static_cast<std::uint64_t>(st.st_size) - 16, &header_at, 8) ||
        !in.read_at(static_cast<std::uint64_t>(st.st_size) - 8, magic, 8) || std::memcmp(magic, binary_end, 8) != 0 ||
        header_at < 8 || header_at > static_cast<std::uint64_t>(st.st_size) - 16)
        return std::nullopt;
    std::string header(static_cast<size_t>(static_cast<std::uint64_t>(st.st_size) - 16 - header_at), '\0');
    if (!in.read_at(header_at, header.data(), header.size())) return std::nullopt;

    const char* p = header.data();
    const char* end = p + header.size();
    bool ok = true;
    auto fixed = [&](auto& v) {
        if (!ok || end - p < static_cast<long>(sizeof v)) return void(ok = false);
        std::memcpy(&v, p, sizeof v);
        p += sizeof v;
    };
    auto text = [&] {
        std::uint32_t n = 0;
        fixed(n);
        if (!ok || end - p < static_cast<long>(n)) return ok = false, std::string();
        std::string s(p, n);
        p += n;
        return s;
    };
    dump d;
    d.path = json_path;
    std::uint32_t columns = 0;
    fixed(columns);
    for (std::uint32_t i = 0; ok && i < columns; ++i) {
        d.data.columns.push_back(text());
        d.data.types.push_back(text());
    }
    d.query_name = text();
    d.category = text();
    d.title = text();
    d.schedule = text();
    d.generated_at = text();
    d.source.database = text();
    d.source.fingerprint = text();
    d.source.sql_sha256 = text();
    fixed(d.row_count);
    fixed(d.duration_ms);
    file_stamp stamp;
    fixed(stamp.inode);
    fixed(stamp.size);
    fixed(stamp.mtime_ns);
    std::uint64_t directory_at = 0;
    fixed(directory_at);
    if (!ok || p != end || !(stamp == *json_stamp)) return std::nullopt;
    if (directory_at < 8 || directory_at > header_at) return std::nullopt;

    std::vector<std::pair<int, const value*>> tests;
    for (auto& [column, wanted] : filters) {
        int i = d.data.index_of(column);
        if (i < 0) return std::nullopt;  // the JSON path reports the mismatch
        tests.emplace_back(i, &wanted);
    }
    // The value index's directory, up to the header: where the row offsets start, then per
    // indexed column its keys and where their row numbers are.
    std::string directory(static_cast<size_t>(header_at - directory_at), '\0');
    if (!in.read_at(directory_at, directory.data(), directory.size())) return std::nullopt;
    p = directory.data();
    end = p + directory.size();
    std::uint64_t rows_end = 0;  // the value index follows the rows
    std::uint32_t indexed = 0;
    fixed(rows_end);
    fixed(indexed);
    struct key_rows {
        std::uint64_t at = 0;
        std::uint32_t count = 0;
    };
    std::unordered_map<std::uint32_t, std::unordered_map<std::string, key_rows>> index;  // column → key → rows
    for (std::uint32_t c = 0; ok && c < indexed; ++c) {
        std::uint32_t column = 0, keys = 0;
        fixed(column);
        fixed(keys);
        auto& by_key = index[column];
        for (std::uint32_t k = 0; ok && k < keys; ++k) {
            auto key = text();
            key_rows rows;
            fixed(rows.at);
            fixed(rows.count);
            by_key.emplace(std::move(key), rows);
        }
    }
    if (!ok || p != end || rows_end < 8 || rows_end > directory_at) return std::nullopt;

    std::vector<value> row(columns);
    std::vector<const char*> starts(columns);
    // One row record: filtered cells first, so a row that does not match is never decoded further.
    auto take = [&](const char* cell, std::uint32_t length) {
        const char* cell_end = cell + length;
        for (std::uint32_t i = 0; i < columns; ++i) {
            starts[i] = cell;
            if (!skip_cell(cell, cell_end)) return false;
        }
        if (cell != cell_end) return false;
        for (auto& [i, wanted] : tests) {
            const char* c = starts[static_cast<size_t>(i)];
            if (auto quick = cell_matches(c, *wanted)) {
                if (*quick) continue;
                return true;
            }
            if (!decode_cell(c, cell_end, row[static_cast<size_t>(i)])) return false;
            if (!value_matches(row[static_cast<size_t>(i)], *wanted)) return true;
        }
        for (std::uint32_t i = 0; i < columns; ++i) {
            const char* c = starts[i];
            if (!decode_cell(c, cell_end, row[i])) return false;
        }
        d.data.rows.push_back(row);
        return true;
    };

    // A filter on an indexed column names the rows to read; the filters' row lists intersect,
    // rarest first, and take() still checks every filter on each row it reads. Reads are
    // pread()s of nearby pieces together: mapping the file costs a page fault per row, which
    // on virtual machines is dearer than the system call.
    struct filter_rows {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> lists;  // (at, count) per key found
        std::uint64_t count = 0;
    };
    std::vector<filter_rows> indexed_filters;
    for (auto& [i, wanted] : tests) {
        auto column = index.find(static_cast<std::uint32_t>(i));
        if (column == index.end()) continue;
        std::vector<std::string> keys;
        if (auto t = std::get_if<std::string>(wanted)) {
            keys.push_back(text_key(*t));
        } else if (is_number(*wanted)) {
            keys.push_back(number_key(as_double(*wanted)));
            keys.push_back(text_key(std::to_string(static_cast<std::int64_t>(as_double(*wanted)))));
        } else {
            continue;
        }
        filter_rows f;
        for (auto& key : keys) {
            auto found = column->second.find(key);
            if (found == column->second.end()) continue;
            auto [at, count] = found->second;
            if (at < rows_end || at > directory_at || (directory_at - at) / 8 < count) return std::nullopt;
            f.lists.emplace_back(at, count);
            f.count += count;
        }
        indexed_filters.push_back(std::move(f));
    }
    if (!indexed_filters.empty()) {
        std::sort(indexed_filters.begin(), indexed_filters.end(), [](auto& a, auto& b) { return a.count < b.count; });
        // The rarest value's rows, read whole.
        std::vector<std::uint64_t> candidates;
        for (auto [at, count] : indexed_filters.front().lists) {
            auto filled = candidates.size();
            candidates.resize(filled + count);
            if (!in.read_at(at, candidates.data() + filled, std::size_t{count} * 8)) return std::nullopt;
            std::inplace_merge(candidates.begin(), candidates.begin() + static_cast<long>(filled), candidates.end());
        }
        // Each longer list narrows them, streamed through a small buffer: a big temporary array
        // costs more in page faults than the rows it drops.
        std::vector<std::uint64_t> piece;
        for (size_t f = 1; f < indexed_filters.size() && candidates.size() > 16; ++f) {
            if (piece.empty()) piece.resize(8 << 10);
            std::vector<bool> keep(candidates.size(), false);
            for (auto [at, count] : indexed_filters[f].lists) {
                size_t c = 0;
                for (std::uint32_t done = 0; done < count && c < candidates.size();) {
                    auto n = std::min<std::uint32_t>(count - done, static_cast<std::uint32_t>(piece.size()));
                    if (!in.read_at(at + std::uint64_t{done} * 8, piece.data(), std::size_t{n} * 8)) return std::nullopt;
                    for (std::uint32_t k = 0; k < n && c < candidates.size(); ++k) {
                        while (c < candidates.size() && candidates[c] < piece[k]) ++c;
                        if (c < candidates.size() && candidates[c] == piece[k]) keep[c++] = true;
                    }
                    done += n;
                }
            }
            size_t kept = 0;
            for (size_t c = 0; c < candidates.size(); ++c)
                if (keep[c]) candidates[kept++] = candidates[c];
            candidates.resize(kept);
        }
        // One pread a row: its length and, mostly, all of it.
        std::vector<char> record(512);
        for (auto at : candidates) {
            if (at < 8 || at + 4 > rows_end) return std::nullopt;
            auto want = static_cast<size_t>(std::min<std::uint64_t>(record.size(), rows_end - at));
            if (!in.read_at(at, record.data(), want)) return std::nullopt;
            std::uint32_t length = 0;
            std::memcpy(&length, record.data(), 4);
            if (length > rows_end - at - 4) return std::nullopt;
            if (4 + std::size_t{length} > want) {
                record.resize(std::max(record.size(), 4 + std::size_t{length}));
                if (!in.read_at(at + want, record.data() + want, 4 + length - want)) return std::nullopt;
            }
            if (!take(record.data() + 4, length)) return std::nullopt;
        }
        return d;
    }

    in.seek(8);
    std::uint64_t at = 8;
    for (std::int64_t r = 0; r < d.row_count; ++r) {
        std::uint32_t length = 0;
        const char* lp = in.next(4);
        if (!lp) return std::nullopt;
        std::memcpy(&length, lp, 4);
        const char* cell = in.next(length);
        if (!cell) return std::nullopt;
        at += 4 + length;
        if (!take(cell, length)) return std::nullopt;
    }
    if (at != rows_end) return std::nullopt;
    return d;
}

}  // namespace bi
