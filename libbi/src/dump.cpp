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
    dump_output(const std::string& out, replace_mode mode) {
        if (out == "-") {
            stream_ = stdout;
        } else {
            file_.emplace(out, mode);
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
    /// The checksum of everything written so far (flushed first).
    std::uint64_t checksum() {
        Flush();
        return sum_.digest();
    }
    void Put(char c) {
        if (at_ == end_) Flush();
        *at_++ = c;
    }
    void write(std::string_view s) {
        if (s.size() > static_cast<size_t>(end_ - at_)) {
            Flush();
            if (s.size() > static_cast<size_t>(end_ - begin_)) {
                sum_.update(s);
                std::fwrite(s.data(), 1, s.size(), fp_);
                return;
            }
        }
        std::memcpy(at_, s.data(), s.size());
        at_ += s.size();
    }
    void Flush() {
        if (at_ != begin_) {
            sum_.update({begin_, static_cast<size_t>(at_ - begin_)});
            std::fwrite(begin_, 1, static_cast<size_t>(at_ - begin_), fp_);
        }
        at_ = begin_;
    }

private:
    checksum_stream sum_;
    std::FILE* fp_;
    char* begin_;
    char* end_;
    char* at_;
};

using file_writer = rapidjson::Writer<file_stream>;

// The binary companion: "BIDUMP04", then one record per row ([u32 length][u32 ordinal][cells],
// the length counting the ordinal and the cells), each cell a tag byte and its payload; then
// the value index (below); then the header block (written
// last, when the column types and the JSON file's identity are known); then the checksums
// (XXH3-64) of each 4 KiB block of everything before them; then the trailer: the header's and
// the checksums' offsets, the checksum of those two, and "BIDUMPOK". A reader checks each
// block it reads, and only those: a filtered answer verifies its rows, not the whole file.
// Numbers are little-endian as in memory: the file is a cache for this machine, the JSON is
// the format.
//
// The value index lets a filtered question read only its rows: for each of the query's slot
// columns, the offsets (u64, ascending) of the rows holding each value; then a directory:
// where the rows end, and per column its position and, per value key, where its offsets are
// and how many. A key is what value_matches compares: "t" + text without ASCII case, or
// "n" + a number as a double.
//
// Rows are not kept in the query's order: within each few MiB, those with the same value in
// the first indexed column lie side by side, so that the rows of a filter on it share blocks
// (a region's rows of a cube ordered by month come in one short read, not one of the whole
// file). A row's ordinal is its place in the query's order, and a reader puts the rows it
// keeps back in that order.
constexpr char binary_magic[8] = {'B', 'I', 'D', 'U', 'M', 'P', '0', '4'};
constexpr std::uint32_t row_ordinal_max = 0xffffffff;
constexpr std::uint64_t binary_block = 4096;
constexpr size_t binary_trailer = 3 * 8 + 8;
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

/// Writes the companion and the checksum of each of its blocks as they fill.
class block_writer {
public:
    explicit block_writer(std::FILE* out) : out_(out) {}
    void write(std::string_view bytes) {
        std::fwrite(bytes.data(), 1, bytes.size(), out_);
        size_ += bytes.size();
        while (!bytes.empty()) {
            auto n = std::min<size_t>(bytes.size(), binary_block - block_.size());
            block_.append(bytes.substr(0, n));
            bytes.remove_prefix(n);
            if (block_.size() == binary_block) end_block();
        }
    }
    /// Ends the checksummed part: writes the block checksums, then the trailer naming
    /// `header_at`.
    void finish(std::uint64_t header_at) {
        if (!block_.empty()) end_block();
        std::uint64_t sums_at = size_;
        std::fwrite(sums_.data(), 1, sums_.size(), out_);
        std::string trailer;
        put(trailer, header_at);
        put(trailer, sums_at);
        put(trailer, checksum64(trailer));
        trailer.append(binary_end, sizeof binary_end);
        std::fwrite(trailer.data(), 1, trailer.size(), out_);
    }

private:
    void end_block() {
        put(sums_, checksum64(block_));
        block_.clear();
    }
    std::FILE* out_;
    std::string block_;
    std::string sums_;
    std::uint64_t size_ = 0;
};

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
    block_writer* binary = nullptr;  ///< the binary companion, when one is written
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
        flush_rows();
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
        binary->write(out);
        binary->write(directory);
        return rows_end + out.size();
    }

