// Answer shaping. Additive measures are re-summed over the grain columns a question does not
// keep; ratios are recomputed from their re-summed parts, because an average of percentages
// is not the percentage of the total.
#include "bi/shape.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "bi/error.hpp"
#include "detail/strings.hpp"

namespace bi {

bool value_matches(const value& cell, const value& wanted) {
    if (is_number(cell) && is_number(wanted)) return as_double(cell) == as_double(wanted);
    auto a = std::get_if<std::string>(&cell);
    if (!a) return false;
    if (auto b = std::get_if<std::string>(&wanted)) return detail::equal_ignoring_ascii_case(*a, *b);
    if (is_number(wanted)) {  // a year kept as text in a dump
        return *a == std::to_string(static_cast<std::int64_t>(as_double(wanted)));
    }
    return false;
}

namespace {

value add(const value& a, const value& b, aggregate how) {
    if (is_null(a)) return b;
    if (is_null(b)) return a;
    auto ia = std::get_if<std::int64_t>(&a);
    auto ib = std::get_if<std::int64_t>(&b);
    switch (how) {
        case aggregate::avg:  // cubes only; shape never re-aggregates one
        case aggregate::sum:
            if (ia && ib) return *ia + *ib;
            // Sums of cents pick up binary noise (0.35999998); four decimals keep every real digit.
            return std::round((as_double(a) + as_double(b)) * 1e4) / 1e4;
        case aggregate::min: return as_double(b) < as_double(a) ? b : a;
        case aggregate::max: return as_double(b) > as_double(a) ? b : a;
    }
    return a;
}

double round_to(double x, int digits) {
    double f = std::pow(10.0, digits);
    return std::round(x * f) / f;
}

value compute_ratio(const ratio_spec& r, const table& t, const std::vector<value>& row) {
    auto get = [&](const std::string& column) -> std::optional<double> {
        int i = t.index_of(column);
        if (i < 0 || is_null(row[i])) return std::nullopt;
        return as_double(row[i]);
    };
    auto num = get(r.numerator);
    auto den = get(r.denominator);
    if (!num || !den || *den == 0) return std::monostate{};
    double n = *num;
    if (!r.subtrahend.empty()) {
        auto sub = get(r.subtrahend);
        if (!sub) return std::monostate{};
        n -= *sub;
    }
    return round_to(n / *den * r.scale, r.round_digits);
}

/// -1, 0, 1 with NULLs after everything else whichever the direction.
int compare_cells(const value& a, const value& b) {
    if (is_null(a) || is_null(b)) return is_null(a) == is_null(b) ? 0 : 2;
    if (is_number(a) && is_number(b)) {
        double x = as_double(a), y = as_double(b);
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

shaped_answer shape_answer(const query_def& q, const table& in, const shape_request& request) {
    // 1. filter
    std::vector<std::pair<int, const value*>> tests;
    for (auto& f : request.filters) {
        int i = in.index_of(f.column);
        if (i < 0) throw error("dump of " + q.id() + " has no column '" + f.column + "'");
        tests.emplace_back(i, &f.wanted);
    }
    std::vector<const std::vector<value>*> kept;
    for (auto& row : in.rows) {
        bool ok = std::all_of(tests.begin(), tests.end(), [&](auto& t) { return value_matches(row[t.first], *t.second); });
        if (ok) kept.push_back(&row);
    }

    // 2. re-aggregate when the dump holds grain columns the answer does not show
    bool has_grain = std::any_of(in.columns.begin(), in.columns.end(), [&](auto& c) {
        return std::find(q.columns.begin(), q.columns.end(), c) == q.columns.end() && !q.measure(c) && !q.ratio(c);
    });
    table out;
    out.columns = q.columns;
    out.types.resize(out.columns.size(), "null");
    for (size_t i = 0; i < out.columns.size(); ++i) {
        int j = in.index_of(out.columns[i]);
        if (j < 0) throw error("dump of " + q.id() + " has no column '" + out.columns[i] + "'");
        out.types[i] = in.types.empty() ? "null" : in.types[j];
    }
    if (has_grain) {
        // The working row holds every input column; keys are the shown non-measure columns.
        std::vector<int> key_idx;
        for (auto& c : q.columns)
            if (!q.measure(c) && !q.ratio(c)) key_idx.push_back(in.index_of(c));
        std::vector<std::pair<int, aggregate>> measure_idx;
        for (auto& [column, how] : q.measures)
            if (int i = in.index_of(column); i >= 0) measure_idx.emplace_back(i, how);
        std::map<std::vector<value>, size_t> groups;
        std::vector<std::vector<value>> merged;
        std::vector<value> key;
        for (auto* row : kept) {
            key.clear();
            for (int i : key_idx) key.push_back((*row)[i]);
            auto it = groups.find(key);
            if (it == groups.end()) {
                groups.emplace(key, merged.size());
                merged.push_back(*row);
                continue;
            }
            auto& acc = merged[it->second];
            for (auto [i, how] : measure_idx) acc[i] = add(acc[i], (*row)[i], how);
        }
        for (auto& r : q.ratios) {
            int i = in.index_of(r.column);
            if (i < 0) continue;
            for (auto& row : merged) row[i] = compute_ratio(r, in, row);
        }
        for (auto& row : merged) {
            std::vector<value> projected;
            for (auto& c : q.columns) projected.push_back(std::move(row[in.index_of(c)]));
            out.rows.push_back(std::move(projected));
        }
    } else {
        std::vector<int> idx;
        for (auto& c : q.columns) idx.push_back(in.index_of(c));
        for (auto* row : kept) {
            std::vector<value> projected;
            for (int i : idx) projected.push_back((*row)[i]);
            out.rows.push_back(std::move(projected));
        }
    }

    // 3. sort by the query's default (possibly reversed), ties broken by the row's cells
    shaped_answer result;
    result.sort = q.sort;
    if (request.reverse)
        result.sort.direction = q.sort.direction == sort_direction::asc ? sort_direction::desc : sort_direction::asc;
    int s = out.index_of(result.sort.column);
    if (s >= 0) {
        bool desc = result.sort.direction == sort_direction::desc;
        std::stable_sort(out.rows.begin(), out.rows.end(), [&](auto& a, auto& b) {
            int c = compare_cells(a[s], b[s]);
            if (c == 2) return !is_null(a[s]);
            if (c != 0) return desc ? c > 0 : c < 0;
            for (size_t i = 0; i < a.size(); ++i) {
                int t = compare_cells(a[i], b[i]);
                if (t == 2) return !is_null(a[i]);
                if (t != 0) return t < 0;
            }
            return false;
        });
    }

    // 4. limit
    result.limit = request.limit ? request.limit : q.default_limit;
    result.rows_total = out.rows.size();
    if (result.limit && out.rows.size() > static_cast<size_t>(*result.limit)) out.rows.resize(*result.limit);
    result.rows = std::move(out);
    return result;
}

}  // namespace bi
