// Chart.js configs. The output follows Chart.js 4's documented config shape: type, data.labels,
// data.datasets[].label/.data, options.plugins.title, and scales for the cartesian types.
// Everything is plain JSON (no callbacks), so number formats go through `ticks.format`, the
// Intl.NumberFormat options Chart.js 4 applies to tick labels and tooltips alike.
#include "bi/chart.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "detail/strings.hpp"

namespace bi {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

// A colour-blind-safe palette (Okabe–Ito), as rgba strings Chart.js accepts.
constexpr const char* palette[] = {"rgba(0,114,178,0.8)",  "rgba(230,159,0,0.8)",  "rgba(0,158,115,0.8)",
                                   "rgba(204,121,167,0.8)", "rgba(86,180,233,0.8)", "rgba(213,94,0,0.8)",
                                   "rgba(240,228,66,0.8)",  "rgba(0,0,0,0.6)"};
constexpr size_t palette_size = sizeof(palette) / sizeof(palette[0]);
constexpr size_t max_points = 100;

/// Colour `i` of `n`: the palette while it lasts, else hues spread evenly round the wheel, so
/// a doughnut of 15 slices or 11 stacked series never repeats a colour.
std::string colour(size_t i, size_t n) {
    if (n <= palette_size) return palette[i % palette_size];
    return fmt::format("hsla({},65%,50%,0.8)", (i * 360 / n + 200) % 360);
}

std::string label_text(const value& v) {
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&v)) return fmt::format("{}", *d);
    return is_null(v) ? "(none)" : "(blob)";
}

void write_number(json_writer& w, const value& v) {
    if (auto i = std::get_if<std::int64_t>(&v)) w.Int64(*i);
    else if (auto d = std::get_if<double>(&v); d && std::isfinite(*d)) w.Double(*d);
    else w.Null();
}

void write_title(json_writer& w, std::string_view title) {
    w.Key("title");
    w.StartObject();
    w.Key("display"); w.Bool(true);
    w.Key("text"); w.String(title.data(), static_cast<rapidjson::SizeType>(title.size()));
    w.EndObject();
}

std::string unit_of(const std::map<std::string, std::string>& units, const std::string& column) {
    auto it = units.find(column);
    return it == units.end() ? std::string() : it->second;
}

/// The largest magnitude among `rows[column]`, to choose between whole and compact figures.
double largest(const table& rows, int column) {
    double m = 0;
    if (column < 0) return m;
    for (auto& row : rows.rows)
        if (is_number(row[column]) && std::isfinite(as_double(row[column]))) m = std::max(m, std::abs(as_double(row[column])));
    return m;
}

/// `ticks.format` for a measure column: Intl.NumberFormat options by unit. Minimum and maximum
/// fraction digits are always given together: Chart.js merges these over its own minimum, and
/// Intl throws when the minimum exceeds the maximum.
void write_number_format(json_writer& w, const std::string& unit, double magnitude) {
    w.Key("format");
    w.StartObject();
    int max_digits = 2;
    if (unit == "usd") {
        w.Key("style"); w.String("currency");
        w.Key("currency"); w.String("USD");
        if (magnitude >= 100000) {
            w.Key("notation"); w.String("compact");
            max_digits = 1;
        } else {
            max_digits = magnitude >= 1000 ? 0 : 2;
        }
    } else if (unit == "percent") {
        w.Key("style"); w.String("unit");
        w.Key("unit"); w.String("percent");
        max_digits = 1;
    } else if (unit == "days") {
        w.Key("style"); w.String("unit");
        w.Key("unit"); w.String("day");
        w.Key("unitDisplay"); w.String("long");
        max_digits = 1;
    } else if (unit == "count") {
        max_digits = 0;
    }
    w.Key("minimumFractionDigits"); w.Int(0);
    w.Key("maximumFractionDigits"); w.Int(max_digits);
    w.EndObject();
}

struct axis {
    std::string title;
    bool stacked = false;
    bool begin_at_zero = false;
    bool numeric = false;       ///< a value axis: gets a number format
    std::string unit;
    double magnitude = 0;
};

