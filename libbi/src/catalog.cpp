// The catalog loader: `-- key: value` headers then plain SQL. Every problem is reported as
// file:line so the person editing the catalog can go straight to it.
#include "bi/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/text.hpp"
#include "detail/strings.hpp"

namespace bi {

namespace fs = std::filesystem;
using detail::split_list;
using detail::trim;

std::string_view to_string(schedule s) {
    switch (s) {
        case schedule::daily: return "daily";
        case schedule::weekly: return "weekly";
        case schedule::monthly: return "monthly";
    }
    return "daily";
}

std::optional<schedule> parse_schedule(std::string_view text) {
    if (text == "daily") return schedule::daily;
    if (text == "weekly") return schedule::weekly;
    if (text == "monthly") return schedule::monthly;
    return std::nullopt;
}

const std::vector<std::string>& known_slots() {
    static const std::vector<std::string> slots = {"region", "model", "dealer", "plant",
                                                   "component", "kpi_category", "year"};
    return slots;
}

const std::string* query_def::slot_column(std::string_view slot) const {
    for (auto& [s, column] : slots)
        if (s == slot) return &column;
    return nullptr;
}

const aggregate* query_def::measure(std::string_view column) const {
    for (auto& [c, agg] : measures)
        if (c == column) return &agg;
    return nullptr;
}

const ratio_spec* query_def::ratio(std::string_view column) const {
    for (auto& r : ratios)
        if (r.column == column) return &r;
    return nullptr;
}

const query_def* catalog::find(std::string_view id_or_name) const {
    const query_def* found = nullptr;
    for (auto& q : queries) {
        if (q.id() == id_or_name) return &q;
        if (q.name != id_or_name) continue;
        // A bare name two categories share: taking the first would dump the wrong one.
        if (found)
            throw usage_error(fmt::format("query name '{}' is in both '{}' and '{}'; give category/name", id_or_name,
                                         found->file, q.file));
        found = &q;
    }
    return found;
}

std::vector<std::string> catalog::categories() const {
    std::vector<std::string> out;
    for (auto& q : queries)
        if (out.empty() || out.back() != q.category) out.push_back(q.category);
    return out;
}

namespace {

bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

struct header_parser {
    const std::string& file;
    int line;

    [[noreturn]] void fail(const std::string& what) const { throw parse_error(file, line, what); }

    std::string identifier(std::string_view s, std::string_view what) const {
        auto t = trim(s);
        if (!is_identifier(t)) fail(fmt::format("'{}' is not a valid {}", t, what));
        return std::string(t);
    }

    /// `a = b, c = d` pairs.
    std::vector<std::pair<std::string, std::string>> pairs(std::string_view value) const {
        std::vector<std::pair<std::string, std::string>> out;
        for (auto& item : split_list(value)) {
            auto eq = item.find('=');
            if (eq == std::string::npos) fail(fmt::format("expected 'name = value' in '{}'", item));
            out.emplace_back(identifier(std::string_view(item).substr(0, eq), "column name"),
                             std::string(trim(std::string_view(item).substr(eq + 1))));
        }
        return out;
    }

    ratio_spec ratio(std::string_view value) const {
        // column = numerator / denominator [* scale] [round N], numerator may be (a - b)
        ratio_spec r;
        auto eq = value.find('=');
        if (eq == std::string_view::npos) fail("ratio needs 'column = numerator / denominator'");
        r.column = identifier(value.substr(0, eq), "column name");
        std::string rest(trim(value.substr(eq + 1)));
        if (auto pos = rest.find(" round "); pos != std::string::npos) {
            auto digits = trim(std::string_view(rest).substr(pos + 7));
            auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), r.round_digits);
            if (ec != std::errc() || p != digits.data() + digits.size()) fail("round needs a number of digits");
            rest.resize(pos);
        }
        if (auto pos = rest.find('*'); pos != std::string::npos) {
            auto scale = trim(std::string_view(rest).substr(pos + 1));
            auto [p, ec] = std::from_chars(scale.data(), scale.data() + scale.size(), r.scale);
            if (ec != std::errc() || p != scale.data() + scale.size())
                fail(fmt::format("ratio scale '{}' is not a number", scale));
            rest.resize(pos);
        }
        auto slash = rest.find('/');
        if (slash == std::string::npos) fail("ratio needs 'numerator / denominator'");
        r.denominator = identifier(std::string_view(rest).substr(slash + 1), "column name");
        auto num = std::string(trim(std::string_view(rest).substr(0, slash)));
        if (!num.empty() && num.front() == '(' && num.back() == ')') num = std::string(trim(std::string_view(num).substr(1, num.size() - 2)));
        if (auto minus = num.find('-'); minus != std::string::npos) {
            r.numerator = identifier(std::string_view(num).substr(0, minus), "column name");
            r.subtrahend = identifier(std::string_view(num).substr(minus + 1), "column name");
        } else {
            r.numerator = identifier(num, "column name");
        }
        return r;
    }
};

}  // namespace

