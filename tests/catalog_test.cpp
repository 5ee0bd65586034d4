// The catalog loader: the real catalog loads, and every malformed header is reported as
// file:line with what is wrong.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "support.hpp"

namespace {

const char* good_header =
    "-- title: Units by model\n"
    "-- description: Units sold per model.\n"
    "-- keywords: units, models\n"
    "-- synonyms: volume by model\n"
    "-- example: Units by model\n"
    "-- example: How many of each model did we sell?\n"
    "-- example: Model volumes\n"
    "-- slots: model = model, year = year\n"
    "-- columns: model, units, deals, rate\n"
    "-- measures: units = sum, deals = sum\n"
    "-- ratio: rate = units / deals * 100 round 1\n"
    "-- units: rate = percent\n"
    "-- sort: units desc\n"
    "-- limit: 10\n"
    "-- chart: bar\n"
    "-- chart_label: model\n"
    "-- chart_values: units\n"
    "-- schedule: weekly\n";

std::string with(std::string header, const std::string& from, const std::string& to) {
    auto pos = header.find(from);
    REQUIRE(pos != std::string::npos);
    header.replace(pos, from.size(), to);
    return header;
}

}  // namespace

TEST_CASE("a complete header parses into a query definition", "[catalog]") {
    auto q = bi::parse_query(std::string(good_header) + "SELECT 1 AS model;\n", "q.sql", "cat", "units");
    CHECK(q.id() == "cat/units");
    CHECK(q.title == "Units by model");
    CHECK(q.examples.size() == 3);
    CHECK(q.synonyms == std::vector<std::string>{"volume by model"});
    REQUIRE(q.slot_column("year"));
    CHECK(*q.slot_column("year") == "year");
    CHECK(q.slot_column("region") == nullptr);
    CHECK(q.columns == std::vector<std::string>{"model", "units", "deals", "rate"});
    REQUIRE(q.ratio("rate"));
    CHECK(q.ratio("rate")->numerator == "units");
    CHECK(q.ratio("rate")->denominator == "deals");
    CHECK(q.ratio("rate")->scale == 100.0);
    CHECK(q.ratio("rate")->round_digits == 1);
    CHECK(q.sort.column == "units");
    CHECK(q.sort.direction == bi::sort_direction::desc);
    CHECK(q.default_limit == 10);
    CHECK(q.when == bi::schedule::weekly);
    CHECK(q.sql == "SELECT 1 AS model");
    CHECK(q.units.at("rate") == "percent");
}

TEST_CASE("a ratio may be a difference over a total", "[catalog]") {
    auto header = with(good_header, "-- ratio: rate = units / deals * 100 round 1", "-- ratio: rate = (units - deals) / units * 100");
    auto q = bi::parse_query(header + "SELECT 1", "q.sql", "c", "n");
    REQUIRE(q.ratio("rate"));
    CHECK(q.ratio("rate")->subtrahend == "deals");
    CHECK(q.ratio("rate")->round_digits == 2);
}

TEST_CASE("malformed headers name the file, the line and the fault", "[catalog]") {
    struct bad_case {
        std::string from, to, expected;
    };
    std::vector<bad_case> cases = {
        {"-- title: Units by model", "-- titel: Units by model", "q.sql:1: unknown header key 'titel'"},
        {"-- schedule: weekly", "-- schedule: hourly", "q.sql:18: schedule must be daily, weekly or monthly, not 'hourly'"},
        {"-- sort: units desc", "-- sort: units sideways", "q.sql:13: sort direction must be asc or desc"},
        {"-- slots: model = model, year = year", "-- slots: colour = colour", "q.sql:8: unknown slot 'colour'"},
        {"-- measures: units = sum, deals = sum", "-- measures: units = average", "q.sql:10: measure 'units' needs sum, min, max or avg"},
        {"-- chart: bar", "-- chart: radar3d", "q.sql:15: unknown chart type 'radar3d'"},
        {"-- limit: 10", "-- limit: ten", "q.sql:14: limit must be a positive whole number"},
        {"-- ratio: rate = units / deals * 100 round 1", "-- ratio: rate = units", "q.sql:11: ratio needs 'numerator / denominator'"},
        {"-- keywords: units, models", "-- keywords:", "q.sql:3: header key 'keywords' has no value"},
        {"-- example: Model volumes\n", "", "q.sql:1: needs at least 3 'example' lines, has 2"},
        {"-- title: Units by model\n", "", "q.sql:1: missing header key 'title'"},
        {"-- chart_values: units", "-- chart_values: units;drop", "is not a valid column name"},
        {"-- units: rate = percent", "-- units: rate = percent\n-- units: units = count", "q.sql:13: header key 'units' given twice"},
    };
    for (auto& c : cases) {
        INFO(c.to);
        auto text = with(good_header, c.from, c.to) + "SELECT 1";
        try {
            bi::parse_query(text, "q.sql", "c", "n");
            FAIL("no error for: " << c.to);
        } catch (const bi::parse_error& e) {
            CHECK_THAT(e.what(), Catch::Matchers::Contains(c.expected));
        }
    }
    CHECK_THROWS_WITH(bi::parse_query(good_header, "q.sql", "c", "n"), Catch::Matchers::Contains("no SQL after the header"));
    CHECK_THROWS_AS(bi::parse_query("", "q.sql", "c", "n"), bi::parse_error);
}

