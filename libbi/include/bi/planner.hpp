// The planner and the roll-up: a semantic query and the model → the cubes that answer it
// exactly (or the reason none can), then those cubes' rows → the answer's rows.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bi/analysis.hpp"
#include "bi/model.hpp"
#include "bi/table.hpp"

namespace bi {

/// Which cube supplies which leaf measures. Two parts are joined on the answer's keys.
struct plan_part {
    std::string cube;                    ///< cube id
    std::vector<std::string> leaves;
    /// Filters not applied to this part: its leaves are the whole a filtered subset is taken of
    /// ("GAP contracts as a % of all cars sold": units, whatever the F&I product)
    std::vector<std::string> unfiltered;
};

struct plan {
    std::vector<plan_part> parts;
};

/// A plan, or why there is none ("no pre-computed data has revenue by payment type").
struct plan_result {
    std::optional<plan> chosen;
    std::string reason;
    bool no_data = false;  ///< the question's period lies outside the data: no report has it either
};

/// Finds cubes that hold every measure, dimension, filter and period of `q` at a grain fine
/// enough, the smallest first. The rules are in planner.cpp's opening comment.
plan_result make_plan(const semantic_model& model, const semantic_query& q);

/// The answer's rows, and what was done to them.
struct rolled_answer {
    table rows;
    std::map<std::string, std::string> units;  ///< column → usd, percent, count, days, number
    size_t rows_total = 0;                     ///< rows before the limit
    std::string sort_column;
    sort_direction direction = sort_direction::desc;
    std::optional<int> limit;
};

/// Whether the answer lists groups with nothing in them ("which dealers sold no Granite"):
/// then the roll-up needs every row of the cube, not only the rows the filters keep.
bool fills_empty_groups(const semantic_model& model, const semantic_query& q);

/// Rolls the plan's cubes up to `q`'s answer. `rows_of(cube id)` returns a cube's rows (the
/// whole cube, or at least every row `q`'s filters keep).
rolled_answer roll_up(const semantic_model& model, const semantic_query& q, const plan& p,
                      const std::function<const table&(const std::string&)>& rows_of);

}  // namespace bi