query_def parse_query(std::string_view text, const std::string& file, std::string category, std::string name) {
    query_def q;
    q.file = file;
    q.category = std::move(category);
    q.name = std::move(name);
    std::set<std::string> seen;
    bool has_sort = false, has_schedule = false;
    int line_no = 0;
    size_t offset = 0;
    header_parser p{file, 0};
    static const std::set<std::string> repeatable = {"example", "ratio"};
    auto lines = detail::split_lines(text);
    size_t i = 0;
    for (; i < lines.size(); ++i) {
        auto raw = lines[i];
        p.line = line_no = static_cast<int>(i) + 1;
        auto s = trim(raw);
        if (s.empty()) { offset += raw.size() + 1; continue; }
        if (s.substr(0, 2) != "--") break;
        // Headers are written into dumps and index.json, which must be valid UTF-8.
        if (!is_valid_utf8(raw)) p.fail("header line is not valid UTF-8 text");
        offset += raw.size() + 1;
        auto body = trim(s.substr(2));
        if (body.empty()) continue;
        auto colon = body.find(':');
        if (colon == std::string_view::npos) continue;  // a plain comment in the header
        auto key = std::string(trim(body.substr(0, colon)));
        if (!is_identifier(key)) continue;               // prose that happens to contain ':'
        auto value = trim(body.substr(colon + 1));
        if (!repeatable.count(key) && !seen.insert(key).second)
            p.fail(fmt::format("header key '{}' given twice", key));
        if (value.empty()) p.fail(fmt::format("header key '{}' has no value", key));
        if (key == "title") q.title = value;
        else if (key == "description") q.description = value;
        else if (key == "keywords") q.keywords = split_list(value);
        else if (key == "synonyms") q.synonyms = split_list(value);
        else if (key == "example") q.examples.emplace_back(value);
        else if (key == "tags") {
            for (auto& t : split_list(value)) q.tags.push_back(p.identifier(t, "tag"));
        }
        else if (key == "slots") {
            for (auto& [slot, column] : p.pairs(value)) {
                if (std::find(known_slots().begin(), known_slots().end(), slot) == known_slots().end())
                    p.fail(fmt::format("unknown slot '{}' (known: region, model, dealer, plant, component, kpi_category, year)", slot));
                q.slots.emplace_back(slot, p.identifier(column, "column name"));
            }
        } else if (key == "columns") {
            for (auto& c : split_list(value)) q.columns.push_back(p.identifier(c, "column name"));
        } else if (key == "measures") {
            for (auto& [column, agg] : p.pairs(value)) {
                aggregate a;
                if (agg == "sum") a = aggregate::sum;
                else if (agg == "min") a = aggregate::min;
                else if (agg == "max") a = aggregate::max;
                else if (agg == "avg") a = aggregate::avg;
                else p.fail(fmt::format("measure '{}' needs sum, min, max or avg, not '{}'", column, agg));
                q.measures.emplace_back(column, a);
            }
        } else if (key == "cube") {
            for (auto& c : split_list(value)) q.grain.push_back(p.identifier(c, "column name"));
        } else if (key == "dimensions") {
            for (auto& c : split_list(value)) q.attributes.push_back(p.identifier(c, "column name"));
        } else if (key == "ratio") q.ratios.push_back(p.ratio(value));
        else if (key == "units") {
            for (auto& [column, unit] : p.pairs(value)) q.units[column] = unit;
        } else if (key == "sort") {
            auto parts = split_list(value, ' ');
            if (parts.empty() || parts.size() > 2) p.fail("sort needs 'column asc|desc'");
            q.sort.column = p.identifier(parts[0], "column name");
            if (parts.size() == 2) {
                if (parts[1] == "asc") q.sort.direction = sort_direction::asc;
                else if (parts[1] == "desc") q.sort.direction = sort_direction::desc;
                else p.fail(fmt::format("sort direction must be asc or desc, not '{}'", parts[1]));
            }
            has_sort = true;
        } else if (key == "limit") {
            int n = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || end != value.data() + value.size() || n <= 0)
                p.fail(fmt::format("limit must be a positive whole number, not '{}'", value));
            q.default_limit = n;
        } else if (key == "ranking") {
            if (value == "best_first") q.worst_first = false;
            else if (value == "worst_first") q.worst_first = true;
            else p.fail(fmt::format("ranking must be best_first or worst_first, not '{}'", value));
        } else if (key == "chart") {
            static const std::set<std::string_view> types = {"bar", "horizontal_bar", "stacked_bar", "line",
                                                             "doughnut", "pie", "scatter", "bubble"};
            if (!types.count(value)) p.fail(fmt::format("unknown chart type '{}'", value));
            q.chart.type = value;
        } else if (key == "chart_label") q.chart.label = p.identifier(value, "column name");
        else if (key == "chart_values") {
            for (auto& c : split_list(value)) q.chart.values.push_back(p.identifier(c, "column name"));
        } else if (key == "chart_series") q.chart.series = p.identifier(value, "column name");
        else if (key == "schedule") {
            auto s = parse_schedule(value);
            if (!s) p.fail(fmt::format("schedule must be daily, weekly or monthly, not '{}'", value));
            q.when = *s;
            has_schedule = true;
        } else p.fail(fmt::format("unknown header key '{}'", key));
    }
    p.line = 0;
    auto require = [&](bool ok, std::string_view what) {
        if (!ok) throw parse_error(file, 1, fmt::format("missing header key '{}'", what));
    };
    require(!q.title.empty(), "title");
    require(!q.description.empty(), "description");
    require(has_schedule, "schedule");
    if (q.is_cube()) {
        // A cube is read by the planner, never routed to or shown as it is: its columns are its
        // grain, its dimensions and its measures, and nothing of a report's header applies.
        if (q.measures.empty()) throw parse_error(file, 1, "a cube needs 'measures'");
        if (!q.columns.empty() || !q.examples.empty() || !q.chart.type.empty() || has_sort || !q.slots.empty())
            throw parse_error(file, 1, "a cube takes title, description, cube, dimensions, measures, units, tags and schedule only");
        q.columns = q.grain;
        q.columns.insert(q.columns.end(), q.attributes.begin(), q.attributes.end());
        for (auto& [column, agg] : q.measures) q.columns.push_back(column);
        q.sql = std::string(trim(text.substr(std::min(offset, text.size()))));
        if (q.sql.empty()) throw parse_error(file, line_no, "no SQL after the header");
        while (!q.sql.empty() && (q.sql.back() == ';' || q.sql.back() == ' ' || q.sql.back() == '\n')) q.sql.pop_back();
        return q;
    }
    if (!q.attributes.empty()) throw parse_error(file, 1, "'dimensions' belongs to a cube (add 'cube: grain columns')");
    for (auto& [column, agg] : q.measures)
        if (agg == aggregate::avg)
            throw parse_error(file, 1, fmt::format("measure '{}': avg belongs to a cube, whose rows are the facts' own grain", column));
    require(!q.keywords.empty(), "keywords");
    require(!q.columns.empty(), "columns");
    require(has_sort, "sort");
    require(!q.chart.type.empty(), "chart");
    require(!q.chart.label.empty(), "chart_label");
    require(!q.chart.values.empty(), "chart_values");
    if (q.examples.size() < 3)
        throw parse_error(file, 1, fmt::format("needs at least 3 'example' lines, has {}", q.examples.size()));
    q.sql = std::string(trim(text.substr(std::min(offset, text.size()))));
    if (q.sql.empty()) throw parse_error(file, line_no, "no SQL after the header");
    while (!q.sql.empty() && (q.sql.back() == ';' || q.sql.back() == ' ' || q.sql.back() == '\n'))
        q.sql.pop_back();
    return q;
}

