// Answers end to end: filtered answers equal the same filter written as SQL against the demo
// database; a missing dump is answered live; no-match answers carry suggestions.
#include <filesystem>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/answer.hpp"
#include "bi/format.hpp"
#include "bi/database.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

bi::config config_for(const std::string& dumps) {
    bi::config c;
    c.database = bi::test::env("BI_TEST_DB");
    c.dumps_dir = dumps;
    c.queries_dir = std::string(BI_SOURCE_DIR) + "/queries";
    return c;
}

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

}  // namespace

TEST_CASE("a filtered, limited answer equals the same filter written as SQL", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto answer = a.ask("top 3 models in the north-east in 2025");
    REQUIRE(answer.code == bi::exit_code::ok);
    auto doc = parse(bi::render_json(answer));
    CHECK(std::string(doc["query"].GetString()) == "sales_analytics/top_models_by_region");
    CHECK(std::string(doc["filters"]["region"].GetString()) == "Northeast");
    CHECK(doc["filters"]["year"].GetInt() == 2025);
    CHECK(doc["limit"].GetInt() == 3);
    CHECK(doc["tokens"].GetInt() == 0);
    CHECK(std::string(doc["source"].GetString()) == "dump");
    REQUIRE(doc["data"].Size() == 3);

    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto sql = bi::query_all(*db,
        "SELECT m.name AS model, COUNT(*) AS units, SUM(s.price) AS revenue "
        "FROM sales s JOIN dealers d ON d.dealer_id = s.dealer_id JOIN regions r ON r.region_id = d.region_id "
        "JOIN models m ON m.model_id = s.model_id "
        "WHERE r.name = 'Northeast' AND s.sale_date >= '2025-01-01' AND s.sale_date < '2026-01-01' "
        "GROUP BY m.name ORDER BY units DESC, model LIMIT 3");
    REQUIRE(sql.rows.size() == 3);
    for (rapidjson::SizeType i = 0; i < 3; ++i) {
        INFO("row " << i);
        CHECK(std::string(doc["data"][i]["model"].GetString()) == std::get<std::string>(sql.rows[i][0]));
        CHECK(doc["data"][i]["units"].GetInt64() == std::get<std::int64_t>(sql.rows[i][1]));
        CHECK(doc["data"][i]["revenue"].GetDouble() == Approx(bi::as_double(sql.rows[i][2])).epsilon(1e-9));
        CHECK(std::string(doc["data"][i]["region"].GetString()) == "Northeast");
    }
    // The chart is rebuilt from the three rows returned.
    CHECK(doc["chart_config"]["data"]["labels"].Size() == 3);
}

TEST_CASE("the worst sellers are not the best sellers", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto best = parse(bi::render_json(a.ask("top 3 selling models in the West")));
    auto worst = parse(bi::render_json(a.ask("3 worst selling models in the West")));
    REQUIRE(best["matched"].GetBool());
    REQUIRE(worst["matched"].GetBool());
    CHECK(std::string(best["query"].GetString()) == std::string(worst["query"].GetString()));
    CHECK(std::string(best["sort"]["direction"].GetString()) == "desc");
    CHECK(std::string(worst["sort"]["direction"].GetString()) == "asc");
    CHECK(std::string(best["data"][0]["model"].GetString()) != std::string(worst["data"][0]["model"].GetString()));
    CHECK(best["data"][0]["units"].GetInt64() > worst["data"][0]["units"].GetInt64());
}

TEST_CASE("a ratio answer over a filter equals SQL computing the ratio of sums", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto doc = parse(bi::render_json(a.ask("F&I penetration by dealer in the Midwest for 2025, highest first")));
    REQUIRE(doc["matched"].GetBool());
    REQUIRE(std::string(doc["query"].GetString()).rfind("cubes/", 0) == 0);
    CHECK(std::string(doc["interpretation"]["measures"][0].GetString()) == "fi_penetration");
    REQUIRE(doc["data"].Size() > 0);
    auto& top = doc["data"][0];
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto sql = bi::query_all(*db, std::string(
        "SELECT COUNT(*), SUM(s.fi_product IS NOT NULL) FROM sales s JOIN dealers d ON d.dealer_id = s.dealer_id "
        "WHERE d.name = '") + top["dealer"].GetString() + "' AND s.sale_date BETWEEN '2025-01-01' AND '2025-12-31'");
    REQUIRE(sql.rows.size() == 1);
    auto deals = std::get<std::int64_t>(sql.rows[0][0]);
    auto fi = std::get<std::int64_t>(sql.rows[0][1]);
    CHECK(top["fi_penetration"].GetDouble() == Approx(100.0 * fi / deals).margin(0.006));
    // highest first: no other Midwest dealer has a higher penetration
    for (auto& row : doc["data"].GetArray()) CHECK(row["fi_penetration"].GetDouble() <= top["fi_penetration"].GetDouble());
}

