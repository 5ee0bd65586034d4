// bi-status for monitors: the Prometheus exposition and the Nagios line from hand-built
// reports, the config file's provenance, and which scheduled command lines are "ours".
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "bi/config.hpp"
#include "bi/error.hpp"
#include "bi/monitoring.hpp"
#include "bi/status.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

bi::status_report report_with_one_dump(std::string query) {
    bi::status_report r;
    r.database.reachable = true;
    bi::dump_status d;
    d.query = std::move(query);
    d.schedule = "daily";
    d.present = true;
    d.rows = 7;
    d.fresh.age_seconds = 3600;
    r.dumps.push_back(d);
    r.ledger.answers = 4;
    r.ledger.from_dumps = 3;
    r.ledger.by_source = {{"dump", 3}, {"none", 1}};
    r.ledger.hit_rate = 0.75;
    return r;
}

/// Sets (or, with nullptr, unsets) an environment variable for one scope.
class scoped_env {
public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { old_.empty() ? ::unsetenv(name_) : ::setenv(name_, old_.c_str(), 1); }

private:
    const char* name_;
    std::string old_;
};

}  // namespace

TEST_CASE("prometheus: every family has HELP and TYPE, label values are escaped", "[monitoring]") {
    auto text = bi::status_prometheus(report_with_one_dump("odd/na\"me\\with\nnewline"));
    CHECK(text.find("# HELP bi_dump_age_seconds ") != std::string::npos);
    CHECK(text.find("# TYPE bi_dump_age_seconds gauge\n") != std::string::npos);
    CHECK(text.find("bi_dump_age_seconds{query=\"odd/na\\\"me\\\\with\\nnewline\",schedule=\"daily\"} 3600\n") !=
          std::string::npos);
    CHECK(text.find("# TYPE bi_answers_total counter\n") != std::string::npos);
    CHECK(text.find("bi_answers_total{source=\"dump\"} 3\n") != std::string::npos);
    CHECK(text.find("bi_hit_ratio 0.75\n") != std::string::npos);
    CHECK(text.find("bi_status 0\n") != std::string::npos);
}

TEST_CASE("nagios: one line, summary then performance data", "[monitoring]") {
    auto ok = report_with_one_dump("a/b");
    CHECK(bi::status_nagios(ok) ==
          "BI OK - 1 dump fresh | stale=0;0;;0 missing=0;;0;0 failed=0;0;;0 oldest_age=3600s;;;0 hit_rate=75.0%;;;0;100\n");
    auto bad = ok;
    bad.level = bi::health::critical;
    bad.problems = {"database unreachable: a | b\nsecond line", "another"};
    auto line = bi::status_nagios(bad);
    CHECK(line.starts_with("BI CRITICAL - database unreachable: a / b second line (and 1 more) | stale=0"));
    CHECK(line.find('\n') == line.size() - 1);
}

TEST_CASE("a scheduled command is ours only for the same catalog and dumps dir", "[monitoring]") {
    auto dir = bi::test::scratch_dir("schedules_these");
    fs::create_directories(dir + "/q");
    fs::create_directories(dir + "/d");
    fs::create_symlink(dir + "/d", dir + "/link");
    auto q = dir + "/q", d = dir + "/d";
    struct row { std::string command; bool ours; };
    for (auto& [command, ours] : std::vector<row>{
             {"0 2 * * *  cd '/x' && '/b/bi-regen' --queries-dir '" + q + "' --dumps-dir '" + d + "' --due daily", true},
             {"ExecStart=/b/bi-regen --queries-dir " + q + " --dumps-dir " + d + "/ --all", true},
             {"ExecStart=/b/bi-regen --queries-dir=" + q + " --dumps-dir=" + dir + "/link --all", true},
             {"ExecStart=/b/bi-regen --queries-dir " + q + " --dumps-dir " + dir + "/other --all", false},
             {"ExecStart=/b/bi-regen --queries-dir " + q + " --due daily", false},
             {"0 2 * * *  cd '/x' && '/b/bi-regen' --due daily", false},
             {"0 2 * * *  /b/backup --queries-dir " + q + " --dumps-dir " + d, false},
         }) {
        INFO(command);
        CHECK(bi::schedules_these(command, q, d) == ours);
    }
}

TEST_CASE("the config file read, and why", "[config]") {
    auto dir = bi::test::scratch_dir("config_source");
    std::ofstream(dir + "/named.conf") << "dumps_dir = d\n";
    std::ofstream(dir + "/installed.conf") << "queries_dir = q\n";
    bi::config_flags flags;
    flags.config_file = dir + "/named.conf";
    auto c = bi::resolve_config(flags);
    CHECK(c.config_file == dir + "/named.conf");
    CHECK(c.config_source == std::string(bi::config_source_flag));
    CHECK(c.dumps_dir == dir + "/d");

    flags.config_file = dir + "/missing.conf";
    CHECK_THROWS_AS(bi::resolve_config(flags), bi::usage_error);
    {
        scoped_env config("BI_CONFIG", (dir + "/missing.conf").c_str());
        CHECK_THROWS_WITH(bi::resolve_config({}), Catch::Contains("missing.conf': config file not found"));
    }

    // Nothing named, no ./bi.conf, no user config: the installed one, else none.
    auto cwd = fs::current_path();
    fs::current_path(dir);
    {
        scoped_env config("BI_CONFIG", nullptr);
        scoped_env xdg("XDG_CONFIG_HOME", (dir + "/xdg").c_str());
        bi::config_flags none;
        none.installed_config = dir + "/installed.conf";
        auto installed = bi::resolve_config(none);
        CHECK(installed.config_source == std::string(bi::config_source_installed));
        CHECK(installed.queries_dir == dir + "/q");
        none.installed_config = dir + "/not-installed.conf";
        CHECK(bi::resolve_config(none).config_source == std::string(bi::config_source_none));
    }
    fs::current_path(cwd);
}
