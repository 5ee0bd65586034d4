// Question analysis and the planner: readings from tests/data/readings.tsv, and a table per
// planner rule (planner.cpp's opening comment).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bi/analysis.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/hash.hpp"
#include "bi/index.hpp"
#include "bi/model.hpp"
#include "bi/planner.hpp"
#include "support.hpp"

namespace {

const bi::semantic_model& fixture_model() {
    static bi::semantic_model m = bi::load_model(bi::model_path(bi::test::env("BI_TEST_DUMPS")));
    return m;
}

std::string join(const std::vector<std::string>& list) {
    std::string out;
    for (auto& s : list) out += (out.empty() ? "" : ",") + s;
    return out;
}

/// A question the reader must understand whole (today 2026-06-15): no word left unread and
/// no question back.
bi::semantic_query understood(const bi::question_reader& reader, const char* question) {
    auto q = reader.read(question, "2026-06-15");
    INFO(question);
    CHECK(q.unknown.empty());
    CHECK(q.problem.empty());
    return q;
}

/// The first days of the periods a question compares, oldest first: "2025-01-01,2026-01-01".
std::string compared_from(const bi::semantic_query& q) {
    std::vector<std::string> from;
    for (auto& p : q.compare) from.push_back(p.from);
    return join(from);
}

std::string filters_text(const bi::semantic_query& q) {
    std::string out;
    for (auto& f : q.filters) {
        std::string values;
        for (auto& v : f.values) values += (values.empty() ? "" : "|") + v;
        out += (out.empty() ? "" : ";") + f.dimension + (f.exclude ? "!=" : "=") + values;
    }
    return out;
}

}  // namespace

TEST_CASE("questions are read into measures, breakdowns, filters, periods, rankings and limits", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto cases = bi::test::read_table("readings.tsv");
    REQUIRE(cases.size() >= 15);
    for (auto& c : cases) {
        c.resize(8);
        INFO(c[0]);
        auto q = reader.read(c[0], "2026-06-15");
        CHECK(q.unknown.empty());
        CHECK(q.problem.empty());
        auto by = q.group_by;
        if (q.grain != bi::time_grain::none) by.emplace_back(bi::to_string(q.grain));
        if (c[1] != "*") CHECK(join(q.measures) == c[1]);
        auto cell = [](const std::string& s) { return s == "-" ? std::string() : s; };
        if (c[2] != "*") CHECK(join(by) == cell(c[2]));
        if (c[3] != "*") CHECK(filters_text(q) == cell(c[3]));
        if (c[4] != "*") CHECK((q.window ? q.window->from + ".." + q.window->to : "-") == c[4]);
        if (c[5] != "*") {
            std::string rank = q.rank_measure.empty() ? "-" : q.rank_measure + (q.direction == bi::sort_direction::asc ? " asc" : " desc");
            CHECK(rank == c[5]);
        }
        if (c[6] != "*") CHECK((q.limit ? std::to_string(*q.limit) : "-") == c[6]);
        if (c[7] != "*" && !c[7].empty()) CHECK(q.limit_per == c[7]);
    }
}

TEST_CASE("what the reader cannot place is kept, never dropped", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(reader.read("revenue by payment type", "2026-06-15").unknown == std::vector<std::string>{"payment", "type"});
    CHECK_FALSE(reader.read("Who is the CEO?", "2026-06-15").problem.empty());
    CHECK_FALSE(reader.read("weekly revenue", "2026-06-15").problem.empty());
    // "cost" is vehicle cost beside sales, warranty cost beside claims; alone it is either
    CHECK_FALSE(reader.read("cost by model", "2026-06-15").problem.empty());
    // the mean across dealers, or each dealer's revenue per vehicle?
    CHECK_FALSE(reader.read("average revenue per dealer in 2025", "2026-06-15").problem.empty());
    CHECK(reader.read("average units per dealer in 2025", "2026-06-15").problem.empty());
    // a period named twice ("last quarter" is Q1 2026) is compared once
    CHECK(reader.read("units by segment last quarter (Q1 2026 vs Q1 2025)", "2026-06-15").compare.size() == 2);
    CHECK(reader.read("claims by model last quarter versus the same quarter a year earlier", "2026-06-15").compare.size() == 2);
    // a part of the year named without one, beside years, is that part of each of them
    auto quarters = reader.read("q1 revenue, 2025 vs 2026", "2026-06-15");
    REQUIRE(quarters.compare.size() == 2);
    CHECK(quarters.compare[0].label == "2025-Q1");
    CHECK(quarters.compare[1].label == "2026-Q1");
    // "more … than" between two periods compares them; "May of last year" is May 2025
    auto more = reader.read("did we sell more cars last month than in May of last year", "2026-06-15");
    REQUIRE(more.compare.size() == 2);
    CHECK(more.compare[0].label == "May 2025");
    CHECK(more.unknown.empty());
    // "in how many months … did it hit its target": the months counted, not listed
    auto months = reader.read("in how many months of 2025 did on-time delivery rate hit its target", "2026-06-15");
    CHECK(months.count_of == "month");
    CHECK(months.grain == bi::time_grain::none);
    REQUIRE(months.having.size() == 1);
    // "change from April to May": the two months, not the span
    auto change = reader.read("by what percent did revenue change from April to May 2026", "2026-06-15");
    REQUIRE(change.compare.size() == 2);
    CHECK(change.compare[0].label == "April 2026");
    // a condition on each claim, or any value of a dimension, is not in the cubes: refused
    CHECK_FALSE(reader.read("claims by component above $2,000 each", "2026-06-15").problem.empty());
    CHECK(reader.read("F&I penetration (share of sales with an F&I product) by region", "2026-06-15").problem.empty());
    // found by fuzz_router: a question that is all definition is read as asked, not emptied
    CHECK_FALSE(reader.read(";x=cvbnm9", "2026-06-15").unknown.empty());
    // what did not happen: the breakdown's values with none of one counted measure, never the
    // rows that did happen; with no breakdown, or of a ratio, it is said, not answered
    auto none = reader.read("which models didn't sell at all in Illinois last month", "2026-06-15");
    CHECK(none.problem.empty());
    CHECK(none.group_by == std::vector<std::string>{"model"});
    REQUIRE(none.having.size() == 1);
    CHECK((none.having[0].measure == "units" && none.having[0].op == "=" && none.having[0].value == 0));
    CHECK_FALSE(reader.read("which dealers had no margin in 2025", "2026-06-15").problem.empty());
    // an amount of money is no condition on a count: each sale's price is not pre-computed
    CHECK_FALSE(reader.read("how many vehicles went for more than $60,000 this year", "2026-06-15").problem.empty());
    CHECK(reader.read("dealers with more than $5M revenue in 2025", "2026-06-15").problem.empty());
    // cars sold with a product are counted by the measure that counts those with one; never in a share
    auto gap = reader.read("# of cars sold w/ GAP insurance last qtr", "2026-06-15");
    CHECK(gap.measures == std::vector<std::string>{"fi_units"});
    auto part = reader.read("what pct of the cars we sold in 2025 went out with an extended warranty", "2026-06-15");
    CHECK(part.measures != std::vector<std::string>{"fi_units"});
    // cars with or without any F&I product: the subset, the whole less it, the subset's share
    auto without = reader.read("how many cars did we sell last yr with no F&I product at all", "2026-06-15");
    CHECK(without.problem.empty());
    REQUIRE(without.measures.size() == 1);
    REQUIRE(bi::find_measure(fixture_model(), without, without.measures[0]));
    CHECK(bi::find_measure(fixture_model(), without, without.measures[0])->derived.text() == "units - fi_units");
    CHECK(without.group_by.empty());
    auto with_one = reader.read("what percentage of vehicles sold went out with an F&I product, by region", "2026-06-15");
    CHECK(with_one.measures == std::vector<std::string>{"fi_penetration"});
    CHECK_FALSE(with_one.share);
    CHECK(reader.read("units sold with an F&I product by model", "2026-06-15").measures == std::vector<std::string>{"fi_units"});
    // revenue has no subset measure: the revenue of cars without a product is not pre-computed
    CHECK_FALSE(reader.read("revenue from cars sold without an F&I product", "2026-06-15").problem.empty());
    // "without" a value is an exclusion, as before
    CHECK(filters_text(reader.read("F&I revenue by product, without GAP Insurance", "2026-06-15")) == "fi_product!=GAP Insurance");
    // a part of the facts taken out: the whole less the part, or less the part's own cost
    auto repeats = reader.read("claims by model in 2025, not counting repeat repairs", "2026-06-15");
    CHECK(repeats.problem.empty());
    CHECK(repeats.measures == std::vector<std::string>{"first_time_repairs"});
    auto cost = reader.read("warranty cost by system, ignoring repeat repairs", "2026-06-15");
    REQUIRE(cost.measures.size() == 1);
    CHECK(bi::find_measure(fixture_model(), cost, cost.measures[0])->derived.text() == "claim_cost - repeat_cost");
    CHECK_FALSE(reader.read("average claim cost excluding repeat repairs", "2026-06-15").problem.empty());
    CHECK_FALSE(reader.read("warranty cost by region, repeat repairs vs first-time repairs", "2026-06-15").problem.empty());
    // an amount of money per fact: the model's mean over that fact count
    auto mean = reader.read("which components averaged over $1,000 per warranty claim", "2026-06-15");
    CHECK(mean.problem.empty());
    CHECK(mean.measures == std::vector<std::string>{"avg_claim_cost"});
    REQUIRE(mean.having.size() == 1);
    CHECK((mean.having[0].measure == "avg_claim_cost" && mean.having[0].value == 1000));
    CHECK(reader.read("models averaging more than $45k a sale in 2025", "2026-06-15").measures == std::vector<std::string>{"asp"});
    // a condition held in every month: the model's `every` form over the whole period
    auto every = reader.read("which KPIs were off target every single month of 2025", "2026-06-15");
    CHECK(every.grain == bi::time_grain::none);
    REQUIRE(every.having.size() == 1);
    CHECK((every.having[0].measure == "missed" && every.having[0].other == "kpi_months"));
    CHECK(reader.read("which KPIs were off target each month of 2025", "2026-06-15").grain == bi::time_grain::month);
    CHECK_FALSE(reader.read("components below reorder point every month", "2026-06-15").problem.empty());
    // "fewer days of supply than lead time": the comparison split around the first measure
    auto fewer = reader.read("where do we have fewer days of supply than the supplier lead time", "2026-06-15");
    REQUIRE(fewer.having.size() == 1);
    CHECK((fewer.having[0].measure == "days_of_supply" && fewer.having[0].op == "<" && fewer.having[0].other == "lead_time_days"));
    // the part of a whole that a named part of the facts carries
    auto part_cost = reader.read("how much of our warranty cost comes from repeat repairs, as a percentage", "2026-06-15");
    REQUIRE(part_cost.measures.size() == 1);
    CHECK(bi::find_measure(fixture_model(), part_cost, part_cost.measures[0])->derived.text() == "repeat_cost / claim_cost * 100");
    // "(by total warranty cost)" names the ranking measure, not a total
    CHECK(reader.read("most expensive component (by total warranty cost) for each model in 2025", "2026-06-15").group_by.size() == 2);
    // "May of last year" beside "last month"; "the NE" is no state code; "NE vs SE" regions
    auto may = reader.read("how did last month's unit sales compare with May of last year", "2026-06-15");
    REQUIRE(may.compare.size() == 2);
    CHECK(may.compare[0].label == "May 2025");
    CHECK(filters_text(reader.read("ASP in the NE last quarter", "2026-06-15")) == "region=Northeast");
    CHECK(filters_text(reader.read("NE vs SE gross profit last year", "2026-06-15")) == "region=Northeast|Southeast");
    // a state and a region: the vocabulary's `prefer:` says which (the restatement names it)
    CHECK(filters_text(reader.read("units in NE 2025", "2026-06-15")) == "region=Northeast");
    CHECK(filters_text(reader.read("units sold in the state of NE", "2026-06-15")) == "state=NE");
    // values given as examples of a breakdown are no filter
    auto examples = reader.read("warranty cost by vehicle system (electrical, cooling and so on)", "2026-06-15");
    CHECK(examples.group_by == std::vector<std::string>{"system"});
    CHECK(examples.filters.empty());
    // "which of our Florida stores … the most": one of them
    CHECK(reader.read("which of our Florida stores moved the most cars in 2025", "2026-06-15").limit == 1);
    // a KPI named by its value, asked for its target: its actual beside it
    CHECK(reader.read("what was plant capacity utilization last month, and what's the target", "2026-06-15").measures ==
          (std::vector<std::string>{"actual", "target"}));
    // "per thousand cars"; "how many of the last 12 months were off target": months counted
    CHECK(reader.read("warranty claims per thousand cars sold in 2025", "2026-06-15").problem.empty());
    CHECK(reader.read("for each KPI, how many of the last 12 months were off target", "2026-06-15").count_of == "month");
    // a dictionary word is no value's name by its stem alone ("bill" is no "Billings"); "who's"
    // asks for a person; "component / region" names two breakdowns
    CHECK(reader.read("the bill for Battery Pack claims in 2025", "2026-06-15").unknown == std::vector<std::string>{"bill"});
    CHECK(reader.read("the warranty bill for Battery Pack claims in 2025", "2026-06-15").measures.front() == "claim_cost");
    CHECK(filters_text(reader.read("units sold in Billings 2025", "2026-06-15")) == "city=Billings");
    CHECK_FALSE(reader.read("who's the CEO?", "2026-06-15").problem.empty());
    CHECK(reader.read("claims for every component / region combination", "2026-06-15").group_by ==
          (std::vector<std::string>{"component", "region"}));
    // a word of three letters is no abbreviation of a value's name, nor with its vowels typed
    CHECK(reader.read("how bad were airbag claims last year", "2026-06-15").unknown == std::vector<std::string>{"bad"});
    CHECK(reader.read("average customer age by model", "2026-06-15").unknown == std::vector<std::string>{"age"});
    // "never missed target" is the condition's count at zero
    auto never = reader.read("Any KPIs that have never once missed their target?", "2026-06-15");
    REQUIRE(never.having.size() == 1);
    CHECK((never.having[0].measure == "missed" && never.having[0].op == "="));
    // a condition or a measure with the value it is about inside its words
    auto hit = reader.read("In how many months of 2025 did we hit the on-time delivery target?", "2026-06-15");
    REQUIRE(hit.having.size() == 1);
    CHECK(hit.having[0].measure == "missed");
    CHECK(filters_text(hit) == "kpi=On-time delivery rate");
    auto supply = reader.read("which plant has the fewest days of battery pack supply left", "2026-06-15");
    CHECK(supply.measures == std::vector<std::string>{"days_of_supply"});
    CHECK(filters_text(supply) == "component=Battery Pack");
    auto missed_it = reader.read("which KPIs didn't hit their target last month", "2026-06-15");
    REQUIRE(missed_it.having.size() == 1);
    CHECK((missed_it.having[0].measure == "missed" && missed_it.having[0].op == ">" && missed_it.problem.empty()));
    // a named condition is a number compared, not another measure
    auto missed = reader.read("which KPIs missed target last month", "2026-06-15");
    REQUIRE(missed.having.size() == 1);
    CHECK((missed.having[0].measure == "missed" && missed.having[0].other.empty() && missed.having[0].op == ">"));
    // one measure against another on each row: the rows are the cube's own
    auto short_stock = reader.read("where is days of supply shorter than the lead time", "2026-06-15");
    REQUIRE(short_stock.having.size() == 1);
    CHECK(short_stock.having[0].other == "lead_time_days");
    CHECK(short_stock.group_by == std::vector<std::string>{"plant", "component"});
    // a heading names the rows; a scope with "only" does not
    CHECK(reader.read("For our Northeast dealers, revenue in 2025", "2026-06-15").group_by == std::vector<std::string>{"dealer"});
    CHECK(reader.read("For Powertrain components only, claims by model in 2025", "2026-06-15").group_by == std::vector<std::string>{"model"});
    // a mean of monthly ratios is not a ratio of the period's sums: said, not guessed
    CHECK_FALSE(reader.read("average monthly margin in 2025", "2026-06-15").problem.empty());
    // two comparisons in one question are asked back, not merged into one of four periods
    CHECK_FALSE(reader.read("units this year vs last year, 2025 against 2024", "2026-06-15").problem.empty());
    // a dictionary word one edit from a value is not that value ("submit" is not "Summit")
    CHECK(reader.read("claims the dealers submit by region", "2026-06-15").corrections.empty());
    // a measure defined in parentheses is left to the model; a threshold in parentheses is not
    CHECK(reader.read("dealers with revenue (less than 5000000) in 2025", "2026-06-15").having.size() == 1);
    CHECK(reader.read("gross profit (price minus cost) by dealer", "2026-06-15").unknown.empty());
    // "by what percentage did … grow" is the unit of a growth, not a share
    auto growth = reader.read("by what percentage did units grow in 2025 versus 2024", "2026-06-15");
    CHECK((growth.growth && !growth.share && growth.compare.size() == 2));
    // each month against the one before: a monthly series with its changes (January's from December)
    auto mom = reader.read("month-over-month revenue growth for Jan through May 2026", "2026-06-15");
    CHECK(mom.problem.empty());
    CHECK((mom.growth && mom.grain == bi::time_grain::month && mom.compare.empty()));
    // found by fuzz_router: a zero before a dimension is no limit, and is left over
    auto zero = reader.read("top 0 models", "2026-06-15");
    CHECK_FALSE(zero.limit);
    CHECK(zero.unknown == std::vector<std::string>{"0"});
    CHECK_THROWS_AS(reader.read("", "2026-06-15"), bi::usage_error);
    CHECK_THROWS_AS(reader.read(std::string(5000, 'a'), "2026-06-15"), bi::usage_error);
}

