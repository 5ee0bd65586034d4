// The semantic model's parser, its checks against the catalog's cubes, and its JSON form.
#include "bi/model.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/hash.hpp"
#include "detail/binary.hpp"
#include "detail/json.hpp"
#include "detail/strings.hpp"

namespace bi {

namespace fs = std::filesystem;
using detail::split_list;
using detail::trim;

// ---------------------------------------------------------------------------------------------
// Formulas: expression := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
// factor := number | name | '(' expression ')'

class formula_parser {
public:
    formula_parser(formula& f, std::string_view text) : f_(f), s_(text) {}

    int parse() {
        int n = expression();
        skip();
        if (pos_ != s_.size()) throw std::invalid_argument(fmt::format("unexpected '{}'", s_.substr(pos_)));
        return n;
    }

private:
    formula& f_;
    std::string_view s_;
    size_t pos_ = 0;

    void skip() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    int add(formula::node n) {
        f_.nodes_.push_back(std::move(n));
        return static_cast<int>(f_.nodes_.size()) - 1;
    }
    int expression() {
        int left = term();
        for (skip(); pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-'); skip()) {
            char op = s_[pos_++];
            left = add({op, 0, {}, left, term()});
        }
        return left;
    }
    int term() {
        int left = factor();
        for (skip(); pos_ < s_.size() && (s_[pos_] == '*' || s_[pos_] == '/'); skip()) {
            char op = s_[pos_++];
            left = add({op, 0, {}, left, factor()});
        }
        return left;
    }
    int factor() {
        skip();
        if (pos_ >= s_.size()) throw std::invalid_argument("ends where a name or number should be");
        char c = s_[pos_];
        if (c == '(') {
            ++pos_;
            int n = expression();
            skip();
            if (pos_ >= s_.size() || s_[pos_] != ')') throw std::invalid_argument("missing ')'");
            ++pos_;
            return n;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            double v = 0;
            auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
            if (ec != std::errc()) throw std::invalid_argument("bad number");
            pos_ = static_cast<size_t>(end - s_.data());
            return add({'n', v, {}, -1, -1});
        }
        size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
        if (pos_ == start) throw std::invalid_argument(fmt::format("unexpected '{}'", c));
        return add({'m', 0, std::string(s_.substr(start, pos_ - start)), -1, -1});
    }
};

formula::formula(std::string_view text) : text_(trim(text)) {
    formula_parser p(*this, text_);
    root_ = p.parse();
}

std::vector<std::string> formula::names() const {
    std::vector<std::string> out;
    for (auto& n : nodes_)
        if (n.op == 'm' && std::find(out.begin(), out.end(), n.name) == out.end()) out.push_back(n.name);
    return out;
}

bool formula::multiplies_measures() const {
    std::function<bool(int)> reads_measure = [&](int i) {
        auto& n = nodes_[static_cast<size_t>(i)];
        return n.op == 'm' || (n.op != 'n' && (reads_measure(n.left) || reads_measure(n.right)));
    };
    return std::any_of(nodes_.begin(), nodes_.end(), [&](auto& n) { return n.op == '*' && reads_measure(n.left) && reads_measure(n.right); });
}

std::optional<double> formula::eval(const std::function<std::optional<double>(const std::string&)>& value_of) const {
    if (root_ < 0) return std::nullopt;
    return eval(root_, value_of);
}

std::optional<double> formula::eval(int i, const std::function<std::optional<double>(const std::string&)>& value_of) const {
    auto& n = nodes_[static_cast<size_t>(i)];
    if (n.op == 'n') return n.number;
    if (n.op == 'm') return value_of(n.name);
    auto a = eval(n.left, value_of), b = eval(n.right, value_of);
    if (!a || !b) return std::nullopt;
    switch (n.op) {
        case '+': return *a + *b;
        case '-': return *a - *b;
        case '*': return *a * *b;
        default: return *b == 0 ? std::nullopt : std::optional<double>(*a / *b);
    }
}

// ---------------------------------------------------------------------------------------------

bool cube_def::has_dimension(std::string_view d) const {
    return std::find(dimensions.begin(), dimensions.end(), d) != dimensions.end();
}

bool cube_def::has_measure(std::string_view m) const {
    return std::any_of(measures.begin(), measures.end(), [&](auto& x) { return x.first == m; });
}

const measure_def* semantic_model::measure(std::string_view name) const {
    for (auto& m : measures)
        if (m.name == name) return &m;
    return nullptr;
}

const dimension_def* semantic_model::dimension(std::string_view name) const {
    for (auto& d : dimensions)
        if (d.name == name) return &d;
    return nullptr;
}

std::vector<std::string> semantic_model::leaves(const measure_def& m) const {
    if (!m.is_derived()) return {m.name};
    std::vector<std::string> out;
    for (auto& n : m.derived.names())
        if (auto* part = measure(n))
            for (auto& leaf : leaves(*part))
                if (std::find(out.begin(), out.end(), leaf) == out.end()) out.push_back(leaf);
    return out;
}

namespace {

std::optional<aggregate> parse_aggregate(std::string_view s) {
    if (s == "sum") return aggregate::sum;
    if (s == "min") return aggregate::min;
    if (s == "max") return aggregate::max;
    if (s == "avg") return aggregate::avg;
    return std::nullopt;
}

std::string_view aggregate_name(aggregate a) {
    switch (a) {
        case aggregate::sum: return "sum";
        case aggregate::min: return "min";
        case aggregate::max: return "max";
        case aggregate::avg: return "avg";
    }
    return "sum";
}

bool is_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

/// `measure > 0`, `missed = 0`.
void parse_condition(condition_def& c, std::string_view text, const std::function<void(const std::string&)>& fail) {
    static const char* ops[] = {">=", "<=", ">", "<", "="};
    for (const char* op : ops) {
        auto at = text.find(op);
        if (at == std::string_view::npos) continue;
        c.measure = std::string(trim(text.substr(0, at)));
        c.op = op;
        auto number = trim(text.substr(at + std::string_view(op).size()));
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.threshold);
        if (ec != std::errc() || end != number.data() + number.size() || !is_name(c.measure))
            fail(fmt::format("'when' needs 'measure OP number', not '{}'", text));
        return;
    }
    fail(fmt::format("'when' needs 'measure OP number' with OP one of > >= < <= =, not '{}'", text));
}

/// `every = missed = kpi_months`, `every = missed = 0`: the condition held in every period.
void parse_every(condition_def& c, std::string_view text, const std::function<void(const std::string&)>& fail) {
    static const char* ops[] = {">=", "<=", ">", "<", "="};
    for (const char* op : ops) {
        auto at = text.find(op);
        if (at == std::string_view::npos) continue;
        if (trim(text.substr(0, at)) != c.measure)
            fail(fmt::format("'every' needs the measure of 'when' ('{}'), not '{}'", c.measure, text));
        c.every_op = op;
        auto rhs = trim(text.substr(at + std::string_view(op).size()));
        auto [end, ec] = std::from_chars(rhs.data(), rhs.data() + rhs.size(), c.every_value);
        if (ec != std::errc() || end != rhs.data() + rhs.size()) {
            if (!is_name(rhs)) fail(fmt::format("'every' needs 'measure OP number' or 'measure OP measure', not '{}'", text));
            c.every_value = 0;
            c.every_other = std::string(rhs);
        }
        return;
    }
    fail(fmt::format("'every' needs 'measure OP number' or 'measure OP measure', not '{}'", text));
}

}  // namespace

