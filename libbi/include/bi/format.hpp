// Rendering answers for people and other programs: an aligned terminal table with a bar
// chart, RFC 4180 CSV, and a self-contained HTML page drawing the Chart.js config.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bi {

enum class output_format { json, jsonl, table, csv, html };

/// "json", "jsonl", "table", "csv" or "html"; nullopt for anything else.
std::optional<output_format> parse_output_format(std::string_view name);

struct render_options {
    int width = 80;        ///< terminal columns the table and the bars must fit in
    bool color = false;    ///< ANSI bold for the title and headers, colour for the bars
    size_t max_bars = 25;  ///< rows drawn in the bar chart; the table always has every row
};

/// The answer as text: title, filters, an aligned table (numbers right-aligned with thousands
/// separators, usd as $1,234, percent as 12.3%) and a bar chart of the main measure. A table
/// wider than `width` truncates long text with "…", then falls back to one block per row.
/// No-match answers become a short message with the suggestions. Throws parse_error when
/// `answer_json` is not an answer object.
std::string render_table(std::string_view answer_json, const render_options& options);

/// The answer's rows as RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they
/// hold `"`, `,`, CR or LF, NULL as an empty field, numbers exactly as in the JSON. A no-match
/// answer is a one-column `suggestion` table; a batch error a one-column `error` table.
std::string render_csv(std::string_view answer_json);

/// One self-contained page: per answer its title, filters, chart and table; `chartjs` is the
/// text of Chart.js's chart.umd.js, inlined so the page works offline.
std::string render_html(const std::vector<std::string>& answers_json, std::string_view chartjs);

/// Text safe to put on a terminal, on one line: control characters (ANSI escapes among them)
/// and bad UTF-8 become U+FFFD, a line break "↵", a tab a space.
std::string printable_text(std::string_view s);

/// The text of the first of `candidates` that can be read; throws error naming every
/// candidate when none can.
std::string read_chartjs(const std::vector<std::string>& candidates);

/// Writes answers one after another in one format: JSON and JSONL one answer a line, tables
/// and CSV blocks separated by a blank line, HTML gathered into one page by finish().
class answer_writer {
public:
    answer_writer(output_format format, render_options options, std::string chartjs = {});

    /// The text to print for one more answer (empty for HTML, which waits for finish()).
    std::string add(std::string_view answer_json);
    /// The text to print after the last answer: the HTML page; empty for the other formats.
    std::string finish();

private:
    output_format format_;
    render_options options_;
    std::string chartjs_;
    std::vector<std::string> pending_;
    size_t written_ = 0;
};

}  // namespace bi