void write_axis(json_writer& w, const char* name, const axis& a) {
    w.Key(name);
    w.StartObject();
    if (a.stacked) { w.Key("stacked"); w.Bool(true); }
    if (a.begin_at_zero) { w.Key("beginAtZero"); w.Bool(true); }
    w.Key("title");
    w.StartObject();
    w.Key("display"); w.Bool(!a.title.empty());
    w.Key("text"); w.String(a.title);
    w.EndObject();
    if (a.numeric) {
        w.Key("ticks");
        w.StartObject();
        write_number_format(w, a.unit, a.magnitude);
        w.EndObject();
    }
    w.EndObject();
}

axis value_axis(const table& rows, int column, const std::map<std::string, std::string>& units) {
    axis a;
    a.numeric = true;
    if (column < 0) return a;
    a.title = measure_title(rows.columns[column], units);
    a.unit = unit_of(units, rows.columns[column]);
    a.magnitude = largest(rows, column);
    return a;
}

}  // namespace

std::string measure_title(std::string_view column, const std::map<std::string, std::string>& units) {
    auto unit = unit_of(units, std::string(column));
    std::string name(column);
    auto strip_last = [&](std::string_view word) {
        auto suffix = "_" + std::string(word);
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            name.resize(name.size() - suffix.size());
    };
    if (unit == "percent") strip_last("pct");
    if (unit == "days") strip_last("days");
    auto title = humanize(name);
    if (unit == "usd") return title + " ($)";
    if (unit == "percent") return title + " (%)";
    if (unit == "days" && name.find("days") == std::string::npos) return title + " (days)";
    return title;
}

std::string humanize(std::string_view column) {
    // Initialisms read as such: "kpi" → "KPI", "fi_deals" → "F&I deals".
    static const std::map<std::string, std::string, std::less<>> initialisms = {
        {"ac", "AC"}, {"ceo", "CEO"}, {"fi", "F&I"}, {"id", "ID"}, {"kpi", "KPI"}, {"kpis", "KPIs"}, {"msrp", "MSRP"}};
    std::string out;
    size_t start = 0;
    while (start <= column.size()) {
        auto end = column.find('_', start);
        auto word = column.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!out.empty()) out += ' ';
        if (auto it = initialisms.find(word); it != initialisms.end()) out += it->second;
        else out += word;
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
}

