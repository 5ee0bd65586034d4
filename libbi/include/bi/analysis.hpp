// Question analysis: text → a typed semantic query (measures, breakdowns, filters, period,
// ranking, limit, thresholds, shares, comparisons), read against the semantic model's names
// and the values found in the data. Nothing here knows a domain word: every measure,
// dimension, value and condition comes from the model.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bi/catalog.hpp"
#include "bi/model.hpp"

namespace bi {

struct source_version;

enum class time_grain { none, day, month, quarter, year };
std::string_view to_string(time_grain g);

/// A span of days, both ends inclusive, as YYYY-MM-DD.
struct period {
    std::string from, to;
    std::string label;                   ///< "2025", "2026-Q1", "May 2026", "2026 to date"
    bool needs_days = false;             ///< starts or ends inside a month
};

struct dimension_filter {
    std::string dimension;
    std::vector<std::string> values;     ///< canonical values, as in the data
    bool exclude = false;                ///< "excluding the Northeast": keep every other value
};

/// A condition on a measure's value per answer row: "more than 600 sales", "off target".
struct measure_condition {
    std::string measure;
    std::string op;                      ///< >, >=, <, <=, =
    double value = 0;
    std::string other;                   ///< compared with this measure of the same row, not with `value`
    std::string text;                    ///< the words that said it
    /// A condition asked as a yes/no question ("did we hit the market share target?"): the
    /// name of a column saying whether each row meets it, and no row is left out
    std::string column;
};

struct semantic_query {
    std::vector<std::string> measures;           ///< what each row shows, the first the main one
    std::vector<std::string> group_by;           ///< dimensions, one row per combination
    time_grain grain = time_grain::none;         ///< a time breakdown ("monthly", "by quarter")
    std::vector<dimension_filter> filters;
    std::optional<period> window;                ///< the period asked about; none = all the data
    std::vector<period> compare;                 ///< two or more periods side by side, oldest first
    bool growth = false;                         ///< with compare: the % change from the first to the last
    std::string rank_measure;                    ///< "" = not ranked
    sort_direction direction = sort_direction::desc;
    std::optional<int> limit;
    std::string limit_per;                       ///< rank within each value of this dimension
    bool rank_all = false;                       ///< with limit_per and no limit: every row, ranked in its group
    bool places = false;                         ///< "rank the dealers by…": each row's place shown, as SQL's RANK() gives it
    std::vector<measure_condition> having;
    bool share = false;                          ///< each row's share of the total, in %
    bool together = false;                       ///< with share and limit: the top rows summed into one ("the top 10 dealers combined")
    std::string share_dimension;                 ///< without a breakdown: the filter that makes the part
    std::string average_over;                    ///< "month", "quarter", "year", "day" or a dimension: mean per one of those
    std::vector<std::string> corrections;        ///< typo corrections, "revnue→revenue"
    std::vector<std::string> unknown;            ///< words that were not understood
    std::string problem;                         ///< a reading that cannot be answered exactly, said plainly
    std::string clarify;                         ///< with an ambiguity: the readings, named for the user to choose
    bool named_measure = false;                  ///< a measure was named outright, not only implied ("sales", "how many")
    std::vector<measure_def> derived;            ///< measures the question defines: "gross profit per vehicle"
    std::string count_of;                        ///< count this dimension's values: "how many dealers…"
    std::string count_with;                      ///< with count_of: count pairs of both ("how many plant and component combinations")

    /// The column a count of count_of's values is shown in: "dealer_count", "plant_component_count".
    std::string count_column() const { return count_of + (count_with.empty() ? "" : "_" + count_with) + "_count"; }

    /// True when the question names something the model measures: the semantic path answers it.
    bool is_semantic() const { return !measures.empty(); }
};

/// Reads questions against one model. Built once per process: it stems every name and value
/// of the model into phrase tables, so reading a question looks up only its own words.
class question_reader {
public:
    explicit question_reader(const semantic_model& model);
    ~question_reader();
    question_reader(question_reader&&) noexcept;
    question_reader& operator=(question_reader&&) noexcept;

    /// Reads `question`; `today` is YYYY-MM-DD. Throws usage_error for text that is not a
    /// question at all (empty, not UTF-8, over 4 KiB).
    semantic_query read(std::string_view question, const std::string& today) const;

    /// Writes the phrase tables to `path`, tied to the model file at `model_file` (bi-dump does
    /// this, so that answering never stems the model's names and values again).
    void save(const std::string& path, const std::string& model_file) const;
    /// The reader saved at `path` for `model`, or nullopt when the file is missing, damaged, or
    /// was written for another version of `model_file`.
    static std::optional<question_reader> load(const semantic_model& model, const std::string& path,
                                               const std::string& model_file);

private:
    question_reader(const semantic_model& model, std::nullptr_t);
    void index_phrases();  ///< the phrases by first stem, longest first
    struct lexicon;
    struct reading;
    static void protect_english(lexicon& lx);
    /// lexicon.bin, beside lexicon.txt: the same tables read in place (docs/benchmarks.md).
    void save_binary(const std::string& path, const source_version& model_version) const;
    static std::optional<question_reader> load_binary(const semantic_model& model, const std::string& path,
                                                      const std::string& model_file);
    const semantic_model* model_;
    std::unique_ptr<lexicon> lexicon_;
};

/// A query given directly rather than as a question: bi-ask's --measure, --by… flags, or the
/// same as JSON (the `interpretation` object of an answer).
struct query_spec {
    std::vector<std::string> measures, by;
    std::vector<std::string> filters, excludes;  ///< "dimension=value[,value…]"
    std::string from, to;                        ///< YYYY-MM-DD, either may be empty
    std::string grain;                           ///< day, month, quarter, year or ""
    std::string rank_by;
    int top = 0, bottom = 0;
    std::string direction;                       ///< asc or desc, for rank_by without top/bottom
    bool places = false;                         ///< with rank_by: each row's place shown
    bool empty() const {
        return measures.empty() && by.empty() && filters.empty() && excludes.empty() && from.empty() && to.empty() &&
               grain.empty() && rank_by.empty() && !top && !bottom;
    }
};

/// The semantic query a spec names, every name checked against `model` (usage_error otherwise).
semantic_query structured_query(const semantic_model* model, const query_spec& spec);
/// Reads a spec from JSON of the shape of an answer's `interpretation`; usage_error naming `source`.
query_spec parse_query_spec(std::string_view json, const std::string& source);

/// Where the saved reader lives in a dumps directory.
std::string lexicon_path(const std::string& dumps_dir);
/// What is wrong with the lexicon at `path`: empty when it matches its checksum and was
/// written with `model_file`, or is missing.
std::string lexicon_damage(const std::string& path, const std::string& model_file);
/// Why bi-ask will not read the whole lexicon at `path` (or the lexicon.bin beside it): written
/// by a bi with other word lists, so every question builds the reader again; empty otherwise.
std::string lexicon_from_other_bi(const std::string& path);

/// A measure of the model or one the question defines; nullptr when neither has `name`.
const measure_def* find_measure(const semantic_model& model, const semantic_query& q, std::string_view name);
/// The model's leaf measures `name` is computed from.
std::vector<std::string> leaves_of(const semantic_model& model, const semantic_query& q, std::string_view name);

/// A one-line restatement people read: "Revenue by region · 2025 · highest first".
std::string restate(const semantic_model& model, const semantic_query& q);

}  // namespace bi