private:
    /// Adds the row's key in each indexed column to `pending_keys_`; returns the key of the
    /// first (the rows are grouped by it), or "" when it has none.
    std::string index_keys(const row_view& row) {
        std::string group;
        for (size_t c = 0; c < value_index_.size(); ++c) {
            int i = static_cast<int>(value_index_[c].column);
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
            if (c == 0) group = key;
            pending_keys_.emplace_back(c, std::move(key));
        }
        return group;
    }

    void write_binary_row(const row_view& row) {
        binary_row_.assign(8, '\0');
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
        // Past 2^32 - 1 rows every ordinal is the last one and rows are no longer regrouped:
        // a reader's stable sort by ordinal then keeps them in file order.
        auto ordinal = static_cast<std::uint32_t>(std::min<std::int64_t>(rows_, row_ordinal_max));
        std::memcpy(binary_row_.data(), &length, 4);
        std::memcpy(binary_row_.data() + 4, &ordinal, 4);
        if (ordinal == row_ordinal_max && !pending_.empty()) flush_rows();
        auto keys_at = pending_keys_.size();
        auto group_key = index_keys(row);
        auto group = groups_.emplace(std::move(group_key), static_cast<std::uint32_t>(groups_.size())).first->second;
        if (ordinal == row_ordinal_max) group = 0;
        pending_.push_back({group, chunk_.size(), binary_row_.size(), keys_at, pending_keys_.size()});
        chunk_ += binary_row_;
        if (chunk_.size() >= grouped_chunk || ordinal == row_ordinal_max) flush_rows();
    }

    /// Writes the rows waiting, those with the same first indexed value side by side (in the
    /// order the values first came, each value's rows in their own order), and indexes them
    /// where they land.
    void flush_rows() {
        std::stable_sort(pending_.begin(), pending_.end(), [](auto& a, auto& b) { return a.group < b.group; });
        for (auto& r : pending_) {
            binary->write(std::string_view(chunk_).substr(r.at, r.size));
            for (auto k = r.keys_at; k < r.keys_end; ++k)
                value_index_[pending_keys_[k].first].rows[pending_keys_[k].second].push_back(binary_at_);
            binary_at_ += r.size;
        }
        pending_.clear();
        pending_keys_.clear();
        groups_.clear();
        chunk_.clear();
    }

    struct value_index {
        std::uint32_t column;
        std::unordered_map<std::string, std::vector<std::uint64_t>> rows;  // key → row offsets
    };
    std::vector<value_index> value_index_;
    std::uint64_t binary_at_ = sizeof binary_magic;
    std::string binary_row_;
    // Rows wait in chunks of a few MiB to be written grouped by their first indexed value, so
    // that a filter on it reads a few adjacent blocks, not every block of the file; memory
    // stays bounded however many rows the dump has.
    static constexpr size_t grouped_chunk = 4 << 20;
    struct pending_row {
        std::uint32_t group;           // rank of its first indexed value in this chunk
        size_t at, size;               // its record in chunk_
        size_t keys_at, keys_end;      // its index keys in pending_keys_
    };
    std::vector<pending_row> pending_;
    std::vector<std::pair<size_t, std::string>> pending_keys_;  // (position in value_index_, key)
    std::unordered_map<std::string, std::uint32_t> groups_;     // first indexed value → rank
    std::string chunk_;
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
                    const query_def* q, replace_mode mode) {
    dump_output output(out, mode);
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
    std::optional<block_writer> blocks;
    struct stat out_st {};
    bool to_file = out != "-" && (mode == replace_mode::entry || ::stat(out.c_str(), &out_st) != 0 || S_ISREG(out_st.st_mode));
    if (q && to_file) {
        binary.emplace(binary_dump_path(out), replace_mode::entry);  // a cache: whatever is there is replaced
        blocks.emplace(binary->stream());
        blocks->write({binary_magic, sizeof binary_magic});
        sink.binary = &*blocks;
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
    // The last member: the checksum of every byte before its comma (dump_checksum_member).
    key_string(w, "checksum", checksum_text(os.checksum()));
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
        blocks->write(header);
        blocks->finish(offset);
        binary->commit();
    }
    return {sink.rows_, stats.bytes, stats.elapsed};
}

}  // namespace

