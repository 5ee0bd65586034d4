// The planner and the roll-up. What can be answered from a cube, and how:
//
//  1. Every measure the question names, ranks by or puts a condition on must be known to the
//     model; a derived measure needs all of its leaf measures.
//  2. A cube answers a leaf measure when it holds that measure and every dimension the
//     question breaks down by, filters on or ranks within, as a column.
//  3. Time: a daily breakdown, or a period that starts or ends inside a month, needs a cube
//     whose grain is the day; a monthly, quarterly or yearly breakdown or period needs one of
//     month or day. A cube without a time grain answers no question that names a period.
//     A period wholly outside the months the cubes hold has no data: not answered (not zeros).
//  4. Leaf measures roll up by their aggregate: sum, min, max, or avg (the mean over the cube's
//     rows, whose grain is the facts' own). Derived measures are recomputed from the rolled-up
//     leaves, never averaged. A product of two measures (daily usage × lead time) is answered
//     only where each answer row is one cube row: a product of totals is no total of products.
//  5. A snapshot measure (stock on hand) has no history: no period or time breakdown.
//  6. A measure declared `per` a dimension (a KPI's actual) is never combined across that
//     dimension's values: the question must break down by it or name one value.
//  7. One cube holding every leaf is preferred, the smallest first; otherwise each leaf comes
//     from the smallest cube that answers it and the parts are joined on the answer's keys.
//  8. Anything else is not answered: the reason names what is missing.
#include "bi/planner.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "bi/error.hpp"
#include "detail/strings.hpp"