semantic_model parse_model(std::string_view text, const std::string& file) {
    semantic_model m;
    enum class section { none, measure, dimension, condition } in = section::none;
    int line_no = 0;
    std::set<std::string> seen_keys;
    auto fail = [&](const std::string& what) { throw parse_error(file, line_no, what); };
    for (auto raw : detail::split_lines(text)) {
        ++line_no;
        auto s = trim(raw);
        if (s.empty() || s.front() == '#') continue;
        if (s.front() == '[') {
            if (s.back() != ']') fail("a section header reads '[measure NAME]', '[dimension NAME]' or '[condition NAME]'");
            auto parts = split_list(s.substr(1, s.size() - 2), ' ');
            if (parts.size() != 2 || !is_name(parts[1]))
                fail(fmt::format("a section header reads '[KIND NAME]' with NAME of a-z, 0-9 and '_', not '{}'", s));
            auto& name = parts[1];
            if (m.measure(name) || m.dimension(name) ||
                std::any_of(m.conditions.begin(), m.conditions.end(), [&](auto& c) { return c.name == name; }))
                fail(fmt::format("'{}' is declared twice", name));
            if (parts[0] == "measure") { in = section::measure; m.measures.push_back({}); m.measures.back().name = name; }
            else if (parts[0] == "dimension") { in = section::dimension; m.dimensions.push_back({}); m.dimensions.back().name = name; }
            else if (parts[0] == "condition") { in = section::condition; m.conditions.push_back({}); m.conditions.back().name = name; }
            else fail(fmt::format("unknown section kind '{}' (measure, dimension or condition)", parts[0]));
            seen_keys.clear();
            continue;
        }
        auto eq = s.find('=');
        if (eq == std::string_view::npos) fail("expected 'key = value'");
        std::string key(trim(s.substr(0, eq)));
        auto value = trim(s.substr(eq + 1));
        if (in == section::none) fail(fmt::format("'{}' comes before any [measure], [dimension] or [condition]", key));
        if (!seen_keys.insert(key).second) fail(fmt::format("key '{}' given twice", key));
        if (value.empty()) fail(fmt::format("key '{}' has no value", key));
        auto names = [&] {
            std::vector<std::string> out;
            for (auto& n : split_list(value)) out.push_back(detail::lower_ascii(n));
            return out;
        };
        if (in == section::measure) {
            auto& x = m.measures.back();
            if (key == "aggregate") {
                auto a = parse_aggregate(value);
                if (!a) fail(fmt::format("aggregate must be sum, min, max or avg, not '{}'", value));
                x.how = a;
            } else if (key == "formula") {
                try {
                    x.derived = formula(value);
                } catch (const std::invalid_argument& e) {
                    fail(fmt::format("formula '{}': {}", value, e.what()));
                }
            } else if (key == "unit") {
                static const std::set<std::string_view> units = {"usd", "percent", "count", "days", "number"};
                if (!units.count(value)) fail(fmt::format("unit must be usd, percent, count, days or number, not '{}'", value));
                x.unit = value;
            } else if (key == "better") {
                if (value != "higher" && value != "lower" && value != "varies")
                    fail(fmt::format("better must be higher, lower or varies, not '{}'", value));
                x.higher_is_better = value != "lower";
                x.better_varies = value == "varies";
            } else if (key == "snapshot") {
                if (value != "yes" && value != "no") fail(fmt::format("snapshot must be yes or no, not '{}'", value));
                x.snapshot = value == "yes";
            } else if (key == "per") x.per = split_list(value);
            else if (key == "names") x.names = names();
            else if (key == "weak_names") x.weak_names = names();
            else if (key == "context_names") x.context_names = names();
            else if (key == "description") x.description = value;
            else if (key == "per_names") x.per_names = names();
            else if (key == "subset_of") x.subset_of = value;
            else if (key == "facts") x.facts = value;
            else if (key == "shown_with") x.shown_with = split_list(value);
            else if (key == "fact_count") {
                if (value != "yes" && value != "no") fail(fmt::format("fact_count must be yes or no, not '{}'", value));
                x.fact_count = value == "yes";
            } else if (key == "default") {
                if (value != "yes" && value != "no") fail(fmt::format("default must be yes or no, not '{}'", value));
                x.shown_by_default = value == "yes";
            } else fail(fmt::format("unknown measure key '{}'", key));
        } else if (in == section::dimension) {
            auto& x = m.dimensions.back();
            if (key == "names") x.names = names();
            else if (key == "parent") x.parent = value;
            else if (key == "qualified_by") x.qualified_by = value;
            else if (key == "combines") x.combines = split_list(value);
            else fail(fmt::format("unknown dimension key '{}'", key));
        } else {
            auto& x = m.conditions.back();
            if (key == "when") parse_condition(x, value, fail);
            else if (key == "names") x.names = names();
            else if (key == "shows") x.shows = split_list(value);
            else if (key == "every") {
                if (x.op.empty()) fail("'every' comes after 'when'");
                parse_every(x, value, fail);
            } else fail(fmt::format("unknown condition key '{}'", key));
        }
    }
    line_no = 0;
    for (auto& x : m.measures) {
        if (x.how.has_value() == !x.derived.empty())
            fail(fmt::format("measure '{}' needs exactly one of 'aggregate' (a leaf) or 'formula' (derived)", x.name));
        for (auto& n : x.derived.names())
            if (!m.measure(n)) fail(fmt::format("measure '{}': formula names '{}', which is not a measure", x.name, n));
        for (auto& d : x.per)
            if (!m.dimension(d)) fail(fmt::format("measure '{}': per names '{}', which is not a dimension", x.name, d));
        if (!x.subset_of.empty() && (!m.measure(x.subset_of) || m.measure(x.subset_of)->is_derived() || x.is_derived()))
            fail(fmt::format("measure '{}': subset_of names '{}', which is not a leaf measure", x.name, x.subset_of));
        if (!x.facts.empty() && (x.subset_of.empty() || !m.measure(x.facts) || m.measure(x.facts)->subset_of.empty()))
            fail(fmt::format("measure '{}': facts needs subset_of, and names '{}', which is not a measure with subset_of", x.name, x.facts));
        for (auto& other : x.shown_with)
            if (!m.measure(other) || other == x.name) fail(fmt::format("measure '{}': shown_with names '{}', which is not another measure", x.name, other));
    }
    for (auto& d : m.dimensions)
        if (!d.parent.empty() && !m.dimension(d.parent))
            fail(fmt::format("dimension '{}': parent '{}' is not a dimension", d.name, d.parent));
    for (auto& d : m.dimensions)
        if (!d.qualified_by.empty() && (d.qualified_by == d.name || !m.dimension(d.qualified_by)))
            fail(fmt::format("dimension '{}': qualified_by '{}' is not another dimension", d.name, d.qualified_by));
    for (auto& d : m.dimensions) {
        if (d.combines.size() == 1) fail(fmt::format("dimension '{}': combines names one dimension; a pair or more is combined", d.name));
        for (auto& part : d.combines)
            if (part == d.name || !m.dimension(part) || !m.dimension(part)->combines.empty())
                fail(fmt::format("dimension '{}': combines '{}', which is not another plain dimension", d.name, part));
    }
    for (auto& c : m.conditions) {
        if (c.op.empty()) fail(fmt::format("condition '{}' needs 'when'", c.name));
        if (!m.measure(c.measure)) fail(fmt::format("condition '{}' names '{}', which is not a measure", c.name, c.measure));
        if (!c.every_other.empty() && !m.measure(c.every_other))
            fail(fmt::format("condition '{}': every names '{}', which is not a measure", c.name, c.every_other));
        for (auto& s : c.shows)
            if (!m.measure(s)) fail(fmt::format("condition '{}' shows '{}', which is not a measure", c.name, s));
    }
    // A derived measure inherits what its leaves say of it.
    for (auto& x : m.measures) {
        if (!x.is_derived()) continue;
        for (auto& leaf : m.leaves(x)) {
            auto* l = m.measure(leaf);
            x.snapshot = x.snapshot || l->snapshot;
            x.better_varies = x.better_varies || l->better_varies;  // (the gap to target, the variance)
            for (auto& d : l->per)
                if (std::find(x.per.begin(), x.per.end(), d) == x.per.end()) x.per.push_back(d);
        }
    }
    return m;
}

