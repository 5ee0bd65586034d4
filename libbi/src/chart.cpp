// Chart.js configs. The output follows Chart.js 4's documented config shape: type, data.labels,
// data.datasets[].label/.data, options.plugins.title, and scales for the cartesian types.
#include "bi/chart.hpp"

#include <algorithm>
#include <cmath>
#include <map>

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

std::string label_text(const value& v) {
    if (auto s = std::get_if<std::string>(&v)) return *s;
    if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (auto d = std::get_if<double>(&v)) {
        auto s = std::to_string(*d);
        return s;
    }
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

void write_axis(json_writer& w, const char* axis, const std::string& text, bool stacked, bool begin_at_zero) {
    w.Key(axis);
    w.StartObject();
    if (stacked) { w.Key("stacked"); w.Bool(true); }
    if (begin_at_zero) { w.Key("beginAtZero"); w.Bool(true); }
    w.Key("title");
    w.StartObject();
    w.Key("display"); w.Bool(true);
    w.Key("text"); w.String(text);
    w.EndObject();
    w.EndObject();
}

std::string unit_suffix(const std::map<std::string, std::string>& units, const std::string& column) {
    auto it = units.find(column);
    if (it == units.end()) return {};
    if (it->second == "usd") return " ($)";
    if (it->second == "percent") return " (%)";
    if (it->second == "days") return " (days)";
    return {};
}

}  // namespace

std::string humanize(std::string_view column) {
    std::string out(column);
    for (auto& c : out)
        if (c == '_') c = ' ';
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
    std::string type = spec.type;
    if (type == "horizontal_bar" || type == "stacked_bar") type = "bar";
    if (type == "scatter" && value_i.size() > 1) type = "bubble";

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

    w.StartObject();
    w.Key("type"); w.String(type);
    w.Key("data");
    w.StartObject();
    w.Key("labels");
    w.StartArray();
    for (auto& l : labels) w.String(l);
    w.EndArray();
    w.Key("datasets");
    w.StartArray();
    if (point_chart) {
        // One dataset per point, so the legend and tooltips name each one.
        size_t n = 0;
        for (auto& row : rows.rows) {
            if (n >= max_points) break;
            w.StartObject();
            w.Key("label"); w.String(label_i >= 0 ? label_text(row[label_i]) : std::string());
            w.Key("data");
            w.StartArray();
            w.StartObject();
            w.Key("x");
            write_number(w, value_i.size() > 0 ? row[value_i[0]] : value{});
            w.Key("y");
            write_number(w, value_i.size() > 1 ? row[value_i[1]] : value{});
            if (type == "bubble") {
                w.Key("r");
                double r = value_i.size() > 2 ? as_double(row[value_i[2]]) : 8.0;
                w.Double(std::clamp(r, 3.0, 30.0));
            }
            w.EndObject();
            w.EndArray();
            w.Key("backgroundColor"); w.String(palette[n % palette_size]);
            w.EndObject();
            ++n;
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
            w.Key("backgroundColor"); w.String(palette[s % palette_size]);
            if (type == "line") { w.Key("borderColor"); w.String(palette[s % palette_size]); }
            w.EndObject();
        }
    } else {
        for (size_t k = 0; k < value_i.size(); ++k) {
            int v = value_i[k];
            w.StartObject();
            w.Key("label"); w.String(humanize(rows.columns[v]) + unit_suffix(units, rows.columns[v]));
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
                for (size_t i = 0; i < labels.size(); ++i) w.String(palette[i % palette_size]);
                w.EndArray();
            } else {
                w.Key("backgroundColor"); w.String(palette[k % palette_size]);
                w.Key("borderColor"); w.String(palette[k % palette_size]);
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
    if (spec.type == "horizontal_bar") { w.Key("indexAxis"); w.String("y"); }
    w.Key("plugins");
    w.StartObject();
    write_title(w, title);
    w.Key("legend");
    w.StartObject();
    w.Key("display");
    w.Bool(round_chart || series_i >= 0 || value_i.size() > 1 || point_chart);
    w.EndObject();
    w.EndObject();
    if (!round_chart) {
        w.Key("scales");
        w.StartObject();
        bool stacked = spec.type == "stacked_bar";
        std::string value_title = value_i.empty() ? std::string() : humanize(rows.columns[value_i[0]]) + unit_suffix(units, rows.columns[value_i[0]]);
        if (point_chart) {
            write_axis(w, "x", value_title, false, false);
            write_axis(w, "y", value_i.size() > 1 ? humanize(rows.columns[value_i[1]]) + unit_suffix(units, rows.columns[value_i[1]]) : std::string(), false, false);
        } else if (spec.type == "horizontal_bar") {
            write_axis(w, "x", value_title, stacked, true);
            write_axis(w, "y", humanize(spec.label), stacked, false);
        } else {
            write_axis(w, "x", humanize(spec.label), stacked, false);
            write_axis(w, "y", value_title, stacked, true);
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
        if (!numeric && spec.label.empty()) spec.label = rows.columns[i];
        else if (numeric) spec.values.push_back(rows.columns[i]);
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
