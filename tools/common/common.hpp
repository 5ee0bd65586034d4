// The part every bi tool shares: common flags, config resolution, and turning errors into
// one-line messages and the toolchain's exit codes.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "bi/config.hpp"

namespace bi::tool {

struct common_options {
    config_flags flags;
    bool quiet = false;
};

/// Declares --config, --database, --queries-dir, --dumps-dir, --log-dir, --quiet and --version.
void add_common_options(CLI::App& app, common_options& options);

/// Resolves the configuration from the common flags, the environment and the config file.
config resolve(const common_options& options);

/// Parses argv, runs `body`, and maps every error to its message on stderr and exit code.
/// Messages read `<tool>: error: <what>`. Checks stdout was written before returning 0.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

/// Prints a warning line on stderr: `<tool>: warning: <what>`.
void warn(const CLI::App& app, const std::string& what);

}  // namespace bi::tool
