// Rendering: table and CSV output compared with golden files in tests/data/golden (answers
// with Unicode names, NULLs, very long values, no rows, no match), at 120 and 40 columns,
// colour off; plus the CSV rules, colour, batch separators, the HTML page and Chart.js lookup.
// To accept a deliberate change: BI_UPDATE_GOLDEN=1 build/bin/bi_tests '[format]', then review
// the diff of tests/data/golden.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "bi/chart.hpp"
#include "bi/error.hpp"
#include "bi/answer.hpp"
#include "bi/format.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path golden_dir = fs::path(BI_SOURCE_DIR) / "tests" / "data" / "golden";

bi::answer answer(const std::string& name) {
    return bi::answer_from_json(bi::test::file_bytes((golden_dir / (name + ".json")).string()));
}

/// Compares `actual` with the golden file `name`; with BI_UPDATE_GOLDEN set, rewrites it.
void check_golden(const std::string& name, const std::string& actual) {
    auto path = golden_dir / name;
    if (const char* update = std::getenv("BI_UPDATE_GOLDEN"); update && *update) {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    INFO("golden file tests/data/golden/" << name << " (BI_UPDATE_GOLDEN=1 rewrites it)");
    REQUIRE(fs::exists(path));
    auto expected = bi::test::file_bytes(path.string());
    if (expected != actual) {
        auto got = fs::path(BI_BINARY_DIR) / "tests" / "golden-actual" / name;
        fs::create_directories(got.parent_path());
        std::ofstream(got, std::ios::binary) << actual;
        FAIL("differs from the golden file; the rendering is in " << got.string());
    }
}

bi::render_options plain(int width) {
    bi::render_options o;
    o.width = width;
    o.color = false;
    return o;
}

/// The display columns of one line: code points, wide CJK and emoji counted twice.
int columns(const std::string& line) {
    int n = 0;
    for (size_t i = 0; i < line.size();) {
        auto b = static_cast<unsigned char>(line[i]);
        size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        char32_t cp = len == 1 ? b : b & (0x3F >> (len - 1));
        for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(line[i + k]) & 0x3F);
        bool combining = cp >= 0x300 && cp <= 0x36F;
        bool wide = (cp >= 0x3040 && cp <= 0x9FFF) || (cp >= 0x1F300 && cp <= 0x1F6FF);
        n += combining ? 0 : wide ? 2 : 1;
        i += len;
    }
    return n;
}

}  // namespace

TEST_CASE("tables match their golden files at 120 and 40 columns", "[format]") {
    for (auto name : {"dealers", "variance", "empty", "no_match"}) {
        for (int width : {120, 40}) {
            INFO(name << " at " << width);
            check_golden(std::string(name) + "." + std::to_string(width) + ".txt", bi::render_table(answer(name), plain(width)));
        }
    }
}

TEST_CASE("CSV matches its golden files", "[format]") {
    for (auto name : {"dealers", "variance", "empty", "no_match"})
        check_golden(std::string(name) + ".csv", bi::render_csv(answer(name)));
}

TEST_CASE("TSV and Markdown match their golden files", "[format]") {
    for (auto name : {"dealers", "variance", "empty", "no_match"}) {
        check_golden(std::string(name) + ".tsv", bi::render_tsv(answer(name)));
        check_golden(std::string(name) + ".md", bi::render_markdown(answer(name)));
    }
}

TEST_CASE("TSV escapes what would split a row, Markdown escapes pipes", "[format]") {
    auto a = bi::answer_from_json(R"({"matched":true,"question":"q | x","title":"T|1","columns":[{"name":"a|b","type":"text"},)"
                                  R"({"name":"n","type":"integer"}],"data":[{"a|b":"x|y\nz\tw\\","n":1},{"a|b":null,"n":-2}]})");
    auto tsv = bi::render_tsv(a);
    CHECK(tsv == "a|b\tn\nx|y\\nz\\tw\\\\\t1\n\t-2\n");
    auto md = bi::render_markdown(a);
    CHECK(md.find("### T\\|1\n") == 0);
    CHECK(md.find("> q \\| x\n") != std::string::npos);
    CHECK(md.find("| A\\|b | N |\n| --- | ---: |\n") != std::string::npos);
    CHECK(md.find("| x\\|y↵z w\\\\ | 1 |\n") != std::string::npos);  // a cell as the table shows it
    CHECK(md.find("|  | -2 |\n") != std::string::npos);  // NULL is an empty cell
}

