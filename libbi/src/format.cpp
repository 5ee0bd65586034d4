// Answer rendering: the table, CSV, TSV, Markdown and the HTML page, each from the typed answer
// (the JSON is one more renderer, in answer_json.cpp).
#include "bi/format.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <utf8proc.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/chart.hpp"
#include "bi/error.hpp"
#include "detail/json.hpp"

namespace bi {

namespace {

// ---------------------------------------------------------------------------------------------
// The answer, as the renderers need it.

struct chart_hint {
    std::string type;              ///< Chart.js type: bar, line, doughnut, pie, scatter, bubble
    std::string category_title;    ///< the title of the label axis
    std::string value_title;       ///< the title of the value axis
    std::string first_dataset;     ///< the first dataset's label
    std::string first_label;       ///< data.labels[0]
    size_t labels = 0;             ///< how many labels
    bool horizontal = false;       ///< bars along the y axis
};

using row = std::vector<value>;

/// The typed answer with what the table and the page derive from it.
struct shown {
    const answer& a;
    const std::vector<answer_column>& columns;
    const std::vector<row>& rows;
    chart_hint chart;
};

bool is_text(const value& v) { return std::holds_alternative<std::string>(v); }
const std::string& text_of(const value& v) { return std::get<std::string>(v); }

using detail::string_member;
using detail::json_text;

/// A filter value as text: strings as they are, numbers (year) as the JSON writes them.
std::string value_text(const value& v) {
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&v)) return detail::number_text(*d);
    if (is_null(v)) return "null";
    return detail::base64_encode(std::get<blob>(v).bytes);
}

std::string scalar_text(const rapidjson::Value& v) {
    if (v.IsString()) return {v.GetString(), v.GetStringLength()};
    if (v.IsNull()) return "null";
    return json_text(v);
}

/// What the bar chart needs to know of the Chart.js config the answer carries: which columns
/// its labels and first measure are.
chart_hint read_chart(const std::string& config) {
    chart_hint h;
    if (config.empty()) return h;
    rapidjson::Document chart;
    chart.Parse(config.data(), config.size());
    if (chart.HasParseError() || !chart.IsObject()) return h;
    h.type = string_member(chart, "type");
    const rapidjson::Value* options = nullptr;
    if (auto o = chart.FindMember("options"); o != chart.MemberEnd() && o->value.IsObject()) options = &o->value;
    bool horizontal = options && string_member(*options, "indexAxis") == "y";
    h.horizontal = horizontal;
    auto axis_title = [&](const char* name) -> std::string {
        if (!options) return {};
        auto scales = options->FindMember("scales");
        if (scales == options->MemberEnd() || !scales->value.IsObject()) return {};
        auto axis = scales->value.FindMember(name);
        if (axis == scales->value.MemberEnd() || !axis->value.IsObject()) return {};
        auto title = axis->value.FindMember("title");
        if (title == axis->value.MemberEnd() || !title->value.IsObject()) return {};
        return string_member(title->value, "text");
    };
    h.category_title = axis_title(horizontal ? "y" : "x");
    h.value_title = axis_title(horizontal ? "x" : "y");
    if (auto data = chart.FindMember("data"); data != chart.MemberEnd() && data->value.IsObject()) {
        auto labels = data->value.FindMember("labels");
        if (labels != data->value.MemberEnd() && labels->value.IsArray() && !labels->value.Empty()) {
            h.first_label = scalar_text(labels->value[0]);
            h.labels = labels->value.Size();
        }
        auto sets = data->value.FindMember("datasets");
        if (sets != data->value.MemberEnd() && sets->value.IsArray() && !sets->value.Empty() && sets->value[0].IsObject())
            h.first_dataset = string_member(sets->value[0], "label");
    }
    return h;
}

const std::vector<row>& no_rows() {
    static const std::vector<row> none;
    return none;
}

shown show_answer(const answer& a) {
    return shown{a, a.columns, a.rows ? a.rows->rows : no_rows(), read_chart(a.chart_config)};
}

// ---------------------------------------------------------------------------------------------
// Text on a terminal: display width, truncation, control characters.

