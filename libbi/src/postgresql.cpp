// The read-only guard for PostgreSQL: bi::database over libpq, for `database =
// postgresql://…`. Statements come from the catalog, from users and from an LLM, so nothing a
// statement says may change anything or reach outside the database. The layers:
//   1. the role: bi should connect as a least-privilege role (SELECT on the BI schema only,
//      default_transaction_read_only = on; docs/postgresql.md); a superuser gets a warning;
//   2. the session: statement_timeout, lock_timeout and idle_in_transaction_session_timeout
//      set by bi when it connects, ISO dates, UTC;
//   3. the text: bounded, no NUL, exactly one statement whose leading verb is a read
//      (SELECT, VALUES, TABLE, WITH, EXPLAIN without ANALYZE); no word that writes (INSERT,
//      UPDATE, DELETE, MERGE, COPY, SELECT INTO, FOR UPDATE/SHARE) and no call of a function
//      that reaches outside the database or the guard (files, large objects, dblink, settings,
//      advisory locks, sleeping, signalling backends, SQL given as text);
//   4. the transaction: every statement runs alone in a READ ONLY transaction that is always
//      rolled back — a function that writes fails there, whatever it is called;
//   5. the protocol: the extended query protocol (one statement, never a script), results
//      streamed row by row (single-row mode), bounded in rows and bytes.
// libpq is loaded when the first PostgreSQL database is opened (dlopen): the tools start as
// fast as before for SQLite users, and a machine without libpq only lacks this backend.
#include <libpq-fe.h>

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "bi/database.hpp"
#include "bi/error.hpp"
#include "bi/hash.hpp"

