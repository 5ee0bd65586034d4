// Tests of the read-only guard (libbi/src/guard.cpp): every statement in
// tests/data/hostile_sql.tsv is refused and leaves the file untouched; reads work, stream
// typed values and stay within their bounds; bad files and locks are reported by name.
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bi/database.hpp"
#include "bi/error.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

/// A fresh directory under the system's temporary directory, removed with its contents.
class temp_dir {
public:
    temp_dir() {
        static int count = 0;
        path_ = fs::temp_directory_path() /
                ("bi-guard-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::set<std::string> list_dir(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

/// A writable connection of the test's own: the fixture may write, the guard never does.
class writer {
public:
    explicit writer(const fs::path& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) FAIL("cannot open " << path);
    }
    ~writer() { sqlite3_close(db_); }
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    void exec(const std::string& sql) {
        char* message = nullptr;
        int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
        std::string why = message ? message : "";
        sqlite3_free(message);
        if (rc != SQLITE_OK) FAIL("fixture SQL failed: " << why << "\n" << sql);
    }
    sqlite3* get() { return db_; }

private:
    sqlite3* db_ = nullptr;
};

/// A small database: dealers, sales, an index, a view, and a table of awkward values.
struct guard_fixture {
    temp_dir dir;
    fs::path db_path = dir.path() / "sales.db";

    guard_fixture() {
        writer w(db_path);
        w.exec(R"sql(
            CREATE TABLE dealers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, city TEXT);
            CREATE TABLE sales(id INTEGER PRIMARY KEY, day TEXT NOT NULL,
                               dealer_id INTEGER REFERENCES dealers(id), model TEXT,
                               units INTEGER, amount REAL);
            CREATE INDEX sales_day ON sales(day);
            CREATE VIEW sales_by_dealer AS
              SELECT d.name AS dealer, sum(s.units) AS units, sum(s.amount) AS amount
              FROM sales AS s JOIN dealers AS d ON d.id = s.dealer_id
              GROUP BY d.name;
            CREATE TABLE cells(id INTEGER PRIMARY KEY, v);
            INSERT INTO dealers VALUES (1, 'Nord', 'Hamburg'), (2, 'Süd', 'München'), (3, 'West', 'Köln');
            INSERT INTO sales(day, dealer_id, model, units, amount) VALUES
              ('2026-01-05', 1, 'Alpha', 3, 30000.5), ('2026-01-17', 2, 'Beta', 1, 12000.0),
              ('2026-02-02', 1, 'Beta', 2, 24000.0), ('2026-02-20', 3, 'Alpha', 5, 50000.0),
              ('2026-03-11', 2, 'Gamma', 4, 64000.0), ('2026-03-30', 3, 'Beta', 1, 12500.0),
              ('2026-04-04', 1, 'Gamma', 2, 32000.0), ('2026-04-28', 2, 'Alpha', 6, 60000.0);
        )sql");
    }

    std::unique_ptr<bi::database> open(const bi::query_limits& limits = {}) {
        return bi::open_database(db_path.string(), limits);
    }
};

/// A sink that keeps nothing.
struct null_sink final : bi::row_sink {
    void begin(const std::vector<bi::column_info>&) override {}
    void row(const bi::row_view&) override {}
};

/// The message of the bi::error subclass E that `run` throws, or a note of what happened.
template <class E, class F>
std::string message_of(F&& run) {
    try {
        run();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("<a different error: ") + e.what() + ">";
    }
    return "<no error>";
}

std::string refusal_of(bi::database& db, std::string_view sql) {
    null_sink sink;
    return message_of<bi::refused_error>([&] { db.query(sql, sink); });
}

/// The hostile table's SQL column, unescaped: \n \t \r \0 \\ and @DIR@.
std::string unescape(std::string_view text, const std::string& dir) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            switch (text[++i]) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '0': out += '\0'; break;
            case '\\': out += '\\'; break;
            default: FAIL("unknown escape \\" << text[i] << " in " << text);
            }
        } else if (text.compare(i, 5, "@DIR@") == 0) {
            out += dir;
            i += 4;
        } else {
            out += text[i];
        }
    }
    return out;
}

struct hostile_case {
    int line;
    std::string sql;
    std::string expected;
};