std::string chart_config(const chart_spec& spec, const table& rows, std::string_view title,
                         const std::map<std::string, std::string>& units) {
    rapidjson::StringBuffer buffer;
    json_writer w(buffer);
    int label_i = rows.index_of(spec.label);
    int series_i = spec.series.empty() ? -1 : rows.index_of(spec.series);
    std::vector<int> value_i;
    for (auto& v : spec.values)
        if (int i = rows.index_of(v); i >= 0) value_i.push_back(i);

    bool point_chart = spec.type == "bubble" || spec.type == "scatter";
    bool round_chart = spec.type == "doughnut" || spec.type == "pie";
    bool horizontal = spec.type == "horizontal_bar";
    bool stacked = spec.type == "stacked_bar";
    std::string type = spec.type;
    if (horizontal || stacked) type = "bar";

    // Labels in row order (rows are already sorted); with a series, one dataset per series value.
    std::vector<std::string> labels;
    std::map<std::string, size_t> label_pos;
    std::vector<std::string> series;
    std::map<std::string, size_t> series_pos;
    for (auto& row : rows.rows) {
        auto l = label_i >= 0 ? label_text(row[label_i]) : std::string();
        if (!label_pos.count(l) && labels.size() < max_points) {
            label_pos[l] = labels.size();
            labels.push_back(l);
        }
        if (series_i >= 0) {
            auto s = label_text(row[series_i]);
            if (!series_pos.count(s)) {
                series_pos[s] = series.size();
                series.push_back(s);
            }
        }
    }
    std::sort(series.begin(), series.end());
    for (size_t i = 0; i < series.size(); ++i) series_pos[series[i]] = i;

    // Point charts plot the measures against each other: x, y and (bubble) the radius. A
    // scatter of one measure plots it against the label column, when that is numeric.
    int x_i = -1, y_i = -1, r_i = -1;
    if (point_chart) {
        if (value_i.size() >= 2) {
            x_i = value_i[0];
            y_i = value_i[1];
        } else if (value_i.size() == 1) {
            x_i = label_i;
            y_i = value_i[0];
        }
        if (type == "bubble" && value_i.size() >= 3) r_i = value_i[2];
    }
    double r_max = largest(rows, r_i);

    w.StartObject();
    w.Key("type"); w.String(type);
    w.Key("data");
    w.StartObject();
    w.Key("labels");
    w.StartArray();
    if (!point_chart)
        for (auto& l : labels) w.String(l);
    w.EndArray();
    w.Key("datasets");
    w.StartArray();
    if (point_chart) {
        // One dataset per point, so the legend and tooltips name each one.
        size_t n = std::min(rows.rows.size(), max_points);
        for (size_t k = 0; k < n; ++k) {
            auto& row = rows.rows[k];
            w.StartObject();
            w.Key("label"); w.String(label_i >= 0 ? label_text(row[label_i]) : std::string());
            w.Key("data");
            w.StartArray();
            w.StartObject();
            w.Key("x"); write_number(w, x_i >= 0 ? row[x_i] : value{});
            w.Key("y"); write_number(w, y_i >= 0 ? row[y_i] : value{});
            if (type == "bubble") {
                // Radius in pixels: area proportional to the measure, 4..24 px.
                double r = 10;
                if (r_i >= 0 && r_max > 0) r = 4 + 20 * std::sqrt(std::abs(as_double(row[r_i])) / r_max);
                w.Key("r"); w.Double(std::round(r * 10) / 10);
            }
            w.EndObject();
            w.EndArray();
            w.Key("backgroundColor"); w.String(colour(k, n));
            w.Key("borderColor"); w.String(colour(k, n));
            w.EndObject();
        }
    } else if (series_i >= 0 && !value_i.empty()) {
        int v = value_i[0];
        std::vector<std::vector<value>> grid(series.size(), std::vector<value>(labels.size()));
        for (auto& row : rows.rows) {
            auto l = label_pos.find(label_text(row[label_i]));
            if (l == label_pos.end()) continue;
            grid[series_pos[label_text(row[series_i])]][l->second] = row[v];
        }
        for (size_t s = 0; s < series.size(); ++s) {
            w.StartObject();
            w.Key("label"); w.String(series[s]);
            w.Key("data");
            w.StartArray();
            for (auto& cell : grid[s]) write_number(w, cell);
            w.EndArray();
            w.Key("backgroundColor"); w.String(colour(s, series.size()));
            w.Key("borderColor"); w.String(colour(s, series.size()));
            if (type == "line") { w.Key("fill"); w.Bool(false); w.Key("tension"); w.Double(0.2); }
            w.EndObject();
        }
    } else {
        for (size_t k = 0; k < value_i.size(); ++k) {
            int v = value_i[k];
            w.StartObject();
            w.Key("label"); w.String(measure_title(rows.columns[v], units));
            w.Key("data");
            w.StartArray();
            std::map<std::string, bool> seen;
            for (auto& row : rows.rows) {
                auto l = label_i >= 0 ? label_text(row[label_i]) : std::string();
                if (!label_pos.count(l) || seen[l]) continue;
                seen[l] = true;
                write_number(w, row[v]);
            }
            w.EndArray();
            if (round_chart) {
                w.Key("backgroundColor");
                w.StartArray();
                for (size_t i = 0; i < labels.size(); ++i) w.String(colour(i, labels.size()));
                w.EndArray();
            } else {
                w.Key("backgroundColor"); w.String(colour(k, value_i.size()));
                w.Key("borderColor"); w.String(colour(k, value_i.size()));
            }
            if (type == "line") { w.Key("fill"); w.Bool(false); w.Key("tension"); w.Double(0.2); }
            w.EndObject();
        }
    }
    w.EndArray();
    w.EndObject();

    w.Key("options");
    w.StartObject();
    w.Key("responsive"); w.Bool(true);
    if (horizontal) { w.Key("indexAxis"); w.String("y"); }
    w.Key("plugins");
    w.StartObject();
    write_title(w, title);
    w.Key("legend");
    w.StartObject();
    w.Key("display");
    w.Bool(round_chart || series.size() > 1 || value_i.size() > 1 || point_chart);
    if (round_chart) { w.Key("position"); w.String("right"); }
    w.EndObject();
    w.EndObject();
    if (!round_chart) {
        w.Key("scales");
        w.StartObject();
        axis category;
        category.title = humanize(spec.label);
        category.stacked = stacked;
        axis values = value_axis(rows, value_i.empty() ? -1 : value_i[0], units);
        values.stacked = stacked;
        if (value_i.size() > 1 && series_i < 0) {
            // Several measures share the axis: name what they have in common, not the first.
            static const std::map<std::string, std::string> unit_titles = {
                {"usd", "US dollars"}, {"percent", "Percent"}, {"days", "Days"}, {"count", "Count"}};
            std::string shared = unit_of(units, rows.columns[value_i[0]]);
            for (int v : value_i)
                if (unit_of(units, rows.columns[v]) != shared) shared.clear();
            auto named = unit_titles.find(shared);
            if (named != unit_titles.end()) {
                values.title = named->second;
            } else {
                values.title.clear();
                for (int v : value_i) values.title += (values.title.empty() ? "" : " / ") + measure_title(rows.columns[v], units);
            }
        }
        values.begin_at_zero = true;
        if (point_chart) {
            axis x = x_i == label_i ? axis{humanize(spec.label), false, false, true, "", largest(rows, x_i)}
                                    : value_axis(rows, x_i, units);
            write_axis(w, "x", x);
            write_axis(w, "y", value_axis(rows, y_i, units));
        } else if (horizontal) {
            write_axis(w, "x", values);
            write_axis(w, "y", category);
        } else {
            write_axis(w, "x", category);
            write_axis(w, "y", values);
        }
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return buffer.GetString();
}

std::string chart_config_for_shape(const table& rows, std::string_view title) {
    chart_spec spec;
    spec.type = "bar";
    for (size_t i = 0; i < rows.columns.size(); ++i) {
        auto& type = rows.types.size() > i ? rows.types[i] : std::string("null");
        bool numeric = type == "integer" || type == "real";
        if (rows.columns[i] == "rank") continue;  // a row's place, not a value to plot
        if (!numeric && spec.label.empty()) spec.label = rows.columns[i];
        else if (numeric) spec.values.push_back(rows.columns[i]);
    }
    // One row of numbers only (a total, "2025 vs 2026"): a bar for each number, named by its
    // column; a change in percent is left out beside the numbers it is a change of.
    if (spec.label.empty() && rows.rows.size() == 1 && spec.values.size() >= 2) {
        table bars;
        bars.columns = {"measure", "value"};
        bars.types = {"text", "real"};
        for (auto& v : spec.values) {
            auto lower = detail::lower_ascii(v);
            if (lower.size() > 4 && lower.compare(lower.size() - 4, 4, "_pct") == 0) continue;
            bars.rows.push_back({value(humanize(v)), rows.rows[0][static_cast<size_t>(rows.index_of(v))]});
        }
        chart_spec by_column;
        by_column.type = "bar";
        by_column.label = "measure";
        by_column.values = {"value"};
        return chart_config(by_column, bars, title);
    }
    if (spec.label.empty() && !spec.values.empty()) {
        spec.label = spec.values.front();
        spec.values.erase(spec.values.begin());
    }
    auto lower = detail::lower_ascii(spec.label);
    if (lower.find("month") != std::string::npos || lower.find("date") != std::string::npos ||
        lower.find("period") != std::string::npos || lower.find("day") != std::string::npos ||
        lower.find("week") != std::string::npos)
        spec.type = "line";
    if (spec.values.size() > 3) spec.values.resize(3);
    return chart_config(spec, rows, title);
}

}  // namespace bi