dump_stats write_dump(database& db, const query_def& q, const std::string& out, replace_mode mode) {
    auto sql = sql_for(q, db.dialect());
    dump_header h{q.name, q.category, q.title, q.description, std::string(to_string(q.when)),
                  {db.path(), db.fingerprint(), sha256_hex(sql)}};
    return run_dump(db, sql, out, h, &q, mode);
}

dump_stats write_sql_dump(database& db, std::string_view sql, const std::string& out) {
    dump_header h{"adhoc", "adhoc", "Ad-hoc query", "", "",
                  {db.path(), db.fingerprint(), sha256_hex(sql)}};
    return run_dump(db, sql, out, h, nullptr, replace_mode::follow);
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
    auto text = read_file(path);
    check_json_checksum(text, path);
    return parse_dump(text, path);
}

std::string binary_dump_path(const std::string& json_path) {
    auto p = fs::path(json_path);
    return p.replace_extension(".bin").string();
}

namespace {

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


/// Bytes to read into, grown but never cleared: zeroing a 200 KB piece only to overwrite it
/// cost more than checking its checksums.
class read_buffer {
public:
    char* take(size_t n) {
        if (n > capacity_) {
            data_.reset(new char[n]);
            capacity_ = n;
        }
        return data_.get();
    }

private:
    std::unique_ptr<char[]> data_;
    size_t capacity_ = 0;
};

/// Damage found in a companion: it is set aside, and the caller says why.
struct companion_damage {
    std::string what;
};

/// A companion's bytes, each 4 KiB block checked against its checksum the first time any of
/// it is read. The trailer is checked when the file is opened.
class companion_file {
public:
    /// Opens the companion at `path`; nullopt when there is none.
    static std::unique_ptr<companion_file> open(const std::string& path) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not hang us
        if (fd < 0) return nullptr;
        std::unique_ptr<companion_file> f(new companion_file(fd));
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw companion_damage{"not a regular file"};
        f->size_ = static_cast<std::uint64_t>(st.st_size);
        f->read_trailer();
        return f;
    }
    ~companion_file() { ::close(fd_); }
    companion_file(const companion_file&) = delete;
    companion_file& operator=(const companion_file&) = delete;

    std::uint64_t header_at() const { return header_at_; }
    std::uint64_t checked_end() const { return sums_at_; }

    /// `n` bytes at `offset`, every block they touch verified.
    void read(std::uint64_t offset, void* out, size_t n) {
        if (n == 0) return;
        if (offset > sums_at_ || n > sums_at_ - offset) throw companion_damage{"a record lies outside the file"};
        auto first = offset / binary_block, last = (offset + n - 1) / binary_block;
        bool checked = true;
        for (auto b = first; b <= last && checked; ++b) checked = verified_[b];
        if (checked) return pread_all(offset, out, n);
        auto from = first * binary_block;
        auto to = std::min((last + 1) * binary_block, sums_at_);
        char* scratch = scratch_.take(static_cast<size_t>(to - from));
        pread_all(from, scratch, static_cast<size_t>(to - from));
        std::vector<std::uint64_t> sums(static_cast<size_t>(last - first + 1));
        pread_all(sums_at_ + 8 * first, sums.data(), sums.size() * 8);
        for (auto b = first; b <= last; ++b) {
            if (verified_[b]) continue;
            auto at = static_cast<size_t>((b - first) * binary_block);
            auto length = static_cast<size_t>(std::min(binary_block, sums_at_ - b * binary_block));
            if (checksum64({scratch + at, length}) != sums[b - first])
                throw companion_damage{fmt::format("checksum mismatch in bytes {}-{}", b * binary_block, b * binary_block + length)};
            verified_[b] = true;
        }
        std::memcpy(out, scratch + (offset - from), n);
    }

private:
    explicit companion_file(int fd) : fd_(fd) {}

