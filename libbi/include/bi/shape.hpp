// Shaping an answer from a dump: filter rows, re-aggregate over the grain columns that are
// summed away, recompute ratios from their parts, sort, limit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bi/catalog.hpp"
#include "bi/table.hpp"

namespace bi {

/// Keep rows whose `column` equals `value` (text compared case-insensitively).
struct row_filter {
    std::string column;
    value wanted;
};

struct shape_request {
    std::vector<row_filter> filters;
    bool reverse = false;            ///< flip the query's default sort ("worst", "bottom")
    std::optional<int> limit;        ///< overrides the query's default limit
};

struct shaped_answer {
    table rows;
    sort_spec sort;                  ///< the sort as applied
    std::optional<int> limit;        ///< the limit as applied
    size_t rows_total = 0;           ///< rows before the limit
};

/// Shapes the dump's rows of `q` into the answer to `request`.
shaped_answer shape_answer(const query_def& q, const table& dump_rows, const shape_request& request);

/// True when `cell` matches `wanted`: equal numbers, or text equal ignoring ASCII case.
bool value_matches(const value& cell, const value& wanted);

}  // namespace bi