std::vector<hostile_case> read_hostile_table(const std::string& dir) {
    std::ifstream in(BI_SOURCE_DIR "/tests/data/hostile_sql.tsv");
    REQUIRE(in);
    std::vector<hostile_case> cases;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line[0] == '#') continue;
        auto tab = line.find('\t');
        INFO("hostile_sql.tsv:" << number);
        REQUIRE(tab != std::string::npos);
        auto expected = line.substr(tab + 1);
        REQUIRE_FALSE(expected.empty());
        cases.push_back({number, unescape(std::string_view(line).substr(0, tab), dir), expected});
    }
    return cases;
}

}  // namespace

TEST_CASE_METHOD(guard_fixture, "guard refuses every statement of the hostile table", "[guard]") {
    auto cases = read_hostile_table(dir.path().string());
    REQUIRE(cases.size() >= 60);
    auto before = read_bytes(db_path);
    auto files_before = list_dir(dir.path());
    {
        auto db = open();
        for (const auto& c : cases) {
            INFO("hostile_sql.tsv:" << c.line << ": " << c.sql);
            auto message = refusal_of(*db, c.sql);
            CHECK_THAT(message, StartsWith("refused: ") && Contains(c.expected));
        }
        // Refusals leave the connection usable and read-only.
        auto result = bi::query_all(*db, "SELECT count(*) FROM sales");
        REQUIRE(result.rows.size() == 1);
        CHECK(result.rows[0][0] == bi::value{std::int64_t{8}});
    }
    CHECK(read_bytes(db_path) == before);
    CHECK(list_dir(dir.path()) == files_before);  // no copy, attachment, journal or output file
}

TEST_CASE_METHOD(guard_fixture, "check() refuses like query() without running anything", "[guard]") {
    auto db = open();
    for (std::string sql : {"DELETE FROM sales", "SELECT 1; SELECT 2", "PRAGMA user_version = 3",
                            "ATTACH ':memory:' AS m", "SELECT load_extension('x')", "VACUUM"}) {
        INFO(sql);
        CHECK_THAT(message_of<bi::refused_error>([&] { db->check(sql); }), StartsWith("refused: "));
    }
}

TEST_CASE_METHOD(guard_fixture, "guard bounds the length of SQL text", "[guard]") {
    bi::query_limits limits;
    limits.max_sql_length = 1000;
    auto db = open(limits);
    auto padded = [](std::size_t size) {
        std::string sql = "SELECT 1 /*";
        sql.resize(size - 2, 'x');
        return sql + "*/";
    };
    CHECK_NOTHROW(db->check(padded(1000)));
    CHECK_THAT(refusal_of(*db, padded(1001)), Contains("refused: SQL text is longer than 1000 bytes"));
    CHECK_THAT(refusal_of(*db, std::string(2'000'000, ' ') + "SELECT 1"),
               Contains("longer than 1000 bytes"));
}

