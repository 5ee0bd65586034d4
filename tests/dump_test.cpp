// Dumps: every SQLite type and awkward text round-trips exactly; the catalog's dumps hold the
// same rows as the sqlite3 shell; dumping twice changes only timestamps; replacement is atomic.
#include <atomic>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <limits>
#include <thread>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "bi/catalog.hpp"
#include "bi/database.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

/// Removes the two fields that legitimately differ between runs.
std::string without_timestamps(std::string text) {
    for (const char* key : {"\"generated_at\":\"", "\"duration_ms\":"}) {
        auto pos = text.find(key);
        REQUIRE(pos != std::string::npos);
        auto end = text.find_first_of(",}", pos + std::strlen(key) + 1);
        text.erase(pos, end - pos);
    }
    return text;
}

}  // namespace

TEST_CASE("every SQLite type and awkward text round-trips through a dump", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_types");
    auto db_path = dir + "/types.db";
    bi::test::make_database(db_path,
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v);"
        "INSERT INTO t(v) VALUES (NULL), (0), (-1), (9007199254740993), (9223372036854775807), (-9223372036854775808),"
        "(0.1), (-2.5e-300), (1.7976931348623157e308), (1.0), (-0.0), (1e999), (-1e999),"
        "('plain'), ('quote \" and backslash \\ and ''apostrophe'''), ('tab\tnewline\ncarriage\rbell' || char(7) || char(0x1f)),"
        "('naïve café — 東京 🚗'), (CAST(X'C328' AS TEXT)), (X''), (X'00FF10'), (''), (' ');");
    auto db = bi::open_database(db_path);
    auto expected = bi::query_all(*db, "SELECT id, v FROM t ORDER BY id");
    auto out = dir + "/types.json";
    auto stats = bi::write_sql_dump(*db, "SELECT id, v FROM t ORDER BY id", out);
    CHECK(stats.rows == static_cast<std::int64_t>(expected.rows.size()));

    auto d = bi::read_dump(out);
    REQUIRE(d.data.rows.size() == expected.rows.size());
    for (size_t i = 0; i < expected.rows.size(); ++i) {
        INFO("row " << i + 1);
        auto& want = expected.rows[i][1];
        auto& got = d.data.rows[i][1];
        REQUIRE(got.index() == want.index());
        if (auto w = std::get_if<double>(&want)) {
            auto g = std::get<double>(got);
            CHECK(std::signbit(*w) == std::signbit(g));
            if (std::isfinite(*w)) CHECK(g == *w);
            else CHECK(std::isinf(g));
        } else {
            CHECK(got == want);
        }
    }
    CHECK(d.data.types[1] == "mixed");
    CHECK(d.data.types[0] == "integer");

    // The file is plain JSON a generic parser accepts, with the documented tagged forms.
    rapidjson::Document doc;
    auto text = bi::read_file(out);
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(doc["data"][3]["v"].GetInt64() == 9007199254740993LL);
    CHECK(std::string(doc["data"][11]["v"]["$real"].GetString()) == "Infinity");
    CHECK(std::string(doc["data"][19]["v"]["$blob"].GetString()) == "AP8Q");
    CHECK(doc["data"][17]["v"].HasMember("$text_base64"));
    CHECK(doc["chart_config"].HasMember("type"));
}

TEST_CASE("a truncated or hand-edited dump is reported, never half-read", "[dump]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto good = bi::read_file(dumps + "/sales_analytics/top_models_by_region.json");
    CHECK_NOTHROW(bi::parse_dump(good, "x.json"));
    CHECK_THROWS_WITH(bi::parse_dump(good.substr(0, good.size() / 2), "x.json"), Catch::Matchers::Contains("x.json: not valid JSON"));
    CHECK_THROWS_WITH(bi::parse_dump("[]", "x.json"), Catch::Matchers::Contains("not a bi dump"));
    CHECK_THROWS_WITH(bi::parse_dump("", "x.json"), Catch::Matchers::Contains("x.json: not valid JSON"));
    auto edited = good;
    auto pos = edited.find("\"row_count\":");
    REQUIRE(pos != std::string::npos);
    edited.insert(pos + 12, "1");
    CHECK_THROWS_WITH(bi::parse_dump(edited, "x.json"), Catch::Matchers::Contains("row_count says"));
    CHECK_THROWS_AS(bi::read_dump("/nonexistent/dump.json"), bi::error);
}