TEST_CASE("two-year comparisons and growth read as periods side by side", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto q = reader.read("revenue by region 2024 vs 2025", "2026-06-15");
    REQUIRE(q.compare.size() == 2);
    CHECK(q.compare[0].label == "2024");
    CHECK(q.compare[1].label == "2025");
    auto g = reader.read("revenue growth 2025 vs 2024", "2026-06-15");
    CHECK(g.growth);
    CHECK(g.compare.size() == 2);
}

namespace {

struct plan_case {
    const char* rule;
    std::vector<std::string> measures, by;
    bi::time_grain grain;
    std::string filter_dim;
    const char* expect;  // the cube, or a phrase of the reason
};

}  // namespace

TEST_CASE("the planner answers only what a cube holds exactly", "[planner]") {
    using g = bi::time_grain;
    const std::vector<plan_case> cases = {
        {"1: unknown measure", {"profitability"}, {}, g::none, "", "is not a measure"},
        {"2: dimension held", {"units"}, {"dealer"}, g::none, "", "cubes/sales_by_month"},
        {"2: dimension not held", {"revenue"}, {"fi_product"}, g::none, "", "no pre-computed data has revenue by fi product"},
        {"3: daily needs a daily cube", {"units"}, {"region"}, g::day, "", "cubes/sales_by_day"},
        {"3: daily by model", {"units"}, {"model"}, g::day, "", "cubes/sales_by_day_model"},
        {"3: daily by dealer is not held", {"units"}, {"dealer"}, g::day, "", "no pre-computed data"},
        {"4: derived from its leaves", {"margin_pct"}, {"region"}, g::month, "", "cubes/sales_by_region"},
        {"5: snapshots have no history", {"on_hand"}, {"plant"}, g::month, "", "no history"},
        {"6: never across KPIs", {"actual"}, {}, g::none, "", "not added up across kpis"},
        {"6: by KPI", {"actual"}, {"kpi"}, g::none, "", "cubes/kpi_by_month"},
        {"7: the smallest cube", {"claims"}, {"component"}, g::none, "", "cubes/claims_by_component"},
        {"7: two facts joined", {"claims_per_100"}, {"model"}, g::none, "", "cubes/claims_by_component+cubes/sales_by_region"},
    };
    for (auto& c : cases) {
        INFO(c.rule);
        bi::semantic_query q;
        q.measures = c.measures;
        q.group_by = c.by;
        q.grain = c.grain;
        auto r = bi::make_plan(fixture_model(), q);
        std::string got = r.reason;
        if (r.chosen) {
            got.clear();
            for (auto& p : r.chosen->parts) got += (got.empty() ? "" : "+") + p.cube;
        }
        CHECK_THAT(got, Catch::Matchers::Contains(c.expect));
    }
}

TEST_CASE("the roll-up lists groups with nothing in them only when none was asked", "[planner]") {
    // a model of its own: the values a group may take are the model's, not the rows'
    bi::semantic_model m;
    bi::measure_def units;
    units.name = "units";
    units.how = bi::aggregate::sum;
    units.unit = "count";
    m.measures.push_back(units);
    m.dimensions.push_back({"dealer", {"dealer"}, "region", ""});
    m.dimensions.push_back({"region", {"region"}, "", ""});
    m.dimensions.push_back({"model", {"model"}, "", ""});
    bi::cube_def c;
    c.id = "cubes/sales";
    c.time = "month";
    c.grain = {"month", "dealer", "model"};
    c.dimensions = {"dealer", "model", "region"};
    c.measures = {{"units", bi::aggregate::sum}};
    m.cubes.push_back(c);
    m.values["dealer"] = {"Ash", "Birch", "Cedar", "Dogwood"};
    bi::table t;
    t.columns = {"month", "dealer", "model", "region", "units"};
    auto row = [&](const char* month, const char* dealer, const char* model, const char* region, std::int64_t n) {
        t.rows.push_back({std::string(month), std::string(dealer), std::string(model), std::string(region), n});
    };
    row("2026-05", "Ash", "Granite", "East", 3);
    row("2026-05", "Birch", "Lumen", "East", 2);
    row("2026-04", "Cedar", "Granite", "West", 1);
    row("2026-05", "Dogwood", "Granite", "West", 4);
    row("2026-03", "Birch", "Granite", "East", 1);  // a dealer sells more than one model
    bi::plan p{{{"cubes/sales", {"units"}}}};
    auto rows_of = [&](const std::string&) -> const bi::table& { return t; };
    auto dealers = [&](const bi::rolled_answer& a) {
        std::vector<std::string> out;
        for (auto& r : a.rows.rows) out.push_back(std::get<std::string>(r[0]));
        std::sort(out.begin(), out.end());
        return out;
    };
    bi::semantic_query q;
    q.measures = {"units"};
    q.group_by = {"dealer"};
    q.filters = {{"model", {"Granite"}, false}};
    q.window = bi::period{"2026-05-01", "2026-05-31", "May 2026", false};
    q.having = {{"units", "=", 0, "", "none"}};
    REQUIRE(bi::fills_empty_groups(m, q));
    // Birch sold a Lumen in May, Cedar its Granite in April: neither sold a Granite in May
    CHECK(dealers(bi::roll_up(m, q, p, rows_of)) == std::vector<std::string>{"Birch", "Cedar"});
    // "East dealers" names what each dealer belongs to: the West's are not among them
    q.filters.push_back({"region", {"East"}, false});
    CHECK(dealers(bi::roll_up(m, q, p, rows_of)) == std::vector<std::string>{"Birch"});
    // a series' first change is from the period before the one asked about, which is not shown
    bi::semantic_query series;
    series.measures = {"units"};
    series.grain = bi::time_grain::month;
    series.growth = true;
    series.window = bi::period{"2026-05-01", "2026-05-31", "May 2026", false};
    auto growth = bi::roll_up(m, series, p, rows_of);
    REQUIRE(growth.rows.rows.size() == 1);
    CHECK(std::get<std::string>(growth.rows.rows[0][0]) == "2026-05");
    CHECK(std::get<double>(growth.rows.rows[0].back()) == Approx(800.0));  // 9 units in May against 1 in April
    // a threshold that 0 passes lists only the groups that have rows, as before
    q.filters.pop_back();
    q.having = {{"units", "<", 5, "", "fewer than 5"}};
    CHECK_FALSE(bi::fills_empty_groups(m, q));
    CHECK(dealers(bi::roll_up(m, q, p, rows_of)) == std::vector<std::string>{"Ash", "Dogwood"});
    // asked as a yes/no question, the condition is a column and keeps every row
    q.having = {{"units", "<", 4, "", "fewer than 4", "fewer_than_4"}};
    auto asked = bi::roll_up(m, q, p, rows_of);
    CHECK(dealers(asked) == std::vector<std::string>{"Ash", "Dogwood"});
    REQUIRE(asked.rows.columns.back() == "fewer_than_4");
    for (auto& r : asked.rows.rows)
        CHECK(std::get<std::string>(r.back()) == (std::get<std::string>(r[0]) == "Ash" ? "yes" : "no"));
}

