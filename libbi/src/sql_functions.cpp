// instr(), replace(), trim()/ltrim()/rtrim() and printf()/format() for the guarded connection.
//
// The guard's time budget is checked by SQLite's progress handler, between VM steps: one
// function call runs to its end. SQLite's own versions of these compare the pattern at every
// position (instr, replace) or every character of the set at every character (trim), which is
// quadratic: `instr(printf('%.*c', 400000, 'a'), printf('%.*c', 200000, 'a') || 'b')` took
// 3.5 s. These return the same values (tests/guard_test.cpp compares them with SQLite's on a
// table of cases) in linear time: glibc's memmem is a two-way search, and trim looks each
// character up in a hash set. One known difference, for invalid UTF-8 only: SQLite matches
// trim characters by byte prefix, these by whole (lead byte + continuation bytes) characters.
// printf is SQLite's own, called through a private connection, after a look at the format:
// SQLite 3.40 appends `%c` once per unit of precision even after the result has outgrown the
// length limit, so `printf('%.*c', 2147483647, 'a')` ran 15 s to return NULL.
#include "sql_functions.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace bi::detail {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

struct value_deleter {
    void operator()(sqlite3_value* v) const { sqlite3_value_free(v); }
};
using value_copy = std::unique_ptr<sqlite3_value, value_deleter>;

/// A value's bytes: as text (SQLite's own conversion of numbers; a blob's bytes as they are)
/// or as a blob. Empty when the value is NULL; on a failed conversion the context is told.
std::optional<std::string_view> bytes_of(sqlite3_context* ctx, sqlite3_value* v, bool as_blob = false) {
    if (sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
    // The pointer first, then its length: the documented order, as the conversion may move it.
    const void* p = as_blob ? sqlite3_value_blob(v) : static_cast<const void*>(sqlite3_value_text(v));
    auto n = static_cast<std::size_t>(sqlite3_value_bytes(v));
    if (!p) {
        if (n == 0 && as_blob) return std::string_view{};  // a zero-length blob has no pointer
        sqlite3_result_error_nomem(ctx);
        return std::nullopt;
    }
    return std::string_view(static_cast<const char*>(p), n);
}

std::size_t find(std::string_view haystack, std::string_view needle, std::size_t from) {
    if (from > haystack.size()) return std::string_view::npos;
    auto* hit = ::memmem(haystack.data() + from, haystack.size() - from, needle.data(), needle.size());
    return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - haystack.data()) : std::string_view::npos;
}

/// instr(X, Y): 1 + the characters (bytes, for two blobs) of X before the first Y in X; 0
/// when there is none; 1 for an empty Y. A text match starts on a character boundary.
void instr(sqlite3_context* ctx, int, sqlite3_value** argv) {
    int hay_type = sqlite3_value_type(argv[0]);
    int needle_type = sqlite3_value_type(argv[1]);
    if (hay_type == SQLITE_NULL || needle_type == SQLITE_NULL) return;
    if (sqlite3_value_bytes(argv[1]) == 0) {
        sqlite3_result_int(ctx, 1);
        return;
    }
    bool blobs = hay_type == SQLITE_BLOB && needle_type == SQLITE_BLOB;
    // A blob against text compares as text; SQLite converts copies, never the arguments.
    value_copy hay_copy, needle_copy;
    sqlite3_value* hay_value = argv[0];
    sqlite3_value* needle_value = argv[1];
    if (!blobs && (hay_type == SQLITE_BLOB || needle_type == SQLITE_BLOB)) {
        hay_copy.reset(sqlite3_value_dup(argv[0]));
        needle_copy.reset(sqlite3_value_dup(argv[1]));
        if (!hay_copy || !needle_copy) return sqlite3_result_error_nomem(ctx);
        hay_value = hay_copy.get();
        needle_value = needle_copy.get();
    }
    auto hay = bytes_of(ctx, hay_value, blobs);
    auto needle = bytes_of(ctx, needle_value, blobs);
    if (!hay || !needle) return;

    std::size_t at = find(*hay, *needle, 0);
    if (!blobs) {
        while (at != std::string_view::npos && at > 0 && is_continuation(static_cast<unsigned char>((*hay)[at])))
            at = find(*hay, *needle, at + 1);
    }
    if (at == std::string_view::npos) return sqlite3_result_int(ctx, 0);
    std::int64_t position = 1;
    if (blobs) {
        position += static_cast<std::int64_t>(at);
    } else {
        for (std::size_t i = 1; i <= at; ++i)
            position += !is_continuation(static_cast<unsigned char>((*hay)[i]));
    }
    sqlite3_result_int64(ctx, position);
}