TEST_CASE("two cities of one name are two rows, each with its state, and counted as two", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto shared = bi::query_all(*db, "SELECT city FROM dealers GROUP BY city HAVING COUNT(DISTINCT state) > 1");
    REQUIRE_FALSE(shared.rows.empty());  // the demo data has one (Portland: OR and ME)
    auto city = std::get<std::string>(shared.rows[0][0]);

    auto doc = parse(bi::render_json(a.ask("revenue by city in 2025")));
    REQUIRE(doc["matched"].GetBool());
    auto sql = bi::query_all(*db, "SELECT d.city, d.state, SUM(s.price) FROM sales s JOIN dealers d ON d.dealer_id = s.dealer_id "
                                  "WHERE s.sale_date BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY d.city, d.state");
    REQUIRE(doc["data"].Size() == sql.rows.size());
    int seen = 0;
    for (auto& row : doc["data"].GetArray()) {
        REQUIRE(row.HasMember("state"));
        if (city != row["city"].GetString()) continue;
        ++seen;
        for (auto& r : sql.rows)
            if (std::get<std::string>(r[0]) == city && std::get<std::string>(r[1]) == row["state"].GetString())
                CHECK(row["revenue"].GetDouble() == Approx(std::get<double>(r[2])));
    }
    CHECK(seen == 2);

    auto count = parse(bi::render_json(a.ask("how many cities do we have dealers in")));
    REQUIRE(count["matched"].GetBool());
    auto cities = bi::query_all(*db, "SELECT COUNT(*) FROM (SELECT DISTINCT city, state FROM dealers)");
    CHECK(count["data"][0]["city_count"].GetInt64() == std::get<std::int64_t>(cities.rows[0][0]));
}

TEST_CASE("the top dealers' share 'combined' is one row: their revenue and share added, as SQL sums them", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto doc = parse(bi::render_json(a.ask("what share of 2025 revenue came from the top 5 dealers combined")));
    REQUIRE(doc["matched"].GetBool());
    CHECK(doc["interpretation"]["together"].GetBool());
    REQUIRE(doc["data"].Size() == 1);
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto sql = bi::query_all(*db,
        "WITH top AS (SELECT dealer_id, SUM(price) AS r FROM sales WHERE sale_date BETWEEN '2025-01-01' AND '2025-12-31' "
        "GROUP BY dealer_id ORDER BY r DESC LIMIT 5) SELECT SUM(r), SUM(r) * 100.0 / "
        "(SELECT SUM(price) FROM sales WHERE sale_date BETWEEN '2025-01-01' AND '2025-12-31') FROM top");
    CHECK(doc["data"][0]["revenue"].GetDouble() == Approx(std::get<double>(sql.rows[0][0])));
    CHECK(doc["data"][0]["share_pct"].GetDouble() == Approx(std::get<double>(sql.rows[0][1])).margin(0.006));
    CHECK_FALSE(doc["data"][0].HasMember("dealer"));
}

TEST_CASE("a missing dump is answered live through the guard", "[answer]") {
    auto dir = bi::test::scratch_dir("answer_live");
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    fs::copy(dumps, dir, fs::copy_options::recursive);
    fs::remove(dir + "/executive_reports/ceo_weekly_digest.json");
    bi::answerer a(config_for(dir), bi::load_index(bi::index_path(dir)));
    auto answer = a.ask("CEO weekly digest");
    auto doc = parse(bi::render_json(answer));
    REQUIRE(doc["matched"].GetBool());
    CHECK(std::string(doc["source"].GetString()) == "live");
    REQUIRE_FALSE(answer.notes.empty());
    CHECK_THAT(answer.notes[0], Catch::Matchers::Contains("dump is missing"));
    CHECK(doc["data"].Size() > 0);
}

TEST_CASE("no confident match exits 3 with suggestions", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto answer = a.ask("what's the weather like in Paris tomorrow");
    CHECK(answer.code == bi::exit_code::no_match);
    auto doc = parse(bi::render_json(answer));
    CHECK_FALSE(doc["matched"].GetBool());
    CHECK(doc["query"].IsNull());
    CHECK(doc["suggestions"].Size() == 3);
}

TEST_CASE("a slot the report cannot apply means no answer, never an answer without it", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto answer = a.ask("CEO weekly digest for the Northeast");
    CHECK(answer.code == bi::exit_code::no_match);
    auto doc = parse(bi::render_json(answer));
    CHECK_FALSE(doc["matched"].GetBool());
    CHECK_THAT(doc["reason"].GetString(), Catch::Matchers::Contains("cannot be filtered by region"));
    CHECK(std::string(doc["question"].GetString()) == "CEO weekly digest for the Northeast");
}

TEST_CASE("a value the model read that no report can be narrowed to means no answer, not the report unnarrowed", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    // (the F&I conversion report, by dealer, would answer; it holds no product to narrow to)
    auto answer = a.ask("ballpark what % of deals had gap insurance attached last yr?");
    CHECK(answer.code == bi::exit_code::no_match);
    auto doc = parse(bi::render_json(answer));
    CHECK_THAT(doc["reason"].GetString(), Catch::Matchers::Contains("GAP Insurance"));
}