    void pread_all(std::uint64_t offset, void* out, size_t n) const {
        if (::pread(fd_, out, n, static_cast<off_t>(offset)) != static_cast<ssize_t>(n))
            throw companion_damage{"the file is shorter than it says"};
    }
    /// The trailer: the header's and the block checksums' offsets and their own checksum.
    void read_trailer() {
        if (size_ < sizeof binary_magic + binary_trailer) throw companion_damage{"the file is cut short"};
        char trailer[binary_trailer];
        pread_all(size_ - binary_trailer, trailer, binary_trailer);
        std::uint64_t sum = 0;
        std::memcpy(&header_at_, trailer, 8);
        std::memcpy(&sums_at_, trailer + 8, 8);
        std::memcpy(&sum, trailer + 16, 8);
        if (std::memcmp(trailer + 24, binary_end, 8) != 0 || checksum64({trailer, 16}) != sum)
            throw companion_damage{"its trailer is damaged or cut short"};
        auto blocks = (sums_at_ + binary_block - 1) / binary_block;
        if (sums_at_ > size_ || (size_ - binary_trailer - sums_at_) / 8 != blocks ||
            (size_ - binary_trailer - sums_at_) % 8 != 0 || header_at_ < sizeof binary_magic || header_at_ > sums_at_)
            throw companion_damage{"its trailer does not fit the file"};
        verified_.assign(static_cast<size_t>(blocks), false);
        char magic[sizeof binary_magic];
        read(0, magic, sizeof magic);
        if (std::memcmp(magic, binary_magic, sizeof magic) != 0) throw companion_damage{"not a companion of this version"};
    }

    int fd_;
    std::uint64_t size_ = 0;
    std::uint64_t header_at_ = 0;
    std::uint64_t sums_at_ = 0;
    std::vector<bool> verified_;
    read_buffer scratch_;
};

/// Reads a companion's fields in order from a verified piece of it.
class field_reader {
public:
    field_reader(const char* p, const char* end) : p_(p), end_(end) {}
    template <typename T>
    void fixed(T& v) {
        if (end_ - p_ < static_cast<long>(sizeof v)) throw companion_damage{"a field is cut short"};
        std::memcpy(&v, p_, sizeof v);
        p_ += sizeof v;
    }
    std::string text() {
        std::uint32_t n = 0;
        fixed(n);
        if (end_ - p_ < static_cast<long>(n)) throw companion_damage{"a text is cut short"};
        std::string s(p_, n);
        p_ += n;
        return s;
    }
    bool at_end() const { return p_ == end_; }

private:
    const char* p_;
    const char* end_;
};

/// The header block: the dump's metadata, the JSON file it was written with, and where the
/// value index's directory starts.
struct companion_header {
    dump meta;                       ///< everything but the rows
    file_stamp json;
    std::uint64_t directory_at = 0;
};

companion_header read_header(companion_file& in, const std::string& json_path) {
    std::string bytes(static_cast<size_t>(in.checked_end() - in.header_at()), '\0');
    in.read(in.header_at(), bytes.data(), bytes.size());
    field_reader r(bytes.data(), bytes.data() + bytes.size());
    companion_header h;
    dump& d = h.meta;
    d.path = json_path;
    std::uint32_t columns = 0;
    r.fixed(columns);
    for (std::uint32_t i = 0; i < columns; ++i) {
        d.data.columns.push_back(r.text());
        d.data.types.push_back(r.text());
    }
    for (auto* text : {&d.query_name, &d.category, &d.title, &d.schedule, &d.generated_at, &d.source.database,
                       &d.source.fingerprint, &d.source.sql_sha256})
        *text = r.text();
    r.fixed(d.row_count);
    r.fixed(d.duration_ms);
    r.fixed(h.json.inode);
    r.fixed(h.json.size);
    r.fixed(h.json.mtime_ns);
    r.fixed(h.directory_at);
    if (!r.at_end()) throw companion_damage{"the header does not end where the trailer says"};
    if (h.directory_at < sizeof binary_magic || h.directory_at > in.header_at() || d.row_count < 0)
        throw companion_damage{"the header names a directory outside the file"};
    return h;
}

/// The value index's directory: where the rows end, and per indexed column, per value key,
/// where the offsets of its rows are and how many.
struct value_directory {
    struct key_rows {
        std::uint64_t at = 0;
        std::uint32_t count = 0;
    };
    std::uint64_t rows_end = 0;
    std::unordered_map<std::uint32_t, std::unordered_map<std::string, key_rows>> columns;  // column → key → rows
};

