// The read-only guard: bi::database over SQLite, and the only place in libbi that prepares
// or runs SQL. Statements come from the catalog, from users and from an LLM, so nothing a
// statement says may change anything; the defence is in layers, each enough on its own for
// the common cases and together meant to leave no gap:
//   1. the connection: opened read-only, `PRAGMA query_only`, defensive mode, no extensions,
//      untrusted schema, tight sqlite3_limit caps, a hard heap limit, and its own versions of
//      the SQL functions whose single calls can run for seconds (sql_functions.cpp);
//   2. the text: bounded length, no NUL bytes, exactly one statement whose leading verb is a
//      read (SELECT, VALUES, WITH … SELECT, PRAGMA, EXPLAIN);
//   3. the authorizer: every action SQLite compiles is checked against an allow-list, and the
//      first denial becomes the refusal's message;
//   4. sqlite3_stmt_readonly() on the prepared statement;
//   5. while stepping: a time budget (progress handler), row and byte caps.
#include <sqlite3.h>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

#include "bi/database.hpp"
#include "bi/error.hpp"
#include "bi/freshness.hpp"
#include "backends.hpp"
#include "sql_functions.hpp"

namespace bi {
namespace {

using namespace std::string_view_literals;
using steady_clock = std::chrono::steady_clock;

// Bytes of one string, blob or row. It bounds memory bombs (zeroblob, printf widths) and, with
// the LIKE pattern cap, the time one function call can take: the time budget is checked only
// between VM steps. BI values are short; a column holding megabytes is not for a dump.
constexpr int max_value_length = 1 << 20;
constexpr int max_like_pattern_length = 200;

// ---------------------------------------------------------------------------------------------
// A small SQL lexer: enough to find statement boundaries, the leading verb and function calls.
// It never decides what is allowed on its own — the authorizer and stmt_readonly do — it only
// names the rule a statement broke and catches what SQLite compiles to nothing.

bool is_blank_char(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Skips whitespace and comments; an unterminated block comment runs to the end, as in SQLite.
std::size_t skip_blank(std::string_view s, std::size_t i) {
    while (i < s.size()) {
        if (is_blank_char(s[i])) {
            ++i;
        } else if (s.compare(i, 2, "--") == 0) {
            auto end = s.find('\n', i);
            i = end == std::string_view::npos ? s.size() : end + 1;
        } else if (s.compare(i, 2, "/*") == 0) {
            auto end = s.find("*/", i + 2);
            i = end == std::string_view::npos ? s.size() : end + 2;
        } else {
            break;
        }
    }
    return i;
}

/// True when `s` holds nothing but whitespace, comments and empty statements (`;`).
bool is_blank_sql(std::string_view s) {
    for (std::size_t i = skip_blank(s, 0); i < s.size(); i = skip_blank(s, i + 1))
        if (s[i] != ';') return false;
    return true;
}

struct token {
    enum kind_t { word, quoted, string, punct } kind;
    std::string_view text;  // for quoted names and strings: without the quotes
};

bool is_word_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

/// The tokens of the first statement in `sql` (up to a top-level `;`).
std::vector<token> tokenize(std::string_view s) {
    std::vector<token> out;
    for (std::size_t i = skip_blank(s, 0); i < s.size(); i = skip_blank(s, i)) {
        char c = s[i];
        if (c == ';') {
            if (!out.empty()) break;
            ++i;  // SQLite skips empty statements before the first one
            continue;
        }
        if (is_word_char(c)) {
            std::size_t j = i;
            while (j < s.size() && is_word_char(s[j])) ++j;
            out.push_back({token::word, s.substr(i, j - i)});
            i = j;
        } else if (c == '"' || c == '`' || c == '[' || c == '\'') {
            char close = c == '[' ? ']' : c;
            std::size_t j = i + 1;
            while (j < s.size()) {
                if (s[j] == close) {
                    if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
                        j += 2;  // doubled quote
                        continue;
                    }
                    break;
                }
                ++j;
            }
            out.push_back({c == '\'' ? token::string : token::quoted, s.substr(i + 1, j - i - 1)});
            i = std::min(j + 1, s.size());
        } else {
            out.push_back({token::punct, s.substr(i, 1)});
            ++i;
        }
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_keyword(const std::vector<token>& t, std::size_t i, std::string_view kw) {
    if (i >= t.size() || t[i].kind != token::word || t[i].text.size() != kw.size()) return false;
    return std::equal(kw.begin(), kw.end(), t[i].text.begin(), [](char a, char b) {
        return a == std::toupper(static_cast<unsigned char>(b));
    });
}

bool is_punct(const std::vector<token>& t, std::size_t i, char c) {
    return i < t.size() && t[i].kind == token::punct && t[i].text[0] == c;
}

/// A possibly schema-qualified object name starting at `i`, as written; advances `i`.
std::string object_name(const std::vector<token>& t, std::size_t& i) {
    std::string name;
    while (i < t.size() && t[i].kind != token::punct) {
        name += t[i].text;
        ++i;
        if (!is_punct(t, i, '.')) break;
        name += '.';
        ++i;
    }
    return name;
}

/// The statement's verb, upper-case: the first keyword after EXPLAIN [QUERY PLAN] and, for
/// WITH, the keyword that follows the common table expressions (`WITH x AS (…) DELETE …`).
struct statement_verb {
    std::string verb;
    std::size_t at = 0;  // index of the verb's token
};

statement_verb find_verb(const std::vector<token>& t) {
    std::size_t i = 0;
    if (is_keyword(t, i, "EXPLAIN")) {
        ++i;
        if (is_keyword(t, i, "QUERY") && is_keyword(t, i + 1, "PLAN")) i += 2;
    }
    if (is_keyword(t, i, "WITH")) {
        int depth = 0;
        for (std::size_t j = i + 1; j < t.size(); ++j) {
            if (is_punct(t, j, '(')) ++depth;
            else if (is_punct(t, j, ')')) --depth;
            else if (depth == 0 && t[j].kind == token::word) {
                for (auto kw : {"SELECT"sv, "VALUES"sv, "INSERT"sv, "UPDATE"sv, "DELETE"sv, "REPLACE"sv})
                    if (is_keyword(t, j, kw)) return {std::string(kw), j};
            }
        }
        return {"WITH", i};
    }
    if (i < t.size() && t[i].kind == token::word) return {upper(t[i].text), i};
    return {"", i};
}

/// What a statement's verb says about it: a read, a refusal (with its rule), or unknown.
struct verb_verdict {
    bool read = false;
    std::optional<std::string> refusal;
};

verb_verdict judge_verb(const std::vector<token>& t) {
    auto [verb, at] = find_verb(t);
    std::size_t i = at + 1;
    if (verb == "SELECT" || verb == "VALUES" || verb == "PRAGMA") return {true, {}};
    if (verb == "INSERT" || verb == "REPLACE" || verb == "UPDATE" || verb == "DELETE") {
        if (is_keyword(t, i, "OR")) i += 2;
        if (is_keyword(t, i, "INTO") || is_keyword(t, i, "FROM")) ++i;
        auto name = object_name(t, i);
        return {false, fmt::format("writes are not allowed ({}{}{})", verb, name.empty() ? "" : " on ", name)};
    }
    if (verb == "CREATE" || verb == "DROP" || verb == "ALTER") {
        std::string what = verb;
        while (i < t.size() && t[i].kind == token::word) {
            auto kw = upper(t[i].text);
            if (kw == "TEMPORARY") kw = "TEMP";
            if (kw == "IF" || kw == "NOT" || kw == "EXISTS") {
                ++i;
                continue;
            }
            if (kw != "TEMP" && kw != "UNIQUE" && kw != "VIRTUAL" && kw != "TABLE" && kw != "VIEW" &&
                kw != "INDEX" && kw != "TRIGGER")
                break;
            what += ' ' + kw;
            ++i;
        }
        auto name = object_name(t, i);
        if (!name.empty()) what += ' ' + name;
        return {false, fmt::format("schema changes are not allowed ({})", what)};
    }
    if (verb == "BEGIN" || verb == "COMMIT" || verb == "END" || verb == "ROLLBACK" ||
        verb == "SAVEPOINT" || verb == "RELEASE")
        return {false, fmt::format("transactions are not allowed ({})", verb)};
    if (verb == "ATTACH" || verb == "DETACH" || verb == "VACUUM" || verb == "REINDEX" ||
        verb == "ANALYZE")
        return {false, verb + " is not allowed"};
    return {};
}

// ---------------------------------------------------------------------------------------------
// What the authorizer lets through. The name sets are built when first asked about: a
// question answered from the dumps never runs SQL, and a static set is built at every start.

/// Functions a read may call: SQLite's core scalar, aggregate, window, date and time, math
/// and JSON functions. Names from releases newer than 3.40 are listed so an upgrade keeps them.
/// Not json_patch: it merges objects in time quadratic in their keys, within one call.
bool allowed_function(std::string_view name) {
    static const std::unordered_set<std::string_view> names = {
        // core scalar
        "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif",
        "instr", "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif",
        "octet_length", "printf", "quote", "random", "randomblob", "replace", "round", "rtrim",
        "sign", "soundex", "sqlite_source_id", "sqlite_version", "substr", "substring", "trim",
        "typeof", "unhex", "unicode", "unlikely", "upper", "zeroblob",
        // aggregate
        "avg", "count", "group_concat", "string_agg", "sum", "total",
        // window
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value",
        // date and time
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
        "current_date", "current_time", "current_timestamp",
        // math
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
        "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power",
        "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
        // JSON (the -> and ->> operators reach the authorizer as functions of those names)
        "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object",
        "json_quote", "json_remove", "json_replace", "json_set", "json_type",
        "json_valid", "json_group_array", "json_group_object", "->", "->>",
    };
    return names.count(name) != 0;
}

/// Functions refused by name even where this SQLite does not define them (the shell's file
/// functions, extension loading): a call to one is a refusal, not a typo.
bool denied_function(std::string_view name) {
    static const std::unordered_set<std::string_view> names = {
        "load_extension", "readfile", "writefile", "edit", "fsdir", "eval", "fts3_tokenizer",
        "sqlar_compress", "sqlar_uncompress", "zipfile", "lsmode",
    };
    return names.count(name) != 0;
}

/// PRAGMAs that may take an argument, because the argument names the object to describe.
bool describing_pragma(std::string_view name) {
    static const std::unordered_set<std::string_view> names = {
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
        "foreign_key_list",
    };
    return names.count(name) != 0;
}

/// PRAGMAs that may be read (never given a value).
bool readable_pragma(std::string_view name) {
    static const std::unordered_set<std::string_view> names = {
        "user_version", "schema_version", "application_id", "data_version", "journal_mode",
        "page_size", "page_count", "freelist_count", "encoding", "database_list", "collation_list",
        "function_list", "module_list", "pragma_list",
    };
    return names.count(name) != 0;
}

bool is_schema_table(const char* name) {
    return name && (std::strcmp(name, "sqlite_master") == 0 || std::strcmp(name, "sqlite_temp_master") == 0);
}

/// The statement words SQLite's CREATE/DROP action codes stand for.
const char* schema_change_words(int action) {
    switch (action) {
    case SQLITE_CREATE_INDEX: return "CREATE INDEX";
    case SQLITE_CREATE_TABLE: return "CREATE TABLE";
    case SQLITE_CREATE_TEMP_INDEX: return "CREATE TEMP INDEX";
    case SQLITE_CREATE_TEMP_TABLE: return "CREATE TEMP TABLE";
    case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TEMP TRIGGER";
    case SQLITE_CREATE_TEMP_VIEW: return "CREATE TEMP VIEW";
    case SQLITE_CREATE_TRIGGER: return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW: return "CREATE VIEW";
    case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_INDEX: return "DROP INDEX";
    case SQLITE_DROP_TABLE: return "DROP TABLE";
    case SQLITE_DROP_TEMP_INDEX: return "DROP TEMP INDEX";
    case SQLITE_DROP_TEMP_TABLE: return "DROP TEMP TABLE";
    case SQLITE_DROP_TEMP_TRIGGER: return "DROP TEMP TRIGGER";
    case SQLITE_DROP_TEMP_VIEW: return "DROP TEMP VIEW";
    case SQLITE_DROP_TRIGGER: return "DROP TRIGGER";
    case SQLITE_DROP_VIEW: return "DROP VIEW";
    case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
    default: return nullptr;
    }
}

// ---------------------------------------------------------------------------------------------
// The file, before SQLite sees it.

/// `path` as a `file:` URI for sqlite3_open_v2: absolute, every byte outside the unreserved
/// set percent-encoded, so `?`, `#` and `%` in a file name cannot turn into URI parameters.
std::string file_uri(const std::string& path) {
    auto absolute = std::filesystem::absolute(path).string();
    std::string uri = "file://";  // empty authority: a path starting with `//` stays a path
    for (unsigned char c : absolute) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
            uri += static_cast<char>(c);
        else
            uri += fmt::format("%{:02X}", c);
    }
    // No `immutable=1`: it would make SQLite skip locking and change detection, but cron
    // regenerates the database while we may be reading it; SQLite must keep taking its shared
    // lock and noticing the new content, or a read could see torn pages or a stale cache.
    return uri + "?mode=ro";
}

std::uint32_t big_endian32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// The first `n` bytes of a file (fewer when it is shorter).
std::string read_head(const std::string& path, std::size_t n) {
    std::ifstream in(path, std::ios::binary);
    std::string head(n, '\0');
    in.read(head.data(), static_cast<std::streamsize>(n));
    head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    return head;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// Throws unreachable_error unless `path` is a regular file that looks like a whole SQLite
/// database: SQLite itself would open an empty or foreign file and fail only later.
void check_database_file(const std::string& path) {
    auto fail = [&](std::string_view why) { throw unreachable_error(fmt::format("'{}': {}", path, why)); };
    if (path.find('\0') != std::string::npos) fail("not a valid file name");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        int err = errno;
        if (err == ENOENT) fail("no such file");
        fail(fmt::format("cannot access: {}", std::strerror(err)));
    }
    if (!S_ISREG(st.st_mode)) fail("not a regular file");
    if (st.st_size == 0) fail("not a SQLite database (empty file)");
    auto head = read_head(path, 100);
    static constexpr std::string_view magic{"SQLite format 3\0", 16};
    if (head.size() < magic.size() || std::string_view(head).substr(0, magic.size()) != magic)
        fail("not a SQLite database");
    if (head.size() < 100) fail("not a SQLite database (truncated header)");
    auto bytes = reinterpret_cast<const unsigned char*>(head.data());
    std::uint32_t page_size = (std::uint32_t{bytes[16]} << 8) | bytes[17];
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0)
        fail("not a SQLite database (bad page size)");
    // The in-header page count is valid when the change counter matches "version-valid-for".
    // A file shorter than it is truncated — unless a journal or WAL explains the difference.
    std::uint32_t pages = big_endian32(bytes + 28);
    bool count_valid = pages > 0 && big_endian32(bytes + 24) == big_endian32(bytes + 92);
    if (count_valid && static_cast<std::uint64_t>(st.st_size) < std::uint64_t{pages} * page_size &&
        !file_exists(path + "-wal") && !file_exists(path + "-journal"))
        fail(fmt::format("truncated SQLite database ({} bytes, the header says {})", st.st_size,
                         std::uint64_t{pages} * page_size));
}

// ---------------------------------------------------------------------------------------------
// A time limit on compiling. The progress handler runs only while a statement steps, and
// compiling can take long on its own: a chain of CTEs that each name the one before twice is
// copied out exponentially before any code is generated (40 of them held 1 GB for 7 s before
// the heap limit stopped them). Such work allocates all along, so SQLite's allocator fails
// once the running compile's deadline has passed. The allocator is process-wide and must be
// in place before SQLite initializes: a static initializer of this file installs it.

std::atomic<std::int64_t> compile_deadline{0};  // steady-clock ns; 0 when nothing is compiling
sqlite3_mem_methods sqlite_allocator{};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

bool past_compile_deadline() {
    auto deadline = compile_deadline.load(std::memory_order_relaxed);
    return deadline != 0 && now_ns() > deadline;
}

bool install_deadline_allocator() {
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_allocator) != SQLITE_OK) return false;
    static sqlite3_mem_methods guarded = sqlite_allocator;
    guarded.xMalloc = [](int n) { return past_compile_deadline() ? nullptr : sqlite_allocator.xMalloc(n); };
    guarded.xRealloc = [](void* p, int n) {
        return past_compile_deadline() ? nullptr : sqlite_allocator.xRealloc(p, n);
    };
    return sqlite3_config(SQLITE_CONFIG_MALLOC, &guarded) == SQLITE_OK;
}