TEST_CASE("every block of a batch names the question it answers", "[format]") {
    auto none = answer("no_match");
    none.question = "what is the weather";
    auto rows = answer("empty");
    rows.question = "sales, by \"region\"";
    auto batch = plain(80);
    batch.batch = true;
    CHECK(bi::render_table(none, batch).rfind("Question: what is the weather\nNo answer", 0) == 0);
    CHECK(bi::render_table(none, plain(80)).rfind("No answer", 0) == 0);  // one question: not repeated
    CHECK(bi::render_csv(none, true).rfind("question,suggestion\r\nwhat is the weather,", 0) == 0);
    CHECK(bi::render_csv(rows, true).rfind("question,", 0) == 0);
    auto error = bi::answerer::error_answer("  ", "question is empty");
    CHECK(bi::render_csv(error, true) == "question,error\r\n  ,question is empty\r\n");
    CHECK(bi::render_tsv(none, true).rfind("question\tsuggestion\nwhat is the weather\t", 0) == 0);
    auto page = bi::render_html({none, rows, error}, "");
    CHECK(page.find("<p class=\"question\">what is the weather</p>\n<h1>No answer</h1>") != std::string::npos);
    CHECK(page.find("<p class=\"question\">sales, by &quot;region&quot;</p>") != std::string::npos);
    CHECK(page.find("<p class=\"question\">  </p>\n<h1>Error</h1>") != std::string::npos);
    CHECK(bi::render_json(error) == R"({"matched":false,"question":"  ","error":"question is empty"})");
}

TEST_CASE("an answer read back from its JSON renders the same JSON", "[format]") {
    auto a = bi::answerer::error_answer("x", "y");
    CHECK(bi::render_json(bi::answer_from_json(bi::render_json(a))) == bi::render_json(a));
    auto none = answer("no_match");
    CHECK(bi::answer_from_json(bi::render_json(none)).suggestions == none.suggestions);
}

TEST_CASE("no line of a table is wider than the terminal", "[format]") {
    for (auto name : {"dealers", "variance", "empty", "no_match"}) {
        for (int width : {120, 80, 40}) {
            auto text = bi::render_table(answer(name), plain(width));
            size_t start = 0;
            while (start < text.size()) {
                auto end = text.find('\n', start);
                auto line = text.substr(start, end - start);
                INFO(name << " at " << width << ": " << line);
                CHECK(columns(line) <= width);
                start = end + 1;
            }
        }
    }
}

TEST_CASE("table cells are formatted by unit and aligned", "[format]") {
    auto text = bi::render_table(answer("dealers"), plain(200));
    CHECK(text.find("$44,767,050") != std::string::npos);   // usd: whole dollars once large
    CHECK(text.find("12,345") != std::string::npos);        // count: thousands separators
    CHECK(text.find("-2.0%") != std::string::npos);          // percent: one decimal
    CHECK(text.find("Filters: region = Northeast, year = 2025") != std::string::npos);
    CHECK(text.find("█") != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);          // colour off, and data ESC made harmless
    auto variance = bi::render_table(answer("variance"), plain(120));
    CHECK(variance.find("9,007,199,254,740,993") != std::string::npos);  // exact past 2^53
    CHECK(variance.find("2,025") == std::string::npos);                  // a year is not a quantity
    CHECK(variance.find("Stale: made 55 hours ago") != std::string::npos);
}

TEST_CASE("colour marks headers and bars only, never CSV", "[format]") {
    bi::render_options o = plain(100);
    o.color = true;
    auto text = bi::render_table(answer("dealers"), o);
    CHECK(text.find("\x1b[1mDealer") != std::string::npos);
    CHECK(text.find("\x1b[36m█") != std::string::npos);
    CHECK(text.find("\x1b[31m") == std::string::npos);  // the data's own escape never reaches the terminal
    CHECK(bi::render_csv(answer("dealers")).find('\x1b') != std::string::npos);  // CSV keeps data verbatim
    auto variance = bi::render_table(answer("variance"), o);
    CHECK(variance.find("\x1b[31m") != std::string::npos);  // negative bars
}

