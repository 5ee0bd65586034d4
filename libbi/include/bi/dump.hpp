// Dumps: one JSON file per catalog query holding its rows, metadata and a Chart.js config.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bi/catalog.hpp"
#include "bi/database.hpp"
#include "bi/files.hpp"
#include "bi/table.hpp"

namespace bi {

/// What a dump says about where its rows came from.
struct dump_source {
    std::string database;     ///< path of the database
    std::string fingerprint;  ///< database_fingerprint() when the dump was made
    std::string sql_sha256;   ///< SHA-256 of the SQL that ran
};

/// A dump read back from disk.
struct dump {
    std::string path;
    std::string query_name;
    std::string category;
    std::string title;
    std::string generated_at;   ///< UTC, ISO 8601
    double duration_ms = 0;
    std::int64_t row_count = 0;
    std::string schedule;       ///< daily, weekly, monthly; empty for ad-hoc SQL
    dump_source source;
    table data;
    std::string chart_config;   ///< the Chart.js config as JSON text
    std::string note;           ///< set by a reader that could not read it as written (a damaged companion)
};

struct dump_stats {
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    std::chrono::microseconds elapsed{0};
};

/// Where the dump of `q` lives: <dumps_dir>/<category>/<name>.json.
std::string dump_path(const std::string& dumps_dir, const query_def& q);

/// Runs `q` under the guard and writes its dump to `out` ("-" for stdout), atomically.
/// Checks that the columns the header names are in the result (parse_error naming the file).
/// The dump ends with a "checksum" member: XXH3-64 of every byte before its comma.
/// replace_mode::entry for the dumps dir, where a link or FIFO at the path is replaced.
dump_stats write_dump(database& db, const query_def& q, const std::string& out,
                      replace_mode mode = replace_mode::follow);

/// Runs ad-hoc SQL under the guard and writes a dump of it; rows stream straight to `out`.
dump_stats write_sql_dump(database& db, std::string_view sql, const std::string& out);

/// Reads a dump; throws parse_error naming the file when it is not a valid dump or does not
/// match its checksum.
dump read_dump(const std::string& path);

/// Where the binary companion of the dump at `json_path` lives: the same name with `.bin`.
/// bi-dump writes it beside every catalog dump (typed rows, then the header), tied to the
/// JSON file written with it; the JSON stays the published format.
std::string binary_dump_path(const std::string& json_path);

/// Reads a dump from its binary companion, streaming, and keeps only the rows whose cells
/// match every (column, value) filter as the answer's filters would. Each block read is
/// checked against its checksum. nullopt when there is no companion, it does not belong to
/// the JSON file now at `json_path`, or it is damaged; then `damage`, if given, says why
/// (left empty when the companion is merely missing or of another JSON file).
std::optional<dump> read_binary_dump(const std::string& json_path,
                                     const std::vector<std::pair<std::string, value>>& filters = {},
                                     std::string* damage = nullptr);
/// What is wrong with the dump of `q` at `json_path` and its companion, read whole and
/// checked against their checksums: empty when both are sound, or when there is no dump.
/// A companion missing, or written with another JSON file, is not damage (the JSON is read).
std::string dump_damage(const std::string& json_path, const query_def& q);

/// Parses dump text (exposed for tests and fuzzing).
dump parse_dump(std::string_view text, const std::string& path);

/// The current time as UTC ISO 8601 (`BI_NOW` overrides it, for tests).
std::string utc_now_iso8601();

}  // namespace bi