TEST_CASE("rows asked by what no report has a row for mean no answer, not the closest report's rows", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    // (no measure read: the F&I conversion report, a row a dealer, was the closest)
    auto answer = a.ask("what was our biggest F&I product by $ last year, and how much?");
    CHECK(answer.code == bi::exit_code::no_match);
    auto doc = parse(bi::render_json(answer));
    CHECK_THAT(doc["reason"].GetString(), Catch::Matchers::Contains("by fi_product"));
}

TEST_CASE("an answerer asked again answers as it did, and kept rows follow the question", "[answer]") {
    // A batch keeps each routed question and each shaped answer: asking again must give the
    // same answer, and a question that differs in limit, order or filter must not reuse rows.
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    bi::answerer fresh(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto rows = [](const bi::answer& x) { return parse(bi::render_json(x))["data"].Size(); };
    auto data = [](const bi::answer& x) {
        auto doc = parse(bi::render_json(x));
        rapidjson::StringBuffer b;
        rapidjson::Writer<rapidjson::StringBuffer> w(b);
        doc["data"].Accept(w);
        doc["chart_config"].Accept(w);
        return std::string(b.GetString());
    };
    auto top3 = a.ask("top 3 models in the northeast");
    auto top5 = a.ask("top 5 models in the northeast");
    auto worst3 = a.ask("worst 3 models in the northeast");
    auto west3 = a.ask("top 3 models in the west");
    auto again = a.ask("top 3 models in the northeast");
    CHECK(rows(top3) == 3);
    CHECK(rows(top5) == 5);
    CHECK(data(again) == data(top3));
    CHECK(again.query == top3.query);
    CHECK(data(top3) != data(worst3));
    CHECK(data(top3) != data(west3));
    // Each equals what an answerer that has kept nothing says, and one that reads only the
    // rows a question's filters keep (one question a process).
    bi::answerer one(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    one.keep_dumps(false);
    for (auto q : {"top 5 models in the northeast", "worst 3 models in the northeast", "top 3 models in the west",
                   "top 3 models in the north-east in 2025", "warranty claims by model", "dealer performance in the midwest"}) {
        INFO(q);
        CHECK(data(a.ask(q)) == data(fresh.ask(q)));
        CHECK(data(one.ask(q)) == data(fresh.ask(q)));
    }
}

TEST_CASE("'rank the dealers by…' shows each row's place, as SQL's RANK() gives it", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto doc = parse(bi::render_json(a.ask("rank the SE dealers by claim cost 2025")));
    REQUIRE(doc["matched"].GetBool());
    CHECK(doc["interpretation"]["rank"]["places"].GetBool());
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto sql = bi::query_all(*db,
        "SELECT d.name, RANK() OVER (ORDER BY SUM(w.cost) DESC), SUM(w.cost) FROM warranty_claims w "
        "JOIN dealers d ON d.dealer_id = w.dealer_id JOIN regions r ON r.region_id = d.region_id "
        "WHERE r.name = 'Southeast' AND w.claim_date BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY d.name ORDER BY 3 DESC");
    REQUIRE(doc["data"].Size() == sql.rows.size());
    for (rapidjson::SizeType i = 0; i < doc["data"].Size(); ++i) {
        INFO("row " << i);
        CHECK(std::string(doc["data"][i]["dealer"].GetString()) == std::get<std::string>(sql.rows[i][0]));
        CHECK(doc["data"][i]["rank"].GetInt64() == std::get<std::int64_t>(sql.rows[i][1]));
    }
    // a time series asked in time order has no places
    auto series = parse(bi::render_json(a.ask("monthly revenue 2025")));
    CHECK_FALSE(series["data"][0].HasMember("rank"));
}

TEST_CASE("a total over no facts is zero, as SQL's COUNT gives it, and a ratio over none has no value", "[answer]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    bi::answerer a(config_for(dumps), bi::load_index(bi::index_path(dumps)));
    auto none = parse(bi::render_json(a.ask("how many Granites did Alamo Heights Automotive sell in March 2025")));
    auto db = bi::open_database(bi::test::env("BI_TEST_DB"));
    auto sql = bi::query_all(*db,
        "SELECT COUNT(*) FROM sales s JOIN dealers d USING (dealer_id) JOIN models m USING (model_id) "
        "WHERE m.name = 'Granite' AND d.name = 'Alamo Heights Automotive' AND s.sale_date BETWEEN '2025-03-01' AND '2025-03-31'");
    REQUIRE(std::get<std::int64_t>(sql.rows[0][0]) == 0);
    REQUIRE(none["matched"].GetBool());
    REQUIRE(none["data"].Size() == 1);
    CHECK(none["data"][0]["units"].GetInt64() == 0);
    auto ratio = parse(bi::render_json(a.ask("average price of Granites at Alamo Heights Automotive in March 2025")));
    REQUIRE(ratio["data"].Size() == 1);
    CHECK(ratio["data"][0]["asp"].IsNull());
}
