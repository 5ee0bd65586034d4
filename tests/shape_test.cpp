// Answer shaping: filters, re-aggregation over summed-away grain columns, ratios recomputed
// from their parts (never averaged), sort direction, limits, and the chart rebuilt from rows.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "bi/chart.hpp"
#include "bi/shape.hpp"

namespace {

bi::query_def fi_query() {
    bi::query_def q;
    q.category = "sales_analytics";
    q.name = "fi";
    q.title = "F&I";
    q.slots = {{"region", "region"}, {"year", "year"}};
    q.columns = {"dealer", "region", "deals", "fi_deals", "conversion_rate"};
    q.measures = {{"deals", bi::aggregate::sum}, {"fi_deals", bi::aggregate::sum}};
    q.ratios = {{"conversion_rate", "fi_deals", "", "deals", 100.0, 2}};
    q.sort = {"conversion_rate", bi::sort_direction::desc};
    q.chart = {"bar", "dealer", {"conversion_rate"}, ""};
    return q;
}

bi::table fi_rows() {
    using v = std::vector<bi::value>;
    bi::table t;
    t.columns = {"year", "dealer", "region", "deals", "fi_deals", "conversion_rate"};
    t.types = {"integer", "text", "text", "integer", "integer", "real"};
    t.rows = {
        v{std::int64_t{2024}, std::string("Alpha"), std::string("West"), std::int64_t{100}, std::int64_t{10}, 10.0},
        v{std::int64_t{2025}, std::string("Alpha"), std::string("West"), std::int64_t{10}, std::int64_t{9}, 90.0},
        v{std::int64_t{2024}, std::string("Beta"), std::string("Northeast"), std::int64_t{50}, std::int64_t{20}, 40.0},
        v{std::int64_t{2025}, std::string("Beta"), std::string("Northeast"), std::int64_t{50}, std::int64_t{20}, 40.0},
        v{std::int64_t{2025}, std::string("Gamma"), std::string("West"), std::int64_t{0}, std::int64_t{0}, bi::value{}},
    };
    return t;
}

}  // namespace

TEST_CASE("re-aggregation recomputes a ratio from its summed parts", "[shape]") {
    auto out = bi::shape_answer(fi_query(), fi_rows(), {});
    REQUIRE(out.rows.rows.size() == 3);
    CHECK(out.rows.columns == std::vector<std::string>{"dealer", "region", "deals", "fi_deals", "conversion_rate"});
    // Beta: 40/100 = 40%. Alpha: 19/110 = 17.27%, not the 50% an average of 10% and 90% would give.
    CHECK(std::get<std::string>(out.rows.rows[0][0]) == "Beta");
    CHECK(std::get<double>(out.rows.rows[0][4]) == Approx(40.0));
    CHECK(std::get<std::string>(out.rows.rows[1][0]) == "Alpha");
    CHECK(std::get<std::int64_t>(out.rows.rows[1][2]) == 110);
    CHECK(std::get<double>(out.rows.rows[1][4]) == Approx(17.27));
    // A zero denominator gives NULL, sorted last.
    CHECK(std::get<std::string>(out.rows.rows[2][0]) == "Gamma");
    CHECK(bi::is_null(out.rows.rows[2][4]));
    CHECK(out.sort.direction == bi::sort_direction::desc);
}

TEST_CASE("filters keep matching rows, case-insensitively, and years as numbers", "[shape]") {
    bi::shape_request req;
    req.filters = {{"region", std::string("west")}, {"year", std::int64_t{2025}}};
    auto out = bi::shape_answer(fi_query(), fi_rows(), req);
    REQUIRE(out.rows.rows.size() == 2);
    CHECK(std::get<std::string>(out.rows.rows[0][0]) == "Alpha");
    CHECK(std::get<double>(out.rows.rows[0][4]) == Approx(90.0));
    req.filters = {{"region", std::string("Atlantis")}};
    CHECK(bi::shape_answer(fi_query(), fi_rows(), req).rows.rows.empty());
}

TEST_CASE("reversing the sort and limiting never gives the original answer", "[shape]") {
    bi::shape_request best;
    best.limit = 1;
    bi::shape_request worst = best;
    worst.reverse = true;
    auto a = bi::shape_answer(fi_query(), fi_rows(), best);
    auto b = bi::shape_answer(fi_query(), fi_rows(), worst);
    REQUIRE(a.rows.rows.size() == 1);
    REQUIRE(b.rows.rows.size() == 1);
    CHECK(std::get<std::string>(a.rows.rows[0][0]) == "Beta");
    CHECK(std::get<std::string>(b.rows.rows[0][0]) == "Alpha");  // NULLs stay last either way
    CHECK(b.sort.direction == bi::sort_direction::asc);
    CHECK(a.limit == 1);
}

TEST_CASE("the chart is rebuilt from the rows returned", "[shape][chart]") {
    bi::shape_request req;
    req.limit = 2;
    auto q = fi_query();
    auto out = bi::shape_answer(q, fi_rows(), req);
    auto json = bi::chart_config(q.chart, out.rows, "F&I — West", {{"conversion_rate", "percent"}});
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(std::string(doc["type"].GetString()) == "bar");
    REQUIRE(doc["data"]["labels"].Size() == 2);
    CHECK(std::string(doc["data"]["labels"][0].GetString()) == "Beta");
    CHECK(doc["data"]["datasets"][0]["data"].Size() == 2);
    CHECK(doc["data"]["datasets"][0]["data"][0].GetDouble() == Approx(40.0));
    CHECK(std::string(doc["options"]["plugins"]["title"]["text"].GetString()) == "F&I — West");
    CHECK(std::string(doc["data"]["datasets"][0]["label"].GetString()) == "Conversion rate (%)");
}

TEST_CASE("series charts pivot one dataset per series value", "[chart]") {
    using v = std::vector<bi::value>;
    bi::table t;
    t.columns = {"region", "model", "units"};
    t.types = {"text", "text", "integer"};
    t.rows = {v{std::string("West"), std::string("Brisa"), std::int64_t{5}},
              v{std::string("East"), std::string("Brisa"), std::int64_t{3}},
              v{std::string("West"), std::string("Lumen"), std::int64_t{2}}};
    auto json = bi::chart_config({"stacked_bar", "model", {"units"}, "region"}, t, "Units");
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(doc["data"]["labels"].Size() == 2);
    REQUIRE(doc["data"]["datasets"].Size() == 2);
    CHECK(std::string(doc["data"]["datasets"][0]["label"].GetString()) == "East");
    CHECK(doc["data"]["datasets"][0]["data"][1].IsNull());
    CHECK(doc["options"]["scales"]["x"]["stacked"].GetBool());
}