vocabulary parse_vocabulary(std::string_view text, const std::string& file) {
    vocabulary v;
    int line_no = 0;
    for (auto raw : detail::split_lines(text)) {
        ++line_no;
        auto s = trim(raw);
        if (s.empty() || s.front() == '#') continue;
        header_parser p{file, line_no};
        if (!is_valid_utf8(raw)) p.fail("line is not valid UTF-8 text");
        auto colon = s.find(':');
        if (colon == std::string_view::npos) p.fail("expected 'synonym:', 'alias:', 'prefer:', 'stop:' or 'outside:'");
        auto key = trim(s.substr(0, colon));
        auto value = trim(s.substr(colon + 1));
        if (key == "stop" || key == "outside") {
            for (auto& w : split_list(value)) (key == "stop" ? v.stop_words : v.outside).push_back(w);
            continue;
        }
        auto eq = value.find('=');
        if (eq == std::string_view::npos) p.fail(fmt::format("'{}' needs 'name = alternatives'", key));
        auto left = trim(value.substr(0, eq));
        auto right = split_list(value.substr(eq + 1));
        if (left.empty() || right.empty()) p.fail(fmt::format("'{}' needs 'name = alternatives'", key));
        if (key == "synonym") {
            v.synonyms.emplace_back(std::string(left), right);
        } else if (key == "alias" || key == "prefer") {
            auto space = left.find(' ');
            if (space == std::string_view::npos) p.fail(fmt::format("{} needs 'slot value = aliases'", key));
            value_alias a{std::string(left.substr(0, space)), std::string(trim(left.substr(space + 1))), right, key == "prefer"};
            // Any dimension of the model may have aliases; reports filter by known_slots() only.
            if (!is_identifier(a.slot)) p.fail(fmt::format("'{}' is not a valid dimension name", a.slot));
            v.aliases.push_back(std::move(a));
        } else {
            p.fail(fmt::format("unknown key '{}' (expected synonym, alias, prefer, stop or outside)", key));
        }
    }
    return v;
}