// False when something initialized SQLite first; compiling is then bounded by the heap limit only.
[[maybe_unused]] const bool deadline_allocator_installed = install_deadline_allocator();

/// Sets the compile deadline for its lifetime.
class compile_timer {
public:
    explicit compile_timer(std::chrono::milliseconds budget) {
        compile_deadline.store(now_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(budget).count());
    }
    ~compile_timer() { compile_deadline.store(0); }
    compile_timer(const compile_timer&) = delete;
    compile_timer& operator=(const compile_timer&) = delete;
    bool expired() const { return past_compile_deadline(); }
};

// ---------------------------------------------------------------------------------------------
// The connection.

struct connection_closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct statement_finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using statement = std::unique_ptr<sqlite3_stmt, statement_finalizer>;

/// One cell of the current row, read once when the row arrives.
struct cell {
    column_type type = column_type::null;
    const char* data = nullptr;  // TEXT or BLOB bytes, owned by the statement
    int size = 0;
};

/// A row as the statement holds it: no copies.
class statement_row final : public row_view {
public:
    statement_row(sqlite3_stmt* stmt, const std::vector<cell>& cells) : stmt_(stmt), cells_(cells) {}
    int size() const override { return static_cast<int>(cells_.size()); }
    column_type type(int i) const override { return cells_.at(static_cast<std::size_t>(i)).type; }
    std::int64_t integer(int i) const override { return sqlite3_column_int64(stmt_, i); }
    double real(int i) const override { return sqlite3_column_double(stmt_, i); }
    std::string_view text(int i) const override {
        const auto& c = cells_.at(static_cast<std::size_t>(i));
        return c.data ? std::string_view(c.data, static_cast<std::size_t>(c.size)) : std::string_view{};
    }

private:
    sqlite3_stmt* stmt_;
    const std::vector<cell>& cells_;
};