namespace bi {
namespace {

using steady_clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// libpq, loaded on first use.

struct libpq_api {
#define BI_PQ(name) decltype(&::name) name = nullptr;
    BI_PQ(PQconnectdbParams)
    BI_PQ(PQconninfoParse)
    BI_PQ(PQconninfoFree)
    BI_PQ(PQstatus)
    BI_PQ(PQerrorMessage)
    BI_PQ(PQfinish)
    BI_PQ(PQexec)
    BI_PQ(PQresultStatus)
    BI_PQ(PQresultErrorField)
    BI_PQ(PQresultErrorMessage)
    BI_PQ(PQclear)
    BI_PQ(PQsendQueryParams)
    BI_PQ(PQsetSingleRowMode)
    BI_PQ(PQgetResult)
    BI_PQ(PQntuples)
    BI_PQ(PQnfields)
    BI_PQ(PQfname)
    BI_PQ(PQftype)
    BI_PQ(PQgetvalue)
    BI_PQ(PQgetlength)
    BI_PQ(PQgetisnull)
    BI_PQ(PQgetCancel)
    BI_PQ(PQcancel)
    BI_PQ(PQfreeCancel)
    BI_PQ(PQparameterStatus)
    BI_PQ(PQuser)
    BI_PQ(PQdb)
    BI_PQ(PQprepare)
    BI_PQ(PQdescribePrepared)
#undef BI_PQ
};

const libpq_api& libpq() {
    static libpq_api api;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
        void* lib = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            failure = fmt::format("PostgreSQL needs libpq (Debian: apt-get install libpq5): {}", ::dlerror());
            return;
        }
#define BI_PQ_LOAD(name)                                                                  \
    api.name = reinterpret_cast<decltype(api.name)>(::dlsym(lib, #name));                \
    if (!api.name) failure = "libpq.so.5 has no " #name " (libpq 10 or later is needed)";
        BI_PQ_LOAD(PQconnectdbParams) BI_PQ_LOAD(PQconninfoParse) BI_PQ_LOAD(PQconninfoFree)
        BI_PQ_LOAD(PQstatus) BI_PQ_LOAD(PQerrorMessage) BI_PQ_LOAD(PQfinish) BI_PQ_LOAD(PQexec)
        BI_PQ_LOAD(PQresultStatus) BI_PQ_LOAD(PQresultErrorField) BI_PQ_LOAD(PQresultErrorMessage)
        BI_PQ_LOAD(PQclear) BI_PQ_LOAD(PQsendQueryParams) BI_PQ_LOAD(PQsetSingleRowMode)
        BI_PQ_LOAD(PQgetResult) BI_PQ_LOAD(PQntuples) BI_PQ_LOAD(PQnfields) BI_PQ_LOAD(PQfname)
        BI_PQ_LOAD(PQftype) BI_PQ_LOAD(PQgetvalue) BI_PQ_LOAD(PQgetlength) BI_PQ_LOAD(PQgetisnull)
        BI_PQ_LOAD(PQgetCancel) BI_PQ_LOAD(PQcancel) BI_PQ_LOAD(PQfreeCancel)
        BI_PQ_LOAD(PQparameterStatus) BI_PQ_LOAD(PQuser) BI_PQ_LOAD(PQdb)
        BI_PQ_LOAD(PQprepare) BI_PQ_LOAD(PQdescribePrepared)
#undef BI_PQ_LOAD
    });
    if (!failure.empty()) throw unreachable_error(failure);
    return api;
}

/// The first line of a libpq message, without "ERROR:  " and the trailing newline.
std::string first_line(const char* message) {
    std::string_view m = message ? message : "";
    m = m.substr(0, m.find('\n'));
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  "})
        if (m.starts_with(prefix)) m.remove_prefix(prefix.size());
    return std::string(m.empty() ? "unknown error" : m);
}

// ---------------------------------------------------------------------------------------------
// The text. A lexer for PostgreSQL's syntax — comments nest, strings may be E'…' with
// backslashes, $tag$…$tag$ quotes anything — so that words inside strings and comments are
// never read as SQL, and words outside them always are.

struct token {
    enum kind_t { word, quoted, string, punct } kind;
    std::string text;  // words lower-cased; quoted names as written, without quotes
};

bool word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool word_char(char c) { return word_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// The tokens of `s`; throws refused_error for text that does not end where it should
/// (an unterminated string, quote or comment hides the rest from any reading).
std::vector<token> tokenize(std::string_view s) {
    std::vector<token> out;
    size_t i = 0;
    auto unterminated = [](const char* what) { return refused_error(fmt::format("unterminated {}", what)); };
    while (i < s.size()) {
        char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (s.compare(i, 2, "--") == 0) {
            auto end = s.find('\n', i);
            i = end == std::string_view::npos ? s.size() : end + 1;
        } else if (s.compare(i, 2, "/*") == 0) {
            int depth = 0;
            size_t j = i;
            do {
                if (j + 1 >= s.size()) throw unterminated("comment");
                if (s.compare(j, 2, "/*") == 0) { ++depth; j += 2; }
                else if (s.compare(j, 2, "*/") == 0) { --depth; j += 2; }
                else ++j;
            } while (depth > 0);
            i = j;
        } else if (c == '\'' || ((c == 'e' || c == 'E' || c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') &&
                                 i + 1 < s.size() && s[i + 1] == '\'' && (i == 0 || !word_char(s[i - 1])))) {
            bool backslashes = c == 'e' || c == 'E';
            size_t j = s[i] == '\'' ? i + 1 : i + 2;
            std::string text;
            for (;; ++j) {
                if (j >= s.size()) throw unterminated("string");
                if (backslashes && s[j] == '\\' && j + 1 < s.size()) { text += s[++j]; continue; }
                if (s[j] == '\'') {
                    if (j + 1 < s.size() && s[j + 1] == '\'') { text += '\''; ++j; continue; }
                    break;
                }
                text += s[j];
            }
            out.push_back({token::string, text});
            i = j + 1;
        } else if (c == '"' || ((c == 'u' || c == 'U') && s.compare(i + 1, 2, "&\"") == 0)) {
            size_t j = c == '"' ? i + 1 : i + 3;
            std::string text;
            for (;; ++j) {
                if (j >= s.size()) throw unterminated("quoted name");
                if (s[j] == '"') {
                    if (j + 1 < s.size() && s[j + 1] == '"') { text += '"'; ++j; continue; }
                    break;
                }
                text += s[j];
            }
            out.push_back({token::quoted, text});
            i = j + 1;
        } else if (c == '$' && i + 1 < s.size() && (s[i + 1] == '$' || word_start(s[i + 1]))) {
            // $tag$ … $tag$ (a dollar quote), where `$1` would be a parameter
            size_t j = i + 1;
            while (j < s.size() && s[j] != '$' && word_char(s[j])) ++j;
            if (j >= s.size() || s[j] != '$') {
                out.push_back({token::punct, "$"});
                ++i;
                continue;
            }
            auto tag = s.substr(i, j - i + 1);
            auto end = s.find(tag, j + 1);
            if (end == std::string_view::npos) throw unterminated("dollar-quoted string");
            out.push_back({token::string, std::string(s.substr(j + 1, end - j - 1))});
            i = end + tag.size();
        } else if (word_start(c)) {
            size_t j = i;
            while (j < s.size() && word_char(s[j])) ++j;
            out.push_back({token::word, lower(s.substr(i, j - i))});
            i = j;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '_')) ++j;
            out.push_back({token::punct, std::string(s.substr(i, j - i))});
            i = j;
        } else {
            out.push_back({token::punct, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

// Functions that reach outside the database or the guard, by name or by prefix.
constexpr std::array denied_prefixes{
    "pg_read_", "pg_ls_", "pg_stat_file", "pg_file_", "lo_", "dblink", "pg_advisory_", "pg_try_advisory_",
    "pg_sleep", "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile",
    "pg_promote", "pg_switch_wal", "pg_create_", "pg_drop_", "pg_replication_", "pg_logical_",
    "pg_stat_reset", "pg_backup_", "pg_start_backup", "pg_stop_backup", "pg_wal_replay_", "pg_notify",
    "pg_export_snapshot", "pg_import_system_collations", "pg_log_backend_memory_contexts",
    "set_config", "query_to_xml", "cursor_to_xml", "table_to_xml", "schema_to_xml", "database_to_xml",
    "query_to_xmlschema", "ts_stat", "txid_current", "pg_current_xact_id", "nextval", "setval",
    "postgres_fdw", "pg_catalog.set_config",
};

// Words that write, lock or leave the statement, wherever they stand.
struct denied_word {
    const char* word;
    const char* rule;
};
constexpr std::array denied_words{
    denied_word{"insert", "writes are not allowed (INSERT)"},
    denied_word{"update", "writes and row locks are not allowed (UPDATE)"},
    denied_word{"delete", "writes are not allowed (DELETE)"},
    denied_word{"merge", "writes are not allowed (MERGE)"},
    denied_word{"truncate", "writes are not allowed (TRUNCATE)"},
    denied_word{"copy", "COPY is not allowed"},
    denied_word{"into", "SELECT INTO creates a table; it is not allowed"},
    denied_word{"call", "CALL is not allowed"},
    denied_word{"lock", "LOCK is not allowed"},
};

/// Refuses text that is not exactly one read; returns normally when the text may be sent.
void judge_text(std::string_view sql, const query_limits& limits) {
    if (sql.size() > static_cast<size_t>(limits.max_sql_length))
        throw refused_error(fmt::format("SQL text is longer than {} bytes", limits.max_sql_length));
    if (sql.find('\0') != std::string_view::npos) throw refused_error("SQL text contains a NUL byte");
    auto t = tokenize(sql);
    while (!t.empty() && t.back().kind == token::punct && t.back().text == ";") t.pop_back();
    if (t.empty()) throw refused_error("no SQL statement");
    for (auto& k : t)
        if (k.kind == token::punct && k.text == ";") throw refused_error("only one statement is allowed");
    size_t first = 0;
    while (first < t.size() && t[first].kind == token::punct && t[first].text == "(") ++first;
    auto verb = first < t.size() && t[first].kind == token::word ? t[first].text : std::string();
    if (verb == "explain") {
        for (size_t i = first + 1; i < t.size() && i < first + 12; ++i)
            if (t[i].kind == token::word && (t[i].text == "analyze" || t[i].text == "analyse"))
                throw refused_error("EXPLAIN ANALYZE runs the statement; use EXPLAIN");
    } else if (verb != "select" && verb != "with" && verb != "values" && verb != "table") {
        throw refused_error(verb.empty() ? "only SELECT, VALUES, TABLE, WITH and EXPLAIN statements are allowed"
                                         : fmt::format("only SELECT, VALUES, TABLE, WITH and EXPLAIN statements are "
                                                       "allowed, not {}", [&] {
                                                           auto v = verb;
                                                           for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                                                           return v;
                                                       }()));
    }
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i].kind != token::word && t[i].kind != token::quoted) continue;
        auto name = t[i].kind == token::quoted ? lower(t[i].text) : t[i].text;
        bool called = i + 1 < t.size() && t[i + 1].kind == token::punct && t[i + 1].text == "(";
        if (called)
            for (std::string_view p : denied_prefixes)
                if (name.starts_with(p)) throw refused_error(fmt::format("function '{}' is not allowed", name));
        if (t[i].kind != token::word) continue;
        for (auto& d : denied_words)
            if (name == d.word) throw refused_error(d.rule);
        // FOR SHARE / FOR KEY SHARE / FOR NO KEY UPDATE (UPDATE itself is denied above)
        if (name == "share" && i > 0 && t[i - 1].kind == token::word && (t[i - 1].text == "for" || t[i - 1].text == "key"))
            throw refused_error("row locks are not allowed (FOR SHARE)");
    }
}

// ---------------------------------------------------------------------------------------------
// Results.

// Type OIDs of pg_type.h, stable across versions.
enum : Oid { bool_oid = 16, int8_oid = 20, int2_oid = 21, int4_oid = 23, oid_oid = 26, float4_oid = 700,
             float8_oid = 701, numeric_oid = 1700, bytea_oid = 17 };

column_type type_of(Oid t) {
    switch (t) {
    case bool_oid: case int8_oid: case int2_oid: case int4_oid: case oid_oid: return column_type::integer;
    case float4_oid: case float8_oid: case numeric_oid: return column_type::real;
    case bytea_oid: return column_type::blob;
    default: return column_type::text;
    }
}

const char* decl_type_of(Oid t) {
    switch (type_of(t)) {
    case column_type::integer: return "INTEGER";
    case column_type::real: return "REAL";
    case column_type::blob: return "BLOB";
    default: return "TEXT";
    }
}

struct result_closer {
    void operator()(PGresult* r) const { libpq().PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_closer>;

/// One row of a single-row-mode result, typed on demand.
class pg_row final : public row_view {
public:
    pg_row(const PGresult* r, const std::vector<column_type>& types) : r_(r), types_(types) {}
    int size() const override { return static_cast<int>(types_.size()); }
    column_type type(int i) const override {
        if (libpq().PQgetisnull(r_, 0, i)) return column_type::null;
        // SUM of integers is numeric in PostgreSQL, an integer in SQLite: a whole numeric value
        // (no point, no exponent, 18 digits at most) reads as the integer SQLite gives
        if (libpq().PQftype(r_, i) == numeric_oid) {
            auto s = raw(i);
            auto digits = s.substr(!s.empty() && s[0] == '-' ? 1 : 0);
            if (!digits.empty() && digits.size() <= 18 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return column_type::integer;
        }
        return types_[static_cast<size_t>(i)];
    }
    std::int64_t integer(int i) const override {
        auto s = raw(i);
        if (s == "t") return 1;
        if (s == "f") return 0;
        std::int64_t v = 0;
        std::from_chars(s.data(), s.data() + s.size(), v);
        return v;
    }
    double real(int i) const override {
        auto s = raw(i);
        if (s == "NaN") return std::nan("");
        if (s == "Infinity") return HUGE_VAL;
        if (s == "-Infinity") return -HUGE_VAL;
        double v = 0;
        std::from_chars(s.data(), s.data() + s.size(), v);
        return v;
    }
    std::string_view text(int i) const override { return raw(i); }

private:
    std::string_view raw(int i) const {
        return {libpq().PQgetvalue(r_, 0, i), static_cast<size_t>(libpq().PQgetlength(r_, 0, i))};
    }
    const PGresult* r_;
    const std::vector<column_type>& types_;
};

// ---------------------------------------------------------------------------------------------
// The connection.

/// The address without its password, for messages and dumps: a password never leaves libpq.
std::string redacted(const std::string& uri) {
    auto scheme = uri.find("://");
    std::string out = uri;
    if (scheme != std::string::npos) {
        auto start = scheme + 3;
        auto at = out.find('@', start);
        auto slash = out.find('/', start);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            auto colon = out.find(':', start);
            if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
        }
    }
    // password=… as a query parameter
    for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
        auto end = out.find('&', p);
        out.replace(p + 9, (end == std::string::npos ? out.size() : end) - (p + 9), "…");
    }
    return out;
}

class pg_database final : public database {
public:
    pg_database(const std::string& uri, const query_limits& limits);
    ~pg_database() override {
        if (conn_) libpq().PQfinish(conn_);
    }

    query_stats query(std::string_view sql, row_sink& sink) override;
    std::vector<column_info> check(std::string_view sql) override;
    std::vector<table_info> tables() override;
    const std::string& path() const override { return shown_; }
    std::string dialect() const override { return "postgresql"; }
    std::string fingerprint() override;

private:
    /// Runs our own statement (never a user's) and returns its result; throws on failure.
    result_ptr run_own(const char* sql);
    /// Stops whatever the connection is doing and rolls back, so it can be used again.
    void reset() noexcept;
    [[noreturn]] void fail(const PGresult* r);

    std::string shown_;
    query_limits limits_;
    PGconn* conn_ = nullptr;
    bool in_transaction_ = false;
};

pg_database::pg_database(const std::string& uri, const query_limits& limits) : shown_(redacted(uri)), limits_(limits) {
    auto& pq = libpq();
    // The address as libpq reads it: a URI, or `service=`/`host=` words. A connect_timeout the
    // user gave (there or in PGCONNECT_TIMEOUT) wins over bi's default.
    char* parse_error = nullptr;
    PQconninfoOption* given = pq.PQconninfoParse(uri.c_str(), &parse_error);
    if (!given) {
        std::string why = first_line(parse_error);
        std::free(parse_error);
        throw usage_error(fmt::format("'{}': not a PostgreSQL address: {}", shown_, why));
    }
    bool has_timeout = std::getenv("PGCONNECT_TIMEOUT") != nullptr;
    for (auto* o = given; o->keyword; ++o)
        if (std::strcmp(o->keyword, "connect_timeout") == 0 && o->val && *o->val) has_timeout = true;
    pq.PQconninfoFree(given);
    auto timeout = std::to_string(std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(limits.time_budget).count()));
    std::vector<const char*> keys{"dbname", "application_name"}, values{uri.c_str(), "bi"};
    if (!has_timeout) {
        keys.push_back("connect_timeout");
        values.push_back(timeout.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = pq.PQconnectdbParams(keys.data(), values.data(), 1);
    // A constructor that throws runs no destructor: the connection is closed here instead.
    struct close_on_throw {
        PGconn*& conn;
        bool armed = true;
        ~close_on_throw() {
            if (armed && conn) libpq().PQfinish(conn);
            if (armed) conn = nullptr;
        }
    } closer{conn_};
    if (!conn_ || pq.PQstatus(conn_) != CONNECTION_OK)
        throw unreachable_error(fmt::format("'{}': {}", shown_, first_line(conn_ ? pq.PQerrorMessage(conn_) : "out of memory")));
    auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    auto settings = fmt::format(
        "SET statement_timeout = {}; SET lock_timeout = {}; SET idle_in_transaction_session_timeout = {};"
        "SET default_transaction_read_only = on; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC';"
        "SET extra_float_digits = 1; SET client_encoding = 'UTF8'",
        ms(limits.time_budget), ms(limits.busy_timeout), ms(limits.time_budget) * 2);
    run_own(settings.c_str());
    if (const char* su = pq.PQparameterStatus(conn_, "is_superuser"); su && std::strcmp(su, "on") == 0) {
        static std::once_flag warned;
        std::call_once(warned, [&] {
            std::fprintf(stderr,
                         "bi: warning: connected to PostgreSQL as superuser '%s'; connect as a read-only role "
                         "(docs/postgresql.md)\n",
                         pq.PQuser(conn_));
        });
    }
    closer.armed = false;
}

result_ptr pg_database::run_own(const char* sql) {
    auto& pq = libpq();
    result_ptr r(pq.PQexec(conn_, sql));
    auto st = r ? pq.PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(r.get());
    return r;
}

void pg_database::reset() noexcept {
    auto& pq = libpq();
    if (PGcancel* c = pq.PQgetCancel(conn_)) {
        std::array<char, 256> err{};
        pq.PQcancel(c, err.data(), static_cast<int>(err.size()));
        pq.PQfreeCancel(c);
    }
    while (PGresult* r = pq.PQgetResult(conn_)) pq.PQclear(r);
    if (in_transaction_ && pq.PQstatus(conn_) == CONNECTION_OK) {
        if (PGresult* r = pq.PQexec(conn_, "ROLLBACK")) pq.PQclear(r);
    }
    in_transaction_ = false;
}

void pg_database::fail(const PGresult* r) {
    auto& pq = libpq();
    if (pq.PQstatus(conn_) != CONNECTION_OK)
        throw error(fmt::format("'{}': connection to the server was lost: {}", shown_, first_line(pq.PQerrorMessage(conn_))));
    std::string state = r ? (pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) ? pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) : "") : "";
    std::string message = first_line(r ? pq.PQresultErrorMessage(r) : pq.PQerrorMessage(conn_));
    // 25006 read_only_sql_transaction, 42501 insufficient_privilege, 0A000 feature_not_supported
    // (a write inside a read-only statement): what the server refused is a refusal.
    if (state == "25006" || state == "42501" || state == "25001") throw refused_error(message);
    if (state == "57014") throw error(fmt::format("query exceeded its time budget of {} ms", limits_.time_budget.count()));
    if (state == "55P03")
        throw unreachable_error(fmt::format("'{}': a lock was not granted within {} ms", shown_, limits_.busy_timeout.count()));
    if (state.starts_with("08") || state.starts_with("57P")) throw error(fmt::format("'{}': {}", shown_, message));
    if (state == "53200") throw error("query exceeded the server's memory");
    throw error("SQL error: " + message);
}

query_stats pg_database::query(std::string_view sql, row_sink& sink) {
    auto& pq = libpq();
    auto start = steady_clock::now();
    judge_text(sql, limits_);
    std::string text(sql);
    struct cleanup {
        pg_database& db;
        bool armed = true;
        ~cleanup() {
            if (armed) db.reset();
        }
    } on_exit{*this};
    // REPEATABLE READ: a query sees one snapshot; READ ONLY cannot be undone by the statement
    // (SET TRANSACTION READ WRITE after the first query is an error, and SET is refused anyway).
    run_own("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    in_transaction_ = true;
    if (!pq.PQsendQueryParams(conn_, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)) fail(nullptr);
    if (!pq.PQsetSingleRowMode(conn_)) fail(nullptr);
    query_stats stats;
    auto deadline = start + limits_.time_budget;
    std::vector<column_type> types;
    bool begun = false;
    auto begin = [&](const PGresult* r) {
        std::vector<column_info> columns;
        int n = pq.PQnfields(r);
        for (int i = 0; i < n; ++i) {
            columns.push_back({pq.PQfname(r, i), decl_type_of(pq.PQftype(r, i))});
            types.push_back(type_of(pq.PQftype(r, i)));
        }
        sink.begin(columns);
        begun = true;
    };
    for (;;) {
        result_ptr r(pq.PQgetResult(conn_));
        if (!r) break;
        auto st = pq.PQresultStatus(r.get());
        if (st == PGRES_SINGLE_TUPLE) {
            if (!begun) begin(r.get());
            if (++stats.rows > limits_.max_rows) throw error(fmt::format("query result exceeds {} rows", limits_.max_rows));
            for (int i = 0; i < static_cast<int>(types.size()); ++i)
                stats.bytes += types[static_cast<size_t>(i)] == column_type::text || types[static_cast<size_t>(i)] == column_type::blob
                                   ? pq.PQgetlength(r.get(), 0, i)
                                   : 8;
            if (stats.bytes > limits_.max_bytes) throw error(fmt::format("query result exceeds {} bytes", limits_.max_bytes));
            sink.row(pg_row(r.get(), types));
            // statement_timeout counts the server's time, and a server blocked sending rows to a
            // slow reader may not act on it: the client holds the same deadline over every row.
            if (steady_clock::now() > deadline)
                throw error(fmt::format("query exceeded its time budget of {} ms", limits_.time_budget.count()));
        } else if (st == PGRES_TUPLES_OK) {
            if (!begun) begin(r.get());
        } else if (st == PGRES_COMMAND_OK) {
            throw refused_error("the statement returned no rows (not a query)");
        } else {
            fail(r.get());
        }
    }
    run_own("ROLLBACK");
    in_transaction_ = false;
    on_exit.armed = false;
    stats.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - start);
    return stats;
}

std::vector<column_info> pg_database::check(std::string_view sql) {
    // Parsed, analysed and planned by the server as an unnamed prepared statement, never run.
    auto& pq = libpq();
    judge_text(sql, limits_);
    std::string text(sql);
    struct cleanup {
        pg_database& db;
        ~cleanup() { db.reset(); }
    } on_exit{*this};
    run_own("BEGIN READ ONLY");
    in_transaction_ = true;
    result_ptr prepared(pq.PQprepare(conn_, "", text.c_str(), 0, nullptr));
    if (!prepared || pq.PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) fail(prepared.get());
    result_ptr described(pq.PQdescribePrepared(conn_, ""));
    if (!described || pq.PQresultStatus(described.get()) != PGRES_COMMAND_OK) fail(described.get());
    std::vector<column_info> columns;
    for (int i = 0; i < pq.PQnfields(described.get()); ++i)
        columns.push_back({pq.PQfname(described.get(), i), decl_type_of(pq.PQftype(described.get(), i))});
    return columns;
}

std::vector<table_info> pg_database::tables() {
    auto result = query_all(*this,
                            "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable\n"
                            "FROM information_schema.columns AS c\n"
                            "WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')\n"
                            "  AND c.table_schema = ANY (current_schemas(false))\n"
                            "ORDER BY c.table_name, c.ordinal_position");
    std::vector<table_info> out;
    auto text = [](const value& v) { return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string(); };
    for (auto& row : result.rows) {
        auto table = text(row.at(0)), column = text(row.at(1)), type = text(row.at(2));
        if (out.empty() || out.back().name != table) out.push_back({table, "", {}});
        out.back().columns.push_back({column, type});
        auto& ddl = out.back().ddl;
        ddl += fmt::format("{}{} {}{}", ddl.empty() ? "" : ", ", column, type, text(row.at(3)) == "NO" ? " NOT NULL" : "");
    }
    for (auto& t : out) t.ddl = fmt::format("CREATE TABLE {} ({})", t.name, t.ddl);
    return out;
}

std::string pg_database::fingerprint() {
    // The server's own change counters for the tables bi can see: rows inserted, updated and
    // deleted since the statistics began, live rows (TRUNCATE), and the tables' storage
    // (a table replaced). The statistics reach these views within a second or so of a commit.
    auto& pq = libpq();
    auto r = run_own(
        "SELECT current_database(), count(*), coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0),"
        " coalesce(sum(n_tup_del), 0), coalesce(sum(n_live_tup), 0),"
        " coalesce(string_agg(relid::text || '.' || pg_relation_filenode(relid)::text, ',' ORDER BY relid), '')\n"
        "FROM pg_stat_user_tables");
    std::string material = "postgresql";
    for (int i = 0; i < pq.PQnfields(r.get()) && pq.PQntuples(r.get()) == 1; ++i)
        (material += ":") += pq.PQgetvalue(r.get(), 0, i);
    return sha256_hex(material).substr(0, 16);
}

}  // namespace

bool is_server_database(std::string_view address) {
    return address.starts_with("postgresql://") || address.starts_with("postgres://");
}

std::unique_ptr<database> open_postgresql(const std::string& uri, const query_limits& limits) {
    return std::make_unique<pg_database>(uri, limits);
}

}  // namespace bi