namespace {

bool is_time_grain(std::string_view c) { return c == "month" || c == "day"; }

}  // namespace

namespace {

/// The columns a measure is computed from in a cube's SQL: the identifiers of the expression
/// before "AS <measure>" ("SUM(price - cost) AS gross_profit": price, cost; "SUM(list.msrp)":
/// msrp), without SQL's own words. How a question may define the measure in the data's terms
/// ("gross profit (price minus cost)").
std::vector<std::string> columns_of(std::string_view sql, const std::string& measure) {
    static const std::set<std::string_view> sql_words = {
        "sum", "count", "avg", "min", "max", "total", "case", "when", "then", "else", "end", "null", "as", "is", "not", "and",
        "or", "in", "coalesce", "ifnull", "nullif", "iif", "round", "cast", "real", "integer", "int", "text", "numeric",
        "distinct", "abs", "over", "partition", "by", "filter", "where", "like", "between", "true", "false", "select", "from",
        "date", "julianday", "strftime", "substr", "substring", "extract", "float", "double", "precision", "bigint"};
    std::string lower;
    for (char ch : sql) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    auto ident = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    std::vector<std::string> out;
    auto target = "as " + measure;
    for (auto at = lower.find(target); at != std::string::npos; at = lower.find(target, at + 1)) {
        auto after = at + target.size();
        if ((after < lower.size() && ident(lower[after])) || (at > 0 && ident(lower[at - 1]))) continue;
        // back to the comma (or the SELECT) that starts the expression, at its own depth
        size_t start = at;
        int depth = 0;
        while (start > 0) {
            char ch = lower[start - 1];
            if (ch == ')') ++depth;
            if (ch == '(' && depth-- == 0) break;
            if (ch == ',' && depth == 0) break;
            if (depth == 0 && start >= 6 && lower.compare(start - 6, 6, "select") == 0) break;
            --start;
        }
        auto expression = std::string_view(lower).substr(start, at - start);
        for (size_t i = 0; i < expression.size();) {
            if (!ident(expression[i])) { ++i; continue; }
            size_t j = i;
            while (j < expression.size() && ident(expression[j])) ++j;
            auto word = expression.substr(i, j - i);
            bool table = j < expression.size() && expression[j] == '.';  // "list.msrp": the column after the dot
            if (!table && !std::isdigit(static_cast<unsigned char>(word[0])) && !sql_words.count(word) &&
                std::find(out.begin(), out.end(), word) == out.end())
                out.emplace_back(word);
            i = j;
        }
        if (!out.empty()) break;
    }
    return out;
}

}  // namespace