std::vector<column_info> columns_of(sqlite3_stmt* stmt) {
    std::vector<column_info> columns;
    int n = sqlite3_column_count(stmt);
    columns.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const char* name = sqlite3_column_name(stmt, i);
        const char* decl = sqlite3_column_decltype(stmt, i);
        columns.push_back({name ? name : "", decl ? decl : ""});
    }
    return columns;
}

class sqlite_database final : public database {
public:
    sqlite_database(std::string path, const query_limits& limits);

    query_stats query(std::string_view sql, row_sink& sink) override;
    std::vector<column_info> check(std::string_view sql) override;
    std::vector<table_info> tables() override;
    const std::string& path() const override { return path_; }
    std::string dialect() const override { return "sqlite"; }
    std::string fingerprint() override { return database_fingerprint(path_); }

private:
    void configure();
    statement prepare(std::string_view sql);
    [[noreturn]] void prepare_failed(int rc, std::string_view sql);
    [[noreturn]] void step_failed(int rc);
    [[noreturn]] void common_failure(int rc);
    int authorize(int action, const char* a1, const char* a2, const char* db_name);
    int deny(std::string reason, bool weak = false);

    std::string path_;
    query_limits limits_;
    std::unique_ptr<sqlite3, connection_closer> db_;
    std::string denied_;        // the authorizer's first denial in this statement
    std::string denied_weak_;   // a denial of a write to sqlite_master, which names no rule
    steady_clock::time_point deadline_;  // when the running statement's time budget ends
    bool armed_ = false;        // a statement is stepping under the deadline
    bool timed_out_ = false;    // the progress handler stopped it
};