value_directory read_directory(companion_file& in, const companion_header& h) {
    std::string bytes(static_cast<size_t>(in.header_at() - h.directory_at), '\0');
    in.read(h.directory_at, bytes.data(), bytes.size());
    field_reader r(bytes.data(), bytes.data() + bytes.size());
    value_directory dir;
    std::uint32_t indexed = 0;
    r.fixed(dir.rows_end);
    r.fixed(indexed);
    for (std::uint32_t c = 0; c < indexed; ++c) {
        std::uint32_t column = 0, keys = 0;
        r.fixed(column);
        r.fixed(keys);
        auto& by_key = dir.columns[column];
        for (std::uint32_t k = 0; k < keys; ++k) {
            auto key = r.text();
            value_directory::key_rows rows;
            r.fixed(rows.at);
            r.fixed(rows.count);
            if (rows.at < dir.rows_end || rows.at > h.directory_at || (h.directory_at - rows.at) / 8 < rows.count)
                throw companion_damage{"a value's rows lie outside the index"};
            by_key.emplace(std::move(key), rows);
        }
    }
    if (!r.at_end() || dir.rows_end < sizeof binary_magic || dir.rows_end > h.directory_at)
        throw companion_damage{"the value index's directory is malformed"};
    return dir;
}

/// Decodes row records into `out`, keeping those whose cells match every filter; filtered
/// cells are looked at first, so a row that does not match is never decoded further.
class row_collector {
public:
    row_collector(table& out, const std::vector<std::pair<int, const value*>>& tests)
        : out_(out), tests_(tests), row_(out.columns.size()), starts_(out.columns.size()) {}

    /// Takes the record after its length: the ordinal, then the cells.
    void take(const char* record, std::uint32_t length) {
        if (length < 4) throw companion_damage{"a row is cut short"};
        std::uint32_t ordinal = 0;
        std::memcpy(&ordinal, record, 4);
        const char* cell = record + 4;
        const char* cell_end = record + length;
        for (size_t i = 0; i < row_.size(); ++i) {
            starts_[i] = cell;
            if (!skip_cell(cell, cell_end)) throw companion_damage{"a row is malformed"};
        }
        if (cell != cell_end) throw companion_damage{"a row is longer than its cells"};
        for (auto& [i, wanted] : tests_) {
            const char* c = starts_[static_cast<size_t>(i)];
            if (auto quick = cell_matches(c, *wanted)) {
                if (*quick) continue;
                return;
            }
            decode(static_cast<size_t>(i), cell_end);
            if (!value_matches(row_[static_cast<size_t>(i)], *wanted)) return;
        }
        // decoded where it is kept: copying a decoded row cost as much as decoding it
        auto& row = out_.rows.emplace_back(row_.size());
        for (size_t i = 0; i < row.size(); ++i) {
            const char* c = starts_[i];
            if (!decode_cell(c, cell_end, row[i])) throw companion_damage{"a cell is malformed"};
        }
        in_order_ = in_order_ && (ordinals_.empty() || ordinals_.back() <= ordinal);
        ordinals_.push_back(ordinal);
    }

    /// Room for `n` more rows, when that many may be kept.
    void reserve(size_t n) {
        out_.rows.reserve(out_.rows.size() + n);
        ordinals_.reserve(ordinals_.size() + n);
    }

    /// Puts the rows kept back in the query's order (the file groups them by value).
    void finish() {
        if (in_order_) return;
        std::vector<std::uint32_t> order(ordinals_.size());
        for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return ordinals_[a] < ordinals_[b]; });
        std::vector<std::vector<value>> rows;
        rows.reserve(order.size());
        for (auto k : order) rows.push_back(std::move(out_.rows[k]));
        out_.rows = std::move(rows);
    }

private:
    void decode(size_t i, const char* cell_end) {
        const char* c = starts_[i];
        if (!decode_cell(c, cell_end, row_[i])) throw companion_damage{"a cell is malformed"};
    }
    table& out_;
    const std::vector<std::pair<int, const value*>>& tests_;
    std::vector<value> row_;
    std::vector<const char*> starts_;
    std::vector<std::uint32_t> ordinals_;  // of each row kept
    bool in_order_ = true;
};

