// bi-demo-db: writes the demo dealership database that the catalog, the examples and the tests use.
#include "demo_db.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "bi/error.hpp"
#include "common.hpp"

namespace {

struct options {
    std::string output = "data/demo.db";
    std::string as_of;        // empty: yesterday in UTC
    double scale = 1.0;
    std::string seed = "42";  // parsed here: CLI11 would wrap -1 round to 2^64 - 1
};

void setup(CLI::App& app, options& opt) {
    app.set_version_flag("--version", std::string(app.get_name()) + " " + BI_VERSION);
    app.add_option("--as-of", opt.as_of, "Last day of sales, YYYY-MM-DD (default: yesterday, UTC)");
    app.add_option("--scale", opt.scale, "Volume multiplier; 1 is about 250,000 sales")->capture_default_str();
    app.add_option("--seed", opt.seed, "Random seed; the same seed, date and scale give the same file")
        ->capture_default_str();
    app.add_option("-o,--output", opt.output, "Database to write (replaced atomically)")->capture_default_str();
}

/// Turns flag text into generator options; throws bi::usage_error on a bad value.
bi::demo::demo_options resolve(const options& opt) {
    bi::demo::demo_options resolved;
    resolved.output = opt.output;
    resolved.scale = opt.scale;
    const char* end = opt.seed.data() + opt.seed.size();
    if (const auto [last, ec] = std::from_chars(opt.seed.data(), end, resolved.seed); ec != std::errc{} || last != end)
        throw bi::usage_error(fmt::format("--seed '{}' is not a whole number from 0 to {}", opt.seed,
                                          std::numeric_limits<std::uint64_t>::max()));
    if (opt.as_of.empty()) {
        resolved.as_of = bi::demo::yesterday_utc();
    } else if (const auto date = bi::demo::parse_date(opt.as_of)) {
        resolved.as_of = *date;
    } else {
        throw bi::usage_error(fmt::format("--as-of '{}' is not a calendar date of the form YYYY-MM-DD", opt.as_of));
    }
    return resolved;
}

int run(const options& opt) {
    const auto resolved = resolve(opt);
    const auto summary = bi::demo::generate(resolved);
    fmt::print(stderr, "bi-demo-db: {}\n", bi::demo::describe(resolved, summary));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Write the demo dealership database used by the catalog and the tests.", "bi-demo-db"};
    options opt;
    setup(app, opt);
    return bi::tool::run(app, argc, argv, [&] { return run(opt); });
}