sqlite_database::sqlite_database(std::string path, const query_limits& limits)
    : path_(std::move(path)), limits_(limits) {
    sqlite3* raw = nullptr;
    auto uri = file_uri(path_);
    int rc = sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK)
        throw unreachable_error(fmt::format("'{}': cannot open: {}", path_,
                                            raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    configure();
    // Reading the schema now makes a file SQLite cannot use fail here rather than at the
    // first query; it goes through the guard like any statement.
    prepare("SELECT 1 FROM sqlite_schema LIMIT 0");
}

void sqlite_database::configure() {
    sqlite3* db = db_.get();
    auto set = [&](int option, int value, const char* what) {
        int now = -1;
        if (sqlite3_db_config(db, option, value, &now) != SQLITE_OK || now != value)
            throw unreachable_error(fmt::format("'{}': cannot set {} on the connection", path_, what));
    };
    set(SQLITE_DBCONFIG_DEFENSIVE, 1, "defensive mode");
    set(SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, "untrusted schema");
    set(SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, "no extension loading");
    set(SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, "no fts3_tokenizer");
    set(SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0, "read-only schema");
    sqlite3_enable_load_extension(db, 0);

    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, max_value_length);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, limits_.max_sql_length);
    sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 50);
    sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 250'000);
    sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 100);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, max_like_pattern_length);
    sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 100);  // nothing binds; unbound are NULL
    sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 10);
    sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 0);
    sqlite3_busy_timeout(db, static_cast<int>(limits_.busy_timeout.count()));
    if (detail::install_guarded_functions(db) != SQLITE_OK)
        throw unreachable_error(fmt::format("'{}': cannot install the string functions: {}", path_, sqlite3_errmsg(db)));
    // Process-wide: the last database opened sets it, which is fine for one limit per tool.
    if (limits_.heap_limit > 0) sqlite3_hard_heap_limit64(limits_.heap_limit);

    // Before the authorizer, which refuses every PRAGMA given a value.
    char* message = nullptr;
    if (sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, &message) != SQLITE_OK) {
        std::string why = message ? message : "unknown error";
        sqlite3_free(message);
        throw unreachable_error(fmt::format("'{}': cannot set query_only: {}", path_, why));
    }

    sqlite3_progress_handler(db, 1000, [](void* self) -> int {
        auto& guard = *static_cast<sqlite_database*>(self);
        if (!guard.armed_ || steady_clock::now() < guard.deadline_) return 0;
        guard.timed_out_ = true;
        return 1;
    }, this);
    // Installed for good, not only around prepare: SQLite also compiles SQL while stepping
    // (the pragma_* table-valued functions prepare a PRAGMA in xFilter, a schema change
    // re-prepares) and those statements must pass the same checks.
    sqlite3_set_authorizer(db, [](void* self, int action, const char* a1, const char* a2,
                                  const char* db_name, const char*) -> int {
        try {
            return static_cast<sqlite_database*>(self)->authorize(action, a1, a2, db_name);
        } catch (...) {
            return SQLITE_DENY;
        }
    }, this);
}

