// bi-status: is bi healthy? The database, every dump's freshness and last run, what the
// answer ledger says (hit rate, tokens, latency, unanswered questions), and the schedule —
// for people, scripts (JSON), Prometheus's textfile collector and Nagios.
#include <cstdio>
#include <iostream>
#include <unistd.h>

#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/freshness.hpp"
#include "bi/monitoring.hpp"
#include "bi/status.hpp"
#include "common.hpp"

namespace {

struct options {
    bi::tool::common_options common;
    std::string format;         // empty: text on a terminal, else json
    std::string output;         // empty: stdout
};

void setup(CLI::App& app, options& o) {
    bi::tool::add_common_options(app, o.common);
    app.add_option("--format", o.format,
                   "Output: text, json, prometheus (node_exporter textfile) or nagios (one line with "
                   "performance data); default text on a terminal, else json")
        ->check(CLI::IsMember({"text", "json", "prometheus", "nagios"}));
    app.add_flag_callback("--json", [&o] { o.format = "json"; }, "Same as --format json");
    app.add_flag_callback("--nagios", [&o] { o.format = "nagios"; }, "Same as --format nagios");
    app.add_option("-o,--output", o.output,
                   "Write the report to FILE (replaced atomically: a reader never sees half a file) "
                   "instead of stdout")
        ->type_name("FILE");
    app.footer(
        "Exit codes, as a Nagios plugin's, in every format: 0 healthy; 1 warning (a dump is\n"
        "stale, or a query's last run failed); 2 critical (a dump is missing or unreadable, the\n"
        "database or the catalog cannot be read). Other failures use the toolchain's codes.\n"
        "A dump is stale past its schedule plus 25% (daily 30 h, weekly 8 d 18 h, monthly\n"
        "38 d 18 h) or when the database changed since it was made.\n"
        "Tokens saved is an estimate: each matched zero-token answer counts as\n"
        "ceil((bytes of the fallback request + bytes of the question) / 4) tokens.");
}

std::string render(const bi::status_report& report, const options& o) {
    auto format = o.format.empty() ? (::isatty(STDOUT_FILENO) && o.output.empty() ? "text" : "json") : o.format;
    if (format == "json") return bi::status_json(report);
    if (format == "prometheus") return bi::status_prometheus(report);
    if (format == "nagios") return bi::status_nagios(report);
    return bi::status_text(report);
}

void write_output(const std::string& path, const std::string& text) {
    bi::atomic_file out(path);
    if (std::fwrite(text.data(), 1, text.size(), out.stream()) != text.size())
        throw bi::error("'" + path + "': cannot write");
    out.commit();
}

int run(const options& o) {
    auto cfg = bi::tool::resolve(o.common);
    auto report = bi::collect_status(cfg, bi::utc_now());
    auto text = render(report, o);
    if (o.output.empty()) std::cout << text;
    else write_output(o.output, text);
    return static_cast<int>(report.level);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Report the health of the database, the dumps, the answer ledger and the schedule", "bi-status"};
    options o;
    setup(app, o);
    return bi::tool::run(app, argc, argv, [&] { return run(o); });
}
