// Configuration resolution. One precedence for every tool keeps scripts predictable.
#include "bi/config.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "bi/database.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "detail/strings.hpp"

namespace bi {

namespace fs = std::filesystem;
using detail::env;

namespace {

template <typename T>
T parse_number(std::string_view text, const std::string& file, int line, std::string_view key) {
    T out{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end != text.data() + text.size())
        throw parse_error(file, line, fmt::format("'{}' needs a number, not '{}'", key, text));
    return out;
}

std::string relative_to(const std::string& file, std::string value) {
    if (value.empty() || fs::path(value).is_absolute()) return value;
    auto dir = fs::path(file).parent_path();
    return dir.empty() ? value : (dir / value).lexically_normal().string();
}

/// The config file to read and why; {"", none} when there is none.
std::pair<std::string, const char*> find_config_file(const config_flags& flags) {
    if (flags.config_file) return {*flags.config_file, config_source_flag};
    if (auto p = env("BI_CONFIG")) return {p, config_source_env};
    std::error_code ec;
    if (fs::is_regular_file("bi.conf", ec)) return {"bi.conf", config_source_cwd};
    std::string home_config;
    if (auto x = env("XDG_CONFIG_HOME")) home_config = fs::path(x) / "bi" / "bi.conf";
    else if (auto h = env("HOME")) home_config = fs::path(h) / ".config" / "bi" / "bi.conf";
    if (!home_config.empty() && fs::is_regular_file(home_config, ec)) return {home_config, config_source_user};
    if (!flags.installed_config.empty() && fs::is_regular_file(flags.installed_config, ec))
        return {flags.installed_config, config_source_installed};
    return {"", config_source_none};
}

}  // namespace

void parse_config(std::string_view text, const std::string& file, config& c) {
    int line_no = 0;
    for (auto line : detail::split_lines(text)) {
        ++line_no;
        auto s = detail::trim(line);
        if (s.empty() || s.front() == '#') continue;
        auto eq = s.find('=');
        if (eq == std::string_view::npos)
            throw parse_error(file, line_no, "expected 'key = value'");
        auto key = std::string(detail::trim(s.substr(0, eq)));
        auto value = std::string(detail::trim(s.substr(eq + 1)));
        using ms = std::chrono::milliseconds;
        if (key == "database") c.database = is_server_database(value) ? value : relative_to(file, value);
        else if (key == "queries_dir") c.queries_dir = relative_to(file, value);
        else if (key == "dumps_dir") c.dumps_dir = relative_to(file, value);
        else if (key == "log_dir") c.log_dir = relative_to(file, value);
        else if (key == "fallback_command") c.fallback_command = value;
        else if (key == "fallback_timeout_ms") c.fallback_timeout = ms(parse_number<long>(value, file, line_no, key));
        else if (key == "generations") c.generations = static_cast<int>(parse_number<long>(value, file, line_no, key));
        else if (key == "time_budget_ms") c.limits.time_budget = ms(parse_number<long>(value, file, line_no, key));
        else if (key == "busy_timeout_ms") c.limits.busy_timeout = ms(parse_number<long>(value, file, line_no, key));
        else if (key == "max_rows") c.limits.max_rows = parse_number<std::int64_t>(value, file, line_no, key);
        else if (key == "max_bytes") c.limits.max_bytes = parse_number<std::int64_t>(value, file, line_no, key);
        else if (key == "answer_max_rows") c.limits.answer_max_rows = parse_number<std::int64_t>(value, file, line_no, key);
        else if (key == "answer_max_bytes") c.limits.answer_max_bytes = parse_number<std::int64_t>(value, file, line_no, key);
        else if (key == "heap_limit_mb") c.limits.heap_limit = parse_number<std::int64_t>(value, file, line_no, key) << 20;
        else if (key == "match_threshold") c.match_threshold = parse_number<double>(value, file, line_no, key);
        else if (key == "match_margin") c.match_margin = parse_number<double>(value, file, line_no, key);
        else if (key == "ledger_max_bytes") c.ledger_max_bytes = parse_number<std::int64_t>(value, file, line_no, key);
        else throw parse_error(file, line_no, fmt::format("unknown key '{}'", key));
    }
}

config resolve_config(const config_flags& flags) {
    config c;
    std::tie(c.config_file, c.config_source) = find_config_file(flags);
    if (!c.config_file.empty()) {
        std::error_code ec;
        if (!fs::is_regular_file(c.config_file, ec))
            throw usage_error(fmt::format("'{}': config file not found", c.config_file));
        parse_config(read_file(c.config_file), c.config_file, c);
    }
    if (auto v = env("BI_DATABASE")) c.database = v;
    if (auto v = env("BI_QUERIES_DIR")) c.queries_dir = v;
    if (auto v = env("BI_DUMPS_DIR")) c.dumps_dir = v;
    if (auto v = env("BI_LOG_DIR")) c.log_dir = v;
    if (auto v = env("BI_FALLBACK_CMD")) c.fallback_command = v;
    if (flags.database) c.database = *flags.database;
    if (flags.queries_dir) c.queries_dir = *flags.queries_dir;
    if (flags.dumps_dir) c.dumps_dir = *flags.dumps_dir;
    if (flags.log_dir) c.log_dir = *flags.log_dir;
    if (c.limits.time_budget.count() <= 0) throw usage_error("time_budget_ms must be positive");
    if (c.generations < 0 || c.generations > 1000) throw usage_error("generations must be between 0 and 1000");
    // Written so that NaN fails too: every comparison with it is false.
    if (!(c.match_threshold >= 0 && c.match_threshold <= 1)) throw usage_error("match_threshold must be between 0 and 1");
    if (!(c.match_margin >= 0 && c.match_margin <= 1)) throw usage_error("match_margin must be between 0 and 1");
    if (c.limits.answer_max_rows < 1) throw usage_error("answer_max_rows must be positive");
    if (c.limits.answer_max_bytes < 1) throw usage_error("answer_max_bytes must be positive");
    if (c.ledger_max_bytes < 0) throw usage_error("ledger_max_bytes must not be negative");
    return c;
}

}  // namespace bi
