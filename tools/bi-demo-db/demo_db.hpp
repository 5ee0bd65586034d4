// The demo database generator: a fictional car maker's dealers, sales, plants, KPIs and
// warranty claims, written deterministically so the same options always give the same bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bi::demo {

/// The first day of demo data; --as-of may not be earlier.
inline constexpr std::chrono::year_month_day first_day{std::chrono::year{2024}, std::chrono::January,
                                                       std::chrono::day{1}};
/// The last --as-of accepted, so a typo cannot ask for centuries of data.
inline constexpr std::chrono::year_month_day last_day{std::chrono::year{2099}, std::chrono::December,
                                                      std::chrono::day{31}};
/// The largest --scale accepted (scale 1 is about 250,000 sales).
inline constexpr double max_scale = 1000.0;

struct demo_options {
    std::string output = "data/demo.db";     // written to output + ".tmp", then renamed over output
    std::chrono::year_month_day as_of;       // last day of sales, inclusive
    double scale = 1.0;                      // multiplies sales and warranty volume
    std::uint64_t seed = 42;                 // seeds the only random source
};

struct table_rows {
    std::string table;
    std::int64_t rows = 0;
};

struct demo_summary {
    std::vector<table_rows> tables;  // in creation order
    double seconds = 0;              // wall-clock time of the whole generation
};

/// Parses a strict `YYYY-MM-DD` calendar date; nullopt when malformed or not a real day.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
/// Formats a date as `YYYY-MM-DD`.
std::string format_date(std::chrono::year_month_day date);
/// Yesterday's date in UTC, from the system clock.
std::chrono::year_month_day yesterday_utc();

/// Writes the demo database; throws bi::usage_error for bad options, std::runtime_error otherwise.
demo_summary generate(const demo_options& options);

/// One line describing what generate() wrote, for the tool's stderr.
std::string describe(const demo_options& options, const demo_summary& summary);

}  // namespace bi::demo