int sqlite_database::deny(std::string reason, bool weak) {
    auto& slot = weak ? denied_weak_ : denied_;
    if (slot.empty()) slot = std::move(reason);
    return SQLITE_DENY;
}

int sqlite_database::authorize(int action, const char* a1, const char* a2, const char* db_name) {
    auto str = [](const char* s) { return std::string_view(s ? s : ""); };
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:  // recursive CTEs are reads; the time budget bounds them
        return SQLITE_OK;
    case SQLITE_FUNCTION: {
        auto name = lower(str(a2));
        if (allowed_function(name)) return SQLITE_OK;
        return deny(fmt::format("function '{}' is not allowed", name));
    }
    case SQLITE_PRAGMA: {
        auto name = lower(str(a1));
        bool has_value = a2 != nullptr;
        if (describing_pragma(name)) return SQLITE_OK;
        if (readable_pragma(name) && !has_value) return SQLITE_OK;
        return deny(has_value ? fmt::format("PRAGMA {} with a value is not allowed", name)
                              : fmt::format("PRAGMA {} is not allowed", name));
    }
    case SQLITE_UPDATE:
        // SQLite 3.40 quirk: the first use of an eponymous virtual table (json_each, dbstat,
        // pragma_table_info…) runs sqlite3_declare_vtab, whose CREATE TABLE codes an
        // `UPDATE sqlite_master` into a throwaway program that never runs — and asks the
        // authorizer about it. A real UPDATE of sqlite_master is still stopped by SQLite
        // ("may not be modified"), defensive mode, the verb check, stmt_readonly and the
        // read-only connection.
        if (is_schema_table(a1)) return SQLITE_OK;
        return deny(fmt::format("writes are not allowed (UPDATE on {})", str(a1)));
    case SQLITE_INSERT:
        return deny(fmt::format("writes are not allowed (INSERT on {})", str(a1)), is_schema_table(a1));
    case SQLITE_DELETE:
        return deny(fmt::format("writes are not allowed (DELETE on {})", str(a1)), is_schema_table(a1));
    case SQLITE_ATTACH: return deny("ATTACH is not allowed");
    case SQLITE_DETACH: return deny("DETACH is not allowed");
    case SQLITE_TRANSACTION: return deny(fmt::format("transactions are not allowed ({})", str(a1)));
    case SQLITE_SAVEPOINT: {
        auto op = str(a1);
        auto words = op == "BEGIN" ? "SAVEPOINT"sv : op == "ROLLBACK" ? "ROLLBACK TO"sv : op;
        return deny(fmt::format("transactions are not allowed ({} {})", words, str(a2)));
    }
    case SQLITE_ALTER_TABLE:
        return deny(fmt::format("schema changes are not allowed (ALTER TABLE {})", str(a2)));
    case SQLITE_REINDEX: return deny("REINDEX is not allowed");
    case SQLITE_ANALYZE: return deny("ANALYZE is not allowed");
    default:
        if (auto words = schema_change_words(action))
            return deny(fmt::format("schema changes are not allowed ({} {})", words, str(a1)));
        return deny(fmt::format("action {} is not allowed{}{}", action, db_name ? " on " : "", str(db_name)));
    }
}

