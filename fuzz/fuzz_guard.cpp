// Fuzzes the read-only guard: any bytes run as SQL against a small fixture database must be
// refused or answered with a typed bi::error, within the time budget, and never change the file.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "bi/database.hpp"
#include "bi/error.hpp"

namespace {

namespace fs = std::filesystem;
using steady_clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds time_budget{200};
// A statement the guard lets run past 10 times its budget is a hang, not scheduling noise.
constexpr auto hang_after = 10 * time_budget;

std::string fixture_dir;
std::string fixture_db;
std::string fixture_bytes;

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "fuzz_guard: %s\n", why.c_str());
    std::abort();
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A few tables shaped like the demo schema, with a view, an index and a few rows of each type.
const char* const fixture_sql = R"sql(
CREATE TABLE regions (region_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE dealers (dealer_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                      region_id INTEGER NOT NULL REFERENCES regions (region_id), city TEXT, state TEXT);
CREATE TABLE models (model_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, segment TEXT, msrp REAL);
CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, sale_date TEXT NOT NULL, dealer_id INTEGER NOT NULL,
                    model_id INTEGER NOT NULL, price REAL NOT NULL, cost REAL NOT NULL, fi_product TEXT,
                    note BLOB);
CREATE INDEX sales_by_date ON sales (sale_date);
CREATE VIEW sales_by_region AS
  SELECT r.name AS region, count(*) AS units, sum(s.price) AS revenue
  FROM sales s JOIN dealers d USING (dealer_id) JOIN regions r USING (region_id)
  GROUP BY r.name;
INSERT INTO regions VALUES (1, 'Northeast'), (2, 'Midwest'), (3, 'South'), (4, 'West');
INSERT INTO dealers VALUES (1, 'Harbor Motors', 1, 'Boston', 'MA'), (2, 'Prairie Auto', 2, 'Omaha', 'NE'),
                           (3, 'Gulf Cars', 3, 'Houston', 'TX'), (4, 'Bay Autos', 4, 'Oakland', 'CA');
INSERT INTO models VALUES (1, 'Falcon', 'sedan', 27999.5), (2, 'Bison', 'truck', 45250),
                          (3, 'Otter', 'ev', 39990.99);
INSERT INTO sales VALUES
  (1, '2025-01-03', 1, 1, 27000, 24100.25, 'warranty', x'00ff10'),
  (2, '2025-02-14', 2, 2, 44000, 39000, NULL, NULL),
  (3, '2025-03-30', 3, 3, 39000, 35500.5, 'gap', zeroblob(4)),
  (4, '2026-01-09', 4, 1, 28500, 24900, NULL, 'text in a blob column'),
  (5, '2026-05-21', 1, 2, 46000, 40100, 'tire', NULL);
)sql";

void make_fixture() {
    char tmpl[] = "/tmp/bi-fuzz-guard-XXXXXX";
    if (!::mkdtemp(tmpl)) die("cannot create a temporary directory");
    fixture_dir = tmpl;
    fixture_db = fixture_dir + "/fixture.db";
    sqlite3* db = nullptr;
    if (sqlite3_open(fixture_db.c_str(), &db) != SQLITE_OK) die("cannot create " + fixture_db);
    char* message = nullptr;
    if (sqlite3_exec(db, fixture_sql, nullptr, nullptr, &message) != SQLITE_OK)
        die(std::string("cannot fill the fixture: ") + (message ? message : "?"));
    sqlite3_close(db);
    fixture_bytes = read_bytes(fixture_db);
    if (fixture_bytes.empty()) die("the fixture is empty");
}

void remove_fixture() {
    std::error_code ec;
    fs::remove_all(fixture_dir, ec);
}

/// Reads every cell, as a caller would, and counts what it saw.
class reading_sink final : public bi::row_sink {
public:
    void begin(const std::vector<bi::column_info>& columns) override { width_ = columns.size(); }
    void row(const bi::row_view& row) override {
        if (static_cast<std::size_t>(row.size()) != width_) die("a row's width differs from its columns");
        for (int i = 0; i < row.size(); ++i) {
            switch (row.type(i)) {
            case bi::column_type::integer: sum_ += static_cast<std::uint64_t>(row.integer(i)); break;
            case bi::column_type::real: sum_ += static_cast<std::uint64_t>(row.real(i) != 0); break;
            case bi::column_type::text:
            case bi::column_type::blob: {
                auto t = row.text(i);
                if (!t.empty()) sum_ += static_cast<unsigned char>(t.back()) + t.size();
                break;
            }
            case bi::column_type::null: break;
            }
        }
    }

private:
    std::size_t width_ = 0;
    std::uint64_t sum_ = 0;
};

/// The fixture must be byte for byte what it was, and alone in its directory (no journal,
/// WAL, or file written by an ATTACH or VACUUM INTO that got through).
void check_unchanged(std::string_view sql) {
    if (read_bytes(fixture_db) != fixture_bytes)
        die("the fixture database changed after: " + std::string(sql));
    for (auto& entry : fs::directory_iterator(fixture_dir))
        if (entry.path() != fs::path(fixture_db))
            die("'" + entry.path().string() + "' appeared after: " + std::string(sql));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    make_fixture();
    std::atexit(remove_fixture);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The hostile seeds (tests/data/hostile_sql.tsv) name their target directory @DIR@: point
    // them at the fixture's, where check_unchanged() would see a file they managed to write.
    std::string sql(reinterpret_cast<const char*>(data), size);
    for (auto at = sql.find("@DIR@"); at != std::string::npos; at = sql.find("@DIR@", at + fixture_dir.size()))
        sql.replace(at, 5, fixture_dir);
    bi::query_limits limits;
    limits.time_budget = time_budget;
    limits.busy_timeout = std::chrono::milliseconds{100};
    limits.max_rows = 1'000;
    limits.max_bytes = 1 << 20;
    limits.heap_limit = std::int64_t{256} << 20;
    {
        // Opening the fixture does not depend on the input: a failure there is the machine's
        // (a loaded machine can spend the 200 ms budget reading the schema), not the guard's.
        std::unique_ptr<bi::database> db;
        try {
            db = bi::open_database(fixture_db, limits);
        } catch (const bi::error&) {
            return 0;
        }
        reading_sink sink;
        auto start = steady_clock::now();
        try {
            db->query(sql, sink);
        } catch (const bi::error&) {
            // refused, over a limit or an SQL error: all fine, as long as it is typed
        }
        auto took = steady_clock::now() - start;
        if (took > hang_after)
            die("a statement ran " +
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) +
                " ms under a budget of " + std::to_string(time_budget.count()) + " ms: " + sql);
    }
    check_unchanged(sql);
    return 0;
}