TEST_CASE("dumps of the catalog hold exactly the rows the sqlite3 shell returns", "[dump]") {
    auto db_path = bi::test::env("BI_TEST_DB");
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    REQUIRE(c.queries.size() == 16);
    for (auto& q : c.queries) {
        INFO(q.id());
        auto d = bi::read_dump(bi::dump_path(dumps, q));
        CHECK(d.row_count > 0);
        CHECK(d.query_name == q.name);
        CHECK(d.category == q.category);
        CHECK(d.schedule == std::string(bi::to_string(q.when)));
        CHECK(d.source.sql_sha256.size() == 64);

        std::string out;
        REQUIRE(bi::test::run_command("sqlite3 -json '" + db_path + "' < '" + q.file + "'", out) == 0);
        rapidjson::Document shell;
        shell.Parse<rapidjson::kParseFullPrecisionFlag>(out.c_str());
        REQUIRE_FALSE(shell.HasParseError());
        REQUIRE(shell.IsArray());
        REQUIRE(shell.Size() == d.data.rows.size());
        for (rapidjson::SizeType r = 0; r < shell.Size(); ++r) {
            for (size_t col = 0; col < d.data.columns.size(); ++col) {
                auto& cell = shell[r][d.data.columns[col].c_str()];
                auto& mine = d.data.rows[r][col];
                INFO("row " << r << " column " << d.data.columns[col]);
                if (cell.IsNull()) CHECK(bi::is_null(mine));
                else if (cell.IsString()) CHECK(std::get<std::string>(mine) == cell.GetString());
                else if (cell.IsInt64()) CHECK(std::get<std::int64_t>(mine) == cell.GetInt64());
                else CHECK(bi::as_double(mine) == Approx(cell.GetDouble()).epsilon(1e-12));
            }
        }
    }
}

TEST_CASE("dumping the same database twice changes nothing but timestamps", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_twice");
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    for (auto& q : c.queries) {
        INFO(q.id());
        bi::write_dump(*db, q, dir + "/a.json");
        bi::write_dump(*db, q, dir + "/b.json");
        CHECK(without_timestamps(bi::read_file(dir + "/a.json")) == without_timestamps(bi::read_file(dir + "/b.json")));
    }
}

TEST_CASE("a reader polling during rewrites never sees a partial dump", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_atomic");
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    auto q = c.find("sales_analytics/dealer_performance");
    REQUIRE(q);
    auto target = dir + "/dump.json";
    bi::write_dump(*db, *q, target);
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, bad{0};
    std::thread reader([&] {
        while (!done) {
            try {
                bi::read_dump(target);
            } catch (const std::exception&) {
                ++bad;
            }
            ++reads;
        }
    });
    for (int i = 0; i < 30; ++i) bi::write_dump(*db, *q, target);
    done = true;
    reader.join();
    CHECK(reads > 0);
    CHECK(bad == 0);
    // No temporary files are left behind.
    int files = 0;
    for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
    CHECK(files == 1);
}

TEST_CASE("a failed write keeps the previous dump", "[dump]") {
    auto dir = bi::test::scratch_dir("dump_keep");
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto target = dir + "/x.json";
    bi::write_sql_dump(*db, "SELECT 1 AS one", target);
    auto before = bi::read_file(target);
    CHECK_THROWS_AS(bi::write_sql_dump(*db, "SELECT nosuchcolumn FROM sales", target), bi::error);
    CHECK_THROWS_AS(bi::write_sql_dump(*db, "DELETE FROM sales", target), bi::refused_error);
    CHECK(bi::read_file(target) == before);
    int files = 0;
    for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
    CHECK(files == 1);
}