/// Decodes one UTF-8 code point at `s[i]`, advancing `i`; malformed bytes decode as U+FFFD.
char32_t next_code_point(std::string_view s, size_t& i) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
        ++i;
        return 0xFFFD;
    }
    i += static_cast<size_t>(n);
    return static_cast<char32_t>(cp);
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Columns a code point takes on a terminal (Unicode's East Asian width and emoji data, as
/// utf8proc has them): 0 for combining marks and zero-width characters, 2 for wide and
/// fullwidth characters and emoji, else 1.
int code_point_width(char32_t c) {
    if (c == 0xFEFF || (c >= 0x200B && c <= 0x200F)) return 0;  // zero-width: utf8proc says 1 for some
    return utf8proc_charwidth(static_cast<utf8proc_int32_t>(c));
}

int display_width(std::string_view s) {
    int w = 0;
    for (size_t i = 0; i < s.size();) w += code_point_width(next_code_point(s, i));
    return w;
}

/// Text safe to put on a terminal, on one line: control characters (which could move the
/// cursor or change colours) become U+FFFD, a line break "↵", a tab a space, bad UTF-8 U+FFFD.
std::string printable(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        char32_t c = next_code_point(s, i);
        if (c == '\n') out += "↵";
        else if (c == '\t') out += ' ';
        else if (c == '\r') continue;
        else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) append_utf8(out, 0xFFFD);
        else append_utf8(out, c);
    }
    return out;
}

/// The longest prefix of `s` at most `width` columns wide, ending in "…" when cut.
std::string truncate(std::string_view s, int width) {
    if (display_width(s) <= width) return std::string(s);
    if (width <= 0) return {};
    std::string out;
    int w = 0;
    for (size_t i = 0; i < s.size();) {
        size_t start = i;
        int cw = code_point_width(next_code_point(s, i));
        if (w + cw > width - 1) break;
        out.append(s.substr(start, i - start));
        w += cw;
    }
    return out + "…";
}

std::string pad(std::string_view s, int width, bool right) {
    int gap = std::max(0, width - display_width(s));
    return right ? std::string(gap, ' ') + std::string(s) : std::string(s) + std::string(gap, ' ');
}

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

