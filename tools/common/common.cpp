// Shared tool plumbing. CLI11's own exit codes (105, 106, ...) never reach a caller: every
// parse error becomes exit code 2.
#include "common.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "bi/error.hpp"

namespace bi::tool {

void add_common_options(CLI::App& app, common_options& o) {
    app.set_version_flag("--version", std::string(app.get_name()) + " " + BI_VERSION);
    app.add_option("--config", o.flags.config_file, "Config file (default: ./bi.conf, ~/.config/bi/bi.conf, then the installed one)");
    app.add_option("--database", o.flags.database, "SQLite database file [env BI_DATABASE]");
    app.add_option("--queries-dir", o.flags.queries_dir, "Query catalog directory [env BI_QUERIES_DIR]");
    app.add_option("--dumps-dir", o.flags.dumps_dir, "Dumps directory [env BI_DUMPS_DIR]");
    app.add_option("--log-dir", o.flags.log_dir, "Log directory [env BI_LOG_DIR]");
    app.add_flag("-q,--quiet", o.quiet, "Print nothing on stderr but errors");
}

config resolve(const common_options& options) {
    return resolve_config(options.flags);
}

void warn(const CLI::App& app, const std::string& what) {
    std::cerr << app.get_name() << ": warning: " << what << '\n';
}

namespace {

int error_line(const CLI::App& app, const std::string& what, exit_code code) {
    std::cout.flush();
    std::cerr << app.get_name() << ": error: " << what << '\n';
    return static_cast<int>(code);
}

/// Returns 0 when stdout was written or its reader went away (`| head`), 1 otherwise.
int check_stdout(const CLI::App& app) {
    std::cout.flush();
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout) {
        if (errno == EPIPE) return 0;
        return error_line(app, "cannot write to standard output", exit_code::failure);
    }
    return 0;
}

}  // namespace

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
    std::signal(SIGPIPE, SIG_IGN);
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        app.exit(e);
        return check_stdout(app);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        return error_line(app, what + " (see --help)", exit_code::usage);
    }
    try {
        int code = body();
        int out = check_stdout(app);
        return code != 0 ? code : out;
    } catch (const bi::error& e) {
        return error_line(app, e.what(), e.code());
    } catch (const std::exception& e) {
        return error_line(app, e.what(), exit_code::failure);
    }
}

}  // namespace bi::tool