TEST_CASE_METHOD(guard_fixture, "guard stops runaway statements", "[guard]") {
    bi::query_limits limits;
    limits.time_budget = std::chrono::milliseconds(300);
    limits.max_rows = 100;
    limits.max_bytes = 10'000;
    auto db = open(limits);
    null_sink sink;

    SECTION("an endless recursive CTE ends at the time budget") {
        const char* sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
        try {
            db->query(sql, sink);
            FAIL("the endless query returned");
        } catch (const bi::refused_error& e) {
            FAIL("a read was refused: " << e.what());
        } catch (const bi::error& e) {
            CHECK(std::string(e.what()) == "query exceeded its time budget of 300 ms");
            CHECK(e.code() == bi::exit_code::failure);
        }
        // check() compiles without running, so the same statement passes it.
        auto columns = db->check(sql);
        REQUIRE(columns.size() == 1);
        CHECK(columns[0].name == "count(*)");
    }
    SECTION("a statement that takes too long to compile ends at the time budget") {
        // Each CTE names the one before twice: SQLite copies 2^40 selects before it generates code.
        std::string sql = "WITH c0 AS (SELECT 1 AS x)";
        for (int i = 1; i <= 40; ++i) sql += fmt::format(", c{} AS (SELECT a.x FROM c{} AS a, c{} AS b)", i, i - 1, i - 1);
        sql += " SELECT count(*) FROM c40";
        CHECK(message_of<bi::error>([&] { db->query(sql, sink); }) ==
              "query exceeded its time budget of 300 ms while compiling");
        CHECK(db->query("SELECT count(*) FROM sales", sink).rows == 1);
    }
    SECTION("huge values fail clearly") {
        for (std::string sql : {"SELECT zeroblob(1000000000)", "SELECT length(randomblob(200000000))",
                                "SELECT length(zeroblob(200000000) || 'x')"}) {
            INFO(sql);
            CHECK(message_of<bi::error>([&] { db->query(sql, sink); }) == "query result value too large");
        }
    }
    SECTION("a cross join hits the row cap") {
        CHECK(message_of<bi::error>([&] { db->query("SELECT a.id FROM sales AS a, sales AS b, sales AS c", sink); }) ==
              "query result exceeds 100 rows");
        // Exactly at the cap is fine.
        auto stats = db->query("SELECT a.id FROM sales AS a, sales AS b, sales AS c LIMIT 100", sink);
        CHECK(stats.rows == 100);
    }
    SECTION("wide rows hit the byte cap") {
        CHECK(message_of<bi::error>([&] {
                  db->query("SELECT hex(randomblob(3000)) FROM sales", sink);
              }) == "query result exceeds 10000 bytes");
    }
    SECTION("the connection is still usable after a runaway") {
        CHECK_THROWS_AS(db->query("SELECT * FROM sales AS a, sales AS b, sales AS c", sink), bi::error);
        auto stats = db->query("SELECT * FROM sales", sink);
        CHECK(stats.rows == 8);
    }
}

TEST_CASE_METHOD(guard_fixture, "guard reports running out of its heap limit", "[guard]") {
    bi::query_limits limits;
    limits.heap_limit = std::int64_t{16} << 20;
    auto db = open(limits);
    null_sink sink;
    // 24 columns of 0.8 MB each: every value under the 1 MiB value cap, together over the heap.
    // (Each differs: SQLite computes identical aggregate expressions once.)
    std::string sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)\nSELECT ";
    for (int i = 0; i < 24; ++i) sql += fmt::format("{}length(group_concat(hex(randomblob({}))))", i ? ", " : "", 200 + i);
    sql += " FROM c";
    CHECK(message_of<bi::error>([&] { db->query(sql, sink); }) == "query exceeded the memory limit");
    sqlite3_hard_heap_limit64(0);  // process-wide: do not leave it for the other tests
}