std::string sql_for(const query_def& q, std::string_view dialect) {
    if (dialect == "sqlite" || q.file.size() < 4) return q.sql;
    auto variant = fmt::format("{}.{}.sql", std::string_view(q.file).substr(0, q.file.size() - 4), dialect);
    std::error_code ec;
    return fs::is_regular_file(variant, ec) ? read_file(variant) : q.sql;
}

catalog load_catalog(const std::string& dir, std::vector<std::string>* skipped) {
    catalog c;
    c.dir = dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw error(fmt::format("'{}': catalog directory not found", dir));
    for (auto& category : fs::directory_iterator(dir, ec)) {
        if (!category.is_directory()) continue;
        auto cat_name = category.path().filename().string();
        if (cat_name.empty() || cat_name.front() == '.') continue;
        for (auto& entry : fs::directory_iterator(category.path())) {
            if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
            auto file = entry.path().string();
            auto name = entry.path().stem().string();
            // <name>.postgresql.sql: the same query in another dialect, read when it runs there
            if (auto dot = name.find('.'); dot != std::string::npos) {
                auto dialect = name.substr(dot + 1);
                if (std::find(sql_dialects.begin(), sql_dialects.end(), dialect) == sql_dialects.end())
                    throw parse_error(file, 0, fmt::format("'{}' is not a dialect bi knows (a variant is <name>.postgresql.sql)", dialect));
                if (!fs::is_regular_file(category.path() / (name.substr(0, dot) + ".sql")))
                    throw parse_error(file, 0, fmt::format("a {} variant of '{}', which has no {}.sql", dialect,
                                                           name.substr(0, dot), name.substr(0, dot)));
                continue;
            }
            if (!is_identifier(name) || !is_identifier(cat_name))
                throw parse_error(file, 0, "query and category names may use only letters, digits and '_'");
            try {
                c.queries.push_back(parse_query(read_file(file), file, cat_name, name));
            } catch (const error& e) {
                if (!skipped) throw;
                skipped->push_back(e.what());  // the rest of the catalog is still worth dumping
            }
        }
    }
    if (ec) throw error(fmt::format("'{}': {}", dir, ec.message()));
    std::sort(c.queries.begin(), c.queries.end(), [](auto& a, auto& b) { return a.id() < b.id(); });
    auto vocab_file = (fs::path(dir) / "vocabulary.conf").string();
    if (fs::is_regular_file(vocab_file, ec)) c.vocab = parse_vocabulary(read_file(vocab_file), vocab_file);
    return c;
}

}  // namespace bi