semantic_model build_model(const catalog& c, const std::string& dumps_dir) {
    auto file = (fs::path(c.dir) / "model.conf").string();
    std::error_code ec;
    semantic_model m;
    if (fs::is_regular_file(file, ec)) m = parse_model(read_file(file), file);
    m.aliases = c.vocab.aliases;
    std::map<std::string, std::set<std::string>> values;
    for (auto& q : c.queries) {
        if (!q.is_cube()) continue;
        auto fail = [&](const std::string& what) { throw parse_error(q.file, 0, what); };
        if (m.measures.empty()) fail(fmt::format("a cube needs the semantic model '{}'", file));
        cube_def cube;
        cube.id = q.id();
        cube.title = q.title;
        cube.grain = q.grain;
        for (auto& d : q.grain) {
            if (is_time_grain(d)) {
                if (!cube.time.empty()) fail("a cube has one time grain (month or day)");
                cube.time = d;
            } else {
                cube.dimensions.push_back(d);
            }
        }
        cube.dimensions.insert(cube.dimensions.end(), q.attributes.begin(), q.attributes.end());
        for (auto& d : cube.dimensions)
            if (!m.dimension(d)) fail(fmt::format("'{}' is not a dimension of the model ({})", d, file));
        for (auto& [name, how] : q.measures) {
            auto* x = m.measure(name);
            if (!x || x->is_derived()) fail(fmt::format("'{}' is not a leaf measure of the model ({})", name, file));
            if (*x->how != how)
                fail(fmt::format("measure '{}' is {} here and {} in the model", name, aggregate_name(how), aggregate_name(*x->how)));
            cube.measures.emplace_back(name, how);
            const std::string& leaf = name;  // a plain name, as the lambda captures it (clang 14)
            auto& columns = std::find_if(m.measures.begin(), m.measures.end(), [&](auto& e) { return e.name == leaf; })->columns;
            for (auto& column : columns_of(q.sql, name))
                if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(column);
        }
        // The values of each dimension, from the dump as it is now.
        auto path = dump_path(dumps_dir, q);
        if (fs::exists(path, ec)) {
            try {
                auto d = read_binary_dump(path);
                auto rows = d ? std::move(*d) : read_dump(path);
                cube.rows = static_cast<std::int64_t>(rows.data.rows.size());
                int time = cube.time.empty() ? -1 : rows.data.index_of(cube.time);
                for (auto& dim : cube.dimensions) {
                    int col = rows.data.index_of(dim);
                    if (col < 0) continue;
                    for (auto& row : rows.data.rows)
                        if (auto s = std::get_if<std::string>(&row[static_cast<size_t>(col)]); s && !s->empty())
                            values[dim].insert(*s);
                }
                if (time >= 0)
                    for (auto& row : rows.data.rows)
                        if (auto s = std::get_if<std::string>(&row[static_cast<size_t>(time)]); s && s->size() >= 7) {
                            auto month = s->substr(0, 7);
                            if (m.first_period.empty() || month < m.first_period) m.first_period = month;
                            if (month > m.last_period) m.last_period = month;
                        }
            } catch (const error&) {
                // An unreadable dump adds no values; bi-ask says so when it reads the cube.
            }
        }
        m.cubes.push_back(std::move(cube));
    }
    for (auto& [dim, set] : values) m.values[dim].assign(set.begin(), set.end());
    return m;
}

