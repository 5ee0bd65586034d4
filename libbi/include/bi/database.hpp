// The one interface to a database: guarded, read-only, bounded. SQLite is the embedded
// backend (guard.cpp); PostgreSQL, for `postgresql://…` addresses, the server one
// (postgresql.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bi/value.hpp"

namespace bi {

enum class column_type { null, integer, real, text, blob };

/// A result column: its name and the declared type of the table column behind it, if any.
struct column_info {
    std::string name;
    std::string decl_type;   ///< e.g. "INTEGER", "TEXT"; empty for expressions
};

/// One row of a running query; valid only during row_sink::row.
class row_view {
public:
    virtual ~row_view() = default;
    virtual int size() const = 0;
    virtual column_type type(int i) const = 0;
    virtual std::int64_t integer(int i) const = 0;
    virtual double real(int i) const = 0;
    /// Text of a TEXT column, or the bytes of a BLOB.
    virtual std::string_view text(int i) const = 0;
    /// The cell as an owned value (slower than the typed accessors).
    value get(int i) const;
};

/// Receives a query's result as it streams: the columns once, then each row.
class row_sink {
public:
    virtual ~row_sink() = default;
    virtual void begin(const std::vector<column_info>& columns) = 0;
    virtual void row(const row_view& row) = 0;
};

/// Bounds on every statement the guard runs.
struct query_limits {
    std::chrono::milliseconds time_budget{10'000};   ///< wall time per statement
    std::chrono::milliseconds busy_timeout{5'000};   ///< wait for a writer's lock
    std::int64_t max_rows = 20'000'000;              ///< rows a result may have
    std::int64_t max_bytes = std::int64_t{2} << 30;  ///< bytes of cell data a result may have
    std::int64_t heap_limit = std::int64_t{1} << 30; ///< SQLite's hard heap limit
    int max_sql_length = 100'000;                    ///< bytes of SQL text
    std::int64_t answer_max_rows = 10'000;           ///< rows an answer from ad-hoc SQL may hold
    std::int64_t answer_max_bytes = std::int64_t{64} << 20;  ///< bytes of cells such an answer may hold
};

struct query_stats {
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    std::chrono::microseconds elapsed{0};
};

/// A table as the schema declares it, for the fallback's prompt and for checks.
struct table_info {
    std::string name;
    std::string ddl;
    std::vector<column_info> columns;  ///< decl_type as the engine names it ("TEXT", "character varying")
};

/// A read-only connection. Every statement goes through the guard: one statement,
/// read-only, authorised action by action, bounded in time, rows, bytes and memory.
class database {
public:
    virtual ~database() = default;
    /// Runs one statement and streams its rows into `sink`; throws refused_error or error.
    virtual query_stats query(std::string_view sql, row_sink& sink) = 0;
    /// Prepares `sql` under the guard without running it and returns its columns.
    virtual std::vector<column_info> check(std::string_view sql) = 0;
    /// The tables (not internal ones) with their DDL.
    virtual std::vector<table_info> tables() = 0;
    /// The path or address this connection was opened from (a password never shown).
    virtual const std::string& path() const = 0;
    /// The SQL dialect, for prompts and the catalog's variants: "sqlite", "postgresql".
    virtual std::string dialect() const = 0;
    /// A short hex fingerprint of the content version: it changes when the data does.
    virtual std::string fingerprint() = 0;
};

/// True for an address of a database server (`postgresql://…`, `postgres://…`) rather than
/// a file. libpq reads the rest: host, port, `?service=`, `?sslmode=`, PG* variables, ~/.pgpass.
bool is_server_database(std::string_view address);

/// Opens `path` read-only under the guard: a SQLite file, or a PostgreSQL server by URI.
/// Throws unreachable_error when it cannot, usage_error for an address that is not one.
std::unique_ptr<database> open_database(const std::string& path, const query_limits& limits = {});

/// A short hex fingerprint of the database's content version. For a file, read without
/// opening it as a database, from its content only: a copy has the same fingerprint, a
/// committed write changes it (sqlite_file_fingerprint in freshness.hpp); for a server, the
/// server's change counters (a connection). "" when missing or unreachable.
std::string database_fingerprint(const std::string& path, const query_limits& limits = {});

/// Runs `sql` and keeps every row; for small results (tests, live answers).
struct result_set {
    std::vector<column_info> columns;
    std::vector<std::vector<value>> rows;
};
result_set query_all(database& db, std::string_view sql);

/// Runs `sql` whose whole result becomes an answer (the fallback's SQL): keeps every row, but
/// stops with an error past `limits.answer_max_rows` rows or `answer_max_bytes` bytes of cells.
result_set query_answer(database& db, std::string_view sql, const query_limits& limits);

}  // namespace bi
