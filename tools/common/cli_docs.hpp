// Man pages and shell completion scripts generated from a tool's own CLI11 definitions, so
// --help, the man page and the completions can never disagree.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace bi::tool {

/// The tool's man page (roff, section 1): synopsis, description, every visible option and
/// argument as --help lists them, the environment, the footer, the exit codes.
std::string man_page(const CLI::App& app);

/// A completion script for "bash", "zsh" or "fish"; empty for any other shell. Option values
/// complete by kind: files, directories, the choices a flag accepts, and query names and
/// categories from the catalog (asked of the tool itself with its hidden --complete flag).
std::string completion_script(const CLI::App& app, std::string_view shell);

}  // namespace bi::tool