namespace bi {

namespace {

/// "year" in "the best month in each year": ranking within a coarser time bucket, not a dimension.
bool is_time_name(std::string_view s) { return s == "day" || s == "month" || s == "quarter" || s == "year"; }

/// "change" and "change_pct": the columns a comparison of periods adds, which a question may rank by.
bool is_change_column(const semantic_query& q, std::string_view m) {
    return q.compare.size() >= 2 && !q.measures.empty() && (m == "change" || m == "change_pct");
}

std::string nice(std::string s) {
    for (auto& c : s)
        if (c == '_') c = ' ';
    return s;
}

std::string join(const std::vector<std::string>& list, std::string_view last_sep = " and ") {
    std::string out;
    for (size_t i = 0; i < list.size(); ++i)
        out += (i == 0 ? "" : i + 1 == list.size() ? std::string(last_sep) : std::string(", ")) + nice(list[i]);
    return out;
}

/// Every measure the answer computes: shown, ranked by, or put a condition on. (A ranking by
/// "change" or "change_pct" between compared periods is computed from the shown measure.)
std::vector<std::string> measures_needed(const semantic_query& q) {
    std::vector<std::string> out = q.measures;
    auto add = [&](const std::string& m) {
        if (!m.empty() && std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    };
    if (!is_change_column(q, q.rank_measure)) add(q.rank_measure);
    for (auto& h : q.having) {
        add(h.measure);
        if (!h.other.empty()) add(h.other);
    }
    return out;
}

std::vector<std::string> dimensions_needed(const semantic_model& model, const semantic_query& q) {
    std::vector<std::string> out;
    auto add = [&](const std::string& d) {
        if (!d.empty() && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    };
    for (auto& d : q.group_by) add(d);
    for (auto& f : q.filters) add(f.dimension);
    if (!is_time_name(q.limit_per)) add(q.limit_per);
    if (!is_time_name(q.count_of)) add(q.count_of);
    if (!q.count_with.empty()) add(q.count_with);
    if (model.dimension(q.average_over)) add(q.average_over);
    return out;
}

/// The finest time grain the question needs: "" none, "month", or "day".
std::string time_needed(const semantic_query& q) {
    bool days = q.grain == time_grain::day || (q.window && q.window->needs_days) ||
                std::any_of(q.compare.begin(), q.compare.end(), [](auto& p) { return p.needs_days; }) ||
                q.average_over == "day";
    if (days) return "day";
    bool months = q.grain != time_grain::none || q.window || !q.compare.empty() || q.average_over == "month" ||
                  q.average_over == "quarter" || q.average_over == "year" || is_time_name(q.count_of);
    return months ? "month" : "";
}

bool cube_answers(const cube_def& c, const std::string& leaf, const std::vector<std::string>& dims, const std::string& time) {
    if (!c.has_measure(leaf)) return false;
    for (auto& d : dims)
        if (!c.has_dimension(d)) return false;
    if (time == "day") return c.time == "day";
    if (time == "month") return c.time == "month" || c.time == "day";
    return true;
}

}  // namespace

plan_result make_plan(const semantic_model& model, const semantic_query& q) {
    plan_result r;
    auto needed = measures_needed(q);
    if (needed.empty()) {
        r.reason = "the question names nothing the model measures";
        return r;
    }
    std::vector<std::string> leaves;
    for (auto& name : needed) {
        if (!find_measure(model, q, name)) {
            if (name == q.count_column()) continue;
            r.reason = fmt::format("'{}' is not a measure of the model", name);
            return r;
        }
        for (auto& leaf : leaves_of(model, q, name))
            if (std::find(leaves.begin(), leaves.end(), leaf) == leaves.end()) leaves.push_back(leaf);
    }
    auto dims = dimensions_needed(model, q);
    auto time = time_needed(q);
    // Rule 5: snapshots have no history.
    for (auto& name : needed)
        if (auto* m = find_measure(model, q, name); m && m->snapshot && !time.empty()) {
            r.reason = fmt::format("{} is a snapshot of the stock today: it has no history by period", nice(name));
            return r;
        }
    // Rule 3: a period wholly outside the months the cubes hold has no data, not zero.
    std::vector<const period*> periods;
    if (q.window) periods.push_back(&*q.window);
    for (auto& p : q.compare) periods.push_back(&p);
    for (auto* p : periods)
        if (!model.first_period.empty() && (p->to.substr(0, 7) < model.first_period || p->from.substr(0, 7) > model.last_period)) {
            r.reason = fmt::format("there is no data for {}: the data runs from {} to {}", p->label, model.first_period, model.last_period);
            r.no_data = true;
            return r;
        }
    // Rule 6: measures never combined across a dimension.
    for (auto& name : needed) {
        auto* m = find_measure(model, q, name);
        if (!m) continue;
        for (auto& d : m->per) {
            bool grouped = std::find(q.group_by.begin(), q.group_by.end(), d) != q.group_by.end() || q.limit_per == d ||
                           q.count_of == d;
            bool one = std::any_of(q.filters.begin(), q.filters.end(),
                                   [&](auto& f) { return f.dimension == d && !f.exclude && f.values.size() == 1; });
            if (!grouped && !one) {
                r.reason = fmt::format("{} is not added up across {}s: name one {} or ask by {}", nice(name), nice(d), nice(d), nice(d));
                return r;
            }
        }
    }
    // Rule 7: one cube for all, else the smallest cube per leaf.
    auto by_size = model.cubes;
    std::stable_sort(by_size.begin(), by_size.end(), [](auto& a, auto& b) { return a.rows < b.rows; });
    // Rule 4: a product of two measures ("daily usage times lead time") is one row's own: it
    // is answered only where each answer row is one of the cube's rows.
    auto one_row_each = [&](const cube_def& c) {
        return c.time.empty() && std::all_of(c.grain.begin(), c.grain.end(), [&](auto& d) {
                   return std::find(q.group_by.begin(), q.group_by.end(), d) != q.group_by.end() ||
                          std::any_of(q.filters.begin(), q.filters.end(),
                                      [&](auto& f) { return f.dimension == d && !f.exclude && f.values.size() == 1; });
               });
    };
    std::string product;
    for (auto& name : needed)
        if (auto* m = find_measure(model, q, name); m && m->is_derived() && m->derived.multiplies_measures()) product = name;
    for (auto& c : by_size)
        if (std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube_answers(c, l, dims, time); })) {
            if (!product.empty() && !one_row_each(c)) {
                r.reason = fmt::format("{} multiplies two measures: it is answered only by {}", nice(product), join(c.grain));
                return r;
            }
            r.chosen = plan{{{c.id, leaves}}};
            return r;
        }
    if (!product.empty()) {
        r.reason = fmt::format("{} multiplies two measures: no one pre-computed table holds both", nice(product));
        return r;
    }
    plan p;
    std::vector<std::string> missing;
    for (auto& leaf : leaves) {
        auto c = std::find_if(by_size.begin(), by_size.end(), [&](auto& c) { return cube_answers(c, leaf, dims, time); });
        // Rule 7b: the whole a filtered subset is taken of is not filtered ("GAP contracts as a %
        // of cars sold": cars, whatever their product) where the filter's dimension is one only
        // the subset's facts have (subset_of) and the answer is not broken down by it
        std::vector<std::string> unfiltered, rest = dims;
        for (auto& f : q.filters) {
            bool grouped = std::find(q.group_by.begin(), q.group_by.end(), f.dimension) != q.group_by.end();
            bool subset_has = std::any_of(leaves.begin(), leaves.end(), [&](auto& s) {
                auto* sm = model.measure(s);
                return sm && sm->subset_of == leaf &&
                       std::any_of(by_size.begin(), by_size.end(), [&](auto& sc) { return sc.has_measure(s) && sc.has_dimension(f.dimension); });
            });
            bool whole_has = std::any_of(by_size.begin(), by_size.end(), [&](auto& wc) { return wc.has_measure(leaf) && wc.has_dimension(f.dimension); });
            if (!grouped && subset_has && !whole_has && q.limit_per != f.dimension) {
                unfiltered.push_back(f.dimension);
                rest.erase(std::remove(rest.begin(), rest.end(), f.dimension), rest.end());
            }
        }
        if (c == by_size.end() && !unfiltered.empty())
            c = std::find_if(by_size.begin(), by_size.end(), [&](auto& c) { return cube_answers(c, leaf, rest, time); });
        else
            unfiltered.clear();
        if (c == by_size.end()) {
            missing.push_back(leaf);
            continue;
        }
        auto part = std::find_if(p.parts.begin(), p.parts.end(), [&](auto& x) { return x.cube == c->id && x.unfiltered == unfiltered; });
        if (part == p.parts.end()) p.parts.push_back({c->id, {leaf}, unfiltered});
        else part->leaves.push_back(leaf);
    }
    if (missing.empty()) {
        r.chosen = std::move(p);
        return r;
    }
    // Rule 8: say what is missing, in the question's terms.
    std::vector<std::string> what;
    for (auto& name : needed) {
        for (auto& leaf : leaves_of(model, q, name))
            if (std::find(missing.begin(), missing.end(), leaf) != missing.end()) {
                what.push_back(name);
                break;
            }
    }
    std::string by = dims.empty() ? "" : " by " + join(dims);
    if (time == "day") by += (by.empty() ? " by " : " and by ") + std::string("day");
    else if (time == "month" && std::none_of(by_size.begin(), by_size.end(), [&](auto& c) {
                 return std::all_of(missing.begin(), missing.end(), [&](auto& l) { return cube_answers(c, l, dims, ""); });
             }) == false)
        by += " over time";
    r.reason = fmt::format("no pre-computed data has {}{}", join(what), by);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Roll-up

namespace {

struct accumulator {
    double sum = 0, min = 0, max = 0;
    std::int64_t count = 0;
    bool integral = true;
    void add(const value& v) {
        if (!is_number(v)) return;
        double x = as_double(v);
        integral = integral && std::holds_alternative<std::int64_t>(v);
        if (count == 0) min = max = x;
        sum += x;
        min = std::min(min, x);
        max = std::max(max, x);
        ++count;
    }
    std::optional<double> get(aggregate how) const {
        if (count == 0) return std::nullopt;
        switch (how) {
            case aggregate::sum: return sum;
            case aggregate::min: return min;
            case aggregate::max: return max;
            case aggregate::avg: return sum / static_cast<double>(count);
        }
        return sum;
    }
};

using key_t = std::vector<std::string>;

/// The bucket a cube row's time falls in at `grain`: "2025-03", "2025-Q1", "2025", "2025-03-14".
std::string bucket(const std::string& t, std::string_view grain) {
    if (t.size() > 5 && t[5] == 'Q') return grain == "year" ? t.substr(0, 4) : t;  // a quarter already ("2025-Q3")
    if (grain == "day") return t;
    if (grain == "month") return t.substr(0, 7);
    if (grain == "quarter") return fmt::format("{}-Q{}", t.substr(0, 4), (std::atoi(t.substr(5, 2).c_str()) - 1) / 3 + 1);
    if (grain == "year") return t.substr(0, 4);
    return "";
}

/// Whether a cube row's time lies inside a period: a month lies inside when all of it does.
/// The planner sends a period that starts or ends inside a month to a daily cube, except one
/// cut at today, after which there is no data: so a month is inside when its first day is.
bool inside(const std::string& t, const period& p) {
    if (t.size() >= 10) return t >= p.from && t <= p.to;
    auto first = t + "-01";
    return first >= p.from && first <= p.to;
}

/// The first day of the `grain` bucket before the one `from` (YYYY-MM-DD, a bucket's first
/// day) starts: the row a change from the period before needs.
std::optional<std::string> bucket_before(const std::string& from, std::string_view grain) {
    int y = std::atoi(from.substr(0, 4).c_str()), m = std::atoi(from.substr(5, 2).c_str());
    if (from.size() != 10 || from.substr(8) != "01") return std::nullopt;
    int back = grain == "month" ? 1 : grain == "quarter" ? 3 : grain == "year" ? 12 : 0;
    if (!back || (grain == "quarter" && (m - 1) % 3) || (grain == "year" && m != 1)) return std::nullopt;
    int months = y * 12 + (m - 1) - back;
    return fmt::format("{:04}-{:02}-01", months / 12, months % 12 + 1);
}

bool text_equal(const value& cell, const std::string& wanted) {
    auto s = std::get_if<std::string>(&cell);
    return s && detail::equal_ignoring_ascii_case(*s, wanted);
}

struct rolled {
    std::map<key_t, std::map<std::string, accumulator>> groups;
};

/// One pass over the plan's cubes: keep the rows the filters and periods allow, and
/// accumulate each leaf per key. `skip_filter` leaves one dimension's filter out (a share's whole).
rolled accumulate(const semantic_model& model, const semantic_query& q, const plan& p,
                  const std::function<const table&(const std::string&)>& rows_of, const std::string& time_grain_name,
                  const std::string& average_bucket, const std::string& skip_filter) {
    rolled out;
    for (auto& part : p.parts) {
        auto cube = std::find_if(model.cubes.begin(), model.cubes.end(), [&](auto& c) { return c.id == part.cube; });
        const table& t = rows_of(part.cube);
        auto col = [&](const std::string& name) {
            int i = t.index_of(name);
            if (i < 0) throw error(fmt::format("the dump of {} has no column '{}' (run bi-dump)", part.cube, name));
            return static_cast<size_t>(i);
        };
        std::vector<size_t> group_cols;
        for (auto& d : q.group_by) group_cols.push_back(col(d));
        std::optional<size_t> per_col;
        if (!q.limit_per.empty() && !is_time_name(q.limit_per) &&
            std::find(q.group_by.begin(), q.group_by.end(), q.limit_per) == q.group_by.end())
            per_col = col(q.limit_per);
        std::optional<size_t> time_col;
        if (!cube->time.empty()) time_col = col(cube->time);
        std::optional<size_t> avg_dim_col;
        if (model.dimension(average_bucket)) avg_dim_col = col(average_bucket);
        std::vector<std::pair<size_t, const dimension_filter*>> filters;
        for (auto& f : q.filters)
            if (f.dimension != skip_filter && std::find(part.unfiltered.begin(), part.unfiltered.end(), f.dimension) == part.unfiltered.end())
                filters.emplace_back(col(f.dimension), &f);
        std::vector<std::pair<size_t, std::string>> leaves;
        for (auto& l : part.leaves) leaves.emplace_back(col(l), l);
        for (auto& row : t.rows) {
            bool keep = true;
            for (auto& [column, f] : filters) {
                const auto& cell = row[column];
                bool any = std::any_of(f->values.begin(), f->values.end(), [&](auto& v) { return text_equal(cell, v); });
                if (any == f->exclude) { keep = false; break; }
            }
            if (!keep) continue;
            std::string when;
            if (time_col)
                if (auto s = std::get_if<std::string>(&row[*time_col])) when = *s;
            if (q.window && !inside(when, *q.window)) continue;
            key_t key;
            key.reserve(group_cols.size() + 3);
            for (auto c : group_cols) {
                auto s = std::get_if<std::string>(&row[c]);
                key.push_back(s ? *s : "");
            }
            if (per_col) {
                auto s = std::get_if<std::string>(&row[*per_col]);
                key.push_back(s ? *s : "");
            }
            if (!time_grain_name.empty()) key.push_back(bucket(when, time_grain_name));
            if (!q.compare.empty()) {
                size_t k = 0;
                while (k < q.compare.size() && !inside(when, q.compare[k])) ++k;
                if (k == q.compare.size()) continue;
                key.push_back(std::to_string(k));
            }
            if (avg_dim_col) {
                auto s = std::get_if<std::string>(&row[*avg_dim_col]);
                key.push_back(s ? *s : "");
            } else if (!average_bucket.empty()) {
                key.push_back(bucket(when, average_bucket));
            }
            auto& g = out.groups[key];
            for (auto& [c, l] : leaves) g[l].add(row[c]);
        }
    }
    return out;
}

double round_to(double x, int digits) {
    double f = std::pow(10.0, digits);
    return std::round(x * f) / f;
}

}  // namespace

bool fills_empty_groups(const semantic_model& model, const semantic_query& q) {
    if (q.group_by.size() != 1 || q.grain != time_grain::none || !q.compare.empty() || !q.limit_per.empty() ||
        !q.average_over.empty() || q.share || !q.count_of.empty())
        return false;
    bool none = std::any_of(q.having.begin(), q.having.end(), [](auto& h) { return h.column.empty() && h.other.empty() && h.op == "=" && h.value == 0; });
    if (!none) return false;
    // a group with no facts is 0 only for a sum of facts; a ratio of nothing is no number
    auto needed = measures_needed(q);
    return std::all_of(needed.begin(), needed.end(), [&](auto& name) {
        auto* m = model.measure(name);
        return m && !m->is_derived() && *m->how == aggregate::sum;
    });
}

namespace {

/// The values a group may take when nothing happened in it: every value of the dimension in
/// the cubes, or, when a filter names something each value belongs to ("Northeast dealers"),
/// the values the first cube's rows put there. A filter on something that happened (a model
/// sold, a period) does not narrow the values: those are what the rows with none lack.
std::set<std::string> possible_members(const semantic_model& model, const semantic_query& q, const plan& p,
                                       const std::function<const table&(const std::string&)>& rows_of) {
    const auto& g = q.group_by.front();
    const table& t = rows_of(p.parts.front().cube);
    int gc = t.index_of(g);
    std::set<std::string> members;
    if (auto v = model.values.find(g); v != model.values.end()) members.insert(v->second.begin(), v->second.end());
    if (gc < 0) return members;
    auto text = [](const value& cell) {
        auto s = std::get_if<std::string>(&cell);
        return s ? *s : std::string();
    };
    for (auto& f : q.filters) {
        auto matches = [&](const std::string& cell) {
            bool any = std::any_of(f.values.begin(), f.values.end(), [&](auto& v) { return detail::equal_ignoring_ascii_case(cell, v); });
            return any != f.exclude;
        };
        if (f.dimension == g) {
            std::erase_if(members, [&](auto& m) { return !matches(m); });
            continue;
        }
        int fc = t.index_of(f.dimension);
        if (fc < 0) continue;
        // an attribute of the group when every value of the group has one value of it
        std::map<std::string, std::string> of;
        bool attribute = true;
        for (auto& row : t.rows) {
            auto key = text(row[static_cast<size_t>(gc)]);
            auto val = text(row[static_cast<size_t>(fc)]);
            auto [it, added] = of.emplace(key, val);
            if (!added && it->second != val) { attribute = false; break; }
        }
        if (!attribute) continue;
        std::erase_if(members, [&](auto& m) {
            auto it = of.find(m);
            return it == of.end() || !matches(it->second);
        });
    }
    return members;
}

/// "How many dealers sold more than 500 cars": each dealer's row first, then the dealers counted
/// per row of the answer.
rolled_answer count_members(const semantic_model& model, const semantic_query& q, const plan& p,
                            const std::function<const table&(const std::string&)>& rows_of) {
    semantic_query each = q;
    each.count_of.clear();
    // "in how many months…": each month's row, counted
    if (is_time_name(q.count_of)) each.grain = q.count_of == "month" ? time_grain::month : q.count_of == "quarter" ? time_grain::quarter : time_grain::year;
    else {
        each.group_by.push_back(q.count_of);
        if (!q.count_with.empty()) each.group_by.push_back(q.count_with);  // the pairs
        // two members of one name are two: Portland, OR and Portland, ME
        auto* d = model.dimension(q.count_of);
        if (d && !d->qualified_by.empty() && std::find(each.group_by.begin(), each.group_by.end(), d->qualified_by) == each.group_by.end())
            each.group_by.push_back(d->qualified_by);
    }
    each.rank_measure.clear();
    each.limit.reset();
    each.limit_per.clear();
    each.share = false;
    auto members = roll_up(model, each, p, rows_of);
    size_t keys = q.group_by.size() + (q.grain == time_grain::none ? 0 : 1);
    std::map<std::vector<value>, std::int64_t> counts;
    for (auto& row : members.rows.rows) {
        std::vector<value> key;
        for (size_t i = 0; i < q.group_by.size(); ++i) key.push_back(row[i]);
        if (q.grain != time_grain::none) key.push_back(row[each.group_by.size()]);
        ++counts[key];
    }
    if (counts.empty() && keys == 0) counts[{}] = 0;
    rolled_answer a;
    for (auto& d : q.group_by) a.rows.columns.push_back(d);
    if (q.grain != time_grain::none) a.rows.columns.emplace_back(to_string(q.grain));
    auto name = q.count_column();
    a.rows.columns.push_back(name);
    a.units[name] = "count";
    std::vector<std::pair<std::vector<value>, std::int64_t>> rows(counts.begin(), counts.end());
    bool ranked = !q.rank_measure.empty();
    a.sort_column = ranked || keys == 0 || q.grain == time_grain::none ? name : std::string(to_string(q.grain));
    a.direction = ranked ? q.direction : q.grain == time_grain::none ? sort_direction::desc : sort_direction::asc;
    if (a.sort_column == name)
        std::stable_sort(rows.begin(), rows.end(), [&](auto& x, auto& y) {
            return a.direction == sort_direction::desc ? x.second > y.second : x.second < y.second;
        });
    a.rows_total = rows.size();
    if (q.limit && rows.size() > static_cast<size_t>(*q.limit)) rows.resize(static_cast<size_t>(*q.limit));
    a.limit = q.limit;
    for (auto& [key, n] : rows) {
        auto row = key;
        row.emplace_back(n);
        a.rows.rows.push_back(std::move(row));
    }
    a.rows.types.assign(a.rows.columns.size(), "null");
    for (auto& row : a.rows.rows)
        for (size_t i = 0; i < row.size(); ++i) a.rows.types[i] = merge_type(a.rows.types[i], type_name(row[i]));
    return a;
}

}  // namespace

rolled_answer roll_up(const semantic_model& model, const semantic_query& q, const plan& p,
                      const std::function<const table&(const std::string&)>& rows_of) {
    if (!q.count_of.empty()) return count_members(model, q, p, rows_of);
    rolled_answer a;
    auto needed = measures_needed(q);
    std::string grain(to_string(q.grain));
    std::string average = q.average_over;
    // "monthly revenue growth in 2026": January's change is from December, so the month before
    // the period is rolled up too, and dropped once the changes are known
    const bool series_growth = q.growth && q.compare.empty() && !grain.empty();
    std::optional<std::string> first_shown;
    semantic_query widened = q;
    if (series_growth && q.window && grain != "day")
        if (auto before = bucket_before(q.window->from, grain)) {
            widened.window->from = *before;
            first_shown = bucket(q.window->from, grain);
        }
    auto r = accumulate(model, widened, p, rows_of, grain, average, "");

    // Values per key, then (for an average) per key without its last part.
    auto value_of = [&](const std::map<std::string, accumulator>& leaves, const std::string& name) -> std::optional<double> {
        std::function<std::optional<double>(const std::string&)> f = [&](const std::string& n) -> std::optional<double> {
            auto* m = find_measure(model, q, n);
            if (!m) return std::nullopt;
            if (!m->is_derived()) {
                auto it = leaves.find(n);
                return it == leaves.end() ? std::nullopt : it->second.get(*m->how);
            }
            return m->derived.eval(f);
        };
        return f(name);
    };
    std::map<key_t, std::map<std::string, std::optional<double>>> values;
    for (auto& [key, leaves] : r.groups)
        for (auto& m : needed) values[key][m] = value_of(leaves, m);
    if (!average.empty()) {
        std::map<key_t, std::map<std::string, std::pair<double, int>>> sums;
        for (auto& [key, vals] : values) {
            key_t k(key.begin(), key.end() - 1);
            for (auto& [m, v] : vals)
                if (v) { sums[k][m].first += *v; sums[k][m].second += 1; }
                else sums[k][m];
        }
        values.clear();
        for (auto& [k, ms] : sums)
            for (auto& [m, s] : ms)
                values[k][m] = s.second ? std::optional<double>(s.first / s.second) : std::nullopt;
    }
    // A key is the group values, [the limit_per value], [the time bucket], [the period index].
    const size_t n_group = q.group_by.size();
    const bool per_time = is_time_name(q.limit_per);
    const bool per_extra = !q.limit_per.empty() && !per_time &&
                           std::find(q.group_by.begin(), q.group_by.end(), q.limit_per) == q.group_by.end();
    const bool has_time = !grain.empty();

    // Columns.
    auto unit_of = [&](const std::string& m) {
        auto* d = find_measure(model, q, m);
        return d ? d->unit : std::string("number");
    };
    for (auto& d : q.group_by) a.rows.columns.push_back(d);
    if (per_extra) a.rows.columns.push_back(q.limit_per);
    // the bucket each row ranks in, unless it is the row's own ("top 3 models in each quarter")
    const bool bucket_column = per_time && has_time && q.limit_per != grain;
    if (bucket_column) a.rows.columns.push_back(q.limit_per);
    if (has_time) a.rows.columns.push_back(grain);
    // "the top 2 models in each region": each row's place in its group; "rank the dealers": each
    // row's place (not of a time series in time order)
    const bool places = q.places && q.limit_per.empty() && !q.together && !(q.rank_measure.empty() && has_time);
    const bool rank_column = !q.limit_per.empty() || places;
    if (rank_column) {
        a.rows.columns.push_back("rank");
        a.units["rank"] = "count";
    }
    struct measure_column {
        std::string measure;
        int period = -1;  // index into q.compare, or -1
    };
    std::vector<measure_column> mcols;
    if (q.compare.empty()) {
        for (auto& m : q.measures) mcols.push_back({m, -1});
        // "dealers that sold over 400 cars … fewer than 50% of them": the measures the rows were
        // kept by are shown beside the ones asked for
        for (auto& h : q.having)
            for (auto* m : {&h.measure, &h.other})
                if (h.column.empty() && !m->empty() && !is_change_column(q, *m) && find_measure(model, q, *m) &&
                    std::none_of(mcols.begin(), mcols.end(), [&](auto& c) { return c.measure == *m; }))
                    mcols.push_back({*m, -1});
    } else {
        for (auto& m : q.measures)
            for (size_t k = 0; k < q.compare.size(); ++k) mcols.push_back({m, static_cast<int>(k)});
    }
    for (auto& c : mcols) {
        std::string name = c.period < 0 ? c.measure : fmt::format("{} {}", c.measure, q.compare[static_cast<size_t>(c.period)].label);
        a.rows.columns.push_back(name);
        a.units[name] = unit_of(c.measure);
    }
    bool changes = !q.compare.empty() && q.compare.size() >= 2;
    if (changes) {
        a.rows.columns.push_back("change");
        a.units["change"] = unit_of(q.measures.front());
        a.rows.columns.push_back("change_pct");
        a.units["change_pct"] = "percent";
    }
    if (series_growth) {
        a.rows.columns.push_back("change_pct");
        a.units["change_pct"] = "percent";
    }
    if (q.share) {
        a.rows.columns.push_back("share_pct");
        a.units["share_pct"] = "percent";
    }
    for (auto& h : q.having)
        if (!h.column.empty()) a.rows.columns.push_back(h.column);

    // Rows: one per key without the period index.
    struct out_row {
        key_t key;
        std::map<std::pair<std::string, int>, std::optional<double>> v;  // (measure, period) → value
    };
    std::map<key_t, out_row> rows;
    for (auto& [key, vals] : values) {
        key_t k = key;
        int period = -1;
        if (!q.compare.empty()) {
            period = std::atoi(k.back().c_str());
            k.pop_back();
        }
        auto& row = rows[k];
        row.key = k;
        for (auto& [m, v] : vals) row.v[{m, period}] = v;
    }
    // "Which dealers sold no Granite": the values with no rows at all, at zero.
    if (fills_empty_groups(model, q))
        for (auto& member : possible_members(model, q, p, rows_of)) {
            key_t k{member};
            if (rows.count(k)) continue;
            auto& row = rows[k];
            row.key = k;
            for (auto& m : needed) row.v[{m, -1}] = 0.0;
        }
    // "did we sell any Granites at Hill Country this month? how many": a total over no facts is
    // zero (a sum), or no value (a ratio, an average)
    if (n_group == 0 && grain.empty() && rows.empty() && q.limit_per.empty() && q.count_of.empty()) {
        auto& row = rows[key_t{}];
        for (auto& m : q.measures) {
            auto* d = find_measure(model, q, m);
            bool sum = d && !d->is_derived() && d->how == aggregate::sum;
            if (q.compare.empty()) row.v[{m, -1}] = sum ? std::optional<double>(0.0) : std::nullopt;
            for (size_t k = 0; k < q.compare.size(); ++k) row.v[{m, static_cast<int>(k)}] = sum ? std::optional<double>(0.0) : std::nullopt;
        }
    }
    // Conditions on measures ("more than 600 sales", "off target"): on the row's own values;
    // with periods side by side, on the latest period's.
    auto measure_value = [&](const out_row& row, const std::string& m) -> std::optional<double> {
        if (is_change_column(q, m)) {  // the main measure's change from the first period to the last
            auto first = row.v.find({q.measures.front(), 0});
            auto last = row.v.find({q.measures.front(), static_cast<int>(q.compare.size()) - 1});
            if (first == row.v.end() || last == row.v.end() || !first->second || !last->second) return std::nullopt;
            if (m == "change") return *last->second - *first->second;
            if (*first->second == 0) return std::nullopt;
            return (*last->second - *first->second) / std::abs(*first->second) * 100;
        }
        int period = q.compare.empty() ? -1 : static_cast<int>(q.compare.size()) - 1;
        auto it = row.v.find({m, period});
        return it == row.v.end() ? std::nullopt : it->second;
    };
    auto meets = [&](const out_row& row, const measure_condition& h) -> std::optional<bool> {
        auto v = measure_value(row, h.measure);
        auto other = h.other.empty() ? std::optional<double>(h.value) : measure_value(row, h.other);
        if (!v || !other) return std::nullopt;
        double x = *v, y = *other;
        return h.op == ">" ? x > y : h.op == ">=" ? x >= y : h.op == "<" ? x < y : h.op == "<=" ? x <= y : std::abs(x - y) < 1e-9;
    };
    std::vector<out_row> kept;
    for (auto& entry : rows) {
        const out_row& row = entry.second;  // (a plain name: clang 14 lambdas capture no bindings)
        if (std::all_of(q.having.begin(), q.having.end(), [&](auto& h) { return !h.column.empty() || meets(row, h).value_or(false); }))
            kept.push_back(row);
    }

    // Shares: of the rows' total, or of the total without the filter that made the part (one
    // row; each period's; each row's where a breakdown is asked).
    std::optional<double> whole;
    std::map<std::string, double> whole_at;  // "EV share of units each month": each month's whole
    std::map<key_t, double> whole_of;        // "the Electrical system's share of warranty cost in each region": each row's
    if (q.share && !q.measures.empty()) {
        auto& m = q.measures.front();
        if (n_group > 0 && !q.share_dimension.empty() && !per_extra) {
            auto all = accumulate(model, q, p, rows_of, grain, "", q.share_dimension);
            for (auto& [key, leaves] : all.groups)
                if (auto v = value_of(leaves, m)) whole_of[key] += *v;
        } else if (n_group == 0 && has_time && !q.share_dimension.empty() && !per_extra) {
            auto all = accumulate(model, q, p, rows_of, grain, "", q.share_dimension);
            for (auto& [key, leaves] : all.groups)
                if (auto v = value_of(leaves, m); v && !key.empty()) whole_at[key.back()] += *v;
        } else if (n_group == 0 && !has_time && !q.share_dimension.empty()) {
            auto all = accumulate(model, q, p, rows_of, grain, "", q.share_dimension);
            double total = 0;
            for (auto& [key, leaves] : all.groups)
                if (auto v = value_of(leaves, m)) total += *v;
            whole = total;
        } else {
            double total = 0;
            for (auto& row : kept)
                if (auto v = measure_value(row, m)) total += *v;
            whole = total;
        }
    }

    // Sort: the ranking measure; a time series by time; otherwise the main measure, highest first.
    a.sort_column = q.rank_measure.empty() ? (has_time ? grain : (q.measures.empty() ? "" : q.measures.front())) : q.rank_measure;
    a.direction = q.rank_measure.empty() ? (has_time ? sort_direction::asc : sort_direction::desc) : q.direction;
    bool by_time = q.rank_measure.empty() && has_time;
    auto time_index = n_group + (per_extra ? 1 : 0);
    std::stable_sort(kept.begin(), kept.end(), [&](const out_row& x, const out_row& y) {
        if (by_time) {
            if (x.key[time_index] != y.key[time_index]) return x.key[time_index] < y.key[time_index];
            return x.key < y.key;
        }
        auto vx = measure_value(x, a.sort_column), vy = measure_value(y, a.sort_column);
        if (vx.has_value() != vy.has_value()) return vx.has_value();  // no value last
        if (vx && vy && *vx != *vy) return a.direction == sort_direction::desc ? *vx > *vy : *vx < *vy;
        return x.key < y.key;
    });
    // A series' change from each period to the one before, per group; then the period before
    // the one asked about, rolled up for its first change, is dropped.
    std::map<key_t, std::optional<double>> change_of;
    if (series_growth) {
        std::map<key_t, std::optional<double>> previous;
        auto ordered = kept;
        std::stable_sort(ordered.begin(), ordered.end(), [&](auto& x, auto& y) { return x.key[time_index] < y.key[time_index]; });
        for (auto& row : ordered) {
            key_t group = row.key;
            group.erase(group.begin() + static_cast<long>(time_index));
            auto v = measure_value(row, q.measures.front());
            auto& before = previous[group];
            change_of[row.key] = before && v && *before != 0 ? std::optional<double>((*v - *before) / std::abs(*before) * 100) : std::nullopt;
            before = v;
        }
        if (first_shown)
            kept.erase(std::remove_if(kept.begin(), kept.end(), [&](auto& row) { return row.key[time_index] < *first_shown; }), kept.end());
    }
    // Rank within a group: the first N of each value of limit_per; with places asked and no
    // groups, every row's place in the one list.
    std::map<key_t, int> rank_of;
    if (!q.limit_per.empty() || places) {
        size_t per_index = per_time    ? time_index
                           : per_extra ? n_group
                                       : static_cast<size_t>(std::find(q.group_by.begin(), q.group_by.end(), q.limit_per) - q.group_by.begin());
        // the group a row ranks in: its value, or for a time bucket the coarser one it lies in
        auto group_of = [&](const out_row& row) -> std::string {
            if (q.limit_per.empty()) return {};
            return per_time ? bucket(row.key[per_index], q.limit_per) : row.key[per_index];
        };
        std::map<std::string, int> taken;
        std::map<std::string, std::pair<std::optional<double>, int>> last;  // a group's last value and its rank
        std::vector<out_row> first;
        int n = q.limit_per.empty() ? INT_MAX : q.limit.value_or(q.rank_all ? INT_MAX : 1);
        for (auto& row : kept) {
            auto group = group_of(row);
            int place = ++taken[group];
            if (place > n) continue;
            // ties share a place, as SQL's RANK() gives it
            auto v = measure_value(row, a.sort_column);
            auto& [value, rank] = last[group];
            if (place == 1 || !v || !value || *v != *value) rank = place;
            value = v;
            rank_of[row.key] = rank;
            first.push_back(row);
        }
        std::stable_sort(first.begin(), first.end(), [&](auto& x, auto& y) { return group_of(x) < group_of(y); });
        kept = std::move(first);
    }
    a.rows_total = kept.size();
    if (q.limit && q.limit_per.empty() && kept.size() > static_cast<size_t>(*q.limit)) {
        kept.resize(static_cast<size_t>(*q.limit));
        a.limit = q.limit;
    } else if (q.limit && q.limit_per.empty()) {
        a.limit = q.limit;
    }
    // "the top 10 dealers' share, combined": the kept rows summed into one, without the
    // breakdown's column (the reader asks it only of sums with one group and no time)
    if (q.together && !kept.empty() && !has_time && !rank_column && !bucket_column && !changes && !series_growth) {
        out_row one{{}, {}};
        for (auto& row : kept)
            for (auto& [k, v] : row.v)
                if (v) one.v[k] = one.v[k].value_or(0) + *v;
        kept = {std::move(one)};
        a.rows.columns.erase(a.rows.columns.begin(), a.rows.columns.begin() + static_cast<std::ptrdiff_t>(n_group));
    }

    // Cells.
    auto cell = [&](std::optional<double> v, const std::string& unit) -> value {
        if (!v || !std::isfinite(*v)) return std::monostate{};
        if (unit == "count" && std::abs(*v - std::round(*v)) < 1e-9) return static_cast<std::int64_t>(std::llround(*v));
        return round_to(*v, 2);
    };
    for (auto& row : kept) {
        std::vector<value> out;
        for (size_t i = 0; i < row.key.size(); ++i) {
            if (bucket_column && i == time_index) {
                auto b = bucket(row.key[i], q.limit_per);
                if (q.limit_per == "year") out.emplace_back(static_cast<std::int64_t>(std::atoll(b.c_str())));
                else out.emplace_back(b);
            }
            bool year_col = has_time && i == time_index && grain == "year";
            if (year_col) out.emplace_back(static_cast<std::int64_t>(std::atoll(row.key[i].c_str())));
            else out.emplace_back(row.key[i]);
        }
        if (rank_column) out.emplace_back(static_cast<std::int64_t>(rank_of[row.key]));
        for (auto& c : mcols) {
            auto it = row.v.find({c.measure, c.period});
            out.push_back(cell(it == row.v.end() ? std::nullopt : it->second, unit_of(c.measure)));
        }
        if (changes) {
            auto& m = q.measures.front();
            auto first = row.v.find({m, 0}), last = row.v.find({m, static_cast<int>(q.compare.size()) - 1});
            std::optional<double> f = first == row.v.end() ? std::nullopt : first->second;
            std::optional<double> l = last == row.v.end() ? std::nullopt : last->second;
            out.push_back(cell(f && l ? std::optional<double>(*l - *f) : std::nullopt, unit_of(m)));
            out.push_back(cell(f && l && *f != 0 ? std::optional<double>((*l - *f) / std::abs(*f) * 100) : std::nullopt, "percent"));
        }
        if (series_growth) out.push_back(cell(change_of[row.key], "percent"));
        if (q.share) {
            auto v = measure_value(row, q.measures.front());
            std::optional<double> of = whole;
            if (!whole_at.empty()) {
                auto it = whole_at.find(row.key[time_index]);
                of = it == whole_at.end() ? std::nullopt : std::optional<double>(it->second);
            }
            if (!whole_of.empty()) {
                auto it = whole_of.find(row.key);
                of = it == whole_of.end() ? std::nullopt : std::optional<double>(it->second);
            }
            out.push_back(cell(v && of && *of != 0 ? std::optional<double>(*v / *of * 100) : std::nullopt, "percent"));
        }
        for (auto& h : q.having)
            if (!h.column.empty()) {
                auto yes = meets(row, h);
                out.push_back(yes ? value(std::string(*yes ? "yes" : "no")) : value(std::monostate{}));
            }
        a.rows.rows.push_back(std::move(out));
    }
    a.rows.types.assign(a.rows.columns.size(), "null");
    for (auto& row : a.rows.rows)
        for (size_t i = 0; i < row.size(); ++i) a.rows.types[i] = merge_type(a.rows.types[i], type_name(row[i]));
    return a;
}

}  // namespace bi