statement sqlite_database::prepare(std::string_view sql) {
    if (sql.size() > static_cast<std::size_t>(limits_.max_sql_length))
        throw refused_error(fmt::format("SQL text is longer than {} bytes", limits_.max_sql_length));
    // SQLite would stop reading at a NUL and never see what follows it.
    if (sql.find('\0') != std::string_view::npos) throw refused_error("SQL text contains a NUL byte");
    if (is_blank_sql(sql)) throw refused_error("no SQL statement");

    denied_.clear();
    denied_weak_.clear();
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = SQLITE_OK;
    bool compile_expired = false;
    {
        compile_timer timer(limits_.time_budget);
        rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, &tail);
        compile_expired = timer.expired();
    }
    statement stmt(raw);
    if (rc != SQLITE_OK && compile_expired && (rc & 0xff) == SQLITE_NOMEM)
        throw error(fmt::format("query exceeded its time budget of {} ms while compiling", limits_.time_budget.count()));
    if (rc != SQLITE_OK) prepare_failed(rc, sql);
    if (!stmt) throw refused_error("no SQL statement");
    auto rest = tail ? sql.substr(static_cast<std::size_t>(tail - sql.data())) : std::string_view{};
    if (!is_blank_sql(rest)) throw refused_error("only one statement is allowed");

    // Some writes compile to nothing at all (REINDEX of a table without indexes, DROP TABLE IF
    // EXISTS of a missing one) and so never meet the authorizer: the verb catches them.
    auto verdict = judge_verb(tokenize(sql));
    if (verdict.refusal) throw refused_error(*verdict.refusal);
    if (!verdict.read) throw refused_error("only SELECT, VALUES, WITH, PRAGMA and EXPLAIN statements are allowed");
    if (!denied_.empty()) throw refused_error(denied_);
    if (!sqlite3_stmt_readonly(stmt.get())) {
        // `PRAGMA journal_mode` reads, but SQLite compiles it as a possible write; its
        // table-valued form runs as a read.
        auto tokens = tokenize(sql);
        if (auto [verb, at] = find_verb(tokens); verb == "PRAGMA") {
            auto i = at + 1;
            auto name = lower(object_name(tokens, i));
            name = name.substr(name.rfind('.') + 1);
            throw refused_error(fmt::format("PRAGMA {} is not read-only here; read it with SELECT * FROM pragma_{}",
                                            name, name));
        }
        throw refused_error("the statement is not read-only");
    }
    return stmt;
}