/// The index's row offsets for one filter: (at, count) per key found, and their total.
struct filter_rows {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> lists;
    std::uint64_t count = 0;
};

/// For each filter on an indexed column, where the offsets of its rows are.
std::vector<filter_rows> indexed_filters(const value_directory& dir, const std::vector<std::pair<int, const value*>>& tests) {
    std::vector<filter_rows> out;
    for (auto& [i, wanted] : tests) {
        auto column = dir.columns.find(static_cast<std::uint32_t>(i));
        if (column == dir.columns.end()) continue;
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
            f.lists.emplace_back(found->second.at, found->second.count);
            f.count += found->second.count;
        }
        out.push_back(std::move(f));
    }
    return out;
}

/// The rows every indexed filter names: the rarest value's offsets, read whole, narrowed by
/// each longer list streamed through a small buffer (a big temporary array costs more in
/// page faults than the rows it drops).
std::vector<std::uint64_t> candidate_rows(companion_file& in, std::vector<filter_rows> filters) {
    std::sort(filters.begin(), filters.end(), [](auto& a, auto& b) { return a.count < b.count; });
    std::vector<std::uint64_t> candidates;
    for (auto [at, count] : filters.front().lists) {
        auto filled = candidates.size();
        candidates.resize(filled + count);
        in.read(at, candidates.data() + filled, std::size_t{count} * 8);
        std::inplace_merge(candidates.begin(), candidates.begin() + static_cast<long>(filled), candidates.end());
    }
    std::vector<std::uint64_t> piece;
    for (size_t f = 1; f < filters.size() && candidates.size() > 16; ++f) {
        if (piece.empty()) piece.resize(8 << 10);
        std::vector<bool> keep(candidates.size(), false);
        for (auto [at, count] : filters[f].lists) {
            size_t c = 0;
            for (std::uint32_t done = 0; done < count && c < candidates.size();) {
                auto n = std::min<std::uint32_t>(count - done, static_cast<std::uint32_t>(piece.size()));
                in.read(at + std::uint64_t{done} * 8, piece.data(), std::size_t{n} * 8);
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
    return candidates;
}

/// Reads the rows at `offsets` (ascending). Rows lying near each other are read in one piece
/// of up to 256 KiB: a filter that keeps every twelfth row of a cube would otherwise cost a
/// system call a row (a few hundred for one question). A row far from the others is read
/// alone: its length and, mostly, all of it.
void read_rows_at(companion_file& in, const std::vector<std::uint64_t>& offsets, std::uint64_t rows_end, row_collector& rows) {
    constexpr std::uint64_t near = 16 << 10, piece_limit = 256 << 10, row_guess = 512;
    read_buffer piece_buffer;
    std::vector<char> record;
    rows.reserve(offsets.size());
    for (size_t i = 0; i < offsets.size();) {
        auto start = offsets[i];
        if (start < sizeof binary_magic || start + 4 > rows_end) throw companion_damage{"a row offset lies outside the rows"};
        size_t j = i + 1;
        while (j < offsets.size() && offsets[j] >= offsets[j - 1] && offsets[j] - offsets[j - 1] <= near &&
               offsets[j] + row_guess - start <= piece_limit && offsets[j] + 4 <= rows_end)
            ++j;
        auto end = std::min(offsets[j - 1] + row_guess, rows_end);
        char* piece = piece_buffer.take(static_cast<size_t>(end - start));
        in.read(start, piece, static_cast<size_t>(end - start));
        for (; i < j; ++i) {
            auto at = offsets[i];
            const char* p = piece + (at - start);
            std::uint32_t length = 0;
            std::memcpy(&length, p, 4);
            if (length > rows_end - at - 4) throw companion_damage{"a row runs past the rows"};
            if (4 + std::uint64_t{length} <= end - at) {
                rows.take(p + 4, length);
                continue;
            }
            record.resize(4 + std::size_t{length});
            in.read(at, record.data(), record.size());
            rows.take(record.data() + 4, length);
        }
    }
}

/// Reads every row front to back through a fixed buffer: memory stays flat however many
/// rows the dump has.
void scan_rows(companion_file& in, std::int64_t row_count, std::uint64_t rows_end, row_collector& rows) {
    constexpr size_t chunk = 1 << 20;
    std::vector<char> buffer;
    size_t begin = 0, end = 0;
    std::uint64_t position = sizeof binary_magic;  // of buffer[end]
    auto next = [&](size_t n) -> const char* {
        if (end - begin < n) {
            if (end > begin) std::memmove(buffer.data(), buffer.data() + begin, end - begin);  // never from null
            end -= begin;
            begin = 0;
            auto want = std::max(n - end, static_cast<size_t>(std::min<std::uint64_t>(chunk, rows_end - position)));
            if (want > rows_end - position) throw companion_damage{"a row runs past the rows"};
            buffer.resize(std::max(buffer.size(), end + want));
            in.read(position, buffer.data() + end, want);
            end += want;
            position += want;
        }
        const char* p = buffer.data() + begin;
        begin += n;
        return p;
    };
    std::uint64_t at = sizeof binary_magic;
    for (std::int64_t r = 0; r < row_count; ++r) {
        std::uint32_t length = 0;
        std::memcpy(&length, next(4), 4);
        rows.take(next(length), length);
        at += 4 + std::uint64_t{length};
    }
    if (at != rows_end) throw companion_damage{"the rows do not end where the index starts"};
}

/// The companion's rows matching `filters`, or nullopt when it belongs to another JSON file
/// or its columns differ from the filters'.
std::optional<dump> read_companion(companion_file& in, const std::string& json_path, const file_stamp& json_stamp,
                                   const std::vector<std::pair<std::string, value>>& filters) {
    auto header = read_header(in, json_path);
    if (!(header.json == json_stamp)) return std::nullopt;  // written with another JSON file: not damage
    dump& d = header.meta;
    std::vector<std::pair<int, const value*>> tests;
    for (auto& [column, wanted] : filters) {
        int i = d.data.index_of(column);
        if (i < 0) return std::nullopt;  // the JSON path reports the mismatch
        tests.emplace_back(i, &wanted);
    }
    auto dir = read_directory(in, header);
    row_collector rows(d.data, tests);
    auto indexed = indexed_filters(dir, tests);
    if (indexed.empty()) scan_rows(in, d.row_count, dir.rows_end, rows);
    else read_rows_at(in, candidate_rows(in, std::move(indexed)), dir.rows_end, rows);
    rows.finish();
    return std::move(d);
}

}  // namespace

std::string dump_damage(const std::string& json_path, const query_def& q) {
    struct stat st {};
    if (::lstat(json_path.c_str(), &st) != 0) return {};  // missing: reported as such
    if (!S_ISREG(st.st_mode)) return fmt::format("'{}' is not a regular file", json_path);
    dump d;
    try {
        d = read_dump(json_path);
    } catch (const error& e) {
        return e.what();
    }
    if (d.query_name != q.name || d.category != q.category)
        return fmt::format("'{}' is the dump of {}/{}, not of {}", json_path, d.category, d.query_name, q.id());
    // A companion missing, or of another JSON file (a copy that did not keep times), is a
    // cache not used, not damage: bi-ask reads the JSON.
    auto companion = binary_dump_path(json_path);
    if (::lstat(companion.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return fmt::format("'{}' is not a regular file", companion);  // a link to another's, a FIFO
    std::string damage;
    read_binary_dump(json_path, {}, &damage);
    return damage;
}

std::optional<dump> read_binary_dump(const std::string& json_path,
                                     const std::vector<std::pair<std::string, value>>& filters, std::string* damage) {
    auto json_stamp = stamp_of(json_path);
    if (!json_stamp) return std::nullopt;
    auto path = binary_dump_path(json_path);
    try {
        auto in = companion_file::open(path);
        if (!in) return std::nullopt;
        return read_companion(*in, json_path, *json_stamp, filters);
    } catch (const companion_damage& e) {
        if (damage) *damage = fmt::format("'{}' is damaged: {}", path, e.what);
        return std::nullopt;
    } catch (const std::bad_alloc&) {
        if (damage) *damage = fmt::format("'{}' is damaged: it names more than memory holds", path);
        return std::nullopt;
    }
}

}  // namespace bi