/// `s` broken at spaces into lines at most `width` columns wide; a word longer than a line
/// is cut with "…".
std::vector<std::string> wrap(std::string_view s, int width) {
    std::vector<std::string> lines;
    std::string line;
    size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(' ', start);
        auto word = std::string(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
            lines.push_back(line);
            line.clear();
        }
        line += (line.empty() ? "" : " ") + truncate(word, width);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

int longest_word(std::string_view s) {
    int longest = 0;
    for (auto& w : wrap(s, 1 << 20)) {
        size_t start = 0;
        while (start <= w.size()) {
            auto end = w.find(' ', start);
            longest = std::max(longest, display_width(std::string_view(w).substr(start, end == std::string::npos ? std::string::npos : end - start)));
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    return longest;
}

// ---------------------------------------------------------------------------------------------
// Numbers for people.

/// "1234567" → "1,234,567"; `digits` may start with '-' and contain a fraction.
std::string group_thousands(const std::string& digits) {
    size_t start = !digits.empty() && digits[0] == '-' ? 1 : 0;
    size_t end = digits.find('.');
    if (end == std::string::npos) end = digits.size();
    std::string out = digits.substr(0, start);
    for (size_t i = start; i < end; ++i) {
        out += digits[i];
        size_t left = end - i - 1;
        if (left > 0 && left % 3 == 0) out += ',';
    }
    return out + digits.substr(end);
}

/// Decimal places the shortest exact form of `d` needs.
int decimals_of(double d) {
    auto s = fmt::format("{}", d);
    if (s.find_first_of("eE") != std::string::npos) return 2;
    auto dot = s.find('.');
    return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

/// How a column's numbers are written, decided once per column so they line up.
struct number_style {
    std::string unit;
    int decimals = 0;
    bool group = true;   ///< thousands separators; off for years and identifiers
};

bool looks_like_identifier(const std::string& column) {
    auto ends_with = [&](std::string_view s) {
        return column.size() >= s.size() && column.compare(column.size() - s.size(), s.size(), s) == 0;
    };
    return column == "year" || column == "id" || ends_with("_year") || ends_with("_id");
}

number_style style_for(const answer_column& col, const std::vector<row>& rows, size_t index) {
    number_style st;
    st.unit = col.unit;
    st.group = !looks_like_identifier(col.name);
    double largest = 0;
    int decimals = 0;
    for (auto& row : rows) {
        auto& c = row[index];
        if (!is_number(c) || !std::isfinite(as_double(c))) continue;
        largest = std::max(largest, std::abs(as_double(c)));
        if (auto d = std::get_if<double>(&c)) decimals = std::max(decimals, std::min(2, decimals_of(*d)));
    }
    if (st.unit == "usd") st.decimals = largest >= 1000 ? 0 : 2;   // whole dollars once they are large
    else if (st.unit == "percent") st.decimals = 1;
    else if (st.unit == "count") st.decimals = 0;
    else st.decimals = decimals;
    return st;
}

std::string format_number(double d, const number_style& st) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "∞" : "-∞";
    auto digits = fmt::format("{:.{}f}", std::abs(d), st.decimals);
    bool negative = d < 0 && digits.find_first_not_of("0.") != std::string::npos;
    if (st.group) digits = group_thousands(digits);
    std::string sign = negative ? "-" : "";
    if (st.unit == "usd") return sign + "$" + digits;
    if (st.unit == "percent") return sign + digits + "%";
    return sign + digits;
}

std::string format_integer(std::int64_t i, const number_style& st) {
    // Integers are exact even past 2^53: format the digits, not a double.
    if (st.unit == "percent" || (st.unit == "usd" && st.decimals > 0)) return format_number(static_cast<double>(i), st);
    std::string digits = std::to_string(i);
    bool negative = i < 0;
    if (negative) digits.erase(0, 1);
    if (st.group) digits = group_thousands(digits);
    std::string sign = negative ? "-" : "";
    return st.unit == "usd" ? sign + "$" + digits : sign + digits;
}

constexpr const char* null_text = "—";

/// A cell as the table shows it.
std::string show(const value& c, const number_style& st) {
    if (auto i = std::get_if<std::int64_t>(&c)) return format_integer(*i, st);
    if (auto d = std::get_if<double>(&c)) return format_number(*d, st);
    if (auto s = std::get_if<std::string>(&c)) return printable(*s);
    if (auto b = std::get_if<blob>(&c)) return fmt::format("({} byte blob)", b->bytes.size());
    return null_text;
}

// ---------------------------------------------------------------------------------------------
// The table.

struct ansi {
    bool on;
    std::string bold(std::string_view s) const { return on ? "\x1b[1m" + std::string(s) + "\x1b[0m" : std::string(s); }
    std::string colour(std::string_view s, bool negative) const {
        if (!on || s.empty()) return std::string(s);
        return std::string(negative ? "\x1b[31m" : "\x1b[36m") + std::string(s) + "\x1b[0m";
    }
};

struct laid_out {
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> cells;
    std::vector<bool> right;             ///< numeric columns, right-aligned
    std::vector<number_style> styles;
};

laid_out lay_out(const shown& a) {
    laid_out t;
    for (size_t i = 0; i < a.columns.size(); ++i) {
        t.headers.push_back(printable(humanize(a.columns[i].name)));
        t.styles.push_back(style_for(a.columns[i], a.rows, i));
        bool numeric = false, other = false;
        for (auto& r : a.rows) {
            if (is_number(r[i])) numeric = true;
            else if (!is_null(r[i])) other = true;
        }
        auto& type = a.columns[i].type;
        t.right.push_back(numeric ? !other : (type == "integer" || type == "real"));
    }
    for (auto& r : a.rows) {
        std::vector<std::string> cells;
        for (size_t i = 0; i < r.size(); ++i) cells.push_back(show(r[i], t.styles[i]));
        t.cells.push_back(std::move(cells));
    }
    return t;
}

constexpr int column_gap = 2;
constexpr int min_text_width = 8;

/// Column widths that fit `width`: first headers wrap onto more lines, then the widest text
/// is cut with "…"; numbers are never cut. Empty when even the narrowest layout does not fit.
std::vector<int> fit_columns(const laid_out& t, int width) {
    size_t n = t.headers.size();
    std::vector<int> natural(n), wrapped(n), cut(n);
    for (size_t i = 0; i < n; ++i) {
        int cells = 0;
        for (auto& row : t.cells) cells = std::max(cells, display_width(row[i]));
        int header = std::max(1, std::min(longest_word(t.headers[i]), min_text_width));
        natural[i] = std::max(cells, display_width(t.headers[i]));
        wrapped[i] = std::max(cells, header);
        cut[i] = std::max(t.right[i] ? cells : std::min(cells, min_text_width), header);
    }
    auto total = [&](const std::vector<int>& w) {
        int sum = static_cast<int>(n > 0 ? (n - 1) * column_gap : 0);
        for (int x : w) sum += x;
        return sum;
    };
    auto widths = natural;
    for (auto* minimum : {&wrapped, &cut}) {
        while (total(widths) > width) {
            size_t widest = n;
            for (size_t i = 0; i < n; ++i)
                if (widths[i] > (*minimum)[i] && (widest == n || widths[i] > widths[widest])) widest = i;
            if (widest == n) break;
            --widths[widest];
        }
    }
    if (total(widths) > width) return {};
    return widths;
}

std::string table_text(const laid_out& t, const std::vector<int>& widths, const ansi& style) {
    std::string out;
    auto line = [&](const std::vector<std::string>& cells, bool header) {
        std::string text;
        for (size_t i = 0; i < cells.size(); ++i) {
            auto cut = truncate(cells[i], widths[i]);
            bool last = i + 1 == cells.size();
            std::string padded = pad(cut, widths[i], t.right[i]);
            if (last && !t.right[i]) padded = cut;   // no trailing blanks
            text += header && !cut.empty() ? style.bold(padded) : padded;
            if (!last) text += std::string(column_gap, ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + '\n';
    };
    // Headers wrap onto as many lines as the narrowest needs, aligned to the bottom.
    std::vector<std::vector<std::string>> wrapped;
    size_t depth = 1;
    for (size_t i = 0; i < t.headers.size(); ++i) {
        wrapped.push_back(wrap(t.headers[i], widths[i]));
        depth = std::max(depth, wrapped.back().size());
    }
    for (size_t l = 0; l < depth; ++l) {
        std::vector<std::string> cells;
        for (auto& w : wrapped) cells.push_back(l + w.size() >= depth ? w[l + w.size() - depth] : "");
        line(cells, true);
    }
    std::vector<std::string> rules;
    for (int w : widths) rules.push_back(repeat("─", w));
    line(rules, false);
    for (auto& row : t.cells) line(row, false);
    return out;
}

/// One block per row, for terminals too narrow for the table: "Header  value" lines.
std::string records_text(const laid_out& t, int width, const ansi& style) {
    int key_width = 0;
    for (auto& h : t.headers) key_width = std::max(key_width, display_width(h));
    key_width = std::min(key_width, std::max(4, width / 2));
    int value_width = std::max(1, width - key_width - column_gap);
    std::string out;
    for (size_t r = 0; r < t.cells.size(); ++r) {
        auto heading = fmt::format("── row {} ", r + 1);
        out += heading + repeat("─", std::max(0, std::min(width, 40) - display_width(heading))) + '\n';
        for (size_t i = 0; i < t.headers.size(); ++i) {
            auto value = truncate(t.cells[r][i], value_width);
            out += style.bold(pad(truncate(t.headers[i], key_width), key_width, false)) +
                   (value.empty() ? "" : std::string(column_gap, ' ') + value) + '\n';
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The bar chart.

/// Which columns the bars show: the chart's label and main measure (its first dataset, else its
/// value axis), found by the titles chart.cpp gave them; the sort column when the chart does
/// not say (bubble, no chart).
std::pair<int, int> bar_columns(const shown& a) {
    std::map<std::string, std::string> units;
    for (auto& c : a.columns)
        if (!c.unit.empty()) units[c.name] = c.unit;
    auto numeric = [&](size_t i) {
        for (auto& r : a.rows)
            if (is_number(r[i])) return true;
        return false;
    };
    int label = -1, measure = -1;
    bool point = a.chart.type == "bubble" || a.chart.type == "scatter";
    for (auto& title : {a.chart.first_dataset, a.chart.value_title})
        for (size_t i = 0; i < a.columns.size() && measure < 0 && !point && !title.empty(); ++i)
            if (numeric(i) && measure_title(a.columns[i].name, units) == title) measure = static_cast<int>(i);
    if (measure < 0)
        for (size_t i = 0; i < a.columns.size(); ++i)
            if (a.columns[i].name == a.a.sort_column && numeric(i)) measure = static_cast<int>(i);
    if (measure < 0)
        for (size_t i = 0; i < a.columns.size() && measure < 0; ++i)
            if (numeric(i) && !looks_like_identifier(a.columns[i].name)) measure = static_cast<int>(i);
    for (size_t i = 0; i < a.columns.size() && label < 0 && !point; ++i)
        if (!a.chart.category_title.empty() && humanize(a.columns[i].name) == a.chart.category_title) label = static_cast<int>(i);
    for (size_t i = 0; i < a.columns.size() && label < 0 && !point && !a.rows.empty(); ++i)
        if (is_text(a.rows[0][i]) && text_of(a.rows[0][i]) == a.chart.first_label) label = static_cast<int>(i);
    for (size_t i = 0; i < a.columns.size() && label < 0 && !a.rows.empty(); ++i)
        if (is_text(a.rows[0][i])) label = static_cast<int>(i);
    return {label, measure};
}

/// Bar labels: the label column, joined with other text columns that vary until the labels
/// tell the bars apart ("Midwest · Cordova" when several regions list the same model).
std::vector<std::string> bar_labels(const shown& a, const laid_out& t, int label, size_t count) {
    std::vector<int> parts;
    if (label >= 0) parts.push_back(label);
    auto distinct = [&] {
        std::set<std::string> seen;
        for (size_t r = 0; r < count; ++r) {
            std::string key;
            for (int p : parts) key += t.cells[r][p] + '\x1f';
            if (!seen.insert(key).second) return false;
        }
        return true;
    };
    for (size_t i = 0; i < a.columns.size() && !distinct() && parts.size() < 3; ++i) {
        if (static_cast<int>(i) == label) continue;
        bool text = false, varies = false;
        for (size_t r = 0; r < count; ++r) {
            if (is_text(a.rows[r][i])) text = true;
            if (t.cells[r][i] != t.cells[0][i]) varies = true;
        }
        if (text && varies) parts.insert(parts.end() - (label >= 0 ? 1 : 0), static_cast<int>(i));
    }
    std::vector<std::string> labels;
    for (size_t r = 0; r < count; ++r) {
        std::string l;
        for (int p : parts) l += (l.empty() ? "" : " · ") + t.cells[r][p];
        labels.push_back(l.empty() ? fmt::format("row {}", r + 1) : l);
    }
    return labels;
}

constexpr const char* eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};

/// A bar growing rightwards, `fraction` of `width` cells, to an eighth of a cell; a non-zero
/// value always shows at least a sliver.
std::string bar_right(double fraction, int width) {
    int e = static_cast<int>(std::lround(fraction * width * 8));
    if (e == 0 && fraction > 0) e = 1;
    e = std::min(e, width * 8);
    return repeat("█", e / 8) + eighths[e % 8];
}

/// A bar growing leftwards from the right edge of `width` cells, to half a cell.
std::string bar_left(double fraction, int width) {
    int halves = static_cast<int>(std::lround(fraction * width * 2));
    if (halves == 0 && fraction > 0) halves = 1;
    halves = std::min(halves, width * 2);
    return std::string(width - halves / 2 - halves % 2, ' ') + (halves % 2 ? "▐" : "") + repeat("█", halves / 2);
}

std::string bars_text(const shown& a, const laid_out& t, const render_options& o, const ansi& style) {
    auto [label, measure] = bar_columns(a);
    if (measure < 0 || a.rows.empty()) return {};
    size_t count = std::min(a.rows.size(), std::max<size_t>(1, o.max_bars));
    auto labels = bar_labels(a, t, label, count);
    double most = 0, least = 0;
    int label_width = 0, value_width = 0;
    for (size_t r = 0; r < count; ++r) {
        auto& c = a.rows[r][measure];
        if (is_number(c) && std::isfinite(as_double(c))) {
            most = std::max(most, as_double(c));
            least = std::min(least, as_double(c));
        }
        label_width = std::max(label_width, display_width(labels[r]));
        value_width = std::max(value_width, display_width(t.cells[r][measure]));
    }
    label_width = std::min(label_width, std::max(8, o.width / 3));
    int bar_width = o.width - label_width - value_width - 2 * column_gap;
    if (bar_width < 4) return {};
    // Mixed signs: negatives grow left and positives right of a shared zero; otherwise every
    // bar grows rightwards by its magnitude.
    bool diverging = least < 0 && most > 0;
    double span = diverging ? most - least : std::max(most, -least);
    int left_width = diverging ? static_cast<int>(std::lround(bar_width * -least / span)) : 0;
    int right_width = bar_width - left_width;

    std::map<std::string, std::string> units;
    for (auto& c : a.columns)
        if (!c.unit.empty()) units[c.name] = c.unit;
    std::string out = style.bold(printable(measure_title(a.columns[measure].name, units))) + '\n';
    for (size_t r = 0; r < count; ++r) {
        double d = as_double(a.rows[r][measure]);
        std::string bar;
        bool negative = false;
        if (is_number(a.rows[r][measure]) && std::isfinite(d) && span > 0) {
            negative = d < 0;
            if (diverging)
                bar = negative ? bar_left(-d / span, left_width) : std::string(left_width, ' ') + bar_right(d / span, right_width);
            else
                bar = bar_right(std::abs(d) / span, right_width);
        }
        std::string line = pad(truncate(labels[r], label_width), label_width, false) + std::string(column_gap, ' ') +
                           pad(t.cells[r][measure], value_width, true);
        auto trimmed = bar;
        while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
        if (!trimmed.empty()) {
            auto lead = trimmed.find_first_not_of(' ');
            line += std::string(column_gap, ' ') + trimmed.substr(0, lead) + style.colour(trimmed.substr(lead), negative);
        }
        out += line + '\n';
    }
    if (auto rest = a.rows.size() - count; rest > 0) out += fmt::format("… {} more row{} not drawn\n", rest, rest == 1 ? "" : "s");
    return out;
}

// ---------------------------------------------------------------------------------------------
// Heading lines shared by the table and the page.

std::string filters_line(const answer& a) {
    if (a.applied.empty()) return "Filters: none";
    std::string s;
    for (auto& [slot, v] : a.applied) s += (s.empty() ? "" : ", ") + slot + " = " + value_text(v);
    return "Filters: " + s;
}

std::string order_line(const answer& a) {
    std::vector<std::string> parts;
    if (!a.sort_column.empty())
        parts.push_back(fmt::format("sorted by {} {}", a.sort_column, a.direction == sort_direction::asc ? "ascending" : "descending"));
    if (a.limit) parts.push_back(fmt::format("limit {}", *a.limit));
    parts.push_back(fmt::format("{} row{}", a.row_count(), a.row_count() == 1 ? "" : "s"));
    if (a.source == "live") parts.push_back(a.generated_at.empty() ? "run live" : "run live at " + a.generated_at);
    else if (!a.source.empty()) parts.push_back(a.generated_at.empty() ? a.source : fmt::format("{} of {}", a.source, a.generated_at));
    std::string s;
    for (auto& p : parts) s += (s.empty() ? "" : " · ") + p;
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::string csv_field(std::string_view s) {
    if (s.find_first_of("\",\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

/// A cell as data (CSV, TSV): numbers exactly as the JSON writes them, a BLOB as base64, NULL as "".
std::string data_text(const value& c) {
    if (auto i = std::get_if<std::int64_t>(&c)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&c)) return detail::number_text(*d);
    if (auto s = std::get_if<std::string>(&c)) return *s;
    if (auto b = std::get_if<blob>(&c)) return detail::base64_encode(b->bytes);
    return {};
}


std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

/// Text placed inside <script>: "</script" (any case) would end the element early. A
/// source-map comment is dropped: the page has no map beside it to load.
std::string script_safe(std::string_view s) {
    std::string out(s);
    if (auto map = out.rfind("//# sourceMappingURL="); map != std::string::npos) out.erase(map, out.find('\n', map) - map);
    for (size_t pos = 0; (pos = out.find("</", pos)) != std::string::npos; pos += 3) {
        auto tag = out.substr(pos + 2, 6);
        for (auto& ch : tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (tag == "script") out.replace(pos, 2, "<\\/");
    }
    return out;
}

/// JSON for a <script> block: every "<" written as \u003c, which is still the same JSON.
std::string json_in_script(std::string_view json) {
    std::string out;
    for (char c : json) {
        if (c == '<') out += "\\u003c";
        else out += c;
    }
    return out;
}

constexpr const char* page_style = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1040px; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
.meta { color: #555; margin: .15rem 0; }
.chart { position: relative; max-width: 960px; margin: 1.25rem 0; }
table { border-collapse: collapse; margin: 1rem 0 2.5rem; }
th, td { padding: .3rem .75rem; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.null { color: #999; }
.question { color: #555; font-style: italic; margin: 0 0 .25rem; }
section + section { border-top: 2px solid #ccc; padding-top: 1.5rem; }
)";

}  // namespace

std::string printable_text(std::string_view s) { return printable(s); }

std::optional<output_format> parse_output_format(std::string_view name) {
    static const std::pair<std::string_view, output_format> names[] = {
        {"json", output_format::json}, {"jsonl", output_format::jsonl}, {"table", output_format::table},
        {"csv", output_format::csv},   {"tsv", output_format::tsv},     {"markdown", output_format::markdown},
        {"html", output_format::html}};
    for (auto& [n, f] : names)
        if (n == name) return f;
    return std::nullopt;
}

namespace {

std::string no_answer_line(const answer& a) {
    return "No answer: " + (a.reason.empty() ? std::string("no confident match in the catalog") : a.reason);
}

/// The question, as the first line of a block in a batch.
std::string question_line(const answer& a) { return "Question: " + a.question; }

}  // namespace

std::string render_table(const answer& answer, const render_options& options) {
    ansi style{options.color};
    int width = std::max(20, options.width);
    std::string out;
    auto heading = [&](const std::string& text, bool bold) {
        for (auto& l : wrap(printable(text), width)) out += (bold ? style.bold(l) : l) + '\n';
    };
    if (options.batch) heading(question_line(answer), false);
    if (answer.kind == answer_kind::error) return out + "error: " + printable(answer.error) + '\n';
    if (!answer.matched()) {
        heading(no_answer_line(answer), true);
        if (!answer.clarify.empty()) heading(answer.clarify, false);
        if (!answer.suggestions.empty()) {
            out += "Try one of:\n";
            for (auto& s : answer.suggestions) {
                auto lines = wrap(printable(s), width - 4);
                for (size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? "  • " : "    ") + lines[i] + '\n';
            }
        }
        return out;
    }
    auto a = show_answer(answer);
    heading(answer.title, true);
    heading(filters_line(answer), false);
    heading(order_line(answer), false);
    if (answer.fresh && answer.fresh->stale) heading("Stale: " + answer.fresh->reason, false);
    out += '\n';

    auto t = lay_out(a);
    auto widths = fit_columns(t, width);
    if (!widths.empty()) out += table_text(t, widths, style);
    else out += records_text(t, width, style);
    if (a.rows.empty()) {
        out += "(no rows)\n";
        return out;
    }
    auto bars = bars_text(a, t, options, style);
    if (!bars.empty()) out += '\n' + bars;
    return out;
}

namespace {

/// A delimited table (CSV, TSV): the header row, then one line a row; `field` writes a cell,
/// `eol` ends a line. In a batch every row starts with the question it answers.
template <typename Field>
std::string delimited(const answer& a, bool batch, char separator, const Field& field, std::string_view eol) {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> lines;
    if (a.kind == answer_kind::error) {
        header = {"error"};
        lines.push_back({field(a.error)});
    } else if (!a.matched()) {
        header = {"suggestion"};
        for (auto& s : a.suggestions) lines.push_back({field(s)});
    } else {
        for (auto& c : a.columns) header.push_back(field(c.name));
        if (a.rows)
            for (auto& r : a.rows->rows) {
                std::vector<std::string> cells;
                for (auto& v : r) cells.push_back(is_text(v) ? field(text_of(v)) : data_text(v));
                lines.push_back(std::move(cells));
            }
    }
    std::string out;
    auto line = [&](const std::string& first, const std::vector<std::string>& cells) {
        if (batch) out += first + (cells.empty() ? "" : std::string(1, separator));
        for (size_t i = 0; i < cells.size(); ++i) out += (i ? std::string(1, separator) : "") + cells[i];
        out += eol;
    };
    line("question", header);
    for (auto& l : lines) line(field(a.question), l);
    return out;
}

/// A TSV field: the characters that would split it written as escapes.
std::string tsv_field(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\\': out += "\\\\"; break;
        default: out += c;
        }
    }
    return out;
}

/// A Markdown table cell: `|` and `\` escaped, line breaks as <br>, other control characters dropped.
std::string markdown_cell(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += "<br>";
        else if (c == '\\') out += "\\\\";
        else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
        else if (c == '\t') out += ' ';
    }
    return out;
}

/// A line of Markdown prose: the text on one line, with characters that start markup escaped.
std::string markdown_text(std::string_view s) {
    std::string out;
    for (char c : markdown_cell(s)) {
        if (std::string_view("*_`[]<>#").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

std::string render_csv(const answer& a, bool batch) {
    return delimited(a, batch, ',', [](std::string_view s) { return csv_field(s); }, "\r\n");
}

std::string render_csv(const answer& a) { return render_csv(a, false); }

std::string render_tsv(const answer& a, bool batch) {
    return delimited(a, batch, '\t', [](std::string_view s) { return tsv_field(s); }, "\n");
}

std::string render_tsv(const answer& a) { return render_tsv(a, false); }

std::string render_markdown(const answer& answer) {
    std::string out;
    if (answer.kind == answer_kind::error)
        return "### Error\n\n> " + markdown_text(answer.question) + "\n\n" + markdown_text(answer.error) + "\n";
    out = "### " + markdown_text(answer.matched() ? answer.title : std::string("No answer")) + "\n\n";
    if (!answer.question.empty()) out += "> " + markdown_text(answer.question) + "\n\n";
    if (!answer.matched()) {
        out += markdown_text(no_answer_line(answer)) + "\n";
        if (!answer.clarify.empty()) out += "\n" + markdown_text(answer.clarify) + "\n";
        if (!answer.suggestions.empty()) out += "\nTry one of:\n\n";
        for (auto& s : answer.suggestions) out += "- " + markdown_text(s) + "\n";
        return out;
    }
    out += markdown_text(filters_line(answer)) + " · " + markdown_text(order_line(answer)) + "\n\n";
    auto a = show_answer(answer);
    auto t = lay_out(a);
    if (t.headers.empty()) return out + "(no columns)\n";
    std::string header = "|", rule = "|";
    for (size_t i = 0; i < t.headers.size(); ++i) {
        header += " " + markdown_cell(t.headers[i]) + " |";
        rule += t.right[i] ? " ---: |" : " --- |";
    }
    out += header + "\n" + rule + "\n";
    for (size_t r = 0; r < t.cells.size(); ++r) {
        out += "|";
        for (size_t i = 0; i < t.cells[r].size(); ++i)
            out += " " + (is_null(a.rows[r][i]) ? std::string() : markdown_cell(t.cells[r][i])) + " |";
        out += "\n";
    }
    return out;
}

namespace {

std::string html_no_answer(const answer& a) {
    std::string out = "<h1>No answer</h1>\n<p class=\"meta\">" + html_escape(a.reason) + "</p>\n";
    if (!a.clarify.empty()) out += "<p class=\"meta\">" + html_escape(a.clarify) + "</p>\n";
    if (!a.suggestions.empty()) {
        out += "<p>Try one of:</p>\n<ul>\n";
        for (auto& s : a.suggestions) out += "<li>" + html_escape(s) + "</li>\n";
        out += "</ul>\n";
    }
    return out;
}

/// A matched answer's section body: heading lines, the chart's canvas, the table.
std::string html_answer(const answer& answer, size_t n) {
    auto a = show_answer(answer);
    std::string out = "<h1>" + html_escape(answer.title) + "</h1>\n";
    out += "<p class=\"meta\">" + html_escape(filters_line(answer)) + "</p>\n";
    out += "<p class=\"meta\">" + html_escape(order_line(answer)) + "</p>\n";
    if (answer.fresh && answer.fresh->stale) out += "<p class=\"meta\">Stale: " + html_escape(answer.fresh->reason) + "</p>\n";
    if (!answer.chart_config.empty()) {
        // Horizontal bars need height for their labels; the others keep a 2:1 box.
        int height = a.chart.horizontal ? static_cast<int>(std::max<size_t>(360, 22 * a.chart.labels + 120)) : 460;
        out += fmt::format("<div class=\"chart\" style=\"height:{}px\"><canvas id=\"chart-{}\" role=\"img\" aria-label=\"{}\"></canvas></div>\n",
                           height, n, html_escape(answer.title));
    }
    auto t = lay_out(a);
    out += "<table>\n<thead><tr>";
    for (size_t i = 0; i < t.headers.size(); ++i)
        out += std::string(t.right[i] ? "<th class=\"num\">" : "<th>") + html_escape(t.headers[i]) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (size_t r = 0; r < t.cells.size(); ++r) {
        out += "<tr>";
        for (size_t i = 0; i < t.cells[r].size(); ++i) {
            const char* open = is_null(a.rows[r][i]) ? "<td class=\"null\">" : t.right[i] ? "<td class=\"num\">" : "<td>";
            out += open + html_escape(t.cells[r][i]) + "</td>";
        }
        out += "</tr>\n";
    }
    if (t.cells.empty())
        out += fmt::format("<tr><td colspan=\"{}\">(no rows)</td></tr>\n", std::max<size_t>(1, t.headers.size()));
    return out + "</tbody>\n</table>\n";
}

}  // namespace

std::string render_html(const std::vector<answer>& answers, std::string_view chartjs) {
    std::string page_title = answers.size() == 1 && answers[0].matched() ? answers[0].title : "bi answers";
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + html_escape(page_title) + "</title>\n<style>" + page_style + "</style>\n</head>\n<body>\n";
    std::string configs = "[";
    for (size_t n = 0; n < answers.size(); ++n) {
        auto& a = answers[n];
        out += "<section>\n";
        if (!a.question.empty()) out += "<p class=\"question\">" + html_escape(a.question) + "</p>\n";
        if (a.kind == answer_kind::error) out += "<h1>Error</h1>\n<p class=\"meta\">" + html_escape(a.error) + "</p>\n";
        else if (!a.matched()) out += html_no_answer(a);
        else out += html_answer(a, n);
        out += "</section>\n";
        bool chart = a.matched() && !a.chart_config.empty();
        configs += std::string(n ? "," : "") + (chart ? json_in_script(a.chart_config) : "null");
    }
    configs += "]";
    out += "<script>\n" + script_safe(chartjs) + "\n</script>\n";
    out += "<script>\nconst configs = " + configs + ";\n"
           "configs.forEach((config, i) => {\n"
           "  if (!config) return;\n"
           "  config.options = Object.assign({}, config.options, {maintainAspectRatio: false});\n"
           "  new Chart(document.getElementById('chart-' + i), config);\n"
           "});\n</script>\n</body>\n</html>\n";
    return out;
}

std::string read_chartjs(const std::vector<std::string>& candidates) {
    std::string searched;
    for (auto& path : candidates) {
        if (path.empty()) continue;
        std::ifstream in(path, std::ios::binary);
        if (in) {
            std::ostringstream text;
            text << in.rdbuf();
            if (in.good() || in.eof()) return text.str();
        }
        searched += (searched.empty() ? "'" : ", '") + path + "'";
    }
    throw error("Chart.js (chart.umd.js) not found for --format html; searched " + searched +
                " (run 'npm ci' in the source tree or set BI_CHARTJS)");
}

answer_writer::answer_writer(output_format format, render_options options, std::string chartjs)
    : format_(format), options_(options), chartjs_(std::move(chartjs)) {}

std::string answer_writer::add(const answer& a) {
    std::string separator = written_++ == 0 ? "" : format_ == output_format::csv ? "\r\n" : "\n";
    switch (format_) {
    case output_format::json:
    case output_format::jsonl: return render_json(a) + '\n';
    case output_format::table: return separator + render_table(a, options_);
    case output_format::csv: return separator + render_csv(a, options_.batch);
    case output_format::tsv: return separator + render_tsv(a, options_.batch);
    case output_format::markdown: return separator + render_markdown(a);
    case output_format::html: pending_.push_back(a); return {};
    }
    return {};
}

std::string answer_writer::finish() {
    if (format_ != output_format::html || pending_.empty()) return {};
    auto page = render_html(pending_, chartjs_);
    pending_.clear();
    return page;
}

}  // namespace bi
