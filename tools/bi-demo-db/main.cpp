// bi-demo-db: writes the demo dealership database that the catalog, the examples and the tests use.
#include "demo_db.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#ifndef BI_VERSION
#define BI_VERSION "unknown"
#endif

namespace {

struct options {
    std::string output = "data/demo.db";
    std::string as_of;  // empty: yesterday in UTC
    double scale = 1.0;
    std::string seed = "42";  // parsed here: CLI11 would wrap -1 round to 2^64 - 1
};

void setup(CLI::App& app, options& opt) {
    app.add_option("--as-of", opt.as_of, "Last day of sales, YYYY-MM-DD (default: yesterday, UTC)");
    app.add_option("--scale", opt.scale, "Volume multiplier; 1 is about 250,000 sales")->capture_default_str();
    app.add_option("--seed", opt.seed, "Random seed; the same seed, date and scale give the same file")
        ->capture_default_str();
    app.add_option("-o,--output", opt.output, "Database to write (replaced atomically)")->capture_default_str();
    app.set_version_flag("--version", std::string("bi-demo-db ") + BI_VERSION);
    // CLI11's own errors in the toolchain's one-line form, like the ones run() prints.
    app.failure_message([](const CLI::App*, const CLI::Error& e) {
        std::string what = e.what();
        if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
        return fmt::format("bi-demo-db: error: {}\n", what);
    });
}

/// Turns flag text into generator options; throws std::invalid_argument on a bad value.
bi::demo::demo_options resolve(const options& opt) {
    bi::demo::demo_options resolved;
    resolved.output = opt.output;
    resolved.scale = opt.scale;
    const char* end = opt.seed.data() + opt.seed.size();
    if (const auto [last, ec] = std::from_chars(opt.seed.data(), end, resolved.seed); ec != std::errc{} || last != end)
        throw std::invalid_argument(fmt::format("--seed '{}' is not a whole number from 0 to {}", opt.seed,
                                                std::numeric_limits<std::uint64_t>::max()));
    if (opt.as_of.empty()) {
        resolved.as_of = bi::demo::yesterday_utc();
    } else if (const auto date = bi::demo::parse_date(opt.as_of)) {
        resolved.as_of = *date;
    } else {
        throw std::invalid_argument(fmt::format("--as-of '{}' is not a calendar date of the form YYYY-MM-DD", opt.as_of));
    }
    return resolved;
}

int run(const options& opt) {
    try {
        const auto resolved = resolve(opt);
        const auto summary = bi::demo::generate(resolved);
        fmt::print(stderr, "bi-demo-db: {}\n", bi::demo::describe(resolved, summary));
        return 0;
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "bi-demo-db: error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "bi-demo-db: error: {}\n", e.what());
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Write the demo dealership database used by the catalog and the tests.", "bi-demo-db"};
    options opt;
    setup(app, opt);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; CLI11's own codes (105, 106...) must not reach a caller.
        return app.exit(e) == 0 ? 0 : 2;
    }
    return run(opt);
}
