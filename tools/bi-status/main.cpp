// bi-status: is bi healthy? The database, every dump's freshness and last run, what the
// answer ledger says (hit rate, tokens, latency, unanswered questions), and the schedule.
#include <iostream>
#include <unistd.h>

#include "bi/freshness.hpp"
#include "bi/generations.hpp"
#include "bi/status.hpp"
#include "common.hpp"

namespace {

struct options {
    bi::tool::common_options common;
    bool json = false;
};

void setup(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_flag("--json", o.json, "Print JSON (the default when stdout is not a terminal)");
    app.footer(
        "Exit codes, as a Nagios plugin's: 0 healthy; 1 warning (a dump is stale, or a query's\n"
        "last run failed); 2 critical (a dump is missing or unreadable, the database or the\n"
        "catalog cannot be read). Other failures use the toolchain's codes.\n"
        "A dump is stale past its schedule plus 25% (daily 30 h, weekly 8 d 18 h, monthly\n"
        "38 d 18 h) or when the database changed since it was made.\n"
        "Tokens saved is an estimate: each matched zero-token answer counts as\n"
        "ceil((bytes of the fallback request + bytes of the question) / 4) tokens.");
}

int run(const options& o) {
    auto cfg = bi::tool::resolve(o.common);
    cfg.dumps_dir = bi::pinned_dumps_dir(cfg.dumps_dir);  // one generation for the whole report
    auto report = bi::collect_status(cfg, bi::utc_now());
    std::cout << (o.json || !::isatty(STDOUT_FILENO) ? bi::status_json(report) : bi::status_text(report));
    return static_cast<int>(report.level);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Report the health of the database, the dumps, the answer ledger and the schedule", "bi-status"};
    options o;
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o); });
}
