// The query catalog: one SQL file per query under queries/<category>/<name>.sql, with a
// header of `-- key: value` lines, plus the shared vocabulary in queries/vocabulary.conf.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bi {

enum class schedule { daily, weekly, monthly };
std::string_view to_string(schedule s);
std::optional<schedule> parse_schedule(std::string_view text);

enum class sort_direction { asc, desc };

struct sort_spec {
    std::string column;
    sort_direction direction = sort_direction::desc;
};

/// How a measure column combines when rows are re-aggregated.
enum class aggregate { sum, min, max, avg };  ///< avg: cubes only, the mean over the cube's rows

/// A measure recomputed from additive parts: (numerator [- subtrahend]) / denominator * scale.
struct ratio_spec {
    std::string column;
    std::string numerator;
    std::string subtrahend;  ///< empty unless the numerator is a difference
    std::string denominator;
    double scale = 1.0;
    int round_digits = 2;
};

struct chart_spec {
    std::string type;                 ///< bar, horizontal_bar, stacked_bar, line, doughnut, pie, scatter, bubble
    std::string label;                ///< the column giving labels (or x for scatter/bubble)
    std::vector<std::string> values;  ///< measure columns plotted (y, r for bubble)
    std::string series;               ///< optional column splitting values into datasets
};

/// One catalog query, as declared by its file: a report (a curated answer with its own
/// columns, chart and examples) or a cube (measures at a declared grain, for the semantic model).
struct query_def {
    std::string category;
    std::string name;
    std::string file;                                  ///< path it was loaded from
    std::string title;
    std::string description;
    std::vector<std::string> keywords;
    std::vector<std::string> synonyms;                 ///< phrases that name this query
    std::vector<std::string> examples;                 ///< example questions
    std::vector<std::string> tags;                     ///< labels runs select by (bi-regen --tag)
    std::vector<std::pair<std::string, std::string>> slots;  ///< slot name -> result column
    std::vector<std::string> columns;                  ///< displayed columns, in order
    std::vector<std::pair<std::string, aggregate>> measures;  ///< additive measures
    std::vector<ratio_spec> ratios;
    std::map<std::string, std::string> units;          ///< column -> usd, percent, count, days...
    sort_spec sort;
    chart_spec chart;
    schedule when = schedule::daily;
    std::optional<int> default_limit;
    bool worst_first = false;                          ///< the default sort lists the worst first (claims, risk)
    std::vector<std::string> grain;                    ///< a cube's grain: one row per combination
    std::vector<std::string> attributes;               ///< a cube's other dimension columns, each set by a grain column
    std::string sql;

    bool is_cube() const { return !grain.empty(); }
    std::string id() const { return category + "/" + name; }
    /// The result column a slot filters on, or nullptr when this query cannot apply it.
    const std::string* slot_column(std::string_view slot) const;
    const aggregate* measure(std::string_view column) const;
    const ratio_spec* ratio(std::string_view column) const;
};

/// A slot value alias: `alias: region Northeast = NE, north-east`.
struct value_alias {
    std::string slot;
    std::string value;                 ///< the canonical value, as it appears in the data
    std::vector<std::string> aliases;
    /// `prefer: region Northeast = NE`: where these names could be values of other dimensions
    /// too (the state NE), they name this value unless the question says which.
    bool preferred = false;
};

/// Word-level synonyms and slot aliases shared by every query.
struct vocabulary {
    std::vector<std::pair<std::string, std::vector<std::string>>> synonyms;  ///< canonical -> alternatives
    std::vector<value_alias> aliases;
    std::vector<std::string> stop_words;  ///< extra stop words on top of the built-in list
    std::vector<std::string> outside;     ///< words that put a question outside the catalog's scope
};

struct catalog {
    std::string dir;
    std::vector<query_def> queries;   ///< sorted by id
    vocabulary vocab;

    const query_def* find(std::string_view id_or_name) const;
    std::vector<std::string> categories() const;
};

/// The slot names a query may declare.
const std::vector<std::string>& known_slots();

/// The SQL dialects a catalog query may have a variant for, beside its own (SQLite) text.
inline constexpr std::array<std::string_view, 1> sql_dialects{"postgresql"};

/// The text of `q` for a database of `dialect` ("sqlite", "postgresql"): its
/// `<name>.<dialect>.sql` sibling when the catalog has one (docs/catalog.md), else its own.
std::string sql_for(const query_def& q, std::string_view dialect);

/// Parses one query file's text; throws parse_error("file:line: ...") on anything malformed.
query_def parse_query(std::string_view text, const std::string& file, std::string category, std::string name);
/// Parses vocabulary.conf text.
vocabulary parse_vocabulary(std::string_view text, const std::string& file);
/// Loads every `<category>/<name>.sql` under `dir`, and `dir/vocabulary.conf` if present.
/// With `skipped`, a query file that cannot be read or parsed is left out and its message
/// (`file:line: what`) added there; without, it is thrown as parse_error.
catalog load_catalog(const std::string& dir, std::vector<std::string>* skipped = nullptr);

}  // namespace bi
