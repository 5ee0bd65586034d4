// Where the tools find things, resolved the same way for every tool:
// flags, then environment (BI_*), then a config file, then defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bi/database.hpp"

namespace bi {

struct config {
    std::string database = "data/demo.db";
    std::string queries_dir = "queries";
    std::string dumps_dir = "dumps";
    std::string log_dir = "logs";
    int generations = 0;                ///< >0: publish whole generations, keep this many (generations.hpp)
    std::string fallback_command;       ///< empty: no LLM fallback
    std::chrono::milliseconds fallback_timeout{60'000};  ///< how long the fallback command may take
    query_limits limits;
    double match_threshold = 0.40;      ///< lowest score answered (0..1)
    double match_margin = 0.02;         ///< how far the best must beat the runner-up
    std::int64_t ledger_max_bytes = std::int64_t{16} << 20;  ///< rotate ledger.jsonl past this size (0: never)
    std::string config_file;            ///< the file that was read, or "" for none
    std::string config_source;          ///< why that file: see config_source_* below
};

/// Why a config file was read (config::config_source), as bi-status and --verbose say it.
inline constexpr const char* config_source_flag = "--config";
inline constexpr const char* config_source_env = "BI_CONFIG";
inline constexpr const char* config_source_cwd = "./bi.conf in the working directory";
inline constexpr const char* config_source_user = "the user's ~/.config/bi/bi.conf";
inline constexpr const char* config_source_installed = "installed, next to the executable";
inline constexpr const char* config_source_none = "none found: built-in defaults";

/// Values given on the command line; unset ones fall through to the environment.
struct config_flags {
    std::optional<std::string> config_file;
    std::optional<std::string> database;
    std::optional<std::string> queries_dir;
    std::optional<std::string> dumps_dir;
    std::optional<std::string> log_dir;
    std::string installed_config;       ///< the installed bi.conf, looked for last ("" for none)
};

/// Resolves the configuration. The config file is `--config`, else $BI_CONFIG, else the
/// first of ./bi.conf, $XDG_CONFIG_HOME/bi/bi.conf (~/.config/bi/bi.conf) and
/// flags.installed_config; paths in a config file are relative to the file's directory.
/// Throws parse_error for a malformed file, usage_error for a bad value or for a config
/// file named by --config or $BI_CONFIG that does not exist.
config resolve_config(const config_flags& flags);

/// Parses config file text over `base` (exposed for tests).
void parse_config(std::string_view text, const std::string& file, config& base);

}  // namespace bi
