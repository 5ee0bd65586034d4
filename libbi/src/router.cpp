// Routing (curated reports). A question is analysed like catalog text (words, typo correction against the
// catalog's own vocabulary, slot values, synonyms, stems, stop words), then every query
// sharing a term is scored: a BM25-style field-weighted coverage of the question's terms,
// blended with the best match against a single example question, plus a small bonus for
// queries that can apply the slots the question names.
#include "bi/router.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>

#include "bi/error.hpp"
#include "bi/freshness.hpp"
#include "bi/text.hpp"

namespace bi {

namespace {

constexpr double doc_weight = 0.7;          // share of the score from the whole query text
constexpr double example_weight = 0.3;      // share from the closest example question
constexpr double slot_bonus = 0.06;         // per named slot the query can apply
constexpr double slot_penalty = 0.06;       // per named slot it cannot
constexpr double entity_penalty = 0.12;     // per row entity ("by dealer") the query has no column for
constexpr double polarity_bonus = 0.05;     // "worst" on a worst-first query, "best" on a best-first one
constexpr double other_topic_weight = 0.6;  // extra weight of catalog words the query does not match
constexpr double saturation = 0.8;          // BM25 k: how fast repeated weight stops counting

bool is_digits(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int current_year(const route_options& o) {
    auto today = o.today.empty() ? today_iso() : o.today;
    return std::atoi(today.substr(0, 4).c_str());
}

}  // namespace

bool wants_reverse(const route_result& r, const query_def& q) {
    if (r.asks_worst && !r.asks_best) return !q.worst_first;
    if (r.asks_best && !r.asks_worst) return q.worst_first;
    return r.asks_least && q.sort.direction == sort_direction::desc;
}

std::string today_iso() {
    if (const char* t = std::getenv("BI_TODAY"); t && *t) {
        if (std::strlen(t) != 10 || !parse_utc(std::string(t) + "T00:00:00Z"))
            throw usage_error(fmt::format("BI_TODAY='{}' is not a date like 2026-06-15", t));
        return t;
    }
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

namespace {

/// One question on its way through the router: each step reads what the ones before left
/// (`used` words are taken), in the order `route` calls them.
struct routing {
    const router_index& index;
    const route_options& options;
    route_result r;
    std::vector<std::string> stems;
    std::vector<bool> used;
    std::vector<std::string> row_entities;  // "by dealer": a column the answer must have
    std::vector<std::string> implied;       // what named slots say the question is about

    void correct_typos();
    bool out_of_scope();
    void match_slots();
    void read_years();
    void read_ranking();
    void read_row_entities();
    void collect_terms();
    void score();

private:
    /// A term of the question, its weight (halved when only implied), its full weight, and
    /// whether the catalog uses it.
    struct weighted_term {
        std::string term;
        std::uint64_t hash;
        double weight, full;
        bool known;
    };
    candidate score_query(int qi, const std::vector<weighted_term>& weighted, double total) const;
    std::string nearest_word(const std::string& w) const;
    std::string expanded_abbreviation(const std::string& w) const;
};

// 1. typos and abbreviations, corrected against the catalog's own words only
void routing::correct_typos() {
    for (auto& w : r.words) {
        if (w.size() < 3 || is_digits(w) || index.has_word(w) || index.is_english(w) || is_stop_word(w) ||
            is_rank_word(w))
            continue;
        std::string best = w.size() >= 5 ? nearest_word(w) : std::string();
        if (best.empty() && w.size() <= 6) best = expanded_abbreviation(w);
        if (!best.empty()) {
            r.corrections.push_back(w + "→" + best);
            w = best;
        }
    }
}

std::string routing::nearest_word(const std::string& w) const {
    std::string best;
    int limit = w.size() >= 8 ? 2 : 1;
    int best_d = limit + 1;
    index.for_each_word([&](std::string_view v, int) {
        if (v.size() < 4) return;
        int d = edit_distance(w, v, limit);
        if (d < best_d || (d == best_d && d <= limit && v < best)) {
            best_d = d;
            best = v;
        }
    });
    return best_d > limit ? std::string() : best;
}

// "wkly" → "weekly", "inv" → "inventory": the same first letter, the letters in order; the
// catalog's most used such word wins.
std::string routing::expanded_abbreviation(const std::string& w) const {
    std::string best;
    int best_count = 0;
    index.for_each_word([&](std::string_view v, int count) {
        if (v.size() <= w.size() || v[0] != w[0]) return;
        size_t k = 0;
        for (char c : v)
            if (k < w.size() && c == w[k]) ++k;
        if (k != w.size()) return;
        if (count > best_count || (count == best_count && (v.size() < best.size() || (v.size() == best.size() && v < best)))) {
            best_count = count;
            best = v;
        }
    });
    return best;
}

// A word the catalog declares out of scope ("payroll", "delete") means no query fits.
bool routing::out_of_scope() {
    for (auto& w : r.words) stems.push_back(is_digits(w) ? w : stem(w));
    for (auto& phrase : index.outside) {
        if (phrase.empty()) continue;
        for (size_t i = 0; i + phrase.size() <= stems.size(); ++i)
            if (std::equal(phrase.begin(), phrase.end(), stems.begin() + static_cast<long>(i))) {
                for (auto& p : phrase) r.outside += (r.outside.empty() ? "" : " ") + p;
                return true;
            }
    }
    return false;
}

// 2. slot values (longest phrase first, matched on stems so "Brisas" names Brisa)
void routing::match_slots() {
    used.assign(r.words.size(), false);
    for (auto& m : match_slot_phrases(index, stems)) {
        auto& p = *m.phrase;
        std::string text;
        for (size_t k = m.start; k < m.start + m.length; ++k) text += (text.empty() ? "" : " ") + r.words[k];
        bool duplicate = std::any_of(r.slots.begin(), r.slots.end(), [&](auto& s) { return s.slot == p.slot && s.value == p.value; });
        if (!duplicate) r.slots.push_back({p.slot, p.value, text, p.weak});
        if (!p.weak) std::fill_n(used.begin() + static_cast<long>(m.start), m.length, true);
    }
}

// 3. years: "2025", "FY25", "this year", "last yr", "two years ago", "YTD"
void routing::read_years() {
    auto& words = r.words;
    int this_year = current_year(options);
    auto is_year_word = [](const std::string& w) { return w == "year" || w == "years" || w == "yr" || w == "yrs"; };
    for (size_t i = 0; i < words.size(); ++i) {
        if (used[i]) continue;
        auto& w = words[i];
        int year = 0;
        size_t last = i;
        if (w.size() == 4 && is_digits(w) && w[0] == '2' && w[1] == '0') {
            year = std::atoi(w.c_str());
        } else if (w.size() >= 4 && w.compare(0, 2, "fy") == 0 && is_digits(w.substr(2)) && (w.size() == 4 || w.size() == 6)) {
            year = std::atoi(w.c_str() + 2);
            if (year < 100) year += 2000;
        } else if ((w == "this" || w == "current" || w == "last" || w == "previous" || w == "prior") &&
                   i + 1 < words.size() && is_year_word(words[i + 1])) {
            year = this_year - (w == "this" || w == "current" ? 0 : 1);
            last = i + 1;
        } else if (is_digits(w) && w.size() <= 2 && i + 2 < words.size() && is_year_word(words[i + 1]) &&
                   (words[i + 2] == "ago" || words[i + 2] == "back")) {
            year = this_year - std::atoi(w.c_str());
            last = i + 2;
        } else if (w == "ytd" || (w == "year" && i + 2 < words.size() && words[i + 1] == "to" && words[i + 2] == "date")) {
            year = this_year;
            if (w == "year") last = i + 2;
        }
        if (year < 2000 || year > 2099) continue;
        std::string text;
        for (size_t k = i; k <= last; ++k) {
            text += (text.empty() ? "" : " ") + words[k];
            used[k] = true;
        }
        if (std::none_of(r.slots.begin(), r.slots.end(), [](auto& s) { return s.slot == "year"; }))
            r.slots.push_back({"year", std::to_string(year), text, false});
    }
}

// 4. ranking words and limit: "top 5", "5 best", "bottom three", "worst"
void routing::read_ranking() {
    auto& words = r.words;
    static const std::set<std::string_view> bad = {"worst", "weakest", "poorest", "worse"};
    // Words that ask for the bad end of a ranking while still naming a topic: they set the
    // direction but stay routing terms.
    static const std::set<std::string_view> bad_topic = {"underperforming", "underperformers", "underperform",
                                                         "struggling", "lagging", "laggards"};
    for (auto& w : words)
        if (bad_topic.count(w)) r.asks_worst = true;
    static const std::set<std::string_view> good = {"best", "strongest", "better"};
    static const std::set<std::string_view> least = {"least", "fewest", "lowest", "bottom", "smallest", "less", "slowest"};
    for (size_t i = 0; i < words.size(); ++i) {
        if (used[i] || !is_rank_word(words[i])) continue;
        auto& w = words[i];
        if ((w == "least" || w == "most") && i > 0 && words[i - 1] == "at") continue;  // "at least 3"
        r.asks_worst = r.asks_worst || bad.count(w);
        r.asks_best = r.asks_best || good.count(w);
        r.asks_least = r.asks_least || least.count(w);
        used[i] = true;
        auto take = [&](size_t k) {
            if (k >= words.size() || used[k] || !is_digits(words[k]) || words[k].size() > 4) return false;
            int n = std::atoi(words[k].c_str());
            if (n <= 0 || n > 1000 || r.limit) return false;
            r.limit = n;
            used[k] = true;
            return true;
        };
        if (!take(i + 1) && i > 0) take(i - 1);
    }
}

// 5. what the rows must be: "by dealer", "per plant", "which models", "top 5 dealers" ask for
// one row per dealer, plant or model, so a query without that column cannot answer.
void routing::read_row_entities() {
    auto& words = r.words;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        auto& w = words[i];
        bool cue = w == "by" || w == "per" || w == "each" || w == "which" || w == "what" || is_rank_word(w) ||
                   (is_digits(w) && r.limit && std::to_string(*r.limit) == w);
        if (!cue || used[i + 1] || is_digits(words[i + 1]) || is_stop_word(words[i + 1])) continue;
        auto canonical = apply_synonyms(index, {stems[i + 1]});
        if (canonical.size() != 1) continue;
        // Only nouns some query has as a column count: "by month", not "by far".
        bool is_column = index.is_column_stem(canonical[0]);
        if (is_column && std::find(row_entities.begin(), row_entities.end(), canonical[0]) == row_entities.end())
            row_entities.push_back(canonical[0]);
    }
}

// 6. terms: what is left, with synonyms applied and stop words dropped; each named slot also
// says what kind of thing the question is about ("Peachtree" → dealer).
void routing::collect_terms() {
    std::vector<std::string> kept;
    for (size_t i = 0; i < r.words.size(); ++i)
        if (!used[i] && !is_digits(r.words[i])) kept.push_back(stems[i]);
    std::set<std::string> seen;
    for (auto& s : apply_synonyms(index, kept)) {
        if (is_stop_word(s) || is_stop_stem(s) || index.is_vocabulary_stop_word(s) || !seen.insert(s).second) continue;
        r.terms.push_back(s);
    }
    for (auto& s : r.slots) {
        if (s.weak || s.slot == "year") continue;
        auto t = stem(s.slot == "kpi_category" ? "kpi" : s.slot);
        if (!seen.count(t) && std::find(implied.begin(), implied.end(), t) == implied.end()) implied.push_back(t);
    }
}

// 7. scoring: a BM25-style coverage of the terms blended with the closest example, plus the
// slot, row and polarity adjustments.
void routing::score() {
    // A word the catalog has never used counts against every query, but less than a rare
    // catalog word: questions carry filler no stop list foresees ("Monday morning digest").
    double unknown_idf = index.max_idf;
    auto weight_of = [&](const std::string& t) { return index.idf_of(t).value_or(unknown_idf); };
    // Implied terms count half: they say what the question is about, not what it asks.
    std::vector<weighted_term> weighted;
    for (auto& t : r.terms) weighted.push_back({t, stem_hash(t), weight_of(t), weight_of(t), index.idf_of(t).has_value()});
    for (auto& t : implied) weighted.push_back({t, stem_hash(t), 0.5 * weight_of(t), weight_of(t), index.idf_of(t).has_value()});
    double total = 0;
    for (auto& w : weighted) total += w.weight;

    std::vector<int> pool;
    for (auto& w : weighted)
        for (int qi : index.postings_of(w.term)) pool.push_back(qi);
    std::sort(pool.begin(), pool.end());
    pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
    for (int qi : pool) r.candidates.push_back(score_query(qi, weighted, total));
    std::sort(r.candidates.begin(), r.candidates.end(), [&](auto& a, auto& b) {
        if (a.score != b.score) return a.score > b.score;
        return index.query(a.query).id < index.query(b.query).id;
    });
    if (r.candidates.size() > 5) r.candidates.resize(5);
    if (!r.candidates.empty() && r.candidates[0].score >= options.threshold) {
        bool clear = r.candidates.size() < 2 || r.candidates[0].score - r.candidates[1].score >= options.margin;
        r.outcome = clear ? route_outcome::answered : route_outcome::ambiguous;
    }
}

candidate routing::score_query(int qi, const std::vector<weighted_term>& weighted, double total) const {
    auto& q = index.query(qi);
    candidate c;
    c.query = qi;
    double k = saturation * (0.25 + 0.75 * q.length / index.avg_length);
    double doc = 0;
    // A catalog word the query does not match points at another topic: it weighs more
    // against this query than a word the catalog has never seen.
    double unmatched_known = 0;
    auto& scoring = index.scoring(static_cast<size_t>(qi));
    for (auto& w : weighted) {
        size_t t = 0;
        while (t < q.terms.size() && !(scoring.terms[t] == w.hash && q.terms[t].first == w.term)) ++t;
        if (t == q.terms.size()) {
            if (w.known) unmatched_known += w.weight;
            continue;
        }
        double tf = q.terms[t].second;
        doc += w.weight * tf / (tf + k);
        c.coverage += w.weight / total;
        c.matched.push_back(w.term);
    }
    // The best example by weighted Jaccard similarity: the weight of the terms it shares
    // over the weight of the terms either has. An example's own weight is the index's.
    double best_example = 0;
    for (size_t x = 0; x < q.examples.size(); ++x) {
        auto& e = q.examples[x];
        auto& hashes = scoring.examples[x];
        double inter = 0, uni = total + scoring.example_weights[x];
        for (auto& w : weighted) {
            size_t j = 0;
            while (j < e.size() && !(hashes[j] == w.hash && e[j] == w.term)) ++j;
            if (j < e.size()) {
                inter += w.weight;
                uni -= w.full;
            }
        }
        if (uni > 0) best_example = std::max(best_example, inter / uni);
    }
    double score = doc_weight * doc / (total + other_topic_weight * unmatched_known) + example_weight * best_example;
    for (auto& s : r.slots) {
        if (s.weak) continue;
        bool can = std::find(q.slots.begin(), q.slots.end(), s.slot) != q.slots.end();
        score += can ? slot_bonus : -slot_penalty;
    }
    for (auto& e : row_entities)
        if (std::find(q.column_stems.begin(), q.column_stems.end(), e) == q.column_stems.end()) score -= entity_penalty;
    // A question about the bad end of a ranking is best served by a query built to list the
    // worst first, and the other way round.
    if (r.asks_worst != r.asks_best && r.asks_worst == q.worst_first) score += polarity_bonus;
    c.score = std::round(std::clamp(score, 0.0, 1.0) * 10000.0) / 10000.0;
    return c;
}

}  // namespace

namespace {

/// The question checked, split into words and its typos corrected: where routing starts.
routing start_routing(const router_index& index, std::string_view question, const route_options& options) {
    if (question.size() > max_question_bytes)
        throw usage_error(fmt::format("question is too long ({} bytes; at most {})", question.size(), max_question_bytes));
    if (!is_valid_utf8(question)) throw usage_error("question is not valid UTF-8 text");
    if (question.find('\0') != std::string_view::npos) throw usage_error("question contains a NUL byte");
    routing g{index, options, {}, {}, {}, {}, {}};
    g.r.words = words_of(question);
    if (g.r.words.empty()) throw usage_error("question is empty");
    g.correct_typos();
    return g;
}

}  // namespace

std::string out_of_scope(const router_index& index, std::string_view question, const route_options& options) {
    auto g = start_routing(index, question, options);
    g.out_of_scope();
    return std::move(g.r.outside);
}

route_result route(const router_index& index, std::string_view question, const route_options& options) {
    auto g = start_routing(index, question, options);
    if (g.out_of_scope()) return std::move(g.r);
    g.match_slots();
    g.read_years();
    g.read_ranking();
    g.read_row_entities();
    g.collect_terms();
    if (g.r.terms.empty() && g.implied.empty()) return std::move(g.r);
    g.score();
    return std::move(g.r);
}

}  // namespace bi