/// replace(X, Y, Z): X with every Y, left to right and not overlapping, replaced by Z; X as
/// it is (its type too) when Y is empty.
void replace(sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto str = bytes_of(ctx, argv[0]);
    if (!str) return;
    auto pattern = bytes_of(ctx, argv[1]);
    if (!pattern) return;
    if (pattern->empty() || (*pattern)[0] == '\0') {  // SQLite reads the pattern up to a NUL
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    auto with = bytes_of(ctx, argv[2]);
    if (!with) return;

    auto limit = static_cast<std::size_t>(sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1));
    std::string out;
    std::size_t from = 0;
    for (auto at = find(*str, *pattern, 0); at != std::string_view::npos; at = find(*str, *pattern, from)) {
        out.append(*str, from, at - from);
        out.append(*with);
        from = at + pattern->size();
        if (out.size() > limit) return sqlite3_result_error_toobig(ctx);
    }
    out.append(*str, from);
    if (out.size() > limit) return sqlite3_result_error_toobig(ctx);
    sqlite3_result_text64(ctx, out.data(), out.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

/// The character at the front of `s` as SQLite steps over characters: a lead byte and the
/// continuation bytes after it, or a single byte.
std::string_view front_char(std::string_view s) {
    std::size_t n = 1;
    if (static_cast<unsigned char>(s[0]) >= 0xC0)
        while (n < s.size() && is_continuation(static_cast<unsigned char>(s[n]))) ++n;
    return s.substr(0, n);
}

/// The character at the back of `s`: up to three continuation bytes and their lead byte, or
/// the last byte alone. Bounded, so that a long run of continuation bytes stays linear.
std::string_view back_char(std::string_view s) {
    std::size_t start = s.size() - 1;
    while (start > 0 && s.size() - start <= 3 && is_continuation(static_cast<unsigned char>(s[start]))) --start;
    if (start + 1 < s.size() && static_cast<unsigned char>(s[start]) < 0xC0) start = s.size() - 1;
    return s.substr(start);
}

enum trim_side : int { left = 1, right = 2 };

/// trim(X[, Y]), ltrim and rtrim: X without the characters of Y (a space when Y is absent) at
/// its start, its end or both.
void trim(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    auto in = bytes_of(ctx, argv[0]);
    if (!in) return;
    std::unordered_set<std::string_view> set;
    if (argc == 1) {
        set.insert(" ");
    } else {
        auto chars = bytes_of(ctx, argv[1]);
        if (!chars) return;
        std::string_view rest = chars->substr(0, chars->find('\0'));  // SQLite stops at a NUL
        while (!rest.empty()) {
            auto c = front_char(rest);
            set.insert(c);
            rest.remove_prefix(c.size());
        }
    }
    auto sides = static_cast<int>(reinterpret_cast<std::intptr_t>(sqlite3_user_data(ctx)));
    std::string_view s = *in;
    if (!set.empty()) {
        if (sides & left)
            while (!s.empty() && set.count(front_char(s))) s.remove_prefix(front_char(s).size());
        if (sides & right)
            while (!s.empty() && set.count(back_char(s))) s.remove_suffix(back_char(s).size());
    }
    sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

/// The precision of the first `%c` in a printf format that repeats its character more than
/// `limit` times, read as SQLite 3.40's printf reads formats and consumes arguments.
bool repeats_past(std::string_view format, int argc, sqlite3_value** argv, std::int64_t limit) {
    int next_arg = 1;  // argv[0] is the format
    auto int_arg = [&]() -> std::int64_t { return next_arg < argc ? sqlite3_value_int64(argv[next_arg++]) : 0; };
    auto digits = [&](std::size_t& i) {
        unsigned value = 0;
        while (i < format.size() && format[i] >= '0' && format[i] <= '9') value = value * 10 + unsigned(format[i++] - '0');
        return static_cast<std::int64_t>(value & 0x7fffffff);
    };
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') continue;
        ++i;
        while (i < format.size() && std::strchr("-+ #!0,", format[i]) && format[i] != '\0') ++i;
        if (i < format.size() && format[i] == '*') {
            int_arg();
            ++i;
        } else {
            digits(i);
        }
        std::int64_t precision = -1;
        if (i < format.size() && format[i] == '.') {
            ++i;
            if (i < format.size() && format[i] == '*') {
                auto p = static_cast<int>(int_arg());  // SQLite keeps an int
                precision = p < 0 ? (p >= -2147483647 ? -std::int64_t{p} : -1) : p;
                ++i;
            } else {
                precision = digits(i);
            }
        }
        while (i < format.size() && format[i] == 'l') ++i;
        if (i >= format.size()) return false;
        char conversion = format[i];
        if (conversion == 'c' && precision > limit) return true;
        if (!std::strchr("dsgzqQwcouxXfeEGinpr%", conversion) || conversion == '\0') return false;  // SQLite stops
        if (conversion != '%' && conversion != 'n') ++next_arg;
    }
    return false;
}

/// SQLite's own printf, on a private in-memory connection that has no functions of ours.
class builtin_printf {
public:
    ~builtin_printf() {
        for (auto* stmt : statements_) sqlite3_finalize(stmt);
        sqlite3_close_v2(db_);
    }

    void call(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
        if (argc == 0) return;  // no format: NULL, as SQLite's
        auto limit = sqlite3_limit(sqlite3_context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1);
        if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
            auto format = bytes_of(ctx, argv[0]);
            if (!format) return;
            // SQLite reads the format up to a NUL; NULL is what it returns for a result too long.
            if (repeats_past(format->substr(0, format->find('\0')), argc, argv, limit)) return;
        }
        auto* stmt = statement(ctx, argc, limit);
        if (!stmt) return;
        for (int i = 0; i < argc; ++i) sqlite3_bind_value(stmt, i + 1, argv[i]);
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) sqlite3_result_value(ctx, sqlite3_column_value(stmt, 0));
        else if (rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
        else if (rc == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
        else sqlite3_result_error(ctx, sqlite3_errmsg(db_), -1);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }

private:
    sqlite3_stmt* statement(sqlite3_context* ctx, int argc, int limit) {
        if (!db_) {
            if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
                sqlite3_close_v2(db_);
                db_ = nullptr;
                sqlite3_result_error_nomem(ctx);
                return nullptr;
            }
        }
        sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, limit);
        if (statements_.size() <= static_cast<std::size_t>(argc)) statements_.resize(static_cast<std::size_t>(argc) + 1);
        auto*& stmt = statements_[static_cast<std::size_t>(argc)];
        if (!stmt) {
            std::string sql = "SELECT printf(?1";
            for (int i = 2; i <= argc; ++i) sql += ", ?" + std::to_string(i);
            sql += ")";
            if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
                sqlite3_result_error(ctx, sqlite3_errmsg(db_), -1);
                return nullptr;
            }
        }
        return stmt;
    }

    sqlite3* db_ = nullptr;
    std::vector<sqlite3_stmt*> statements_;  // by argument count
};