TEST_CASE("the vocabulary file declares synonyms, aliases and stop words", "[catalog]") {
    auto v = bi::parse_vocabulary("# comment\nsynonym: sales = sold, selling\nalias: region Northeast = NE, north-east\nstop: kindly\n", "v.conf");
    REQUIRE(v.synonyms.size() == 1);
    CHECK(v.synonyms[0].second == std::vector<std::string>{"sold", "selling"});
    REQUIRE(v.aliases.size() == 1);
    CHECK(v.aliases[0].slot == "region");
    CHECK(v.aliases[0].value == "Northeast");
    CHECK(v.stop_words == std::vector<std::string>{"kindly"});
    CHECK_FALSE(v.aliases[0].preferred);
    // `prefer:` is an alias that wins where the name is another dimension's value too
    auto p = bi::parse_vocabulary("prefer: region Northeast = NE\n", "v.conf");
    REQUIRE(p.aliases.size() == 1);
    CHECK(p.aliases[0].preferred);
    CHECK(p.aliases[0].aliases == std::vector<std::string>{"NE"});
    CHECK_THROWS_WITH(bi::parse_vocabulary("prefer: Northeast = NE\n", "v.conf"), Catch::Matchers::Contains("prefer needs 'slot value = aliases'"));
    // Any dimension of the semantic model may have aliases; its name must still be a name.
    CHECK_NOTHROW(bi::parse_vocabulary("\nalias: colour Red = r\n", "v.conf"));
    CHECK_THROWS_WITH(bi::parse_vocabulary("\nalias: col-our Red = r\n", "v.conf"),
                      Catch::Matchers::Contains("v.conf:2: 'col-our' is not a valid dimension name"));
    CHECK_THROWS_WITH(bi::parse_vocabulary("synonym sales\n", "v.conf"), Catch::Matchers::Contains("v.conf:1:"));
    CHECK_THROWS_WITH(bi::parse_vocabulary("antonym: a = b\n", "v.conf"), Catch::Matchers::Contains("unknown key 'antonym'"));
}

TEST_CASE("the repository's catalog loads: 16 reports and 11 cubes in 6 categories", "[catalog]") {
    auto c = bi::load_catalog(std::string(BI_SOURCE_DIR) + "/queries");
    CHECK(c.queries.size() == 27);
    CHECK(c.categories() == std::vector<std::string>{"cubes", "executive_reports", "inventory_management", "kpi_monitoring",
                                                     "sales_analytics", "warranty_analysis"});
    int reports = 0;
    for (auto& q : c.queries) {
        INFO(q.id());
        CHECK_FALSE(q.sql.empty());
        if (q.is_cube()) {
            CHECK(q.category == "cubes");
            CHECK_FALSE(q.measures.empty());
            continue;
        }
        ++reports;
        CHECK(q.examples.size() >= 3);
    }
    CHECK(reports == 16);
    REQUIRE(c.find("sales_analytics/top_models_by_region"));
    CHECK(c.find("top_models_by_region") == c.find("sales_analytics/top_models_by_region"));
    CHECK_FALSE(c.vocab.aliases.empty());
    CHECK_THROWS_WITH(bi::load_catalog("/nonexistent/queries"), Catch::Matchers::Contains("catalog directory not found"));
}

TEST_CASE("a cube declares its grain, dimensions and measures, and nothing of a report", "[catalog]") {
    const std::string head = "-- title: T\n-- description: D\n-- cube: month, dealer\n-- dimensions: region\n"
                             "-- measures: units = sum, actual = avg\n-- schedule: daily\n";
    auto q = bi::parse_query(head + "SELECT 1", "c.sql", "cubes", "c");
    CHECK(q.is_cube());
    CHECK(q.grain == std::vector<std::string>{"month", "dealer"});
    CHECK(q.columns == std::vector<std::string>{"month", "dealer", "region", "units", "actual"});
    CHECK_THROWS_WITH(bi::parse_query(head + "-- example: a\nSELECT 1", "c.sql", "cubes", "c"),
                      Catch::Matchers::Contains("a cube takes title, description, cube, dimensions, measures"));
    CHECK_THROWS_WITH(bi::parse_query("-- title: T\n-- description: D\n-- cube: month\n-- schedule: daily\nSELECT 1", "c.sql", "cubes", "c"),
                      Catch::Matchers::Contains("a cube needs 'measures'"));
}

TEST_CASE("a query's <name>.postgresql.sql is its text on PostgreSQL, and only a variant of a query", "[catalog]") {
    auto dir = bi::test::scratch_dir("catalog_dialects");
    std::filesystem::create_directories(dir + "/sales");
    auto write = [](const std::string& path, const std::string& text) { std::ofstream(path) << text; };
    write(dir + "/sales/units.sql", std::string(good_header) + "SELECT model, units, deals, rate FROM t\n");
    write(dir + "/sales/units.postgresql.sql", "-- The PostgreSQL text of units.sql\nSELECT model, units, deals, rate FROM pg_t\n");
    auto c = bi::load_catalog(dir);
    REQUIRE(c.queries.size() == 1);  // the variant is not a query of its own
    auto& q = c.queries.front();
    CHECK(bi::sql_for(q, "sqlite") == q.sql);
    CHECK(bi::sql_for(q, "postgresql").find("FROM pg_t") != std::string::npos);

    write(dir + "/sales/units.oracle.sql", "SELECT 1 FROM dual\n");
    CHECK_THROWS_WITH(bi::load_catalog(dir), Catch::Matchers::Contains("units.oracle.sql") &&
                                                 Catch::Matchers::Contains("'oracle' is not a dialect bi knows"));
    std::filesystem::remove(dir + "/sales/units.oracle.sql");
    write(dir + "/sales/orphan.postgresql.sql", "SELECT 1\n");
    CHECK_THROWS_WITH(bi::load_catalog(dir), Catch::Matchers::Contains("orphan.postgresql.sql") &&
                                                 Catch::Matchers::Contains("which has no orphan.sql"));
}
