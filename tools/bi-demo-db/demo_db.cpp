// The demo database generator. The shapes the catalog's answers should show (seasonality,
// growth, leading models, problem components, KPIs off target) are set in the tables below.
#include "demo_db.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <filesystem>
#include <numbers>
#include <random>
#include <span>
#include <stdexcept>
#include <system_error>
#include <tuple>

#include "bi/error.hpp"

namespace bi::demo {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// ---------------------------------------------------------------------------------------------
// Random numbers

/// Every draw goes through here. std:: distributions are implementation-defined, so they would
/// make the file depend on the standard library; only the raw mt19937_64 output is portable.
class random_source {
public:
    explicit random_source(std::uint64_t seed) : engine_(seed) {}

    /// Uniform in [0, 1), from the top 53 bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    /// Uniform integer in [lo, hi].
    std::int64_t uniform_int(std::int64_t lo, std::int64_t hi) {
        const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
        // Rejecting the lowest 2^64 mod span values leaves a whole number of cycles: no modulo bias.
        const std::uint64_t threshold = (0 - span) % span;
        std::uint64_t x = engine_();
        while (x < threshold) x = engine_();
        return lo + static_cast<std::int64_t>(x % span);
    }

    bool chance(double p) { return uniform() < p; }

    /// Box-Muller; `1 - u` keeps the logarithm finite.
    double normal(double mean, double sd) {
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

    /// An index drawn with probability proportional to its weight; `cumulative` holds running sums.
    std::size_t pick(std::span<const double> cumulative) {
        const double x = uniform() * cumulative.back();
        const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
        return static_cast<std::size_t>(std::min(it - cumulative.begin(), std::ptrdiff_t(cumulative.size()) - 1));
    }

private:
    std::mt19937_64 engine_;
};

std::vector<double> running_sums(std::span<const double> weights) {
    std::vector<double> sums(weights.size());
    double total = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) sums[i] = total += weights[i];
    return sums;
}

double cents(double amount) { return std::round(amount * 100.0) / 100.0; }

// ---------------------------------------------------------------------------------------------
// The fictional business

enum class powertrain { ice, hybrid, ev };

constexpr std::size_t region_count = 5;

struct region_info {
    const char* name;
    double share;  // of all sales
};

constexpr std::array<region_info, region_count> regions{{
    {"Northeast", 0.15}, {"Southeast", 0.25}, {"Midwest", 0.18}, {"Southwest", 0.20}, {"West", 0.22},
}};

struct dealer_info {
    const char* name;
    std::size_t region;  // index into regions
    const char* city;
    const char* state;
};

// Names avoid every model, region, plant and component name so a question naming one is not
// read as naming a dealer.
constexpr std::array<dealer_info, 60> dealers{{
    {"Harbor Point Motors", 0, "Portland", "ME"},
    {"Bay State Automotive", 0, "Boston", "MA"},
    {"Liberty Bell Motors", 0, "Philadelphia", "PA"},
    {"Hudson Valley Auto Group", 0, "Albany", "NY"},
    {"Nutmeg Motor Company", 0, "Hartford", "CT"},
    {"Three Rivers Autoplex", 0, "Pittsburgh", "PA"},
    {"Ocean State Motors", 0, "Providence", "RI"},
    {"Green Mountain Auto", 0, "Burlington", "VT"},
    {"Garden State Motor Works", 0, "Newark", "NJ"},
    {"Niagara Frontier Motors", 0, "Buffalo", "NY"},
    {"Merrimack Motor Group", 0, "Manchester", "NH"},
    {"Long Island Auto Mall", 0, "Hempstead", "NY"},
    {"Peachtree Auto Group", 1, "Atlanta", "GA"},
    {"Queen City Motors", 1, "Charlotte", "NC"},
    {"Magnolia Motor Company", 1, "Birmingham", "AL"},
    {"Sunshine Coast Motors", 1, "Tampa", "FL"},
    {"Music City Auto Plaza", 1, "Nashville", "TN"},
    {"Lowcountry Motors", 1, "Charleston", "SC"},
    {"Biscayne Bay Automotive", 1, "Miami", "FL"},
    {"Blue Ridge Auto Group", 1, "Richmond", "VA"},
    {"Triangle Motor Works", 1, "Raleigh", "NC"},
    {"First Coast Auto Mall", 1, "Jacksonville", "FL"},
    {"Beale Street Motors", 1, "Memphis", "TN"},
    {"Orange Blossom Motors", 1, "Orlando", "FL"},
    {"Lakeshore Motors", 2, "Chicago", "IL"},
    {"Motor City Auto Group", 2, "Detroit", "MI"},
    {"Buckeye Auto Plaza", 2, "Columbus", "OH"},
    {"Prairie State Motors", 2, "Springfield", "IL"},
    {"Gateway Arch Motors", 2, "St. Louis", "MO"},
    {"North Star Auto Group", 2, "Minneapolis", "MN"},
    {"Badger State Motors", 2, "Milwaukee", "WI"},
    {"Hoosier Motor Company", 2, "Indianapolis", "IN"},
    {"Cuyahoga Auto Mall", 2, "Cleveland", "OH"},
    {"Heartland Motors", 2, "Omaha", "NE"},
    {"River City Auto Group", 2, "Des Moines", "IA"},
    {"Crossroads Motor Works", 2, "Kansas City", "MO"},
    {"Saguaro Motors", 3, "Phoenix", "AZ"},
    {"Lone Star Auto Group", 3, "Dallas", "TX"},
    {"Bayou City Motors", 3, "Houston", "TX"},
    {"Alamo Heights Automotive", 3, "San Antonio", "TX"},
    {"Rio Grande Motor Company", 3, "Albuquerque", "NM"},
    {"Hill Country Motors", 3, "Austin", "TX"},
    {"Red Rock Auto Plaza", 3, "Flagstaff", "AZ"},
    {"Sooner State Motors", 3, "Oklahoma City", "OK"},
    {"Old Pueblo Auto Group", 3, "Tucson", "AZ"},
    {"Franklin Mountain Motors", 3, "El Paso", "TX"},
    {"Turquoise Trail Motors", 3, "Santa Fe", "NM"},
    {"Cimarron Auto Mall", 3, "Tulsa", "OK"},
    {"Summit Auto Group", 4, "Denver", "CO"},
    {"Golden Gate Motors", 4, "San Francisco", "CA"},
    {"Emerald City Auto", 4, "Seattle", "WA"},
    {"Silver State Motors", 4, "Las Vegas", "NV"},
    {"Cascade Motor Works", 4, "Portland", "OR"},
    {"Sierra Vista Motors", 4, "Sacramento", "CA"},
    {"Wasatch Auto Group", 4, "Salt Lake City", "UT"},
    {"Coastline Motors", 4, "San Diego", "CA"},
    {"Silicon Valley Auto Mall", 4, "San Jose", "CA"},
    {"Sawtooth Motors", 4, "Boise", "ID"},
    {"Inland Empire Motors", 4, "Riverside", "CA"},
    {"Big Sky Auto Group", 4, "Billings", "MT"},
}};

struct model_info {
    const char* name;
    const char* segment;
    double msrp;
    double popularity;    // relative share of sales at the start of 2024
    double trend;         // log growth of that share per year
    double margin;        // dealer gross before discount, as a fraction of sticker price
    double claim_rate;    // chance a sale leads to a warranty claim within three years
    double fi_factor;     // multiplies a dealer's F&I take rate
    double summer;        // extra demand in May-August
    powertrain drive;
    bool turbo;
    bool luxury;          // dearer parts and labour on claims
    std::array<double, region_count> regional;  // demand tilt per region
};

constexpr std::array<model_info, 12> models{{
    {"Aurelia", "sedan", 28500, 1.25, -0.06, 0.065, 0.075, 1.00, 1.0, powertrain::ice, false, false, {1.2, 1.1, 1.0, 0.9, 1.0}},
    {"Brisa", "compact", 22900, 1.35, 0.00, 0.050, 0.070, 0.85, 1.0, powertrain::ice, false, false, {1.4, 1.0, 0.9, 0.8, 1.1}},
    {"Cordova", "SUV", 38400, 1.85, 0.05, 0.085, 0.085, 1.05, 1.0, powertrain::ice, false, false, {1.0, 1.2, 1.1, 1.0, 0.9}},
    {"Dunmore", "truck", 46900, 1.60, 0.03, 0.110, 0.095, 1.10, 1.0, powertrain::ice, false, false, {0.6, 1.0, 1.4, 1.6, 0.8}},
    {"Everline", "minivan", 39900, 0.55, -0.08, 0.070, 0.085, 1.05, 1.1, powertrain::ice, false, false, {1.1, 1.1, 1.2, 0.9, 0.8}},
    {"Fairhaven", "crossover", 31200, 1.45, 0.04, 0.075, 0.070, 1.00, 1.0, powertrain::ice, false, false, {1.1, 1.1, 1.0, 1.0, 1.0}},
    {"Granite", "heavy-duty truck", 58700, 0.70, 0.00, 0.120, 0.190, 1.10, 1.0, powertrain::ice, true, false, {0.5, 0.9, 1.5, 1.7, 0.7}},
    {"Halcyon", "luxury sedan", 54500, 0.50, -0.10, 0.100, 0.110, 1.15, 1.0, powertrain::ice, true, true, {1.3, 1.0, 0.8, 0.9, 1.2}},
    {"Ironwood", "full-size SUV", 61800, 0.60, 0.02, 0.115, 0.160, 1.15, 1.0, powertrain::ice, true, true, {0.9, 1.1, 1.0, 1.2, 0.9}},
    {"Juniper", "hybrid", 33600, 0.85, 0.18, 0.060, 0.060, 0.95, 1.0, powertrain::hybrid, false, false, {1.1, 0.9, 0.8, 0.8, 1.4}},
    {"Kestrel", "sports coupe", 44200, 0.35, -0.02, 0.090, 0.130, 0.95, 1.5, powertrain::ice, true, false, {0.8, 1.2, 0.8, 1.1, 1.2}},
    {"Lumen", "EV", 47900, 0.75, 0.35, 0.035, 0.120, 0.85, 1.0, powertrain::ev, false, false, {1.0, 0.7, 0.6, 0.7, 2.0}},
}};

struct plant_info {
    const char* name;
    const char* location;
    double volume;        // scales component usage
    int extra_lead_days;  // distance from suppliers
};

constexpr std::array<plant_info, 4> plants{{
    {"Lansing", "Lansing, MI", 1.25, 0},
    {"Louisville", "Louisville, KY", 1.00, 2},
    {"San Antonio", "San Antonio, TX", 1.10, 3},
    {"Toluca", "Toluca, Mexico", 0.85, 6},
}};

struct component_info {
    const char* name;
    const char* system;
    std::array<double, 3> claim_weight;  // share of claims by powertrain: ice, hybrid, ev
    double repair_cost;                  // mean cost of one claim
    double repeat_rate;                  // chance the same repair comes back
    double summer;                       // claim weight multiplier in June-August
    double winter;                       // claim weight multiplier in December-February
    double daily_usage;                  // parts a typical plant uses per day
    int lead_time_days;
};

constexpr std::array<component_info, 15> components{{
    {"Transmission", "Powertrain", {8, 6, 2}, 3400, 0.22, 1.0, 1.0, 60, 28},
    {"Brake Pads", "Brakes", {14, 10, 8}, 320, 0.05, 1.0, 1.0, 240, 7},
    {"Infotainment Unit", "Electrical", {11, 12, 14}, 1250, 0.30, 1.0, 1.0, 70, 35},
    {"Battery Pack", "Electrical", {0, 6, 18}, 6800, 0.14, 1.0, 1.4, 14, 45},
    {"Alternator", "Electrical", {6, 2, 0}, 640, 0.06, 1.0, 1.2, 80, 14},
    {"Fuel Pump", "Fuel", {6, 5, 0}, 780, 0.08, 1.0, 1.0, 75, 14},
    {"Water Pump", "Cooling", {6, 5, 3}, 590, 0.07, 1.3, 1.0, 70, 10},
    {"AC Compressor", "Climate control", {8, 7, 6}, 1150, 0.15, 2.2, 0.6, 55, 18},
    {"Turbocharger", "Powertrain", {5, 0, 0}, 2300, 0.20, 1.0, 1.0, 30, 30},
    {"Starter Motor", "Electrical", {5, 2, 0}, 520, 0.06, 1.0, 1.5, 65, 12},
    {"Power Steering Pump", "Steering", {4, 1, 0}, 680, 0.12, 1.0, 1.0, 40, 16},
    {"Airbag Module", "Safety", {3, 3, 3}, 1450, 0.05, 1.0, 1.0, 90, 21},
    {"Oxygen Sensor", "Emissions", {8, 7, 0}, 240, 0.09, 1.0, 1.0, 160, 10},
    {"Wheel Bearing", "Suspension", {7, 6, 7}, 420, 0.07, 1.0, 1.0, 130, 12},
    {"Radiator", "Cooling", {5, 4, 2}, 690, 0.06, 1.5, 1.0, 60, 14},
}};

struct hotspot {
    const char* model;
    const char* component;
    double factor;  // multiplies that component's share of the model's claims
};

constexpr std::array<hotspot, 12> hotspots{{
    {"Granite", "Transmission", 4.0},  {"Granite", "Wheel Bearing", 1.8},
    {"Ironwood", "AC Compressor", 2.5}, {"Ironwood", "Power Steering Pump", 3.0},
    {"Kestrel", "Turbocharger", 4.0},   {"Lumen", "Infotainment Unit", 2.5},
    {"Halcyon", "Infotainment Unit", 3.0}, {"Halcyon", "Airbag Module", 2.0},
    {"Dunmore", "Transmission", 1.6},   {"Brisa", "Brake Pads", 1.6},
    {"Juniper", "Battery Pack", 1.5},   {"Cordova", "Water Pump", 1.5},
}};

struct fi_product_info {
    const char* name;
    double weight;
    double revenue;  // mean F&I revenue per contract
};

constexpr std::array<fi_product_info, 5> fi_products{{
    {"Extended Warranty", 0.34, 1800}, {"GAP Insurance", 0.21, 750}, {"Service Contract", 0.22, 1400},
    {"Tire & Wheel", 0.13, 650},       {"Paint Protection", 0.10, 450},
}};

struct kpi_info {
    const char* name;
    const char* category;
    const char* unit;
    double target;
    bool higher_is_better;
    double spread;  // relative size of one unit of bias, trend, season and noise
    double bias;    // performance against target at the start of 2024, in spreads (+ is good)
    double trend;   // change of that performance per year, in spreads
    double season;  // amplitude of a yearly cycle peaking in June, in spreads
    const char* from_sales = nullptr;  // if set, the monthly actual is this aggregate over sales
};

// KPIs measured on the sales table are computed from it, so they agree with the catalog's
// answers; the rest follow bias + trend + season + noise, chosen so that by late 2026 a
// handful of KPIs in every category miss their target.
constexpr std::array<kpi_info, 26> kpis{{
    {"Market share", "sales", "percent", 8.5, true, 0.04, 0.5, 0.3, 0.3},
    {"Average transaction price", "sales", "usd", 42500, true, 0, 0, 0, 0, "AVG(price)"},
    {"Lead conversion rate", "sales", "percent", 18, true, 0.06, 0.3, -0.7, 0.3},
    {"Days to sell", "sales", "days", 45, false, 0.08, 0.6, -1.0, 0.6},
    {"Sales target attainment", "sales", "percent", 100, true, 0.04, 0.6, 0.2, 0.8},
    {"Service retention rate", "service", "percent", 62, true, 0.04, 0.4, 0.2, 0.2},
    {"Average repair order value", "service", "usd", 430, true, 0.05, 0.9, 0.3, 0.3},
    {"Technician efficiency", "service", "percent", 110, true, 0.04, 0.2, -0.6, 0.2},
    {"Service appointment lead time", "service", "days", 4, false, 0.12, 0.3, -0.6, 0.4},
    {"Warranty cost per unit", "service", "usd", 780, false, 0.06, 0.3, -1.1, 0.2},
    {"F&I penetration", "finance", "percent", 60, true, 0, 0, 0, 0, "COUNT(fi_product) * 100.0 / COUNT(*)"},
    {"F&I revenue per retail unit", "finance", "usd", 650, true, 0, 0, 0, 0, "SUM(fi_revenue) / COUNT(*)"},
    {"Gross margin", "finance", "percent", 6, true, 0, 0, 0, 0, "SUM(price - cost) * 100.0 / SUM(price)"},
    {"Floor plan cost per unit", "finance", "usd", 310, false, 0.07, 0.5, -0.3, 0.3},
    {"Return on sales", "finance", "percent", 3.2, true, 0.08, 0.5, 0.3, 0.4},
    {"Plant capacity utilization", "operations", "percent", 85, true, 0.04, 0.5, 0.2, 0.4},
    {"First pass yield", "operations", "percent", 96, true, 0.01, 0.5, 0.3, 0.1},
    {"On-time delivery rate", "operations", "percent", 95, true, 0.02, 0.2, -0.8, 0.3},
    {"Parts fill rate", "operations", "percent", 92, true, 0.03, -0.8, -0.5, 0.2},
    {"Inventory turnover", "operations", "number", 10, true, 0.06, 0.4, 0.1, 0.5},
    {"Defects per thousand vehicles", "operations", "number", 12, false, 0.10, 0.5, 0.3, 0.2},
    {"Customer satisfaction score", "customer", "number", 85, true, 0.03, 0.4, -1.0, 0.2},
    {"Net promoter score", "customer", "number", 45, true, 0.08, 0.6, 0.2, 0.3},
    {"Customer retention rate", "customer", "percent", 58, true, 0.04, 0.3, 0.1, 0.2},
    {"Complaint resolution time", "customer", "days", 3, false, 0.12, 0.4, 0.2, 0.3},
    {"Online review rating", "customer", "number", 4.5, true, 0.03, 0.5, -0.2, 0.1},
}};

struct at_risk_stock {
    const char* plant;
    const char* component;
    double cover;  // on hand as a fraction of (lead time + safety stock) days of usage
};

// Stock positions that are always short, so the risk queries have a story whatever the seed.
constexpr std::array<at_risk_stock, 5> short_stock{{
    {"Lansing", "Infotainment Unit", 0.42}, {"Toluca", "Battery Pack", 0.55},
    {"San Antonio", "Transmission", 0.70},  {"Louisville", "Airbag Module", 0.93},
    {"Lansing", "Turbocharger", 0.80},
}};

constexpr int safety_stock_days = 5;
constexpr int warranty_days = 3 * 365;
constexpr double sales_per_year = 250000.0 / 3.0;  // at scale 1, averaged over 2024-2026
constexpr double yearly_growth = 1.08;
constexpr std::array<double, 12> month_demand{0.78, 0.84, 1.05, 1.10, 1.16, 1.14, 1.08, 1.06, 0.96, 0.95, 0.90, 0.98};
constexpr std::array<double, 7> weekday_demand{0.50, 0.95, 0.90, 0.95, 1.00, 1.15, 1.55};  // Sunday first

// ---------------------------------------------------------------------------------------------
// SQLite

class connection {
public:
    explicit connection(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
            const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw std::runtime_error(fmt::format("cannot create '{}': {}", path, why));
        }
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() { sqlite3_close(db_); }