void printf_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
    static_cast<builtin_printf*>(sqlite3_user_data(ctx))->call(ctx, argc, argv);
}

}  // namespace

int install_guarded_functions(sqlite3* db) {
    constexpr int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    struct definition {
        const char* name;
        int args;
        int sides;
        void (*function)(sqlite3_context*, int, sqlite3_value**);
    };
    static constexpr definition definitions[] = {
        {"instr", 2, 0, instr},     {"replace", 3, 0, replace},
        {"trim", 1, left | right, trim}, {"trim", 2, left | right, trim},
        {"ltrim", 1, left, trim},   {"ltrim", 2, left, trim},
        {"rtrim", 1, right, trim},  {"rtrim", 2, right, trim},
    };
    for (const auto& d : definitions) {
        auto* sides = reinterpret_cast<void*>(static_cast<std::intptr_t>(d.sides));
        int rc = sqlite3_create_function_v2(db, d.name, d.args, flags, sides, d.function, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) return rc;
    }
    for (const char* name : {"printf", "format"}) {
        auto destroy = [](void* p) { delete static_cast<builtin_printf*>(p); };
        int rc = sqlite3_create_function_v2(db, name, -1, flags, new builtin_printf, printf_function, nullptr,
                                            nullptr, destroy);
        if (rc != SQLITE_OK) return rc;  // SQLite has called destroy
    }
    return SQLITE_OK;
}

}  // namespace bi::detail