TEST_CASE("the reader bi-dump saves reads every question as the one built from the model", "[analysis]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto saved = bi::question_reader::load(fixture_model(), bi::lexicon_path(dumps), bi::model_path(dumps));
    REQUIRE(saved);
    bi::question_reader built(fixture_model());
    int compared = 0;
    for (auto& c : bi::test::read_table("readings.tsv")) {
        auto a = built.read(c[0], "2026-06-15"), b = saved->read(c[0], "2026-06-15");
        CHECK(bi::restate(fixture_model(), a) == bi::restate(fixture_model(), b));
        CHECK(a.unknown == b.unknown);
        ++compared;
    }
    CHECK(compared > 15);
    // written for another model.json, it is not used
    CHECK_FALSE(bi::question_reader::load(fixture_model(), bi::lexicon_path(dumps), bi::index_path(dumps)));
}

TEST_CASE("a reader read back from its file saves the same file again", "[analysis]") {
    // The dictionary words are read from the file only when first asked about: saving them
    // again reads every one.
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto saved = bi::question_reader::load(fixture_model(), bi::lexicon_path(dumps), bi::model_path(dumps));
    REQUIRE(saved);
    auto again = bi::test::scratch_dir("lexicon-again") + "/lexicon.txt";
    saved->save(again, bi::model_path(dumps));
    CHECK(bi::read_file(again) == bi::read_file(bi::lexicon_path(dumps)));
}

