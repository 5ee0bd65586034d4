// The typed answer: what the answerer makes once and every renderer (JSON, table, CSV, TSV,
// Markdown, HTML) reads. Nothing here is JSON text except the chart config and --explain.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bi/analysis.hpp"
#include "bi/error.hpp"
#include "bi/freshness.hpp"
#include "bi/table.hpp"

namespace bi {

/// Which way an answer was made; each kind has its own JSON shape.
enum class answer_kind {
    report,    ///< a catalog report's dump (or its SQL run live), filtered by the slots
    model,     ///< rolled up from the semantic model's cubes
    fallback,  ///< SQL written by the fallback command (or reused from its cache)
    none,      ///< no answer: reason, clarification, suggestions
    error,     ///< a batch line that could not be read as a question
};

struct answer_column {
    std::string name;
    std::string type;   ///< integer, real, text, blob, null or mixed
    std::string unit;   ///< usd, percent, count…; "" for none
};

/// Another query that nearly fit.
struct alternative {
    std::string query;
    std::string title;
    double score = 0;
};

struct answer {
    exit_code code = exit_code::ok;       ///< ok, no_match (3)
    answer_kind kind = answer_kind::none;
    std::string question;                 ///< the question as asked
    std::string query;                    ///< category/name or cube+cube; "" for none (ledger too)
    std::string title;
    std::string restatement;              ///< the model's reading in words (model, none)
    std::optional<semantic_query> interpretation;  ///< the typed query the model read
    double score = 0;
    std::int64_t tokens = 0;              ///< LLM tokens spent; 0 for dumps
    std::string source;                   ///< dump, live, fallback, cache, or "" for none
    std::vector<std::pair<std::string, value>> applied;  ///< filters as shown: slot → value
    std::optional<int> limit;
    std::size_t rows_total = 0;
    std::string sort_column;              ///< "" when unsorted
    sort_direction direction = sort_direction::desc;
    std::string generated_at;
    std::optional<freshness> fresh;
    std::vector<answer_column> columns;
    std::shared_ptr<const table> rows;    ///< shared with the answerer's cache of shaped rows
    std::string chart_config;             ///< Chart.js config, JSON text; "" for none
    std::vector<alternative> alternatives;
    // Fallback answers.
    std::string sql;
    std::optional<std::pair<std::int64_t, std::int64_t>> usage;  ///< prompt, completion tokens
    std::string saved_as;
    // No answer.
    std::string reason;
    std::string clarify;
    std::vector<std::string> suggestions;
    std::string error;                    ///< kind error: why the line was not read
    // --explain.
    std::string explain_json;             ///< the router's working, a JSON object; "" without --explain
    std::optional<semantic_query> reading;  ///< what the model read when a report answered (--explain)

    std::vector<std::string> notes;       ///< why-lines for stderr (live fallback, stale dump)
    std::map<std::string, std::string> filters;  ///< what the ledger records

    bool matched() const { return kind != answer_kind::none && kind != answer_kind::error; }
    std::size_t row_count() const { return rows ? rows->rows.size() : 0; }
};

}  // namespace bi
