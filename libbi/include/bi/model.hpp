// The semantic model: the measures, dimensions and conditions declared in queries/model.conf,
// the cubes (queries/cubes/) that hold measures at declared grains, and the dimension values
// found in the cubes' dumps. bi-dump writes it as dumps/model.json; bi-ask reads that file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bi/catalog.hpp"

namespace bi {

/// Arithmetic over measure names (+ - * / and parentheses): how a derived measure is
/// recomputed from rolled-up leaf measures, never averaged.
class formula {
public:
    formula() = default;
    /// Parses `text`; throws std::invalid_argument saying what is wrong.
    explicit formula(std::string_view text);
    bool empty() const { return nodes_.empty(); }
    const std::string& text() const { return text_; }
    /// The measure names it reads, in order of first use.
    std::vector<std::string> names() const;
    /// Whether it multiplies two measures ("daily_usage * lead_time_days"): a product of totals
    /// is not the total of the products, so it holds only for one row of facts.
    bool multiplies_measures() const;
    /// The value, or nullopt when a name has no value or a division is by zero.
    std::optional<double> eval(const std::function<std::optional<double>(const std::string&)>& value_of) const;

private:
    struct node {
        char op = 0;          // '+', '-', '*', '/', 'n' (number), 'm' (measure)
        double number = 0;
        std::string name;
        int left = -1, right = -1;
    };
    std::string text_;
    std::vector<node> nodes_;
    int root_ = -1;
    std::optional<double> eval(int n, const std::function<std::optional<double>(const std::string&)>& value_of) const;
    friend class formula_parser;
};

struct measure_def {
    std::string name;
    std::optional<aggregate> how;        ///< a leaf measure: how cube rows combine
    formula derived;                     ///< a derived measure: recomputed from its leaves' totals
    std::string unit = "number";         ///< usd, percent, count, days, number
    bool higher_is_better = true;
    bool better_varies = false;          ///< `better = varies`: which way is better differs by value (a KPI's actual)
    bool snapshot = false;               ///< a stock at one moment: never summed over time
    std::vector<std::string> per;        ///< dimensions it is never combined across (a KPI's actual)
    std::vector<std::string> names;      ///< how questions name it
    std::vector<std::string> weak_names; ///< names that count only when no other measure is named
    std::vector<std::string> context_names; ///< names shared with other measures ("cost"): read by what else is named
    std::string description;
    bool shown_by_default = false;       ///< shown when a question names its cube's dimensions but no measure
    bool fact_count = false;             ///< counts its facts: "average X" is X divided by it
    std::string subset_of;               ///< counts (sums) a part of that measure's facts: those with a value of the dimensions only its cubes hold, or of a flag
    std::string facts;                   ///< a subset_of measure summed over the facts this count measure counts ("the cost of repeat repairs")
    std::vector<std::string> per_names;  ///< "X per vehicle": X divided by this measure
    std::vector<std::string> shown_with; ///< shown beside it when it is named without its unit ("variance": the gap beside the %)
    std::vector<std::string> columns;    ///< a leaf's columns in its cubes' SQL ("SUM(price - cost)": price, cost), read by bi-dump
    bool is_derived() const { return !how; }
};

struct dimension_def {
    std::string name;
    std::vector<std::string> names;      ///< how questions name the dimension itself
    std::string parent;                  ///< the coarser dimension each value belongs to, if any
    std::string qualified_by;            ///< the dimension that tells two values of one name apart (a city by its state)
    std::vector<std::string> combines;   ///< a row named by a pair of others ("stock position": plant and component), read as them
};

/// A named condition on a measure: "off target" = missed > 0.
struct condition_def {
    std::string name;
    std::string measure;
    std::string op;                      ///< >, >=, <, <=, =
    double threshold = 0;
    std::vector<std::string> names;
    std::vector<std::string> shows;      ///< the measures an answer shows when none is named
    /// `every`: the condition held in every month (quarter…) of the period, as a condition on
    /// the whole period ("missed = kpi_months"); empty when that cannot be said of the sums.
    std::string every_op;
    double every_value = 0;
    std::string every_other;             ///< compared with this measure, not with every_value
};

/// A cube as the planner sees it.
struct cube_def {
    std::string id;                      ///< category/name, as in the catalog
    std::string title;
    std::string time;                    ///< "day", "month", or "" when it has no time grain
    std::vector<std::string> dimensions; ///< grain and attribute columns, the time grain left out
    std::vector<std::string> grain;      ///< as declared, time included
    std::vector<std::pair<std::string, aggregate>> measures;
    std::int64_t rows = 0;               ///< rows in its dump when the model was built
    bool has_dimension(std::string_view d) const;
    bool has_measure(std::string_view m) const;
};

struct semantic_model {
    std::vector<measure_def> measures;
    std::vector<dimension_def> dimensions;
    std::vector<condition_def> conditions;
    std::vector<cube_def> cubes;
    std::map<std::string, std::vector<std::string>> values;  ///< dimension → its values in the dumps
    std::vector<value_alias> aliases;                         ///< the vocabulary's other names for values
    std::string first_period, last_period;                    ///< the months the time-grained cubes cover

    const measure_def* measure(std::string_view name) const;
    const dimension_def* dimension(std::string_view name) const;
    /// The leaf measures `m` is computed from (itself, for a leaf).
    std::vector<std::string> leaves(const measure_def& m) const;
};

/// Parses model.conf text: [measure NAME], [dimension NAME] and [condition NAME] sections of
/// `key = value` lines. Throws parse_error("file:line: ...").
semantic_model parse_model(std::string_view text, const std::string& file);

/// The model of a catalog: `<dir>/model.conf` with the catalog's cubes, checked against each
/// other, and the values of every dimension read from the cubes' dumps in `dumps_dir`.
/// A catalog without model.conf has an empty model. Throws parse_error naming the file.
semantic_model build_model(const catalog& c, const std::string& dumps_dir);

/// Where the model lives in a dumps directory, and its JSON form.
std::string model_path(const std::string& dumps_dir);
/// Writes the model's JSON form to `path` and its binary form beside it (binary_model_path).
void write_model(const semantic_model& m, const std::string& path);
/// Loads the model at `path` (dumps/model.json): from its binary form when that was written
/// with this model.json and reads back whole, else from the JSON; throws parse_error naming
/// the file when neither can be read.
semantic_model load_model(const std::string& path);
/// The same from the JSON alone (bi-status checks it whole).
semantic_model load_model_json(const std::string& path);
/// Where the binary form of the model at `json_path` lives (dumps/model.bin).
std::string binary_model_path(const std::string& json_path);
/// What is wrong with model.bin ("" when nothing is, or when it is missing or was written with
/// another model.json: then it is a cache not used, not damage).
std::string binary_model_damage(const std::string& json_path);

}  // namespace bi
