// The token fallback: for a question no catalog query answers, an external command (any LLM
// behind an adapter) is asked for SQL. The protocol is one JSON request on the command's
// stdin and one JSON reply on its stdout; docs/fallback-protocol.schema.json defines both.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bi/database.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "bi/router.hpp"
#include "bi/table.hpp"

namespace bi {

/// The fallback command failed: could not start or exited non-zero (7), timed out (8), or
/// replied with something that is not a valid reply (9).
class fallback_error : public error {
public:
    fallback_error(const std::string& what, exit_code code) : error("fallback: " + what, code) {}
};

struct fallback_reply {
    std::string sql;
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    std::int64_t tokens() const { return prompt_tokens + completion_tokens; }
};

/// The request for `question`: the question, the schema (each table's DDL and the distinct
/// values of its small text columns), the closest catalog queries with their SQL, the SQL
/// dialect and the limits the SQL will run under. JSON text.
std::string fallback_request(database& db, const router_index& index, const route_result& routed,
                             std::string_view question, const query_limits& limits);

/// Runs `command` with /bin/sh, `request` on its stdin; returns its parsed reply.
fallback_reply run_fallback(const std::string& command, const std::string& request, std::chrono::milliseconds timeout);

/// Parses a reply (exposed for tests and fuzzing); throws fallback_error (code 9).
fallback_reply parse_fallback_reply(std::string_view text);

/// The text of a catalog file that answers `question` with `sql` from now on: a header
/// derived from the question and the result's shape, then the SQL.
std::string saved_query_text(std::string_view question, std::string_view sql, const table& rows);

/// Writes `text` as queries/<category>/<name>.sql, checking it parses; never overwrites.
/// Returns the path written.
std::string save_query(const std::string& queries_dir, std::string_view id, const std::string& text);

/// The repeat cache: fallback SQL stored by normalised question under the log dir.
std::optional<std::string> cached_fallback_sql(const std::string& log_dir, std::string_view question);
void cache_fallback_sql(const std::string& log_dir, std::string_view question, std::string_view sql);

/// The normalised form repeats are recognised by: the question's words, lower case, joined.
std::string normalized_question(std::string_view question);

}  // namespace bi