    void exec(const char* sql) {
        char* message = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
            const std::string why = message ? message : sqlite3_errmsg(db_);
            sqlite3_free(message);
            throw std::runtime_error(fmt::format("sqlite: {}", why));
        }
    }
    sqlite3* get() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

/// A prepared INSERT: insert(a, b, c) binds its arguments to ?1, ?2, ?3 and runs it once.
class inserter {
public:
    inserter(connection& db, const char* sql) : db_(db.get()) {
        if (sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw std::runtime_error(fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
    }
    inserter(const inserter&) = delete;
    inserter& operator=(const inserter&) = delete;
    ~inserter() { sqlite3_finalize(stmt_); }

    template <typename... Values>
    void insert(const Values&... values) {
        int index = 0;
        (bind(++index, values), ...);
        if (sqlite3_step(stmt_) != SQLITE_DONE)
            throw std::runtime_error(fmt::format("sqlite: {}", sqlite3_errmsg(db_)));
        sqlite3_reset(stmt_);
        ++rows_;
    }
    std::int64_t rows() const { return rows_; }

private:
    void bind(int i, std::integral auto v) { sqlite3_bind_int64(stmt_, i, static_cast<sqlite3_int64>(v)); }
    void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
    void bind(int i, const char* v) {
        if (v) sqlite3_bind_text(stmt_, i, v, -1, SQLITE_STATIC);
        else sqlite3_bind_null(stmt_, i);
    }
    void bind(int i, const std::string& v) { sqlite3_bind_text(stmt_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }

    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::int64_t rows_ = 0;
};

constexpr const char* schema = R"sql(
CREATE TABLE regions (
    region_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE dealers (
    dealer_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    region_id INTEGER NOT NULL REFERENCES regions (region_id),
    city TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE models (
    model_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    segment TEXT NOT NULL,
    msrp REAL NOT NULL
);
CREATE TABLE plants (
    plant_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    location TEXT NOT NULL
);
CREATE TABLE components (
    component_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    system TEXT NOT NULL
);
CREATE TABLE sales (
    sale_id INTEGER PRIMARY KEY,
    sale_date TEXT NOT NULL,
    dealer_id INTEGER NOT NULL REFERENCES dealers (dealer_id),
    model_id INTEGER NOT NULL REFERENCES models (model_id),
    price REAL NOT NULL,
    cost REAL NOT NULL,
    fi_product TEXT,
    fi_revenue REAL NOT NULL DEFAULT 0
);
CREATE TABLE inventory (
    plant_id INTEGER NOT NULL REFERENCES plants (plant_id),
    component_id INTEGER NOT NULL REFERENCES components (component_id),
    on_hand INTEGER NOT NULL,
    daily_usage INTEGER NOT NULL,
    reorder_point INTEGER NOT NULL,
    lead_time_days INTEGER NOT NULL,
    PRIMARY KEY (plant_id, component_id)
);
CREATE TABLE kpis (
    kpi_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    target REAL NOT NULL,
    higher_is_better INTEGER NOT NULL CHECK (higher_is_better IN (0, 1))
);
CREATE TABLE kpi_values (
    kpi_id INTEGER NOT NULL REFERENCES kpis (kpi_id),
    period TEXT NOT NULL,
    actual REAL NOT NULL,
    PRIMARY KEY (kpi_id, period)
);
CREATE TABLE warranty_claims (
    claim_id INTEGER PRIMARY KEY,
    claim_date TEXT NOT NULL,
    model_id INTEGER NOT NULL REFERENCES models (model_id),
    component_id INTEGER NOT NULL REFERENCES components (component_id),
    dealer_id INTEGER NOT NULL REFERENCES dealers (dealer_id),
    cost REAL NOT NULL,
    repeat_repair INTEGER NOT NULL CHECK (repeat_repair IN (0, 1))
);
)sql";

// Indexes serve the catalog, and cost most of the generation time, so there are no others.
// sales_by_month_dealer_model covers the sales queries' first step (a roll-up by month, dealer
// and model; the month as the catalog writes it, portable to PostgreSQL's dates), so they read
// it in order instead of sorting every sale; the date indexes serve the
// digest's weeks and the risk matrix's 90-day windows.
constexpr const char* indexes = R"sql(
CREATE INDEX sales_by_date ON sales (sale_date);
CREATE INDEX sales_by_month_dealer_model
    ON sales (substr(CAST(sale_date AS TEXT), 1, 7), dealer_id, model_id, price, cost, fi_product);
CREATE INDEX claims_by_date ON warranty_claims (claim_date);
CREATE INDEX claims_by_model ON warranty_claims (model_id, claim_date);
CREATE INDEX claims_by_component ON warranty_claims (component_id, model_id);
CREATE INDEX kpi_values_by_period ON kpi_values (period);
)sql";

// ---------------------------------------------------------------------------------------------
// Generation

std::string format_day(sys_days day) { return format_date(year_month_day{day}); }

/// Years since 2024-01-01: the clock every trend runs on.
double years_since_start(sys_days day) { return (day - sys_days{first_day}).count() / 365.25; }

struct dealer_traits {
    double weight;         // share of all sales
    double fi_rate;        // chance a deal carries an F&I product, before model effects
    double discount_bias;  // added to the usual discount off sticker
};

struct claim {
    sys_days day;
    std::int64_t order;  // tie-breaker: claims on one day keep the order they were drawn in
    std::size_t model;
    std::size_t component;
    std::size_t dealer;
    double cost;
    bool repeat;
};

class generator {
public:
    generator(const demo_options& options, connection& db) : options_(options), db_(db), random_(options.seed) {}

    std::vector<table_rows> run() {
        std::vector<table_rows> counts;
        write_dimensions(counts);
        write_inventory(counts);
        write_sales(counts);
        write_claims(counts);
        write_kpis(counts);  // after sales: some KPIs are measured on them
        return counts;
    }

private:
    void write_dimensions(std::vector<table_rows>& counts) {
        inserter region_rows(db_, "INSERT INTO regions VALUES (?1, ?2)");
        for (std::size_t i = 0; i < regions.size(); ++i) region_rows.insert(i + 1, regions[i].name);

        inserter dealer_rows(db_, "INSERT INTO dealers VALUES (?1, ?2, ?3, ?4, ?5)");
        for (std::size_t i = 0; i < dealers.size(); ++i)
            dealer_rows.insert(i + 1, dealers[i].name, dealers[i].region + 1, dealers[i].city, dealers[i].state);

        inserter model_rows(db_, "INSERT INTO models VALUES (?1, ?2, ?3, ?4)");
        for (std::size_t i = 0; i < models.size(); ++i)
            model_rows.insert(i + 1, models[i].name, models[i].segment, models[i].msrp);

        inserter plant_rows(db_, "INSERT INTO plants VALUES (?1, ?2, ?3)");
        for (std::size_t i = 0; i < plants.size(); ++i) plant_rows.insert(i + 1, plants[i].name, plants[i].location);

        inserter component_rows(db_, "INSERT INTO components VALUES (?1, ?2, ?3)");
        for (std::size_t i = 0; i < components.size(); ++i)
            component_rows.insert(i + 1, components[i].name, components[i].system);

        counts.push_back({"regions", region_rows.rows()});
        counts.push_back({"dealers", dealer_rows.rows()});
        counts.push_back({"models", model_rows.rows()});
        counts.push_back({"plants", plant_rows.rows()});
        counts.push_back({"components", component_rows.rows()});
    }

    void write_inventory(std::vector<table_rows>& counts) {
        inserter rows(db_, "INSERT INTO inventory VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        for (std::size_t p = 0; p < plants.size(); ++p) {
            for (std::size_t c = 0; c < components.size(); ++c) {
                const auto usage = std::max<std::int64_t>(
                    1, std::llround(components[c].daily_usage * plants[p].volume * random_.uniform(0.85, 1.15)));
                const auto lead = std::max<std::int64_t>(
                    3, components[c].lead_time_days + plants[p].extra_lead_days + random_.uniform_int(-2, 2));
                const double cover_days = double(lead + safety_stock_days);
                // Most positions hold 1.15-2.6 times their reorder cover; a few random ones run short.
                double cover = random_.chance(0.07) ? random_.uniform(0.35, 1.0) : random_.uniform(1.15, 2.6);
                for (const auto& s : short_stock)
                    if (plants[p].name == std::string_view(s.plant) &&
                        components[c].name == std::string_view(s.component))
                        cover = s.cover;
                rows.insert(p + 1, c + 1, std::llround(usage * cover_days * cover), usage,
                            std::llround(usage * cover_days), lead);
            }
        }
        counts.push_back({"inventory", rows.rows()});
    }

    void write_kpis(std::vector<table_rows>& counts) {
        inserter kpi_rows(db_, "INSERT INTO kpis VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        inserter value_rows(db_, "INSERT INTO kpi_values VALUES (?1, ?2, ?3)");
        const auto last = options_.as_of.year() / options_.as_of.month();
        std::int64_t measured_rows = 0;
        for (std::size_t k = 0; k < kpis.size(); ++k) {
            const kpi_info& kpi = kpis[k];
            kpi_rows.insert(k + 1, kpi.name, kpi.category, kpi.unit, kpi.target, kpi.higher_is_better);
            if (kpi.from_sales) {
                db_.exec(fmt::format("INSERT INTO kpi_values SELECT {}, substr(sale_date, 1, 7), ROUND({}, 2) "
                                     "FROM sales GROUP BY 2 ORDER BY 2",
                                     k + 1, kpi.from_sales)
                             .c_str());
                measured_rows += sqlite3_changes64(db_.get());
                continue;
            }
            int month_index = 0;
            for (auto month = first_day.year() / first_day.month(); month <= last; month += std::chrono::months{1}) {
                const double t = month_index++ / 12.0;
                const double season = std::sin(2.0 * std::numbers::pi * (unsigned(month.month()) - 3) / 12.0);
                const double performance =
                    kpi.spread * (kpi.bias + kpi.trend * t + kpi.season * season + random_.normal(0, 0.5));
                double actual = kpi.target * (kpi.higher_is_better ? 1.0 + performance : 1.0 - performance);
                // Rates like retention cannot pass 100%; efficiency and attainment can.
                if (std::string_view(kpi.unit) == "percent" && kpi.target < 100) actual = std::min(actual, 99.9);
                value_rows.insert(k + 1, fmt::format("{:04}-{:02}", int(month.year()), unsigned(month.month())),
                                  cents(actual));
            }
        }
        counts.push_back({"kpis", kpi_rows.rows()});
        counts.push_back({"kpi_values", value_rows.rows() + measured_rows});
    }

    void write_sales(std::vector<table_rows>& counts) {
        std::vector<dealer_traits> traits;
        std::array<double, region_count> region_size{};
        for (const auto& d : dealers) {
            const double size = std::exp(random_.normal(0, 0.35));
            traits.push_back({size, random_.uniform(0.30, 0.70), random_.normal(0, 0.008)});
            region_size[d.region] += size;
        }
        std::vector<double> dealer_weights;
        for (std::size_t i = 0; i < dealers.size(); ++i) {
            traits[i].weight *= regions[dealers[i].region].share / region_size[dealers[i].region];
            dealer_weights.push_back(traits[i].weight);
        }
        const auto dealer_sums = running_sums(dealer_weights);

        std::vector<double> fi_weights;
        for (const auto& p : fi_products) fi_weights.push_back(p.weight);
        const auto fi_sums = running_sums(fi_weights);

        const auto claim_tables = claim_component_tables();
        std::vector<std::vector<std::size_t>> dealers_in_region(region_count);
        for (std::size_t i = 0; i < dealers.size(); ++i) dealers_in_region[dealers[i].region].push_back(i);

        inserter rows(db_, "INSERT INTO sales VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        const double per_day = sales_per_year / 365.25 * options_.scale;
        const sys_days end{options_.as_of};
        std::int64_t sale_id = 0;
        for (sys_days day{first_day}; day <= end; day += days{1}) {
            const year_month_day date{day};
            const unsigned month = unsigned(date.month());
            const double t = years_since_start(day);
            const bool summer = month >= 5 && month <= 8;
            const bool year_end = month == 12 && unsigned(date.day()) >= 26;

            // Model mix for each region today: popularity drifts with each model's trend.
            std::array<std::vector<double>, region_count> model_sums;
            for (std::size_t r = 0; r < region_count; ++r) {
                std::vector<double> weights;
                for (const auto& m : models)
                    weights.push_back(m.popularity * std::exp(m.trend * t) * m.regional[r] * (summer ? m.summer : 1.0));
                model_sums[r] = running_sums(weights);
            }

            const double expected = per_day * std::pow(yearly_growth, t - 1.5) * month_demand[month - 1] *
                                    weekday_demand[std::chrono::weekday{day}.c_encoding()] * (year_end ? 1.35 : 1.0);
            const auto count = std::max<std::int64_t>(0, std::llround(random_.normal(expected, std::sqrt(expected))));
            const std::string sale_date = format_day(day);

            for (std::int64_t n = 0; n < count; ++n) {
                const std::size_t d = random_.pick(dealer_sums);
                const std::size_t m = random_.pick(model_sums[dealers[d].region]);
                const model_info& model = models[m];

                const double sticker = model.msrp * random_.uniform(0.97, 1.20);
                const double cost = sticker * (1.0 - model.margin) * (1.0 + random_.normal(0, 0.006));
                const double usual_discount = 0.025 + traits[d].discount_bias + (month == 12 ? 0.01 : 0.0);
                const double discount = std::clamp(random_.normal(usual_discount, 0.012), 0.0, 0.09);
                const double price = sticker * (1.0 - discount);

                const char* fi_product = nullptr;
                double fi_revenue = 0;
                if (random_.chance(std::min(0.95, traits[d].fi_rate * model.fi_factor * (1.0 + 0.04 * t)))) {
                    const auto& product = fi_products[random_.pick(fi_sums)];
                    fi_product = product.name;
                    fi_revenue = cents(
                        std::max(0.3 * product.revenue, random_.normal(product.revenue, 0.22 * product.revenue)));
                }
                rows.insert(++sale_id, sale_date, d + 1, m + 1, cents(price), cents(cost), fi_product, fi_revenue);

                if (random_.chance(model.claim_rate))
                    draw_claims(day, m, d, claim_tables, dealers_in_region[dealers[d].region]);
            }
        }
        counts.push_back({"sales", rows.rows()});
    }

    /// Cumulative component weights per model and calendar month (AC fails in summer, starters in winter).
    std::vector<std::vector<double>> claim_component_tables() const {
        std::vector<std::vector<double>> tables;
        for (const auto& m : models) {
            for (unsigned month = 1; month <= 12; ++month) {
                std::vector<double> weights;
                for (std::size_t c = 0; c < components.size(); ++c) {
                    const auto& comp = components[c];
                    double w = comp.claim_weight[std::size_t(m.drive)];
                    if (comp.name == std::string_view("Turbocharger") && !m.turbo) w = 0;
                    if (month >= 6 && month <= 8) w *= comp.summer;
                    if (month == 12 || month <= 2) w *= comp.winter;
                    for (const auto& h : hotspots)
                        if (m.name == std::string_view(h.model) && comp.name == std::string_view(h.component))
                            w *= h.factor;
                    weights.push_back(w);
                }
                tables.push_back(running_sums(weights));
            }
        }
        return tables;
    }

    /// A sale's first claim, if it falls inside warranty and before --as-of, and any repeat repairs.
    void draw_claims(sys_days sold, std::size_t m, std::size_t d, const std::vector<std::vector<double>>& tables,
                     const std::vector<std::size_t>& region_dealers) {
        const double delay = 5.0 + random_.exponential(230.0);
        if (delay > warranty_days) return;
        sys_days day = sold + days{std::llround(delay)};
        const sys_days end{options_.as_of};
        if (day > end) return;

        const unsigned month = unsigned(year_month_day{day}.month());
        const std::size_t c = random_.pick(tables[m * 12 + month - 1]);
        // Most owners go back to the dealer that sold the car; some use another in the region.
        const std::size_t dealer = random_.chance(0.88) ? d : region_dealers[std::size_t(
                                       random_.uniform_int(0, std::int64_t(region_dealers.size()) - 1))];
        const double base_cost = components[c].repair_cost * (models[m].luxury ? 1.25 : 1.0);
        claims_.push_back({day, claim_order_++, m, c, dealer,
                           cents(base_cost * std::max(0.3, random_.normal(1.0, 0.22))), false});

        double repeat_rate = components[c].repeat_rate;
        while (random_.chance(repeat_rate)) {
            day += days{random_.uniform_int(7, 90)};
            if (day > end) break;
            claims_.push_back({day, claim_order_++, m, c, dealer,
                               cents(base_cost * std::max(0.3, random_.normal(0.85, 0.2))), true});
            repeat_rate *= 0.4;
        }
    }

    void write_claims(std::vector<table_rows>& counts) {
        std::sort(claims_.begin(), claims_.end(),
                  [](const claim& a, const claim& b) { return std::tie(a.day, a.order) < std::tie(b.day, b.order); });
        inserter rows(db_, "INSERT INTO warranty_claims VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        std::int64_t claim_id = 0;
        for (const auto& c : claims_)
            rows.insert(++claim_id, format_day(c.day), c.model + 1, c.component + 1, c.dealer + 1, c.cost, c.repeat);
        counts.push_back({"warranty_claims", rows.rows()});
    }

    const demo_options& options_;
    connection& db_;
    random_source random_;
    std::vector<claim> claims_;
    std::int64_t claim_order_ = 0;
};

void validate(const demo_options& options) {
    if (!(options.scale > 0) || !std::isfinite(options.scale))
        throw bi::usage_error(fmt::format("--scale must be a number greater than 0, got {}", options.scale));
    if (options.scale > max_scale)
        throw bi::usage_error(fmt::format("--scale must be at most {}, got {}", max_scale, options.scale));
    if (!options.as_of.ok() || options.as_of < first_day || options.as_of > last_day)
        throw bi::usage_error(fmt::format("--as-of must be a date from {} to {}", format_date(first_day),
                                                format_date(last_day)));
    if (options.output.empty()) throw bi::usage_error("--output must not be empty");
}

}  // namespace

std::optional<year_month_day> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto number = [&](std::size_t from, std::size_t length) -> std::optional<int> {
        int value = 0;
        for (std::size_t i = from; i < from + length; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (!y || !m || !d) return std::nullopt;
    const year_month_day date{std::chrono::year{*y}, std::chrono::month{unsigned(*m)}, std::chrono::day{unsigned(*d)}};
    if (!date.ok()) return std::nullopt;
    return date;
}

std::string format_date(year_month_day date) {
    return fmt::format("{:04}-{:02}-{:02}", int(date.year()), unsigned(date.month()), unsigned(date.day()));
}

year_month_day yesterday_utc() {
    return year_month_day{std::chrono::floor<days>(std::chrono::system_clock::now()) - days{1}};
}

demo_summary generate(const demo_options& options) {
    validate(options);
    const auto started = std::chrono::steady_clock::now();
    namespace fs = std::filesystem;
    const fs::path target{options.output};
    const fs::path temporary{options.output + ".tmp"};

    std::error_code ec;
    if (target.has_parent_path()) {
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            throw std::runtime_error(fmt::format("cannot create directory '{}': {}", target.parent_path().string(),
                                                 ec.message()));
    }
    fs::remove(temporary, ec);  // a leftover from an interrupted run

    demo_summary summary;
    try {
        connection db(temporary.string());
        // Settings that make the bytes depend only on the data: fixed page size, no journal
        // while writing, one transaction, statistics from ANALYZE (no sampling randomness).
        db.exec("PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
        db.exec("BEGIN");
        db.exec(schema);
        generator gen(options, db);
        summary.tables = gen.run();
        db.exec(indexes);
        db.exec("COMMIT");
        db.exec("ANALYZE");
        db.exec("PRAGMA journal_mode = DELETE");
    } catch (...) {
        fs::remove(temporary, ec);
        throw;
    }

    fs::rename(temporary, target, ec);
    if (ec) {
        const std::string why = ec.message();
        fs::remove(temporary, ec);
        throw std::runtime_error(
            fmt::format("cannot rename '{}' to '{}': {}", temporary.string(), target.string(), why));
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

std::string describe(const demo_options& options, const demo_summary& summary) {
    std::string tables;
    for (const auto& t : summary.tables) tables += fmt::format("{}{} {}", tables.empty() ? "" : ", ", t.table, t.rows);
    return fmt::format("wrote '{}' (as of {}, scale {}, seed {}): {} in {:.2f} s", options.output,
                       format_date(options.as_of), options.scale, options.seed, tables, summary.seconds);
}

}  // namespace bi::demo