TEST_CASE("CSV follows RFC 4180", "[format]") {
    auto csv = bi::render_csv(answer("dealers"));
    CHECK(csv.rfind("dealer,region,units,revenue,margin_pct,note\r\n", 0) == 0);
    CHECK(csv.find("\"says \"\"hi\"\", twice\"") != std::string::npos);
    CHECK(csv.find("\"line one\nline two\"") != std::string::npos);
    CHECK(csv.find(",44767049.83,") != std::string::npos);     // numbers exactly as the JSON has them
    CHECK(csv.find("🚗 Roadster Row,Northeast,,1234.5,,\r\n") != std::string::npos);  // NULL is empty
    size_t crlf = 0, lf = 0;
    for (size_t i = 0; i < csv.size(); ++i)
        if (csv[i] == '\n') (i > 0 && csv[i - 1] == '\r' ? crlf : lf)++;
    CHECK(crlf == 7);
    CHECK(lf == 1);  // the one inside the quoted field
}

TEST_CASE("answers in a batch are separated per format", "[format]") {
    auto one = answer("empty");
    std::string joined;
    for (auto f : {bi::output_format::json, bi::output_format::jsonl}) {
        bi::answer_writer w(f, plain(80));
        joined = w.add(bi::answerer::error_answer("a", "x")) + w.add(bi::answerer::error_answer("b", "y")) + w.finish();
        CHECK(joined == "{\"matched\":false,\"question\":\"a\",\"error\":\"x\"}\n{\"matched\":false,\"question\":\"b\",\"error\":\"y\"}\n");
    }
    bi::answer_writer tables(bi::output_format::table, plain(80));
    auto first = tables.add(one);
    auto second = tables.add(one);
    CHECK(first[0] != '\n');
    CHECK(second == "\n" + first);
    bi::answer_writer csv(bi::output_format::csv, plain(80));
    auto a = csv.add(one);
    auto b = csv.add(one);
    CHECK(b == "\r\n" + a);  // each answer repeats its header after a blank line
    bi::answer_writer page(bi::output_format::html, plain(80), "/* chart.js */");
    CHECK(page.add(one).empty());
    CHECK(page.add(answer("no_match")).empty());
    auto html = page.finish();
    CHECK(html.find("<!DOCTYPE html>") == 0);
    CHECK(html.find("<section>", html.find("<section>") + 1) != std::string::npos);
}

TEST_CASE("the HTML page is self-contained and escapes what it embeds", "[format]") {
    auto html = bi::render_html({answer("dealers")}, "var Chart = 1; // </script> inside\n//# sourceMappingURL=chart.umd.js.map");
    CHECK(html.find("<script src") == std::string::npos);
    CHECK(html.find("<\\/script> inside") != std::string::npos);
    CHECK(html.find("sourceMappingURL") == std::string::npos);
    CHECK(html.find("東京モーターズ") != std::string::npos);
    CHECK(html.find("says &quot;hi&quot;, twice") != std::string::npos);
    CHECK(html.find("<canvas id=\"chart-0\"") != std::string::npos);
    CHECK(html.find("\"indexAxis\":\"y\"") != std::string::npos);
    // JSON in the page writes "<" as \u003c, so no data can close the script element.
    auto tricky = R"({"matched":true,"title":"x","columns":[{"name":"a","type":"text"}],"data":[{"a":"</script><b>"}],)"
                  R"("chart_config":{"type":"bar","data":{"labels":["</script>"],"datasets":[]}}})";
    auto page = bi::render_html({bi::answer_from_json(tricky)}, "");
    CHECK(page.find("\\u003c/script>") != std::string::npos);
    CHECK(page.find("&lt;/script&gt;&lt;b&gt;") != std::string::npos);
}

TEST_CASE("format names parse, and anything else is refused", "[format]") {
    CHECK(bi::parse_output_format("csv") == bi::output_format::csv);
    CHECK(bi::parse_output_format("html") == bi::output_format::html);
    CHECK_FALSE(bi::parse_output_format("xml"));
    CHECK(bi::parse_output_format("tsv") == bi::output_format::tsv);
    CHECK(bi::parse_output_format("markdown") == bi::output_format::markdown);
    CHECK_THROWS_AS(bi::answer_from_json("not json"), bi::parse_error);
}

