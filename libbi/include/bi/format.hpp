// Rendering the typed answer for people and other programs: JSON, an aligned terminal table
// with a bar chart, RFC 4180 CSV, TSV, a GitHub Markdown table, and a self-contained HTML page
// drawing the Chart.js config. Every renderer reads the same typed answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bi/answer_types.hpp"

namespace bi {

enum class output_format { json, jsonl, table, csv, tsv, markdown, html };

/// "json", "jsonl", "table", "csv", "tsv", "markdown" or "html"; nullopt for anything else.
std::optional<output_format> parse_output_format(std::string_view name);

/// The answer as one line of JSON, the form scripts read.
std::string render_json(const answer& a);

/// An answer read back from its JSON (a saved answer, a golden file). Throws parse_error when
/// `json` is not an answer object.
answer answer_from_json(std::string_view json);

struct render_options {
    int width = 80;        ///< terminal columns the table and the bars must fit in
    bool color = false;    ///< ANSI bold for the title and headers, colour for the bars
    size_t max_bars = 25;  ///< rows drawn in the bar chart; the table always has every row
    bool batch = false;    ///< one of several answers: each table block opens with its question,
                           ///< each CSV and TSV row with a `question` column
};

/// The answer as text: title, filters, an aligned table (numbers right-aligned with thousands
/// separators, usd as $1,234, percent as 12.3%) and a bar chart of the main measure. A table
/// wider than `width` truncates long text with "…", then falls back to one block per row.
/// No-match answers become a short message naming the question, with the suggestions.
std::string render_table(const answer& a, const render_options& options);

/// The answer's rows as RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they
/// hold `"`, `,`, CR or LF, NULL as an empty field, numbers exactly as in the JSON. A no-match
/// answer is a one-column `suggestion` table; a batch error a one-column `error` table.
std::string render_csv(const answer& a);
/// render_csv for a batch: `question` is the first column of every row.
std::string render_csv(const answer& a, bool batch);

/// The answer's rows as tab-separated values (IANA text/tab-separated-values): a header row, LF
/// line ends, NULL as an empty field; a tab, CR, LF or backslash inside a field is written as
/// \t, \r, \n or \\, so every line is one row.
std::string render_tsv(const answer& a);
/// render_tsv for a batch: `question` is the first column of every row.
std::string render_tsv(const answer& a, bool batch);

/// The answer as a GitHub Markdown table under a heading and the quoted question: cells as the
/// terminal table shows them ($1,234, 12.3%), numbers right-aligned, `|` escaped, NULL empty.
/// A no-match answer is the reason and the suggestions.
std::string render_markdown(const answer& a);

/// One self-contained page: per answer its question, title, filters, chart and table;
/// `chartjs` is the text of Chart.js's chart.umd.js, inlined so the page works offline.
std::string render_html(const std::vector<answer>& answers, std::string_view chartjs);

/// Text safe to put on a terminal, on one line: control characters (ANSI escapes among them)
/// and bad UTF-8 become U+FFFD, a line break "↵", a tab a space.
std::string printable_text(std::string_view s);

/// The text of the first of `candidates` that can be read; throws error naming every
/// candidate when none can.
std::string read_chartjs(const std::vector<std::string>& candidates);

/// Writes answers one after another in one format: JSON and JSONL one answer a line; table,
/// CSV, TSV and Markdown blocks separated by a blank line, each after the first opening with
/// the question it answers; HTML gathered into one page by finish().
class answer_writer {
public:
    answer_writer(output_format format, render_options options, std::string chartjs = {});

    /// The text to print for one more answer (empty for HTML, which waits for finish()).
    std::string add(const answer& a);
    /// The text to print after the last answer: the HTML page; empty for the other formats.
    std::string finish();

private:
    output_format format_;
    render_options options_;
    std::string chartjs_;
    std::vector<answer> pending_;
    size_t written_ = 0;
};

}  // namespace bi