std::string model_path(const std::string& dumps_dir) { return (fs::path(dumps_dir) / "model.json").string(); }

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::vector<std::string> read_strings(const rapidjson::Value& v, const char* key) {
    std::vector<std::string> out;
    auto it = v.FindMember(key);
    if (it == v.MemberEnd() || !it->value.IsArray()) return out;
    for (auto& s : it->value.GetArray())
        if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
    return out;
}

std::string read_string(const rapidjson::Value& v, const char* key) {
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength()) : "";
}

constexpr int model_format = 1;

// model.bin: the model as model.json holds it, for bi-ask to read for every question without
// parsing JSON (docs/benchmarks.md, seventh round). Tied to the model.json it was written with:
//   "BIMODEL7" (the format's version: a change of layout changes it)
//   i64 model.json's size  i64 its mtime (ns)  u64 checksum64 of its content (source_version)
//   the model's fields in the order write_binary_model writes them
//   u64 checksum64 of every byte before it
constexpr std::string_view binary_model_magic = "BIMODEL7";
constexpr size_t binary_model_header = 32;

void write_binary_model(const semantic_model& m, const std::string& json_path) {
    detail::bin_writer o;
    o.str(m.first_period);
    o.str(m.last_period);
    o.num(static_cast<std::uint32_t>(m.measures.size()));
    for (auto& x : m.measures) {
        o.str(x.how ? aggregate_name(*x.how) : std::string_view());
        o.str(x.name);
        o.str(x.derived.text());
        o.str(x.unit);
        o.num(static_cast<std::uint8_t>((x.higher_is_better ? 1 : 0) | (x.snapshot ? 2 : 0) | (x.shown_by_default ? 4 : 0) |
                                        (x.fact_count ? 8 : 0) | (x.better_varies ? 16 : 0)));
        o.str(x.subset_of);
        o.str(x.facts);
        o.strs(x.per_names);
        o.strs(x.shown_with);
        o.strs(x.columns);
        o.strs(x.per);
        o.strs(x.names);
        o.strs(x.weak_names);
        o.strs(x.context_names);
        o.str(x.description);
    }
    o.num(static_cast<std::uint32_t>(m.dimensions.size()));
    for (auto& d : m.dimensions) {
        o.str(d.name);
        o.strs(d.names);
        o.str(d.parent);
        o.str(d.qualified_by);
        o.strs(d.combines);
        auto v = m.values.find(d.name);
        o.strs(v == m.values.end() ? std::vector<std::string>{} : v->second);
    }
    o.num(static_cast<std::uint32_t>(m.conditions.size()));
    for (auto& c : m.conditions) {
        o.str(c.name);
        o.str(c.measure);
        o.str(c.op);
        o.num(c.threshold);
        o.strs(c.names);
        o.strs(c.shows);
        o.str(c.every_op);
        o.num(c.every_value);
        o.str(c.every_other);
    }
    o.num(static_cast<std::uint32_t>(m.cubes.size()));
    for (auto& c : m.cubes) {
        o.str(c.id);
        o.str(c.title);
        o.str(c.time);
        o.strs(c.grain);
        o.strs(c.dimensions);
        o.num(static_cast<std::uint32_t>(c.measures.size()));
        for (auto& [name, how] : c.measures) {
            o.str(name);
            o.str(aggregate_name(how));
        }
        o.num(c.rows);
    }
    o.num(static_cast<std::uint32_t>(m.aliases.size()));
    for (auto& a : m.aliases) {
        o.str(a.slot);
        o.str(a.value);
        o.strs(a.aliases);
        o.num(static_cast<std::uint8_t>(a.preferred));
    }
    auto version = source_version_of(json_path).value_or(source_version{});
    detail::bin_writer file;
    file.bytes() += binary_model_magic;
    file.num(version.stamp.size);
    file.num(version.stamp.mtime_ns);
    file.num(version.content);
    file.bytes() += o.bytes();
    file.num(checksum64(file.bytes()));
    atomic_file out(binary_model_path(json_path), replace_mode::entry);
    std::fwrite(file.bytes().data(), 1, file.bytes().size(), out.stream());
    out.commit();
}