void sqlite_database::prepare_failed(int rc, std::string_view sql) {
    // The authorizer's own reason names the rule best; a denied write to sqlite_master is
    // only how SQLite compiles CREATE and DROP, so the verb names those better.
    if (!denied_.empty()) throw refused_error(denied_);
    auto tokens = tokenize(sql);
    if (auto verdict = judge_verb(tokens); verdict.refusal) throw refused_error(*verdict.refusal);
    if (!denied_weak_.empty()) throw refused_error(denied_weak_);
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i].kind != token::word || !is_punct(tokens, i + 1, '(')) continue;
        auto name = lower(tokens[i].text);
        if (denied_function(name)) throw refused_error(fmt::format("function '{}' is not allowed", name));
    }
    if ((rc & 0xff) == SQLITE_AUTH) throw refused_error(sqlite3_errmsg(db_.get()));
    common_failure(rc);
}

void sqlite_database::step_failed(int rc) {
    if (!denied_.empty()) throw refused_error(denied_);
    if (!denied_weak_.empty()) throw refused_error(denied_weak_);
    if (timed_out_)
        throw error(fmt::format("query exceeded its time budget of {} ms", limits_.time_budget.count()));
    common_failure(rc);
}

void sqlite_database::common_failure(int rc) {
    std::string message = sqlite3_errmsg(db_.get());
    switch (rc & 0xff) {
    case SQLITE_NOMEM: throw error("query exceeded the memory limit");
    case SQLITE_TOOBIG: throw error("query result value too large");
    case SQLITE_INTERRUPT: throw error("query was interrupted");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        throw unreachable_error(fmt::format("'{}': database is locked by another process (waited {} ms)", path_,
                                            limits_.busy_timeout.count()));
    case SQLITE_AUTH: throw refused_error(message);
    // Every statement that steps is a verified read, so these are the file's fault: corrupt,
    // replaced by something else, unreadable, or needing recovery by a writer.
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
        throw unreachable_error(fmt::format("'{}': {}", path_, message));
    default: throw error("SQL error: " + message);
    }
}