// The guarded connection runs its own instr(), replace() and trim()s (libbi/src/sql_functions.cpp);
// they must answer exactly as SQLite's do. Each expression is evaluated by the guard and by a
// plain in-memory connection, which has SQLite's own functions.
TEST_CASE_METHOD(guard_fixture, "guarded string functions answer as SQLite's own", "[guard]") {
    auto db = open();
    sqlite3* plain = nullptr;
    REQUIRE(sqlite3_open(":memory:", &plain) == SQLITE_OK);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> close_plain(plain, sqlite3_close);
    auto sqlite_says = [&](const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(plain, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
        std::string out(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        sqlite3_finalize(stmt);
        return out;
    };
    for (std::string expr : {
             // instr: characters for text, bytes for two blobs, text when mixed
             "instr('abc', 'b')", "instr('abc', '')", "instr('', '')", "instr('', 'a')", "instr(NULL, 'a')",
             "instr('a', NULL)", "instr('abc', 'abcd')", "instr('aaab', 'aab')", "instr('héllo wörld', 'ö')",
             "instr('日本語テキスト', 'テ')", "instr('ééé', x'a9')", "instr(x'c3a9c3a9', x'a9c3')",
             "instr(x'0102030203', x'0203')", "instr(x'6162', 'b')", "instr('abc', x'63')", "instr(x'', x'')",
             "instr('abc', x'')", "instr(12345, 34)", "instr(1.5, '.')", "instr('a' || char(0) || 'b', 'b')",
             // replace: non-overlapping, left to right; an empty pattern keeps X and its type
             "replace('abcabc', 'b', 'XY')", "replace('abc', '', 'x')", "replace(123, '', 'x')",
             "replace(123, '2', '9')", "replace('aaaa', 'aa', 'a')", "replace('aaa', 'aa', 'b')",
             "replace(NULL, 'a', 'b')", "replace('a', NULL, 'b')", "replace('a', 'a', NULL)",
             "replace('a', '', NULL)", "replace('héllo', 'é', 'e')", "replace(x'616263', 'b', 'z')",
             "replace('abc', char(0) || 'b', 'z')", "replace('abc', 'abcd', 'z')", "replace('', 'a', 'b')",
             "replace('abc', 'abc', '')", "replace(1.25, '.', ',')",
             // trim, ltrim, rtrim: by characters, a space by default, the set read up to a NUL
             "trim('  a  ')", "ltrim('  a  ')", "rtrim('  a  ')", "trim('xxaxx', 'x')", "trim('abcba', 'ab')",
             "ltrim('abcba', 'ab')", "rtrim('abcba', 'ab')", "trim('éaé', 'é')", "rtrim('aéé', 'é')",
             "ltrim('éé', 'è')", "trim('日本日', '日')", "trim(NULL)", "trim('a', NULL)", "trim(NULL, 'a')",
             "trim('abc', '')", "trim(123, 1)", "trim(x'2020612020')", "trim(1.50, '0')",
             "ltrim('x' || char(0) || 'x', 'x')", "trim('xyzzy', 'zy' || char(0) || 'x')", "trim('', 'a')",
             "trim('aaa', 'a')",
             // printf and format: SQLite's own, after the guard has read the format
             "printf('%d|%5.2f|%-4s|%c', 42, 3.14159, 'ab', 'xyz')", "printf('%.*c', 3, 'é')",
             "printf('%*.*c|%s', -4, 2, 'z', 'next')", "format('%q %Q %w', 'it''s', NULL, 'a\"b')",
             "printf('%lld %llx %,d', 9007199254740993, 255, 1234567)", "printf('%!.20g', 0.1)",
             "printf('%.3s', 'abcdef')", "printf('%5%|%n|%c', 'q')", "printf('%', 1)", "printf('%T%c', 'a')",
             "printf('100%% %s', 'done')", "printf(NULL, 1)", "printf('%s %s', 'one')", "printf('%.*c', '3', 'x')",
             "printf('%.*c', -3, 'x')", "printf('%.*c', 4294967298, 'x')", "printf('%.1000001c', 'x')",
             "printf('a' || char(0) || '%.2000000c', 'x')", "printf(x'2564', 7)", "format('%s', x'41')"}) {
        INFO(expr);
        auto sql = "SELECT typeof(" + expr + ") || ':' || quote(" + expr + ")";
        auto result = bi::query_all(*db, sql);
        REQUIRE(result.rows.size() == 1);
        CHECK(result.rows[0][0] == bi::value{sqlite_says(sql)});
    }
}

// SQLite's progress handler runs between VM steps, so one function call is not interrupted:
// the guard bounds the size of a value and gives the functions that were quadratic in it
// linear versions. These calls took seconds to minutes with SQLite's own.
TEST_CASE_METHOD(guard_fixture, "guard keeps single function calls small", "[guard]") {
    auto db = open();
    auto first = [&](std::string_view sql) { return bi::query_all(*db, sql).rows.at(0).at(0); };
    const std::string hay = "hex(zeroblob(500000))";              // 1,000,000 zeros
    const std::string almost = "hex(zeroblob(249999)) || '0b'";     // 499,999 zeros and a b
    CHECK(first("SELECT length(" + hay + ")") == bi::value{std::int64_t{1'000'000}});
    CHECK(message_of<bi::error>([&] { first("SELECT length(hex(zeroblob(600000)))"); }) ==
          "query result value too large");
    CHECK(first("SELECT instr(" + hay + ", " + almost + ")") == bi::value{std::int64_t{0}});
    CHECK(first("SELECT instr(" + hay + " || 'b', " + almost + ")") == bi::value{std::int64_t{500'002}});
    CHECK(first("SELECT length(replace(" + hay + ", " + almost + ", 'x'))") == bi::value{std::int64_t{1'000'000}});
    CHECK(first("SELECT length(replace(" + hay + ", '0', ''))") == bi::value{std::int64_t{0}});
    CHECK(message_of<bi::error>([&] { first("SELECT replace(" + hay + ", '0', '00')"); }) ==
          "query result value too large");
    // A set of 249,999 four-byte characters; strings made of its last character, or of one after it.
    const std::string set = "(WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 249999)\n"
                            "SELECT group_concat(char(65536 + v), '') FROM n)";
    CHECK(first("SELECT length(trim(replace(hex(zeroblob(200000)), '00', char(65536 + 249999)), " + set + "))") ==
          bi::value{std::int64_t{0}});
    CHECK(first("SELECT length(rtrim(" + hay + ", " + set + " || '0'))") == bi::value{std::int64_t{0}});
    // SQLite 3.40 appends a %c once per unit of precision, even after the result has grown past
    // the length limit; the guard answers what SQLite would after 15 s: NULL, the result being
    // too long. Repetitions within the limit are SQLite's.
    CHECK(first("SELECT printf('%.*c', 2147483647, 'a')") == bi::value{});
    CHECK(first("SELECT format('%s%.*c', 'x', 2000000, 'a')") == bi::value{});
    CHECK(first("SELECT length(printf('%.*c', 1000000, 'a'))") == bi::value{std::int64_t{1'000'000}});
    // Long LIKE and GLOB patterns are refused rather than matched at length × pattern cost.
    CHECK_THAT(message_of<bi::error>([&] { first("SELECT 'a' LIKE " + std::string("printf('%.*c', 201, '%')")); }),
               Contains("LIKE or GLOB pattern too complex"));
    CHECK_THAT(refusal_of(*db, "SELECT json_patch('{}', '{}')"), Contains("function 'json_patch' is not allowed"));
}

TEST_CASE_METHOD(guard_fixture, "guard runs reads", "[guard]") {
    auto db = open();
    auto first = [&](std::string_view sql) {
        auto result = bi::query_all(*db, sql);
        REQUIRE_FALSE(result.rows.empty());
        REQUIRE_FALSE(result.rows[0].empty());
        return result.rows[0][0];
    };
    using bi::value;
    auto integer = [](std::int64_t i) { return value{i}; };
    auto text = [](const char* s) { return value{std::string(s)}; };

    CHECK(first("SELECT count(*) FROM sales") == integer(8));
    CHECK(first("select sum(units) from sales;") == integer(24));
    CHECK(first("/* leading */ SELECT 1 -- trailing") == integer(1));
    CHECK(first("SELECT 1;;\n-- done\n") == integer(1));
    CHECK(first(" ; ;SELECT 2") == integer(2));  // empty statements before it are nothing
    CHECK(first("VALUES (42), (43)") == integer(42));
    CHECK(first("WITH monthly AS (\n  SELECT substr(day, 1, 7) AS month, sum(amount) AS amount\n"
                "  FROM sales\n  GROUP BY month\n)\nSELECT month FROM monthly ORDER BY amount DESC LIMIT 1") ==
          text("2026-04"));
    CHECK(first("SELECT dealer FROM sales_by_dealer ORDER BY units DESC LIMIT 1") == text("Süd"));
    CHECK(first("SELECT d.city FROM dealers AS d WHERE d.name LIKE 's%'") == text("München"));
    CHECK(first("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)\n"
                "SELECT sum(i) FROM n") == integer(55));
    CHECK(first("SELECT id FROM (SELECT id, rank() OVER (ORDER BY amount DESC) AS r,\n"
                "  sum(units) OVER (PARTITION BY dealer_id ORDER BY day) AS running FROM sales)\n"
                "WHERE r = 1") == integer(5));
    CHECK(first("SELECT lag(model) OVER (ORDER BY id) FROM sales LIMIT 1 OFFSET 1") == text("Alpha"));
    CHECK(first("SELECT date('2026-01-31', '+1 day')") == text("2026-02-01"));
    CHECK(first("SELECT strftime('%m', day) FROM sales ORDER BY day DESC LIMIT 1") == text("04"));
    CHECK(first("SELECT typeof(CURRENT_DATE)") == text("text"));
    CHECK(first("SELECT json_object('units', sum(units)) FROM sales") == text(R"({"units":24})"));
    CHECK(first(R"(SELECT '{"a":[1,2,3]}' ->> '$.a[2]')") == integer(3));
    CHECK(first("SELECT json_group_array(id) FROM (SELECT id FROM dealers ORDER BY id)") == text("[1,2,3]"));
    CHECK(first("SELECT sum(value) FROM json_each('[1, 2, 3]')") == integer(6));
    CHECK(first("SELECT round(sqrt(16.0)) = 4.0 AND pi() > 3") == integer(1));
    CHECK(first("SELECT printf('%05.1f', 3.14159)") == text("003.1"));
    CHECK(first("SELECT count(*) FROM sqlite_schema") == integer(6));
    CHECK(first("EXPLAIN QUERY PLAN SELECT * FROM sales WHERE day > '2026'") != value{});

    SECTION("describing PRAGMAs and their table-valued forms") {
        auto info = bi::query_all(*db, "PRAGMA table_info(sales)");
        REQUIRE(info.rows.size() == 6);
        CHECK(info.rows[1][1] == text("day"));
        CHECK(first("SELECT group_concat(name, ',') FROM pragma_table_info('dealers')") == text("id,name,city"));
        CHECK(first("PRAGMA user_version") == integer(0));
        CHECK(first("PRAGMA main.page_size") == integer(4096));
        CHECK(first("SELECT count(*) FROM pragma_index_list('sales')") == integer(1));
        CHECK(first("PRAGMA foreign_key_list(sales)") == integer(0));
        // SQLite compiles `PRAGMA journal_mode` as a possible write; the refusal points to
        // the table-valued form, which reads.
        CHECK_THAT(refusal_of(*db, "PRAGMA journal_mode"), Contains("SELECT * FROM pragma_journal_mode"));
        CHECK(first("SELECT * FROM pragma_journal_mode") == text("delete"));
    }
    SECTION("query() reports what it streamed") {
        null_sink sink;
        auto stats = db->query("SELECT id, model FROM sales", sink);
        CHECK(stats.rows == 8);
        CHECK(stats.bytes == 8 * 8 + 5 + 4 + 4 + 5 + 5 + 4 + 5 + 5);
    }
    SECTION("syntax errors are errors, not refusals") {
        null_sink sink;
        try {
            db->query("SELEC 1", sink);
            FAIL("bad SQL ran");
        } catch (const bi::refused_error& e) {
            FAIL("refused: " << e.what());
        } catch (const bi::error& e) {
            CHECK_THAT(e.what(), StartsWith("SQL error: ") && Contains("syntax error"));
            CHECK(e.code() == bi::exit_code::failure);
        }
        CHECK_THAT(message_of<bi::error>([&] { db->query("SELECT nope FROM sales", sink); }),
                   Contains("SQL error: no such column: nope"));
    }
}

TEST_CASE_METHOD(guard_fixture, "check() returns the columns", "[guard]") {
    auto db = open();
    auto columns = db->check("SELECT s.id, s.day, s.amount * 2 AS doubled, v.dealer FROM sales AS s JOIN sales_by_dealer AS v");
    REQUIRE(columns.size() == 4);
    CHECK(columns[0].name == "id");
    CHECK(columns[0].decl_type == "INTEGER");
    CHECK(columns[1].name == "day");
    CHECK(columns[1].decl_type == "TEXT");
    CHECK(columns[2].name == "doubled");
    CHECK(columns[2].decl_type.empty());
    CHECK(columns[3].name == "dealer");
}

TEST_CASE_METHOD(guard_fixture, "values round-trip with their types", "[guard]") {
    using bi::value;
    const std::string awkward = "it's \"quoted\"\t;\n\x01 Grüße ✓ — 日本";
    const std::string with_nul("a\0b", 3);
    const std::string blob_bytes("\x00\x01\xff\x00 x", 5);
    {
        writer w(db_path);
        w.exec("BEGIN");
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(w.get(), "INSERT INTO cells(id, v) VALUES (?, ?)", -1, &stmt, nullptr) == SQLITE_OK);
        int id = 0;
        auto insert = [&](auto bind) {
            sqlite3_bind_int(stmt, 1, ++id);
            bind();
            REQUIRE(sqlite3_step(stmt) == SQLITE_DONE);
            sqlite3_reset(stmt);
        };
        insert([&] { sqlite3_bind_null(stmt, 2); });
        insert([&] { sqlite3_bind_int64(stmt, 2, (std::int64_t{1} << 53) + 1); });
        insert([&] { sqlite3_bind_int64(stmt, 2, std::numeric_limits<std::int64_t>::min()); });
        insert([&] { sqlite3_bind_int64(stmt, 2, std::numeric_limits<std::int64_t>::max()); });
        insert([&] { sqlite3_bind_double(stmt, 2, 0.1); });
        insert([&] { sqlite3_bind_double(stmt, 2, -1.5e300); });
        insert([&] { sqlite3_bind_text(stmt, 2, awkward.data(), static_cast<int>(awkward.size()), SQLITE_STATIC); });
        insert([&] { sqlite3_bind_text(stmt, 2, with_nul.data(), static_cast<int>(with_nul.size()), SQLITE_STATIC); });
        insert([&] { sqlite3_bind_text(stmt, 2, "", 0, SQLITE_STATIC); });
        insert([&] { sqlite3_bind_blob(stmt, 2, blob_bytes.data(), static_cast<int>(blob_bytes.size()), SQLITE_STATIC); });
        insert([&] { sqlite3_bind_zeroblob(stmt, 2, 0); });
        sqlite3_finalize(stmt);
        w.exec("COMMIT");
    }
    const std::vector<value> expected = {
        value{},
        value{(std::int64_t{1} << 53) + 1},
        value{std::numeric_limits<std::int64_t>::min()},
        value{std::numeric_limits<std::int64_t>::max()},
        value{0.1},
        value{-1.5e300},
        value{awkward},
        value{with_nul},
        value{std::string()},
        value{bi::blob{blob_bytes}},
        value{bi::blob{}},
    };
    auto db = open();

    SECTION("as owned values") {
        auto result = bi::query_all(*db, "SELECT v FROM cells ORDER BY id");
        REQUIRE(result.rows.size() == expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            INFO("row " << i);
            CHECK(result.rows[i].at(0) == expected[i]);
        }
    }
    SECTION("through the typed accessors") {
        struct typed_sink final : bi::row_sink {
            std::vector<bi::column_type> types;
            std::vector<std::string> texts;
            std::vector<std::int64_t> integers;
            void begin(const std::vector<bi::column_info>& columns) override { REQUIRE(columns.size() == 2); }
            void row(const bi::row_view& row) override {
                REQUIRE(row.size() == 2);
                types.push_back(row.type(1));
                texts.emplace_back(row.text(1));
                integers.push_back(row.type(1) == bi::column_type::integer ? row.integer(1) : 0);
            }
        } sink;
        db->query("SELECT typeof(v), v FROM cells ORDER BY id", sink);
        using t = bi::column_type;
        CHECK(sink.types == std::vector<t>{t::null, t::integer, t::integer, t::integer, t::real, t::real, t::text,
                                           t::text, t::text, t::blob, t::blob});
        CHECK(sink.integers[1] == 9007199254740993);
        CHECK(sink.texts[6] == awkward);
        CHECK(sink.texts[7] == with_nul);
        CHECK(sink.texts[9] == blob_bytes);
        CHECK(sink.texts[10].empty());
    }
}

TEST_CASE_METHOD(guard_fixture, "guard lists the tables with their DDL", "[guard]") {
    auto db = open();
    auto tables = db->tables();
    REQUIRE(tables.size() == 3);
    CHECK(tables[0].name == "cells");
    CHECK(tables[1].name == "dealers");
    CHECK(tables[2].name == "sales");
    CHECK_THAT(tables[2].ddl, StartsWith("CREATE TABLE sales(") && Contains("dealer_id INTEGER"));
    CHECK(db->path() == db_path.string());
    CHECK(db->dialect() == "sqlite");
}

TEST_CASE_METHOD(guard_fixture, "a sink's exception leaves the connection usable", "[guard]") {
    auto db = open();
    struct throwing_sink final : bi::row_sink {
        void begin(const std::vector<bi::column_info>&) override {}
        void row(const bi::row_view&) override { throw std::runtime_error("reader went away"); }
    } sink;
    CHECK_THROWS_WITH(db->query("SELECT * FROM sales", sink), "reader went away");
    CHECK(bi::query_all(*db, "SELECT count(*) FROM dealers").rows.at(0).at(0) == bi::value{std::int64_t{3}});
}

TEST_CASE_METHOD(guard_fixture, "guard opens file names that need percent-encoding", "[guard]") {
    auto odd = dir.path() / "we?ird #name%20 ü.db";
    fs::copy_file(db_path, odd);
    auto db = bi::open_database(odd.string());
    CHECK(bi::query_all(*db, "SELECT count(*) FROM sales").rows.at(0).at(0) == bi::value{std::int64_t{8}});
    CHECK_FALSE(fs::exists(dir.path() / "we"));  // the `?` did not end the file name
}

TEST_CASE_METHOD(guard_fixture, "guard names files it cannot use", "[guard]") {
    auto expect_unreachable = [](const fs::path& path, const std::string& fragment) {
        INFO(path);
        try {
            bi::open_database(path.string());
            FAIL("opened");
        } catch (const bi::unreachable_error& e) {
            CHECK_THAT(e.what(), StartsWith("'" + path.string() + "': ") && Contains(fragment));
            CHECK(std::string(e.what()).find('\n') == std::string::npos);
            CHECK(e.code() == bi::exit_code::unreachable);
        }
    };
    auto bytes = read_bytes(db_path);
    REQUIRE(bytes.size() > 4096);

    expect_unreachable(dir.path() / "missing.db", "no such file");
    write_bytes(dir.path() / "empty.db", "");
    expect_unreachable(dir.path() / "empty.db", "not a SQLite database");
    write_bytes(dir.path() / "short.db", bytes.substr(0, 50));
    expect_unreachable(dir.path() / "short.db", "not a SQLite database");
    write_bytes(dir.path() / "first-page.db", bytes.substr(0, 4096));
    expect_unreachable(dir.path() / "first-page.db", "truncated SQLite database");
    write_bytes(dir.path() / "notes.txt", "day,units\n2026-01-01,3\n");
    expect_unreachable(dir.path() / "notes.txt", "not a SQLite database");
    write_bytes(dir.path() / "header-only.db", std::string("SQLite format 3\0", 16) + std::string(84, '\xff'));
    expect_unreachable(dir.path() / "header-only.db", "not a SQLite database");
    fs::create_directory(dir.path() / "a-directory.db");
    expect_unreachable(dir.path() / "a-directory.db", "not a regular file");
}

TEST_CASE_METHOD(guard_fixture, "a locked database is reported after the busy timeout", "[guard]") {
    bi::query_limits limits;
    limits.busy_timeout = std::chrono::milliseconds(200);
    auto db = open(limits);
    writer other(db_path);
    other.exec("BEGIN EXCLUSIVE; INSERT INTO dealers(name) VALUES ('Ost');");
    null_sink sink;
    auto message = message_of<bi::unreachable_error>([&] { db->query("SELECT count(*) FROM dealers", sink); });
    CHECK_THAT(message, Contains("database is locked by another process (waited 200 ms)") &&
                            Contains(db_path.string()));
    other.exec("ROLLBACK");
    CHECK(bi::query_all(*db, "SELECT count(*) FROM dealers").rows.at(0).at(0) == bi::value{std::int64_t{3}});
}

TEST_CASE_METHOD(guard_fixture, "the fingerprint follows the file's content version", "[guard]") {
    auto first = bi::database_fingerprint(db_path.string());
    CHECK(first.size() == 16);
    CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(bi::database_fingerprint(db_path.string()) == first);
    {
        auto db = open();
        bi::query_all(*db, "SELECT * FROM sales");
    }
    CHECK(bi::database_fingerprint(db_path.string()) == first);  // reading changes nothing
    {
        writer w(db_path);
        w.exec("INSERT INTO dealers(name) VALUES ('Ost')");
    }
    CHECK(bi::database_fingerprint(db_path.string()) != first);
    CHECK(bi::database_fingerprint((dir.path() / "missing.db").string()).empty());
}