/// model.bin mapped, when it matches its checksum and was written with the model.json at
/// `json_path`; else why not in `damage` ("" when the file is missing or was written with
/// another model.json: a cache not used, not damage).
std::optional<mapped_file> binary_model_file(const std::string& json_path, std::string& damage) {
    auto path = binary_model_path(json_path);
    mapped_file file;
    try {
        file = mapped_file(path);
    } catch (const error& e) {
        std::error_code ec;
        if (fs::exists(fs::symlink_status(path, ec))) damage = e.what();
        return std::nullopt;
    }
    auto text = file.bytes();
    if (text.size() < binary_model_header + 8 || !text.starts_with(binary_model_magic)) {
        damage = fmt::format("'{}' is damaged or was written by another version of bi", path);
        return std::nullopt;
    }
    source_version written;
    std::uint64_t sum = 0;
    std::memcpy(&written.stamp.size, text.data() + 8, 8);
    std::memcpy(&written.stamp.mtime_ns, text.data() + 16, 8);
    std::memcpy(&written.content, text.data() + 24, 8);
    std::memcpy(&sum, text.data() + text.size() - 8, 8);
    if (checksum64(text.substr(0, text.size() - 8)) != sum) {
        damage = fmt::format("'{}' does not match its checksum: it is damaged", path);
        return std::nullopt;
    }
    if (!is_still(written, json_path)) return std::nullopt;
    return file;
}

/// The model's records: between the header and the checksum.
std::string_view binary_model_body(const mapped_file& file) {
    auto bytes = file.bytes();
    return bytes.substr(binary_model_header, bytes.size() - binary_model_header - 8);
}