TEST_CASE("lexicon.txt alone reads back as lexicon.bin does, and a damaged lexicon.bin is not read", "[analysis]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto model = bi::model_path(dumps);
    auto dir = bi::test::scratch_dir("lexicon-forms");
    auto write = [](const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; };
    write(dir + "/lexicon.txt", bi::test::file_bytes(bi::lexicon_path(dumps)));
    auto text = bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", model);
    REQUIRE(text);
    text->save(dir + "/again.txt", model);
    CHECK(bi::test::file_bytes(dir + "/again.txt") == bi::test::file_bytes(bi::lexicon_path(dumps)));
    CHECK(bi::test::file_bytes(dir + "/again.bin") == bi::test::file_bytes(dumps + "/lexicon.bin"));
    // one bit flipped in lexicon.bin: the reader comes from lexicon.txt, and the damage is told
    auto bin = bi::test::file_bytes(dumps + "/lexicon.bin");
    bin[bin.size() / 2] ^= 4;
    write(dir + "/lexicon.bin", bin);
    CHECK_THAT(bi::lexicon_damage(dir + "/lexicon.txt", model), Catch::Matchers::Contains("lexicon.bin"));
    auto back = bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", model);
    REQUIRE(back);
    bi::question_reader built(fixture_model());
    for (auto& c : bi::test::read_table("readings.tsv"))
        CHECK(bi::restate(fixture_model(), built.read(c[0], "2026-06-15")) == bi::restate(fixture_model(), back->read(c[0], "2026-06-15")));
    // cut short, and without lexicon.txt: the reader is built from the model
    write(dir + "/lexicon.bin", bin.substr(0, bin.size() / 3));
    std::filesystem::remove(dir + "/lexicon.txt");
    CHECK_FALSE(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", model));
    CHECK_FALSE(bi::lexicon_damage(dir + "/lexicon.txt", model).empty());
    // written by a bi with other word lists (its fourth header field, and the u64 at byte 24 of
    // lexicon.bin): not read, since its English-word protection was made from those lists; not
    // damage either (the tables are built from the model)
    auto other_words = [](std::string bytes, bool binary) {
        if (binary) {  // (its checksum written again: the file is whole, only from another bi)
            bytes[24] ^= 1;
            auto sum = bi::checksum64(std::string_view(bytes).substr(0, bytes.size() - 8));
            std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
            return bytes;
        }
        size_t at = 0;
        for (int tab = 0; tab < 3; ++tab) at = bytes.find('\t', at) + 1;
        bytes[at] = bytes[at] == '1' ? '2' : '1';
        return bytes;
    };
    write(dir + "/lexicon.txt", other_words(bi::test::file_bytes(bi::lexicon_path(dumps)), false));
    std::filesystem::remove(dir + "/lexicon.bin");
    CHECK_FALSE(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", model));
    std::filesystem::remove(dir + "/lexicon.txt");
    auto whole_bin = bi::test::file_bytes(dumps + "/lexicon.bin");
    write(dir + "/lexicon.bin", whole_bin);
    CHECK(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", model));
    write(dir + "/lexicon.bin", other_words(whole_bin, true));
    CHECK(bi::lexicon_damage(dir + "/lexicon.txt", model).empty());
    CHECK_FALSE(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", model));
}

TEST_CASE("a copy of the dumps that did not keep times keeps its lexicon, and a model.json of the same size with other content does not", "[analysis]") {
    // (cp -r, a checkout: model.json's mtime is new, its content is the one the lexicon was made from)
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto dir = bi::test::scratch_dir("lexicon-copied");
    auto write = [](const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; };
    auto model_json = bi::test::file_bytes(bi::model_path(dumps));
    write(dir + "/model.json", model_json);
    std::filesystem::last_write_time(dir + "/model.json", std::filesystem::last_write_time(bi::model_path(dumps)) + std::chrono::hours(1));
    write(dir + "/lexicon.bin", bi::test::file_bytes(dumps + "/lexicon.bin"));
    CHECK(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", dir + "/model.json"));
    std::filesystem::remove(dir + "/lexicon.bin");
    write(dir + "/lexicon.txt", bi::test::file_bytes(bi::lexicon_path(dumps)));
    CHECK(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", dir + "/model.json"));
    // one byte changed, the size kept: another model, so the lexicon is not read
    model_json[model_json.size() / 2] = model_json[model_json.size() / 2] == ' ' ? '\t' : ' ';
    write(dir + "/model.json", model_json);
    CHECK_FALSE(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", dir + "/model.json"));
    write(dir + "/lexicon.bin", bi::test::file_bytes(dumps + "/lexicon.bin"));
    CHECK_FALSE(bi::question_reader::load(fixture_model(), dir + "/lexicon.txt", dir + "/model.json"));
}

TEST_CASE("model.bin reads back as model.json does, and is not read when damaged or written with another model.json", "[analysis]") {
    auto dumps = bi::test::env("BI_TEST_DUMPS");
    auto dir = bi::test::scratch_dir("model-forms");
    auto json_of = [&](const bi::semantic_model& m) {
        bi::write_model(m, dir + "/out.json");
        return bi::test::file_bytes(dir + "/out.json");
    };
    auto from_json = json_of(bi::load_model_json(bi::model_path(dumps)));
    CHECK(json_of(bi::load_model(bi::model_path(dumps))) == from_json);
    auto preferred = bi::load_model(bi::model_path(dumps)).aliases;  // (the catalog prefers the region NE)
    CHECK(std::count_if(preferred.begin(), preferred.end(), [](auto& a) { return a.preferred; }) == 1);
    CHECK(bi::binary_model_damage(bi::model_path(dumps)).empty());
    // a copy of model.json with a damaged model.bin beside it: read from the JSON, the damage told
    auto write = [](const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; };
    write(dir + "/model.json", bi::test::file_bytes(bi::model_path(dumps)));
    bi::write_model(bi::load_model_json(dir + "/model.json"), dir + "/model.json");
    auto bin = bi::test::file_bytes(dir + "/model.bin");
    auto flipped = bin;
    flipped[flipped.size() / 2] ^= 1;
    write(dir + "/model.bin", flipped);
    CHECK_THAT(bi::binary_model_damage(dir + "/model.json"), Catch::Matchers::Contains("model.bin"));
    CHECK(json_of(bi::load_model(dir + "/model.json")) == from_json);
    // whole again, but model.json rewritten since: a cache not used, not damage
    write(dir + "/model.bin", bin);
    CHECK(bi::binary_model_damage(dir + "/model.json").empty());
    auto other = bi::load_model_json(dir + "/model.json");
    other.first_period = "1999-01";
    bi::write_model(other, dir + "/other.json");
    write(dir + "/model.json", bi::test::file_bytes(dir + "/other.json"));
    CHECK(bi::load_model(dir + "/model.json").first_period == "1999-01");
    CHECK(bi::binary_model_damage(dir + "/model.json").empty());
}

TEST_CASE("a value two dimensions hold is a question back, naming both", "[analysis]") {
    // NE is the Northeast (an alias) and Nebraska's postal code: claims are held by both
    auto model = fixture_model();
    for (auto& a : model.aliases) a.preferred = false;
    bi::question_reader reader(model);
    auto q = reader.read("average claim cost NE", "2026-06-15");
    CHECK_FALSE(q.problem.empty());
    CHECK_THAT(q.clarify, Catch::Matchers::Contains("the region Northeast") && Catch::Matchers::Contains("the state NE"));
    CHECK(q.filters.empty());
    // the vocabulary's `prefer: region Northeast = NE` settles it, unless the question says which
    bi::question_reader preferring(fixture_model());
    CHECK(filters_text(preferring.read("average claim cost NE", "2026-06-15")) == "region=Northeast");
    CHECK(filters_text(preferring.read("average claim cost NE state", "2026-06-15")) == "state=NE");
    CHECK(filters_text(preferring.read("average claim cost in Nebraska", "2026-06-15")) == "state=NE");
}

TEST_CASE("'below target' is the number, 'missed target' is the KPI's own direction", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto under = reader.read("months in 2025 where days to sell came in under target", "2026-06-15");
    REQUIRE(under.having.size() == 1);
    CHECK(under.having[0].measure == "under_target");
    auto missed = reader.read("which KPIs missed target last month", "2026-06-15");
    REQUIRE(missed.having.size() == 1);
    CHECK(missed.having[0].measure == "missed");
    // a remark on which way is better is no word left unread; "where lower is better" asks which
    CHECK(reader.read("which KPIs missed target in May 2026? lower is better for some of them", "2026-06-15").unknown.empty());
    CHECK_FALSE(reader.read("list the KPIs where lower is better", "2026-06-15").unknown.empty());
}

TEST_CASE("'rank X within Y' keeps every row, ranked in its group, 'top N in each' keeps N", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto all = reader.read("rank dealers within their region by gross profit", "2026-06-15");
    CHECK(all.limit_per == "region");
    CHECK(all.rank_all);
    CHECK_FALSE(all.limit);
    auto two = reader.read("top 2 models by revenue in each region", "2026-06-15");
    CHECK(two.limit_per == "region");
    CHECK_FALSE(two.rank_all);
    CHECK(two.limit == 2);
}

TEST_CASE("'how many plant and component combinations' counts the pairs, a ranking of nothing, a contradiction, an unknown place refuse", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto pairs = reader.read("how many plant and component combinations are below reorder point", "2026-06-15");
    CHECK(pairs.count_of == "plant");
    CHECK(pairs.count_with == "component");
    CHECK(pairs.group_by.empty());
    CHECK(pairs.count_column() == "plant_component_count");
    auto nothing = reader.read("what's our best seller in Florida this year, by units?", "2026-06-15");
    CHECK_FALSE(nothing.problem.empty());
    auto both = reader.read("truck GP by region, without trucks", "2026-06-15");
    CHECK_FALSE(both.problem.empty());  // 'truck' both asked for and excluded
    // "drop the truck segment" says the exclusion again
    auto again = reader.read("GP by region without trucks (drop the truck segment)", "2026-06-15");
    CHECK(again.problem.empty());
    REQUIRE(again.filters.size() == 1);
    CHECK(again.filters[0].exclude);
    auto lot = reader.read("how many vehicles are on each dealer's lot", "2026-06-15");
    CHECK(std::find(lot.unknown.begin(), lot.unknown.end(), "lot") != lot.unknown.end());
    auto combined = reader.read("share of revenue from the top 5 dealers combined, 2024 vs 2025", "2026-06-15");
    CHECK_FALSE(combined.together);
    CHECK_FALSE(combined.problem.empty());  // each period's top 5 differ: not one row
    auto ordered = reader.read("revenue by region in 2025 sorted descending", "2026-06-15");
    CHECK(ordered.problem.empty());
    CHECK_FALSE(ordered.limit);
}

TEST_CASE("'the same period last year' is the later period's span a year before", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto q = reader.read("revenue year to date vs the same period last year", "2026-06-15");
    REQUIRE(q.compare.size() == 2);
    CHECK(q.compare[0].from == "2025-01-01");
    CHECK(q.compare[0].to == "2025-06-14");  // the same complete days: to date ends yesterday
    CHECK(q.compare[1].from == "2026-01-01");
    CHECK(q.compare[1].to == "2026-06-14");
    // dates said to the day are kept as said, and the earlier span follows them
    auto said = reader.read("claims so far this year vs the same period last year (Jan 1 through Jun 15)", "2026-06-15");
    REQUIRE(said.compare.size() == 2);
    CHECK(said.compare[0].to == "2025-06-15");
    CHECK(said.compare[1].to == "2026-06-15");
    auto month = reader.read("revenue in May 2026 vs the same month last year", "2026-06-15");
    REQUIRE(month.compare.size() == 2);
    CHECK(month.compare[0].label == "May 2025");
    CHECK(month.grain == bi::time_grain::none);  // "the same month" names no breakdown
}

TEST_CASE("the model's conditions held in every period and measures over a part of the facts", "[analysis]") {
    const std::string base =
        "[measure claims]\naggregate = sum\nfact_count = yes\nnames = claims\n"
        "[measure claim_cost]\naggregate = sum\nunit = usd\nnames = warranty cost\n"
        "[measure repeats]\naggregate = sum\nsubset_of = claims\nnames = repeat repairs\n"
        "[measure months]\naggregate = sum\nnames = months\n";
    auto m = bi::parse_model(base +
                                 "[measure repeat_cost]\naggregate = sum\nunit = usd\nsubset_of = claim_cost\nfacts = repeats\nnames = repeat cost\n"
                                 "[condition bad]\nwhen = repeats > 0\nevery = repeats = months\nnames = bad\n",
                             "model.conf");
    REQUIRE(m.conditions.size() == 1);
    CHECK((m.conditions[0].every_op == "=" && m.conditions[0].every_other == "months"));
    CHECK(m.measure("repeat_cost")->facts == "repeats");
    // both survive model.json, which bi-ask reads
    auto dir = bi::test::scratch_dir("model_every");
    bi::write_model(m, dir + "/model.json");
    auto back = bi::load_model(dir + "/model.json");
    CHECK(back.conditions[0].every_other == "months");
    CHECK(back.measure("repeat_cost")->facts == "repeats");
    // a mistake in either is said, with its line
    CHECK_THROWS_AS(bi::parse_model(base + "[condition c]\nwhen = repeats > 0\nevery = claims = 0\nnames = c\n", "model.conf"), bi::error);
    CHECK_THROWS_AS(bi::parse_model(base + "[condition c]\nwhen = repeats > 0\nevery = repeats = nothing\nnames = c\n", "model.conf"), bi::error);
    CHECK_THROWS_AS(bi::parse_model(base + "[condition c]\nevery = repeats = 0\nnames = c\n", "model.conf"), bi::error);
    CHECK_THROWS_AS(bi::parse_model(base + "[measure x]\naggregate = sum\nfacts = repeats\nnames = x\n", "model.conf"), bi::error);
    CHECK_THROWS_AS(bi::parse_model(base + "[measure x]\naggregate = sum\nsubset_of = claim_cost\nfacts = claims\nnames = x\n", "model.conf"),
                    bi::error);
}

TEST_CASE("dictation's numbers, a value named like a KPI's measure, a product of measures, a period without data", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto two = reader.read("top to dealers by revenue in twenty twenty five", "2026-06-15");
    CHECK(two.limit == 2);
    REQUIRE(two.window);
    CHECK(two.window->label == "2025");
    auto toward = reader.read("revenue to dealers in the West", "2026-06-15");
    CHECK_FALSE(toward.limit);  // "to" is a number only between a ranking word and a dimension
    // "GAP" is the F&I product where nothing is about KPIs; the gap to target among KPIs
    auto product = reader.read("GAP contracts by region in 2025", "2026-06-15");
    CHECK(product.measures == std::vector<std::string>{"fi_units"});
    CHECK(filters_text(product) == "fi_product=GAP Insurance");
    auto kpi = reader.read("gap to target by kpi last month", "2026-06-15");
    CHECK(kpi.measures.front() == "gap");
    CHECK(kpi.filters.empty());
    // the comparison is with the whole product, and a product holds only for one row of facts
    auto risk = reader.read("plant and component where on hand is less than daily usage times lead time", "2026-06-15");
    REQUIRE(risk.having.size() == 1);
    CHECK(risk.having[0].measure == "on_hand");
    CHECK(risk.having[0].other == "daily_usage_times_lead_time_days");
    CHECK(bi::make_plan(fixture_model(), risk).chosen);
    auto coarse = reader.read("daily usage times lead time by plant", "2026-06-15");
    auto coarse_plan = bi::make_plan(fixture_model(), coarse);
    CHECK_FALSE(coarse_plan.chosen);
    CHECK_THAT(coarse_plan.reason, Catch::Matchers::Contains("multiplies two measures"));
    // a filter only the subset's facts have leaves the whole unfiltered: GAP contracts over all cars sold
    auto attach = reader.read("GAP attach rate in Florida this year", "2026-06-15");
    CHECK(attach.measures == std::vector<std::string>{"fi_penetration"});
    auto attach_plan = bi::make_plan(fixture_model(), attach);
    REQUIRE(attach_plan.chosen);
    for (auto& part : attach_plan.chosen->parts) {
        INFO(part.cube);
        bool whole = std::find(part.leaves.begin(), part.leaves.end(), "units") != part.leaves.end();
        CHECK(part.unfiltered == (whole ? std::vector<std::string>{"fi_product"} : std::vector<std::string>{}));  // the state filter stays
    }
    auto revenue = reader.read("GAP revenue by state in 2025", "2026-06-15");
    CHECK(revenue.measures == std::vector<std::string>{"fi_revenue"});  // a product's revenue is its F&I revenue
    // halves named beside one year are its halves; "the year so far" is to date; "by model" lists each
    auto halves = reader.read("H1 vs H2 revenue for FY25", "2026-06-15");
    REQUIRE(halves.compare.size() == 2);
    CHECK(halves.compare[0].label == "2025-H1");
    CHECK(halves.compare[1].label == "2025-H2");
    auto so_far = reader.read("margin by region for the year so far", "2026-06-15");
    CHECK(so_far.group_by == std::vector<std::string>{"region"});
    REQUIRE(so_far.window);
    CHECK(so_far.window->label == "2026 to date");
    auto monthly = reader.read("GP by month so far this year", "2026-06-15");
    CHECK(monthly.grain == bi::time_grain::month);
    auto growth = reader.read("revenue growth % by model 2025 vs 2024, fastest-growing first", "2026-06-15");
    CHECK_FALSE(growth.limit);
    auto products = reader.read("which F&I products grew revenue the most in 2025 over 2024", "2026-06-15");
    CHECK_FALSE(products.limit);  // the plural is the name's last word
    auto side = reader.read("are we over or under target on NPS last month", "2026-06-15");
    CHECK(side.having.empty());
    auto repeat_cost = reader.read("repeat repairs as a percentage of warranty cost", "2026-06-15");
    CHECK(repeat_cost.measures.front() == "repeat_cost_pct_of_claim_cost");
    // a row named for a pair of dimensions (a stock position) is read as the pair
    auto lines = reader.read("5 lowest days of supply positions across all plants", "2026-06-15");
    CHECK(lines.group_by == std::vector<std::string>{"plant", "component"});
    CHECK(lines.limit == 5);
    auto counted = reader.read("how many lines are below reorder point", "2026-06-15");
    CHECK(counted.count_of == "plant");
    CHECK(counted.count_with == "component");
    auto per_plant = reader.read("how many lines are below reorder point at each plant", "2026-06-15");
    CHECK(per_plant.count_of == "component");
    CHECK(per_plant.group_by == std::vector<std::string>{"plant"});
    auto pronoun = reader.read("bottom five models on gross profit, who made us the least", "2026-06-15");
    CHECK(pronoun.group_by == std::vector<std::string>{"model"});  // "who" is the models, not dealers
    auto top_share = reader.read("what share of 2025 revenue came from our top 5 dealers", "2026-06-15");
    CHECK(top_share.together);
    auto part = reader.read("repeat-repair claims per 100 cars sold by region", "2026-06-15");
    CHECK(part.measures == std::vector<std::string>{"repeat_repairs_per_100_units"});
    auto before = reader.read("units sold in 2020", "2026-06-15");
    auto none = bi::make_plan(fixture_model(), before);
    CHECK(none.no_data);
    CHECK_THAT(none.reason, Catch::Matchers::Contains("there is no data for 2020"));
}

TEST_CASE("a total said of the rows, a group after 'within', a series of an average, a threshold on single facts", "[analysis]") {
    bi::question_reader reader(fixture_model());
    // "variance" without "%" is the gap beside the variance %; with it, the percentage alone
    auto variance = reader.read("Gross margin KPI: May 2026 actual vs target and the variance", "2026-06-15");
    CHECK(std::find(variance.measures.begin(), variance.measures.end(), "gap") != variance.measures.end());
    auto percent = reader.read("variance to target % for every KPI in May 2026", "2026-06-15");
    CHECK(std::find(percent.measures.begin(), percent.measures.end(), "gap") == percent.measures.end());
    // summed over the dimension named with "all … combined" or "across", beside the rows asked for
    auto combined = reader.read("top 5 parts by daily usage all plants combined", "2026-06-15");
    CHECK(combined.group_by == std::vector<std::string>{"component"});
    auto across = reader.read("bottom 3 parts by total on hand across plants", "2026-06-15");
    CHECK(across.group_by == std::vector<std::string>{"component"});
    // "what gross profit did dealers … make": "what" asks for the measure, "in total" for one row
    auto total = reader.read("What gross profit did dealers outside Texas make in calendar 2025, in total?", "2026-06-15");
    CHECK(total.group_by.empty());
    CHECK(total.problem.empty());
    auto overall = reader.read("overall F&I penetration last year for every region except the West", "2026-06-15");
    CHECK(overall.group_by.empty());
    auto within = reader.read("Rank every dealer within its region by units sold this year, highest first", "2026-06-15");
    CHECK(within.limit_per == "region");
    auto costliest = reader.read("for each model, which component was the costliest in warranty during 2025", "2026-06-15");
    CHECK(costliest.rank_measure == "claim_cost");
    auto nowadays = reader.read("what's the average selling price of a Kestrel these days", "2026-06-15");
    CHECK(nowadays.grain == bi::time_grain::none);
    auto series = reader.read("avg transmission claim cost month by month in 2025", "2026-06-15");
    CHECK(series.grain == bi::time_grain::month);
    CHECK(series.average_over.empty());
    CHECK(series.measures.front() == "avg_claim_cost");
    auto drop = reader.read("repeat repairs by model for 2025, drop the SUV segment", "2026-06-15");
    REQUIRE(drop.filters.size() == 1);
    CHECK(drop.filters[0].exclude);
    CHECK_FALSE(drop.growth);
    // with no rows asked for, a threshold is said of each claim, which no cube keeps
    CHECK_FALSE(reader.read("how many individual claims this year cost more than $3,000", "2026-06-15").problem.empty());
    CHECK(reader.read("how many dealers had more than 300 claims in 2025", "2026-06-15").problem.empty());
}

TEST_CASE("a condition or an attribute of a stock position keeps the position's rows, 'combos' are the pair", "[analysis]") {
    bi::question_reader reader(fixture_model());
    const std::vector<std::string> position{"plant", "component"};
    CHECK(reader.read("parts below reorder point", "2026-06-15").group_by == position);
    CHECK(reader.read("parts with a lead time over 30 days", "2026-06-15").group_by == position);
    CHECK(reader.read("components below reorder point at Toluca", "2026-06-15").group_by == std::vector<std::string>{"component"});
    CHECK(reader.read("parts with on hand over 1000", "2026-06-15").group_by == std::vector<std::string>{"component"});  // summed
    CHECK(reader.read("combos with days of supply above 60", "2026-06-15").group_by == position);
    CHECK(reader.read("average lead time across all plant/part combos", "2026-06-15").group_by.empty());
    // "before a reorder could arrive" is within the lead time: the model's condition on it
    auto out = reader.read("where will we run out before a new order could even arrive", "2026-06-15");
    CHECK(out.problem.empty());
    CHECK(out.group_by == position);
    REQUIRE(out.having.size() == 1);
    CHECK(out.having[0].measure == "out_within_lead_time");
    // a measure named with rows coarser than the positions the condition holds of would sum the
    // positions it does not hold of: refused; at the positions' own grain, answered
    CHECK_FALSE(reader.read("total shortfall by plant for parts below reorder point", "2026-06-15").problem.empty());
    auto short_of = reader.read("for components under reorder point at Lansing, how many units short are we", "2026-06-15");
    CHECK(short_of.problem.empty());
    CHECK(short_of.measures.front() == "shortfall");
    CHECK(short_of.group_by == std::vector<std::string>{"component"});
}

TEST_CASE("asides, postfix exclusions, month ranges of a relative year and values between 'each' and its noun", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto incurred = reader.read("total cost of warranty claims incurred so far this calendar year", "2026-06-15");
    CHECK(incurred.problem.empty());
    CHECK(incurred.group_by.empty());
    CHECK(incurred.grain == bi::time_grain::none);
    REQUIRE(incurred.window);
    CHECK(incurred.window->from == "2026-01-01");
    auto lodged = reader.read("how many warranty claims were lodged by our dealers last month", "2026-06-15");
    CHECK(lodged.group_by.empty());  // "lodged by" says who, it asks for no rows
    auto same = reader.read("brake pad claims last mo vs same mo last yr", "2026-06-15");
    CHECK(same.problem.empty());
    CHECK(same.compare.size() == 2);
    auto left_out = reader.read("revenue by region this quarter, West left out", "2026-06-15");
    REQUIRE(left_out.filters.size() == 1);
    CHECK(left_out.filters[0].exclude);
    auto relating = reader.read("last year's warranty cost excluding anything relating to the powertrain system", "2026-06-15");
    REQUIRE(relating.filters.size() == 1);
    CHECK(relating.filters[0].exclude);  // "relating" is no typo of "reading"
    auto any = reader.read("any dealers running gross margin under 4.5% last yr", "2026-06-15");
    CHECK(any.group_by == std::vector<std::string>{"dealer"});
    auto range = reader.read("NPS by month Jan-May this year", "2026-06-15");
    REQUIRE(range.window);
    CHECK(range.window->from == "2026-01-01");
    CHECK(range.window->to == "2026-05-31");
    CHECK(range.compare.empty());
    auto florida = reader.read("total revenue across all of our Florida dealerships so far this year", "2026-06-15");
    CHECK(florida.group_by.empty());
    auto each = reader.read("top two models by units sold at each Texas dealership in 2025", "2026-06-15");
    CHECK(each.limit_per == "dealer");
    CHECK(each.limit == 2);
    auto hold = reader.read("how many battery packs do we hold across all plants", "2026-06-15");
    CHECK(hold.measures == std::vector<std::string>{"on_hand"});
    // a count of a dimension's values in each row is no measure
    CHECK_FALSE(reader.read("units by state last year for states that have more than one dealership", "2026-06-15").problem.empty());
    // "relative to" a measure is no comparison of periods
    CHECK(reader.read("warranty cost in 2025 relative to 2024 by system", "2026-06-15").compare.size() == 2);
}

TEST_CASE("the share of cars sold with a product only part of the facts carry is the rate the model declares for it", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto q = reader.read("what percentage of cars sold in 2025 went out with an Extended Warranty", "2026-06-15");
    CHECK(q.problem.empty());
    CHECK(q.measures == std::vector<std::string>{"fi_penetration"});
    CHECK_FALSE(q.share);
    REQUIRE(q.filters.size() == 1);
    CHECK(q.filters[0].dimension == "fi_product");
}

TEST_CASE("a condition asked as a yes/no question is a column, asked of 'any' or 'which' it picks rows", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto hit = reader.read("did we hit the market share target last month?", "2026-06-15");
    CHECK(hit.problem.empty());
    REQUIRE(hit.having.size() == 1);
    CHECK(hit.having[0].column == "on_target");
    auto any = reader.read("did any KPI miss its target last month?", "2026-06-15");
    REQUIRE(any.having.size() == 1);
    CHECK(any.having[0].column.empty());
    auto which = reader.read("which KPIs were on target last month", "2026-06-15");
    REQUIRE(which.having.size() == 1);
    CHECK(which.having[0].column.empty());
    // "whether the target was met" is asked of each row too; "taking into account whether higher
    // or lower is better" is what the model's conditions always do
    auto whether = reader.read("For May 2026, list each KPI with its actual, its target and whether the target was met, "
                               "taking into account whether higher or lower is better.", "2026-06-15");
    CHECK(whether.unknown.empty());
    REQUIRE(whether.having.size() == 1);
    CHECK(whether.having[0].column == "on_target");
    // a word read as filler names no value by its stem: "provide" is no "Providence"
    CHECK(reader.read("Provide a count of units sold by model for 2025", "2026-06-15").filters.empty());
}

TEST_CASE("a part of the year said again, a dimension after 'of' saying whose, 'how much' of counted facts, 'miss the target'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    // "Q1" without a year, then "Q1 2026 vs Q1 2025": two periods, not 2025-Q1 twice
    CHECK(compared_from(reader.read("Q1 GP growth: Q1 2026 vs Q1 2025, in %", "2026-06-15")) == "2025-01-01,2026-01-01");
    CHECK(compared_from(reader.read("march units: march 2024 vs march 2025", "2026-06-15")) == "2024-03-01,2025-03-01");
    CHECK(compared_from(reader.read("Q1 vs Q1 2025 revenue", "2026-06-15")) == "2025-01-01,2026-01-01");
    // "system of component": the system's rows; the component says whose system
    CHECK(reader.read("warranty claim cost for each system of component, year 2025", "2026-06-15").group_by ==
          std::vector<std::string>{"system"});
    CHECK(reader.read("units by region of the dealer", "2026-06-15").group_by == std::vector<std::string>{"region"});
    CHECK(reader.read("how much cars by model last month", "2026-06-15").measures == std::vector<std::string>{"units"});
    CHECK(reader.read("how much revenue by model last month", "2026-06-15").measures == std::vector<std::string>{"revenue"});
    auto miss = reader.read("which KPI miss the target in last month?", "2026-06-15");
    REQUIRE(miss.having.size() == 1);
    CHECK(miss.having[0].op == ">");
}

TEST_CASE("formal periods: 'the twelve months ended 31 December 2025', dates day first or ISO, 'calendar 2026'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto window = [&](const char* question) {
        auto q = reader.read(question, "2026-06-15");
        INFO(question);
        CHECK(q.problem.empty());
        CHECK(q.compare.empty());
        return q.window ? q.window->from + ".." + q.window->to : std::string("none");
    };
    CHECK(window("revenue for the twelve months ended 31 December 2025") == "2025-01-01..2025-12-31");
    CHECK(window("monthly repeat repairs for the twelve months ended 31 May 2026") == "2025-06-01..2026-05-31");
    CHECK(window("F&I revenue for the six months ended 30 June 2025") == "2025-01-01..2025-06-30");
    CHECK(window("top five dealers by revenue in the quarter ended 31 March 2026") == "2026-01-01..2026-03-31");
    CHECK(window("revenue for the year ending June 30, 2025") == "2024-07-01..2025-06-30");
    CHECK(window("revenue for the 12 months ended 15 May 2026") == "2025-05-16..2026-05-15");
    CHECK(window("claims recorded between 1 July 2025 and 31 December 2025 inclusive") == "2025-07-01..2025-12-31");
    CHECK(window("revenue 2026-01-01 to 2026-03-31") == "2026-01-01..2026-03-31");
    CHECK(window("units sold in the first quarter of calendar 2026") == "2026-01-01..2026-03-31");
    // "to" between two months still compares them
    CHECK(reader.read("revenue June 2025 to May 2026", "2026-06-15").compare.size() == 2);
    // a ratio defined in brackets is no threshold; "over 30 days" is
    auto margin = reader.read("gross margin percentage (gross profit over revenue) for 2025", "2026-06-15");
    CHECK(margin.having.empty());
    CHECK(margin.measures == std::vector<std::string>{"margin_pct"});
    // "vehicle sales revenue" is revenue; "units, revenue" two measures
    CHECK(reader.read("total vehicle sales revenue for 2025", "2026-06-15").measures == std::vector<std::string>{"revenue"});
    CHECK(reader.read("units, revenue by region", "2026-06-15").measures.size() == 2);
    CHECK(reader.read("state the aggregate warranty claim cost for 2025", "2026-06-15").problem.empty());
    auto cleared = reader.read("which dealers have cleared $10M in revenue YTD", "2026-06-15");
    REQUIRE(cleared.having.size() == 1);
    CHECK(cleared.having[0].op == ">");
    CHECK(reader.read("top 2 models by revenue inside every region, last year", "2026-06-15").limit_per == "region");
    // "May over April": the two months compared; "compared to month before": the month before
    CHECK(compared_from(reader.read("sequential top-line growth, May over April 2026 (%)", "2026-06-15")) == "2026-04-01,2026-05-01");
    CHECK(compared_from(reader.read("last month revenue growth compared to month before, %", "2026-06-15")) == "2026-04-01,2026-05-01");
    // "more … A or B": the two side by side; "this year than last": last year
    auto more = reader.read("more claims in Q1 this year or Q4 last year?", "2026-06-15");
    CHECK(more.unknown.empty());
    CHECK(more.compare.size() == 2);
    auto last = reader.read("are we selling more GAP insurance this year than last? just the counts for 2025 and 2026 please", "2026-06-15");
    CHECK(last.unknown.empty());
    CHECK(compared_from(last) == "2025-01-01,2026-01-01");
    CHECK(reader.read("dealers with more than 500 units in 2024 vs 2025", "2026-06-15").having.size() == 1);
    // exclusions said as "if we not count", "strip out"; "cut by" is "by"
    auto not_count = reader.read("how much cars sold last year if we not count EV segment?", "2026-06-15");
    REQUIRE(not_count.filters.size() == 1);
    CHECK(not_count.filters[0].exclude);
    CHECK(reader.read("last year's F&I revenue cut by product and region", "2026-06-15").group_by.size() == 2);
    // how a period is to be written is no part of the question
    auto labelled = reader.read("Quarterly gross profit for 2024 and 2025, labelled YYYY-Qn.", "2026-06-15");
    CHECK(labelled.unknown.empty());
    CHECK(labelled.grain == bi::time_grain::quarter);
    // the best month of each of two years: ranked within each year, not side by side
    auto best = reader.read("best month by revenue in 2024 and best month in 2025", "2026-06-15");
    CHECK(best.compare.empty());
    CHECK(best.limit_per == "year");
    REQUIRE(best.window);
    CHECK(best.window->from == "2024-01-01");
    CHECK(best.window->to == "2025-12-31");
}

TEST_CASE("hedges and layout said around a question, 'X each', a last 'all dealers' clause, a period's months said again", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto plain = [&](const char* question) { return understood(reader, question); };
    // how sure and how polite the asker is, and how rows are laid out, say nothing of the answer
    CHECK(plain("Could you maybe tell me how many cars we sold in total last month?").measures == std::vector<std::string>{"units"});
    CHECK(plain("I'm not totally sure I'm asking this right, but what was revenue in 2025?").filters.empty());
    CHECK(plain("claims this month, if it's not too much trouble").measures == std::vector<std::string>{"claims"});
    CHECK(plain("gross profit by model last month, one row per model please").group_by == std::vector<std::string>{"model"});
    CHECK(plain("monthly revenue for 2025, months as YYYY-MM").window->from == "2025-01-01");
    // "I mean" says the question again; it is no average ("by X I mean" still defines X)
    CHECK(plain("revenue for each dealer, I mean the dealers in the West region").measures == std::vector<std::string>{"revenue"});
    // (and what is not an aside still stops the reader)
    CHECK_FALSE(reader.read("revenue from leases in 2025", "2026-06-15").unknown.empty());
    CHECK_FALSE(reader.read("avg selling price NE vs W, YTD", "2026-06-15").unknown.empty());
    // an "each" after the plural it counts: one row each
    CHECK(plain("West dealers -> units each, this mo").group_by == std::vector<std::string>{"dealer"});
    CHECK(plain("how are Texas dealers doing this year? rev for each one").group_by == std::vector<std::string>{"dealer"});
    // opening with a value and its plural, the measure straight after, names the rows (three
    // writers' references: "SE dealers rev this month", "se dealers rev ytd", "SW dealers — claims
    // per 100 cars sold"); a series or a possessive keeps the scope together
    CHECK(plain("Texas dealers revenue 2025").group_by == std::vector<std::string>{"dealer"});
    CHECK(plain("Texas dealers' revenue 2025").group_by.empty());
    CHECK(plain("Texas dealers units each month this year").group_by.empty());
    // a last clause "all dealers" says what the figure covers; "by dealer" still asks rows
    CHECK(plain("GP last yr, all dealers").group_by.empty());
    CHECK(plain("on hand qty by system, all plants").group_by == std::vector<std::string>{"system"});
    CHECK(plain("total warranty cost this year (all components, all models, every dealer)").group_by.empty());
    // the months of the period just named, said again without its year
    auto q1 = plain("gross profit for Q1 2026 (Jan–Mar)");
    REQUIRE(q1.window);
    CHECK(q1.window->from + ".." + q1.window->to == "2026-01-01..2026-03-31");
    CHECK(compared_from(plain("warranty cost H1 2025 (Jan-Jun) vs H2 2025 (Jul-Dec)")) == "2025-01-01,2025-07-01");
}

TEST_CASE("'Q1-Q4', 'cost/unit', 'total co', '# mos', examples after a dash, values 'combined', 'state of the dealer', 'X over Y' the model declares", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto q = [&](const char* question) { return understood(reader, question); };
    auto quarters = q("units by model by quarter, 2025 (Q1-Q4)");
    CHECK(quarters.compare.empty());
    REQUIRE(quarters.window);
    CHECK(quarters.window->from + ".." + quarters.window->to == "2025-01-01..2025-12-31");
    CHECK(q("warranty cost/unit by segment, 2025").measures == std::vector<std::string>{"warranty_cost_per_unit"});
    CHECK(q("GP margin % -> 2025, total co").filters.empty());
    CHECK(filters_text(q("GP margin % -> 2025, total CO")) == "state=CO");  // in capitals, the state
    CHECK(q("days to sell -> # mos in 2025 worse than target").count_of == "month");
    CHECK(q("YTD units by vehicle segment — sedan, SUV, truck and so on").filters.empty());
    auto combined = q("Lumen and Cordova units combined 2025");
    CHECK(combined.group_by.empty());
    CHECK(filters_text(combined) == "model=Lumen|Cordova");
    CHECK(q("Lumen and Cordova units 2025").group_by == std::vector<std::string>{"model"});
    CHECK(q("top 3 states by F&I revenue this year (state of the selling dealer)").group_by == std::vector<std::string>{"state"});
    // "over" between two measures: the ratio the model declares, else a comparison
    auto margin = q("overall gross margin for 2025? I think that's gross profit over revenue");
    CHECK(margin.measures == std::vector<std::string>{"margin_pct"});
    CHECK(margin.having.empty());
    CHECK(q("plants where on hand is over the reorder point").having.size() == 1);
}

TEST_CASE("a measure defined in its cubes' columns is said again, not a word left unread, a column beside a number is not", "[analysis]") {
    // bi-dump reads each leaf's columns from its cubes' SQL ("SUM(price - cost) AS gross_profit")
    auto& model = fixture_model();
    CHECK(model.measure("gross_profit")->columns == std::vector<std::string>{"price", "cost"});
    CHECK(model.measure("msrp_value")->columns == std::vector<std::string>{"msrp"});  // "SUM(list.msrp)"
    bi::question_reader reader(model);
    auto plain = [&](const char* question) {
        auto q = reader.read(question, "2026-06-15");
        INFO(question);
        CHECK(q.unknown.empty());
        return q;
    };
    CHECK(plain("Which five dealers generated the most revenue in 2025 (sum of price), highest first?").measures ==
          std::vector<std::string>{"revenue"});
    CHECK(plain("revenue by region for 2025, with revenue being the sum of price paid").group_by == std::vector<std::string>{"region"});
    plain("total gross profit for 2025, defined as the sum of price minus our cost");
    // a column the question's measures are not computed from, or a column with a number, is not read
    CHECK_FALSE(reader.read("units in 2025 (sum of price)", "2026-06-15").unknown.empty());
    CHECK_FALSE(reader.read("revenue for cars with price over 60000 in 2025", "2026-06-15").unknown.empty());
}

TEST_CASE("a sum over part of the facts named as a cost and the facts, 'the single', 'higher or lower than', 'skip', 'same per. LY'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto q = [&](const char* question) { return understood(reader, question); };
    for (auto* question : {"top 4 models by repeat-repair warranty cost in 2024", "top 4 models by warranty cost of repeat repairs 2024",
                           "total claim cost on claims where the same fault came back in 2024"})
        CHECK(q(question).measures == std::vector<std::string>{"repeat_cost"});
    CHECK(q("repeat repairs and warranty cost by model 2024").measures.size() == 2);
    CHECK(q("what's the average cost of a single warranty claim this year?").measures == std::vector<std::string>{"avg_claim_cost"});
    CHECK(q("for each region, the single dealer with the lowest margin YTD").limit_per == "region");
    CHECK(compared_from(q("was warranty cost last month higher or lower than the month before?")) == "2026-04-01,2026-05-01");
    CHECK(filters_text(q("claims by system this year, but please skip the Electrical system")) == "system!=Electrical");
    CHECK(q("EV units growth % YTD vs same per. LY").compare.size() == 2);
    CHECK(q("units by mo -> 2026 to date (June partial ok)").compare.empty());
}

TEST_CASE("'RR rate', 'F&I money', 'warranty money' name measures, 'money' alone names none", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(reader.read("lowest 3 models on RR rate, 2025", "2026-06-15").measures == std::vector<std::string>{"repeat_rate"});
    CHECK(reader.read("how much F&I money did the Ohio stores bring in last yr?", "2026-06-15").measures ==
          std::vector<std::string>{"fi_revenue"});
    CHECK(reader.read("warranty money we spend on Cordova last yr", "2026-06-15").measures == std::vector<std::string>{"claim_cost"});
    // revenue brought in, cost spent or profit made: "money" alone is not guessed
    CHECK_FALSE(reader.read("how much money did the Kestrel bring in last year", "2026-06-15").unknown.empty());
}

TEST_CASE("a part named before 'share' with a breakdown is each row's, 'claim rate per 1000', values 'together', 'show' with measures", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto within = reader.read("electrical system share of warranty cost in each region 2025", "2026-06-15");
    CHECK(within.share);
    CHECK(within.share_dimension == "system");
    CHECK(bi::restate(fixture_model(), within).starts_with("Share of Warranty cost within each region"));
    CHECK(reader.read("share of Lumen units by region 2025", "2026-06-15").share_dimension.empty());   // each region's share of the Lumen's
    CHECK(reader.read("each Northeast dealer's share of Northeast units", "2026-06-15").share_dimension.empty());
    CHECK(reader.read("claim rate per 1000 units sold by dealer 2025", "2026-06-15").measures ==
          std::vector<std::string>{"claims_per_1000_units"});
    CHECK(reader.read("claim rate per 100 units by model 2025", "2026-06-15").measures == std::vector<std::string>{"claims_per_100"});
    CHECK(reader.read("margin for the truck and heavy-duty truck segments together: H2 2025 vs H1 2025", "2026-06-15").group_by.empty());
    CHECK(reader.read("combined revenue from the luxury sedan and sports coupe segments in H2 2025", "2026-06-15").group_by.empty());
    CHECK(reader.read("claims per 100 units sold by model 2025 (2025 claims over 2025 sales)", "2026-06-15").having.empty());
    // a yes/no question whose "show" names measures keeps its condition a column
    auto ok = reader.read("is san antonio plant ok on radiators or are we under the reorder pt? just show on hand and reorder point", "2026-06-15");
    REQUIRE(ok.having.size() == 1);
    CHECK_FALSE(ok.having[0].column.empty());
}

TEST_CASE("'making', 'paying' say only that the facts happened, 'the damage on' is what it came to", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(reader.read("which segment is making us the most gross profit per car this year?", "2026-06-15").unknown.empty());
    CHECK(reader.read("what are people paying for a Halcyon - avg price over the last 3 months", "2026-06-15").measures ==
          std::vector<std::string>{"asp"});
    CHECK(reader.read("so whats the damage on warranty $ for the west this yr", "2026-06-15").measures == std::vector<std::string>{"claim_cost"});
    CHECK_FALSE(reader.read("what was the damage to the Lumen fleet", "2026-06-15").unknown.empty());
}

TEST_CASE("'best' of a measure whose better end varies by KPI is said, or asked back", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(fixture_model().measure("variance_pct")->better_varies);  // derived from the actual: inherited
    auto said = understood(reader, "Which month in 2025 had the best Days to sell reading (lower is better)?");
    CHECK(said.direction == bi::sort_direction::asc);
    CHECK_FALSE(reader.read("best month for days to sell in 2025", "2026-06-15").problem.empty());
    CHECK(understood(reader, "which KPI performed best last month").direction == bi::sort_direction::desc);  // attainment: higher
}

TEST_CASE("'GP%' is the margin, a '%' or '$' of an amount the model declares none of is not dropped", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(understood(reader, "GP% by region for last yr").measures == std::vector<std::string>{"margin_pct"});
    // a part's percentage of its whole (`subset_of`): repeat repairs per 100 claims
    CHECK(understood(reader, "repeat repair % by model 2025").measures == std::vector<std::string>{"repeat_rate"});
    // "% change" is a growth, not the margin
    auto change = understood(reader, "gross profit % change by segment, H1 2025 against H1 2024");
    CHECK(change.measures.front() == "gross_profit");
    CHECK(change.growth);
    CHECK_FALSE(reader.read("revenue % by region 2025", "2026-06-15").unknown.empty());  // a share? a margin?
    CHECK(understood(reader, "warranty claim $ this quarter").measures == std::vector<std::string>{"claim_cost"});
    CHECK_FALSE(reader.read("units $ by region", "2026-06-15").unknown.empty());
    CHECK(understood(reader, "rank regions by revenue 2025").places);
}

TEST_CASE("'excluding sales made by Texas dealers', 'did dealers sell', 'the difference (actual minus target)', 'the most costly X in each Y'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto ex = understood(reader, "Total gross profit for Q1 2026 excluding sales made by Texas dealers.");
    CHECK(ex.measures == std::vector<std::string>{"gross_profit"});
    REQUIRE(ex.filters.size() == 1);
    CHECK(ex.filters[0].exclude);
    CHECK(understood(reader, "How many Lumen units did dealers sell last month?").group_by.empty());
    CHECK(understood(reader, "how many cars did each dealer sell in 2025").group_by == std::vector<std::string>{"dealer"});
    auto gap = understood(reader, "operations KPIs for May 2026 with actual, target and the difference (actual minus target)");
    CHECK(gap.compare.empty());
    CHECK(std::find(gap.measures.begin(), gap.measures.end(), "gap") != gap.measures.end());
    CHECK(understood(reader, "revenue difference 2025 vs 2024 by region").growth);
    auto costly = understood(reader, "most costly component in each system 2025");
    CHECK(costly.limit_per == "system");
    CHECK(std::find(costly.group_by.begin(), costly.group_by.end(), "component") != costly.group_by.end());
    // a measure that counts the very rows asked about is the count
    auto lines = understood(reader, "how many lines are we below reorder on at San Antonio?");
    CHECK(lines.count_of.empty());
    CHECK(lines.measures == std::vector<std::string>{"below_reorder"});
}

TEST_CASE("'across 2024-2025' is one span, 'how many of the sales-category KPIs', a value's whole name over another's first words", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto span = understood(reader, "Best 5 months for company rev across 2024-2025?");
    CHECK(span.limit_per.empty());
    CHECK(span.compare.empty());
    CHECK(understood(reader, "best month by revenue in 2024 and 2025").limit_per == "year");
    auto kpis = understood(reader, "How many of the sales-category KPIs hit target in May '26?");
    CHECK(kpis.count_of == "kpi");
    auto brakes = understood(reader, "average claim cost, Brakes components vs Electrical components, 2025");
    REQUIRE(brakes.filters.size() == 1);
    CHECK(brakes.filters[0].dimension == "system");
    CHECK(understood(reader, "In 2025, how did the average cost per warranty claim for Brakes-system components compare with "
                             "Electrical-system components?").group_by == std::vector<std::string>{"system"});
}

TEST_CASE("'X divided by Y is less than Z' compares the whole, a total over rows a condition picks is refused, the top N 'account for' a share together", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto cover = understood(reader, "lines where on hand divided by daily usage is less than lead time");
    REQUIRE(cover.having.size() == 1);
    CHECK(cover.having[0].measure == "days_of_supply");
    CHECK(cover.having[0].other == "lead_time_days");
    CHECK_FALSE(reader.read("Across all lines that are below reorder point, what is the total shortfall?", "2026-06-15").problem.empty());
    CHECK(understood(reader, "which parts are below reorder point").problem.empty());
    CHECK(understood(reader, "What share of YTD revenue do our top 5 dealers (by YTD revenue) account for?").together);
    CHECK_FALSE(understood(reader, "share of 2025 revenue by dealer, top 5").together);
}

TEST_CASE("days said first with a dash ('1 Jan – 14 Jun 2026', '1–14 June 2026'), 'claims dated', 'nothing fancy', 'longst'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto span = understood(reader, "claims 1 Jan – 14 Jun 2026");
    REQUIRE(span.window);
    CHECK(span.window->from == "2026-01-01");
    CHECK(span.window->to == "2026-06-14");
    auto days = understood(reader, "Units sold per model for 1–14 June 2026 against 1–14 June 2025.");
    REQUIRE(days.compare.size() == 2);
    CHECK(days.compare[0].from == "2025-06-01");
    CHECK(days.compare[1].to == "2026-06-14");
    CHECK(understood(reader, "Average cost per warranty claim for claims dated 1 March to 31 May 2026.").measures ==
          std::vector<std::string>{"avg_claim_cost"});
    CHECK(understood(reader, "need a count of claims per mo for the last 3 months, nothing fancy").grain == bi::time_grain::month);
    CHECK(understood(reader, "wich plant has the longst average lead time").direction == bi::sort_direction::desc);
    auto on = understood(reader, "claims from 1 January to 14 June 2026, not counting claims on Electrical-system components");
    REQUIRE(on.filters.size() == 1);
    CHECK(on.filters[0].exclude);
}

TEST_CASE("a part's fraction of its whole either way round, 'dealers outside California', a threshold's number is no row count, 'rank them', a part beside the whole company", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(understood(reader, "Of the Infotainment Unit claims dated in 2025, what fraction (as a %) were repeat repairs?").measures ==
          std::vector<std::string>{"repeat_rate"});
    CHECK_FALSE(reader.read("how much of Texas warranty cost this year was Transmission claims, as a %", "2026-06-15").problem.empty());
    CHECK(understood(reader, "How many warranty claims were filed last year by dealers outside California?").group_by.empty());
    CHECK(understood(reader, "components with more than 30 warranty claims from Southwest dealers in 2025").group_by ==
          std::vector<std::string>{"component"});
    CHECK_FALSE(understood(reader, "which region grew revenue the fastest in 2025 vs 2024? rank them by growth %").limit);
    auto pairs = understood(reader, "Of every model-and-component combination, which 4 ran up the highest total warranty claim cost in 2025?");
    CHECK(pairs.limit_per.empty());
    CHECK(pairs.limit == 4);
    CHECK_FALSE(reader.read("warranty cost per car sold this year: Southwest region vs whole company", "2026-06-15").problem.empty());
    CHECK_FALSE(reader.read("how far above MSRP (in dollars, price minus MSRP) did minivans sell in 2025?", "2026-06-15").unknown.empty());
    CHECK_FALSE(reader.read("revenue vs last year for the West", "2026-06-15").problem.empty());  // vs which period?
    CHECK(understood(reader, "revenue this year vs last year").compare.size() == 2);
    CHECK_FALSE(reader.read("May revenue vs May last year", "2026-06-15").problem.empty());
    CHECK(understood(reader, "units March vs April 2026").compare.size() == 2);
    auto years = understood(reader, "Total warranty claim cost for each calendar year on file (2026 being year to date only).");
    CHECK_FALSE(years.window);
    CHECK(years.grain == bi::time_grain::year);
}

TEST_CASE("'u' is units unless it is you, 'model line', 'top 150' as a verb, days of last year, 'claim $ 2024', 'yoy %' of one year, 'vs prior'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(understood(reader, "Lumen u this qtr").measures == std::vector<std::string>{"units"});
    CHECK(understood(reader, "can u pull revenue by model for last qtr").measures == std::vector<std::string>{"revenue"});
    CHECK(understood(reader, "Which 3 model lines moved the most units last month?").group_by == std::vector<std::string>{"model"});
    CHECK(understood(reader, "F&I revenue YTD vs the same period last year, whole line-up").group_by.empty());
    auto topped = understood(reader, "In which months of 2025 did Lumen units top 150?");
    CHECK_FALSE(topped.limit);
    REQUIRE(topped.having.size() == 1);
    CHECK(topped.having[0].op == ">");
    CHECK(understood(reader, "which dealers did the top 5 in revenue in 2025").limit == 5);
    auto days = understood(reader, "revenue for June 1-14 this year vs June 1-14 last year");
    REQUIRE(days.compare.size() == 2);
    CHECK(days.compare[0].from == "2025-06-01");
    CHECK(days.compare[0].to == "2025-06-14");
    CHECK(understood(reader, "claim $ 2024 vs 2025 by system").measures == std::vector<std::string>{"claim_cost"});
    auto yoy = understood(reader, "f&i rev yoy % 2025");
    CHECK(yoy.growth);
    REQUIRE(yoy.compare.size() == 2);
    CHECK(yoy.compare[0].from == "2024-01-01");
    auto prior = understood(reader, "gp mom % - last mo vs prior");
    CHECK(prior.growth);
    REQUIRE(prior.compare.size() == 2);
    CHECK(prior.compare[0].from == "2026-04-01");
    CHECK(prior.grain == bi::time_grain::none);
    CHECK(understood(reader, "revenue last quarter vs the previous one").compare[0].from == "2025-10-01");
}

TEST_CASE("a heading's scope with rows named after it, a value and its plural opening the question, 'where our stores sold', 'which one', complete months", "[analysis]") {
    bi::question_reader reader(fixture_model());
    CHECK(understood(reader, "Midwest stores: units per state per model, last quarter").group_by == std::vector<std::string>{"state", "model"});
    CHECK(understood(reader, "se dealers rev ytd").group_by == std::vector<std::string>{"dealer"});
    CHECK(understood(reader, "TX dealers F&I rev by month, 2026 so far").group_by.empty());
    CHECK(understood(reader, "gimme the Midwest stores ranked by rev for last qtr").group_by == std::vector<std::string>{"dealer"});
    CHECK(understood(reader, "States where our stores sold at least 700 units in 2025").group_by == std::vector<std::string>{"state"});
    CHECK(understood(reader, "Ironwood or Everline, which one made more gross profit last quarter?").group_by ==
          std::vector<std::string>{"model"});
    auto months = understood(reader, "revenue for the completed months of this year");
    REQUIRE(months.window);
    CHECK(months.window->from == "2026-01-01");
    CHECK(months.window->to == "2026-05-31");
    CHECK(understood(reader, "untis sold lsat month in the Soutwest").window->from == "2026-05-01");
    CHECK(understood(reader, "Segment revenue mix for Q1 2026 (% of total revenue)").group_by == std::vector<std::string>{"segment"});
    CHECK(understood(reader, "days of cover by system, all plants pooled").group_by == std::vector<std::string>{"system"});
}

TEST_CASE("'excluding all sales of the Lumen EV' excludes the model alone, 'claims and $', 'Q1 to Q4', 'through the current month', 'with their targets', layout words", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto ev = understood(reader, "Revenue by region for 2025, excluding all sales of the Lumen EV. One row per region.");
    REQUIRE(ev.filters.size() == 1);
    CHECK(ev.filters[0].dimension == "model");
    CHECK(ev.filters[0].exclude);
    CHECK(understood(reader, "electrical vs powertrain this yr - claims and $").measures == std::vector<std::string>{"claims", "claim_cost"});
    CHECK_FALSE(reader.read("units and $ by region", "2026-06-15").unknown.empty());  // no money of a count
    auto quarters = understood(reader, "Units by model and by quarter for 2025 (Q1 to Q4).");
    CHECK(quarters.compare.empty());
    CHECK(quarters.grain == bi::time_grain::quarter);
    CHECK(understood(reader, "revenue growth from Q1 to Q3 2025").compare.size() == 2);
    auto through = understood(reader, "Monthly warranty claim count from January 2026 through the current month to date");
    REQUIRE(through.window);
    CHECK(through.window->from == "2026-01-01");
    CHECK(through.window->to == "2026-06-14");
    CHECK(understood(reader, "Operations KPIs for last month with their targets").measures == std::vector<std::string>{"actual", "target"});
    CHECK(understood(reader, "Show margin % by model for 2025 to two decimals, worst first").measures == std::vector<std::string>{"margin_pct"});
    CHECK(understood(reader, "For the quality section: the five models with the most warranty claims in Q1 2026").limit == 5);
    CHECK(understood(reader, "Revenue by region, 2025 versus 2024, one row per region with a column for each year").compare.size() == 2);
    // the quarters as columns: each period side by side is one of the grain's buckets
    auto pivot = understood(reader, "Gross profit by region and quarter for 2025, one row per region, with four columns Q1, Q2, Q3 and Q4");
    CHECK(pivot.compare.size() == 4);
    CHECK(pivot.grain == bi::time_grain::none);
    CHECK(pivot.group_by == std::vector<std::string>{"region"});
    CHECK(understood(reader, "need the avg ticket on the Kestrel YTD pls").measures == std::vector<std::string>{"asp"});
    CHECK(understood(reader, "Lumen claims per 100 sold ytd").measures == std::vector<std::string>{"claims_per_100"});
    CHECK(understood(reader, "top 4 SKUs (models) by gross profit this quarter").group_by == std::vector<std::string>{"model"});
}

TEST_CASE("slash dates whose own numbers say which part is the day, 'thru', 'Jan 2025 thru today' without 'from', greetings", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto uk = understood(reader, "Number of warranty claims logged between 01/03/2025 and 31/08/2025 inclusive.");
    REQUIRE(uk.window);
    CHECK(uk.window->from == "2025-03-01");
    CHECK(uk.window->to == "2025-08-31");
    auto us = understood(reader, "claims from 03/01/2025 to 08/31/2025");
    REQUIRE(us.window);
    CHECK(us.window->from == "2025-03-01");
    // every date either way round: asked back, never guessed
    CHECK_FALSE(reader.read("claims between 03/01/2025 and 04/01/2025", "2026-06-15").unknown.empty());
    CHECK(understood(reader, "battery pack claims by quarter, 2024 thru 2025").window->from == "2024-01-01");
    auto since = understood(reader, "Lumen units -> monthly, Jan '25 thru today");
    REQUIRE(since.window);
    CHECK(since.window->from == "2025-01-01");
    CHECK(since.window->to == "2026-06-14");
    CHECK(understood(reader, "morning! roughly what did turnover come to last month?").measures == std::vector<std::string>{"revenue"});
}

TEST_CASE("a word defined ('By comeback I mean …'), a share 'were for' a value, every row ranked within its group, the mean of months by quarter, what customers paid", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto defined = understood(reader, "How many comebacks did we have last quarter? By comeback I mean claims flagged as a repeat repair.");
    CHECK(std::find(defined.measures.begin(), defined.measures.end(), "repeat_repairs") != defined.measures.end());
    CHECK(std::find(defined.measures.begin(), defined.measures.end(), "repeat_rate") == defined.measures.end());
    auto share = understood(reader, "Of every Lumen warranty claim, what fraction were for the Battery Pack?");
    CHECK(share.share);
    CHECK(share.share_dimension == "component");
    auto ranked = understood(reader, "Dealer GP rank within region, last quarter");
    CHECK(ranked.limit_per == "region");
    CHECK_FALSE(ranked.limit);
    auto quarterly = understood(reader, "average monthly units by quarter 2025");
    CHECK(quarterly.average_over == "month");
    CHECK(quarterly.grain == bi::time_grain::quarter);
    CHECK(understood(reader, "average monthly units in each year").grain == bi::time_grain::year);
    auto rows = understood(reader, "units sold per region per calendar year (2024, 2025 and 2026 to date)");
    CHECK(rows.compare.empty());
    CHECK(rows.grain == bi::time_grain::year);
    CHECK(understood(reader, "Monthly revenue, CY2025").window->from == "2025-01-01");
    auto rate = understood(reader, "Dealers that sold over 400 cars in 2025 but attached an F&I product to fewer than 50% of them");
    REQUIRE(rate.having.size() == 2);
    CHECK(rate.having[1].measure == "fi_penetration");
    CHECK(understood(reader, "F&I revenue per unit sold (all units), top 5 dealers, YTD").rank_measure == "fi_per_unit");
    CHECK(understood(reader, "average price customers paid, by segment, 2025").measures == std::vector<std::string>{"asp"});
    CHECK(understood(reader, "what did customers pay in total last month").measures == std::vector<std::string>{"revenue"});
    CHECK_FALSE(reader.read("what did we pay for the cars in 2025", "2026-06-15").unknown.empty());  // a cost, not revenue
    CHECK(understood(reader, "in each segment, no wait, in each region, which model had the highest average price last quarter").limit_per == "region");
    // a measure averaged per fact is the one ranked ("the most revenue on average": the average selling price)
    CHECK(understood(reader, "the five dealer cities with the most revenue on average this year").measures == std::vector<std::string>{"asp"});
}

TEST_CASE("spreadsheet months ('May-26'), a range beside a finer series, a span said again as a range, 'net of', 'laggard'", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto months = understood(reader, "Warranty cost May-26 vs Apr-26");
    REQUIRE(months.compare.size() == 2);
    CHECK(months.compare[0].from == "2026-04-01");
    CHECK(months.compare[1].from == "2026-05-01");
    auto series = understood(reader, "F&I rev by month, Jun 2025 to May 2026");
    CHECK(series.compare.empty());
    REQUIRE(series.window);
    CHECK(series.window->from == "2025-06-01");
    CHECK(series.grain == bi::time_grain::month);
    CHECK(understood(reader, "revenue 2024 to 2025 by region").compare.size() == 2);  // "to" alone still compares
    auto trailing = understood(reader, "F&I rev by month, trailing twelve months (Jun-25 to May-26)");
    CHECK(trailing.compare.empty());
    REQUIRE(trailing.window);
    CHECK(trailing.window->from == "2025-06-01");
    auto net = understood(reader, "F&I revenue YTD, net of GAP Insurance");
    REQUIRE(net.filters.size() == 1);
    CHECK(net.filters[0].exclude);
    CHECK(understood(reader, "laggard models on avg gross profit per car in 2025").direction == bi::sort_direction::asc);
    // rows of two named regions say which region each is in; of one region, not
    CHECK(understood(reader, "top 10 dealers by units across the Southeast and Midwest regions combined, 2025").group_by ==
          std::vector<std::string>{"dealer", "region"});
    CHECK(understood(reader, "top 10 dealers by units in the Southeast, 2025").group_by == std::vector<std::string>{"dealer"});
}

TEST_CASE("a column set to a value ('region = West') as a filter, a month written YYYY-MM, a percent split, 'with X taken out', a question relayed for the CFO", "[analysis]") {
    bi::question_reader reader(fixture_model());
    auto west = understood(reader, "units sold, region = West, this month");
    REQUIRE(west.filters.size() == 1);
    CHECK(west.filters[0].values == std::vector<std::string>{"West"});
    REQUIRE(west.window);
    CHECK(west.window->from == "2026-06-01");
    auto quoted = understood(reader, "total claim cost, system = 'Electrical', H2 2025");
    REQUIRE(quoted.filters.size() == 1);
    CHECK(quoted.filters[0].values == std::vector<std::string>{"Electrical"});
    // a definition after the question stays a definition, not a filter
    CHECK(understood(reader, "gross margin by region, 2025, with margin = (price - cost) / price").filters.empty());
    auto month = understood(reader, "kpis, target, actual for period = '2026-05'");
    REQUIRE(month.window);
    CHECK(month.window->from == "2026-05-01");
    CHECK(month.window->to == "2026-05-31");
    CHECK(understood(reader, "revenue by month 2025-06 to 2026-05").window->from == "2025-06-01");
    CHECK(understood(reader, "need the % split of warranty cost by system for last yr").share);
    auto out = understood(reader, "the average selling price this year with the Ironwood and Granite taken out");
    REQUIRE(out.filters.size() == 1);
    CHECK(out.filters[0].exclude);
    CHECK(understood(reader, "The CFO wants 2025 revenue by region and by segment.").group_by == std::vector<std::string>{"region", "segment"});
    auto limit = understood(reader, "components order by count(claim_id) desc limit 5, 2025");
    CHECK(limit.limit == 5);
    CHECK(limit.filters.empty());  // "claim_id" is no state ID
    CHECK(understood(reader, "revenue of dealers in ID, 2025").filters.size() == 1);
    CHECK(understood(reader, "Which single month of 2025 had the highest unit sales?").limit == 1);
    CHECK_FALSE(reader.read("On average how much revenue did a single dealer bring in during 2025?", "2026-06-15").unknown.empty());
    CHECK(understood(reader, "which dealers have passed $10 million in revenue so far this year").having.size() == 1);
    CHECK(understood(reader, "what slice of our 2025 unit sales was the Lumen?").share);
    auto up = understood(reader, "are units up YTD versus the same period last year, and by how much in percent?");
    CHECK_FALSE(up.share);
    CHECK(up.compare.size() == 2);
    // two breakdowns between commas; said together, the first says whose ("dealer state")
    CHECK(understood(reader, "count(*) sales group by region, segment for 2025").group_by == std::vector<std::string>{"region", "segment"});
    CHECK(understood(reader, "units by dealer state").group_by == std::vector<std::string>{"state"});
    // "what percent of cars went out with an F&I product": all cars, not a row per model
    CHECK(understood(reader, "the F&I attach rate last month, what percent of cars went out with an F&I product").group_by.empty());
}