TEST_CASE("Chart.js is read from the first candidate that exists, else every path is named", "[format]") {
    auto dir = bi::test::scratch_dir("chartjs");
    std::ofstream(dir + "/chart.umd.js") << "/* chart */";
    CHECK(bi::read_chartjs({dir + "/missing.js", dir + "/chart.umd.js"}) == "/* chart */");
    try {
        bi::read_chartjs({dir + "/a.js", dir + "/b.js"});
        FAIL("no error");
    } catch (const bi::error& e) {
        std::string what = e.what();
        CHECK(what.find(dir + "/a.js") != std::string::npos);
        CHECK(what.find(dir + "/b.js") != std::string::npos);
        CHECK(what.find('\n') == std::string::npos);
    }
}

TEST_CASE("every chart type becomes a Chart.js 4 config with titled, formatted axes", "[format][chart]") {
    using v = std::vector<bi::value>;
    bi::table t;
    t.columns = {"model", "region", "units", "revenue", "growth_pct"};
    t.types = {"text", "text", "integer", "real", "real"};
    t.rows = {v{std::string("Brisa"), std::string("West"), std::int64_t{5}, 250000.0, 3.5},
              v{std::string("Lumen"), std::string("East"), std::int64_t{3}, 120000.0, -1.25}};
    std::map<std::string, std::string> units = {{"revenue", "usd"}, {"growth_pct", "percent"}, {"units", "count"}};
    struct expectation {
        const char* spec;
        const char* type;
    };
    for (auto [spec, type] : {expectation{"bar", "bar"}, {"horizontal_bar", "bar"}, {"stacked_bar", "bar"},
                              {"line", "line"}, {"doughnut", "doughnut"}, {"pie", "pie"}, {"scatter", "scatter"},
                              {"bubble", "bubble"}}) {
        INFO(spec);
        bi::chart_spec s{spec, "model", {"revenue", "growth_pct", "units"}, ""};
        if (std::string(spec) == "stacked_bar") s = {spec, "model", {"units"}, "region"};
        if (std::string(spec) == "bar") s = {spec, "model", {"revenue"}, ""};
        rapidjson::Document doc;
        doc.Parse(bi::chart_config(s, t, "Title", units).c_str());
        REQUIRE_FALSE(doc.HasParseError());
        CHECK(std::string(doc["type"].GetString()) == type);
        CHECK(std::string(doc["options"]["plugins"]["title"]["text"].GetString()) == "Title");
        REQUIRE(doc["data"]["datasets"].Size() >= 1);
        bool round = std::string(type) == "doughnut" || std::string(type) == "pie";
        CHECK(doc["options"].HasMember("scales") == !round);
        if (std::string(spec) == "bar") {
            auto& y = doc["options"]["scales"]["y"];
            CHECK(std::string(y["title"]["text"].GetString()) == "Revenue ($)");
            CHECK(std::string(y["ticks"]["format"]["currency"].GetString()) == "USD");
            // Intl throws when the minimum fraction digits exceed the maximum: both are given.
            CHECK(y["ticks"]["format"]["minimumFractionDigits"].GetInt() <= y["ticks"]["format"]["maximumFractionDigits"].GetInt());
        }
        if (std::string(spec) == "horizontal_bar") {
            CHECK(std::string(doc["options"]["indexAxis"].GetString()) == "y");
            // Measures of different units share the value axis: its title names them all.
            CHECK(std::string(doc["options"]["scales"]["x"]["title"]["text"].GetString()) == "Revenue ($) / Growth (%) / Units");
        }
        if (std::string(spec) == "scatter" || std::string(spec) == "bubble") {
            auto& point = doc["data"]["datasets"][0]["data"][0];
            CHECK(point["x"].GetDouble() == Approx(250000.0));
            CHECK(point["y"].GetDouble() == Approx(3.5));
            CHECK(std::string(doc["options"]["scales"]["y"]["title"]["text"].GetString()) == "Growth (%)");
            CHECK(point.HasMember("r") == (std::string(spec) == "bubble"));
        }
    }
    CHECK(bi::humanize("kpi") == "KPI");
    CHECK(bi::measure_title("lead_time_days", {{"lead_time_days", "days"}}) == "Lead time (days)");
}