std::optional<semantic_model> decode_binary_model(std::string_view body) {
    try {
        detail::bin_reader in(body.data(), body.data() + body.size());
        semantic_model m;
        m.first_period = in.str();
        m.last_period = in.str();
        auto count = [&](auto& v) {  // each record is at least 4 bytes: a damaged count fails here, not in reserve
            auto n = in.num<std::uint32_t>();
            in.expect(n, 4);
            v.reserve(n);
            return n;
        };
        for (auto n = count(m.measures); n > 0; --n) {
            auto& x = m.measures.emplace_back();
            auto how = in.view();
            x.name = in.str();
            auto text = in.view();
            if (auto a = parse_aggregate(how)) x.how = a;
            else x.derived = formula(text);  // throws std::invalid_argument, as a damaged file would
            x.unit = in.str();
            auto flags = in.num<std::uint8_t>();
            x.higher_is_better = flags & 1;
            x.snapshot = flags & 2;
            x.shown_by_default = flags & 4;
            x.fact_count = flags & 8;
            x.better_varies = flags & 16;
            x.subset_of = in.str();
            x.facts = in.str();
            x.per_names = in.strs();
            x.shown_with = in.strs();
            x.columns = in.strs();
            x.per = in.strs();
            x.names = in.strs();
            x.weak_names = in.strs();
            x.context_names = in.strs();
            x.description = in.str();
        }
        for (auto n = count(m.dimensions); n > 0; --n) {
            auto& d = m.dimensions.emplace_back();
            d.name = in.str();
            d.names = in.strs();
            d.parent = in.str();
            d.qualified_by = in.str();
            d.combines = in.strs();
            auto values = in.strs();
            if (!values.empty()) m.values[d.name] = std::move(values);
        }
        for (auto n = count(m.conditions); n > 0; --n) {
            auto& c = m.conditions.emplace_back();
            c.name = in.str();
            c.measure = in.str();
            c.op = in.str();
            c.threshold = in.num<double>();
            c.names = in.strs();
            c.shows = in.strs();
            c.every_op = in.str();
            c.every_value = in.num<double>();
            c.every_other = in.str();
        }
        for (auto n = count(m.cubes); n > 0; --n) {
            auto& c = m.cubes.emplace_back();
            c.id = in.str();
            c.title = in.str();
            c.time = in.str();
            c.grain = in.strs();
            c.dimensions = in.strs();
            for (auto k = in.num<std::uint32_t>(); k > 0; --k) {
                auto name = in.view();
                auto a = parse_aggregate(in.view());
                if (!a) return std::nullopt;
                c.measures.emplace_back(std::string(name), *a);
            }
            c.rows = in.num<std::int64_t>();
        }
        for (auto n = count(m.aliases); n > 0; --n) {
            auto& a = m.aliases.emplace_back();
            a.slot = in.str();
            a.value = in.str();
            a.aliases = in.strs();
            a.preferred = in.num<std::uint8_t>() != 0;
        }
        if (!in.done()) return std::nullopt;
        return m;
    } catch (const std::out_of_range&) {
        return std::nullopt;
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

/// The model from model.bin when it is there, whole, and was written with the model.json at
/// `json_path`; nullopt sends the caller to model.json, which says what is wrong with it.
std::optional<semantic_model> load_binary_model(const std::string& json_path) {
    std::string damage;
    auto file = binary_model_file(json_path, damage);
    return file ? decode_binary_model(binary_model_body(*file)) : std::nullopt;
}

}  // namespace

std::string binary_model_path(const std::string& json_path) {
    return fs::path(json_path).replace_extension(".bin").string();
}

std::string binary_model_damage(const std::string& json_path) {
    std::string damage;
    auto file = binary_model_file(json_path, damage);
    if (file && !decode_binary_model(binary_model_body(*file)))
        damage = fmt::format("'{}' is damaged: its records do not read back", binary_model_path(json_path));
    return damage;
}

void write_model(const semantic_model& m, const std::string& path) {
    rapidjson::StringBuffer b;
    json_writer w(b);
    w.StartObject();
    w.Key("format"); w.Int(model_format);
    w.Key("first_period"); w.String(m.first_period);
    w.Key("last_period"); w.String(m.last_period);
    w.Key("measures");
    w.StartArray();
    for (auto& x : m.measures) {
        w.StartObject();
        w.Key("name"); w.String(x.name);
        if (x.how) { w.Key("aggregate"); w.String(std::string(aggregate_name(*x.how))); }
        else { w.Key("formula"); w.String(x.derived.text()); }
        w.Key("unit"); w.String(x.unit);
        w.Key("higher_is_better"); w.Bool(x.higher_is_better);
        if (x.better_varies) { w.Key("better_varies"); w.Bool(true); }
        w.Key("snapshot"); w.Bool(x.snapshot);
        w.Key("default"); w.Bool(x.shown_by_default);
        w.Key("fact_count"); w.Bool(x.fact_count);
        if (!x.subset_of.empty()) { w.Key("subset_of"); w.String(x.subset_of); }
        if (!x.facts.empty()) { w.Key("facts"); w.String(x.facts); }
        detail::write_strings(w, "per_names", x.per_names);
        detail::write_strings(w, "shown_with", x.shown_with);
        detail::write_strings(w, "columns", x.columns);
        detail::write_strings(w, "per", x.per);
        detail::write_strings(w, "names", x.names);
        detail::write_strings(w, "weak_names", x.weak_names);
        detail::write_strings(w, "context_names", x.context_names);
        w.Key("description"); w.String(x.description);
        w.EndObject();
    }
    w.EndArray();
    w.Key("dimensions");
    w.StartArray();
    for (auto& d : m.dimensions) {
        w.StartObject();
        w.Key("name"); w.String(d.name);
        detail::write_strings(w, "names", d.names);
        w.Key("parent"); w.String(d.parent);
        w.Key("qualified_by"); w.String(d.qualified_by);
        detail::write_strings(w, "combines", d.combines);
        auto v = m.values.find(d.name);
        detail::write_strings(w, "values", v == m.values.end() ? std::vector<std::string>{} : v->second);
        w.EndObject();
    }
    w.EndArray();
    w.Key("conditions");
    w.StartArray();
    for (auto& c : m.conditions) {
        w.StartObject();
        w.Key("name"); w.String(c.name);
        w.Key("measure"); w.String(c.measure);
        w.Key("op"); w.String(c.op);
        w.Key("threshold"); w.Double(c.threshold);
        detail::write_strings(w, "names", c.names);
        detail::write_strings(w, "shows", c.shows);
        if (!c.every_op.empty()) {
            w.Key("every_op"); w.String(c.every_op);
            w.Key("every_value"); w.Double(c.every_value);
            w.Key("every_other"); w.String(c.every_other);
        }
        w.EndObject();
    }
    w.EndArray();
    w.Key("cubes");
    w.StartArray();
    for (auto& c : m.cubes) {
        w.StartObject();
        w.Key("id"); w.String(c.id);
        w.Key("title"); w.String(c.title);
        w.Key("time"); w.String(c.time);
        detail::write_strings(w, "grain", c.grain);
        detail::write_strings(w, "dimensions", c.dimensions);
        w.Key("measures");
        w.StartObject();
        for (auto& [name, how] : c.measures) { w.Key(name.c_str()); w.String(std::string(aggregate_name(how))); }
        w.EndObject();
        w.Key("rows"); w.Int64(c.rows);
        w.EndObject();
    }
    w.EndArray();
    w.Key("aliases");
    w.StartArray();
    for (auto& a : m.aliases) {
        w.StartObject();
        w.Key("dimension"); w.String(a.slot);
        w.Key("value"); w.String(a.value);
        detail::write_strings(w, "aliases", a.aliases);
        if (a.preferred) { w.Key("preferred"); w.Bool(true); }
        w.EndObject();
    }
    w.EndArray();
    auto sum = checksum64({b.GetString(), b.GetSize()});  // of every byte before the member's comma
    w.Key("checksum"); w.String(checksum_text(sum));
    w.EndObject();
    atomic_file out(path, replace_mode::entry);
    std::fwrite(b.GetString(), 1, b.GetSize(), out.stream());
    std::fputc('\n', out.stream());
    out.commit();
    write_binary_model(m, path);
}

semantic_model load_model(const std::string& path) {
    if (auto m = load_binary_model(path)) return std::move(*m);
    return load_model_json(path);
}

semantic_model load_model_json(const std::string& path) {
    auto text = read_file(path);
    check_json_checksum(text, path);
    rapidjson::Document doc;
    doc.ParseInsitu(text.data());  // in place: the text is only read here (a third of the time)
    auto fail = [&](const std::string& what) { return parse_error(path, 0, what + " (run bi-dump or bi-regen)"); };
    if (doc.HasParseError() || !doc.IsObject()) throw fail("not a model file");
    if (!doc.HasMember("format") || !doc["format"].IsInt() || doc["format"].GetInt() != model_format)
        throw fail("written by another version of bi");
    semantic_model m;
    m.first_period = read_string(doc, "first_period");
    m.last_period = read_string(doc, "last_period");
    auto array = [&](const char* key) -> const rapidjson::Value& {
        if (!doc.HasMember(key) || !doc[key].IsArray()) throw fail(fmt::format("no '{}'", key));
        return doc[key];
    };
    for (auto& v : array("measures").GetArray()) {
        measure_def x;
        x.name = read_string(v, "name");
        if (auto a = parse_aggregate(read_string(v, "aggregate"))) x.how = a;
        else {
            try {
                x.derived = formula(read_string(v, "formula"));
            } catch (const std::invalid_argument&) {
                throw fail(fmt::format("measure '{}' has no aggregate or formula", x.name));
            }
        }
        x.unit = read_string(v, "unit");
        x.higher_is_better = !v.HasMember("higher_is_better") || !v["higher_is_better"].IsBool() || v["higher_is_better"].GetBool();
        x.snapshot = v.HasMember("snapshot") && v["snapshot"].IsBool() && v["snapshot"].GetBool();
        x.better_varies = v.HasMember("better_varies") && v["better_varies"].IsBool() && v["better_varies"].GetBool();
        x.shown_by_default = v.HasMember("default") && v["default"].IsBool() && v["default"].GetBool();
        x.fact_count = v.HasMember("fact_count") && v["fact_count"].IsBool() && v["fact_count"].GetBool();
        if (v.HasMember("subset_of") && v["subset_of"].IsString()) x.subset_of = v["subset_of"].GetString();
        if (v.HasMember("facts") && v["facts"].IsString()) x.facts = v["facts"].GetString();
        x.per_names = read_strings(v, "per_names");
        x.shown_with = read_strings(v, "shown_with");
        x.columns = read_strings(v, "columns");
        x.per = read_strings(v, "per");
        x.names = read_strings(v, "names");
        x.weak_names = read_strings(v, "weak_names");
        x.context_names = read_strings(v, "context_names");
        x.description = read_string(v, "description");
        m.measures.push_back(std::move(x));
    }
    for (auto& v : array("dimensions").GetArray()) {
        dimension_def d{read_string(v, "name"), read_strings(v, "names"), read_string(v, "parent"),
                        read_string(v, "qualified_by"), read_strings(v, "combines")};
        auto values = read_strings(v, "values");
        if (!values.empty()) m.values[d.name] = std::move(values);
        m.dimensions.push_back(std::move(d));
    }
    for (auto& v : array("conditions").GetArray()) {
        condition_def c{read_string(v, "name"), read_string(v, "measure"), read_string(v, "op"), 0, read_strings(v, "names"),
                        read_strings(v, "shows"), "", 0, ""};
        if (v.HasMember("threshold") && v["threshold"].IsNumber()) c.threshold = v["threshold"].GetDouble();
        if (v.HasMember("every_op")) {
            c.every_op = read_string(v, "every_op");
            c.every_other = read_string(v, "every_other");
            if (v.HasMember("every_value") && v["every_value"].IsNumber()) c.every_value = v["every_value"].GetDouble();
        }
        m.conditions.push_back(std::move(c));
    }
    for (auto& v : array("cubes").GetArray()) {
        cube_def c;
        c.id = read_string(v, "id");
        c.title = read_string(v, "title");
        c.time = read_string(v, "time");
        c.grain = read_strings(v, "grain");
        c.dimensions = read_strings(v, "dimensions");
        if (v.HasMember("measures") && v["measures"].IsObject())
            for (auto& mm : v["measures"].GetObject())
                if (mm.value.IsString())
                    if (auto a = parse_aggregate(mm.value.GetString())) c.measures.emplace_back(mm.name.GetString(), *a);
        if (v.HasMember("rows") && v["rows"].IsInt64()) c.rows = v["rows"].GetInt64();
        m.cubes.push_back(std::move(c));
    }
    for (auto& v : array("aliases").GetArray()) {
        auto preferred = v.FindMember("preferred");
        m.aliases.push_back({read_string(v, "dimension"), read_string(v, "value"), read_strings(v, "aliases"),
                             preferred != v.MemberEnd() && preferred->value.IsBool() && preferred->value.GetBool()});
    }
    return m;
}

}  // namespace bi