query_stats sqlite_database::query(std::string_view sql, row_sink& sink) {
    auto start = steady_clock::now();
    auto stmt = prepare(sql);
    sink.begin(columns_of(stmt.get()));

    std::vector<cell> cells(static_cast<std::size_t>(sqlite3_column_count(stmt.get())));
    statement_row row(stmt.get(), cells);
    query_stats stats;
    struct disarm {
        bool& armed;
        ~disarm() { armed = false; }
    } disarm_on_exit{armed_};
    timed_out_ = false;
    deadline_ = steady_clock::now() + limits_.time_budget;
    armed_ = true;
    for (;;) {
        int rc = sqlite3_step(stmt.get());
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) step_failed(rc);
        if (++stats.rows > limits_.max_rows)
            throw error(fmt::format("query result exceeds {} rows", limits_.max_rows));
        for (std::size_t i = 0; i < cells.size(); ++i) {
            int col = static_cast<int>(i);
            auto& c = cells[i];
            c.data = nullptr;
            c.size = 0;
            switch (sqlite3_column_type(stmt.get(), col)) {
            case SQLITE_INTEGER: c.type = column_type::integer; stats.bytes += 8; break;
            case SQLITE_FLOAT: c.type = column_type::real; stats.bytes += 8; break;
            case SQLITE_TEXT:
                c.type = column_type::text;
                c.data = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), col));
                c.size = sqlite3_column_bytes(stmt.get(), col);
                break;
            case SQLITE_BLOB:
                c.type = column_type::blob;
                c.data = static_cast<const char*>(sqlite3_column_blob(stmt.get(), col));
                c.size = sqlite3_column_bytes(stmt.get(), col);
                break;
            default: c.type = column_type::null; break;
            }
            if (c.type == column_type::text && !c.data) step_failed(sqlite3_errcode(db_.get()));
            stats.bytes += c.size;
        }
        if (stats.bytes > limits_.max_bytes)
            throw error(fmt::format("query result exceeds {} bytes", limits_.max_bytes));
        // The budget covers the whole statement, the sink's time included: a result that is
        // cheap to compute but endless to collect (a cross join) must end too. The progress
        // handler sees the deadline at the next step.
        sink.row(row);
    }
    stats.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - start);
    return stats;
}

std::vector<column_info> sqlite_database::check(std::string_view sql) {
    return columns_of(prepare(sql).get());
}

std::vector<table_info> sqlite_database::tables() {
    auto result = query_all(*this,
                            "SELECT name, coalesce(sql, '') FROM sqlite_schema\n"
                            "WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'\n"
                            "ORDER BY name");
    std::vector<table_info> tables;
    for (auto& row : result.rows) {
        auto* name = std::get_if<std::string>(&row.at(0));
        auto* ddl = std::get_if<std::string>(&row.at(1));
        if (name) tables.push_back({*name, ddl ? *ddl : std::string(), {}});
    }
    // Each table's columns with their declared types, by the table-valued pragma (a read).
    for (auto& t : tables) {
        std::string literal = "'";
        for (char c : t.name) literal += c == '\'' ? std::string("''") : std::string(1, c);
        literal += "'";
        for (auto& row : query_all(*this, "SELECT name, type FROM pragma_table_info(" + literal + ") ORDER BY cid").rows) {
            auto* column = std::get_if<std::string>(&row.at(0));
            auto* type = std::get_if<std::string>(&row.at(1));
            if (column) t.columns.push_back({*column, type ? *type : std::string()});
        }
    }
    return tables;
}

}  // namespace

std::unique_ptr<database> open_database(const std::string& path, const query_limits& limits) {
    if (is_server_database(path)) return open_postgresql(path, limits);
    check_database_file(path);
    return std::make_unique<sqlite_database>(path, limits);
}

std::string database_fingerprint(const std::string& path, const query_limits& limits) {
    if (is_server_database(path)) {
        try {
            return open_postgresql(path, limits)->fingerprint();
        } catch (const error&) {
            return "";
        }
    }
    return sqlite_file_fingerprint(path);
}

}  // namespace bi
