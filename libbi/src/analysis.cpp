// Question analysis. The question's words are matched, longest phrase first, against the
// model's names (measures, dimensions, conditions) and the values in the data; what is left is
// read as time (periods, grains), ranking, limits, thresholds, shares, comparisons and
// exclusions. A word that none of this explains is kept in `unknown`: the planner refuses
// rather than answer a question with a part of it ignored.
#include "bi/analysis.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/hash.hpp"
#include "bi/text.hpp"
#include "detail/binary.hpp"
#include "detail/strings.hpp"

namespace bi {

std::string_view to_string(time_grain g) {
    switch (g) {
        case time_grain::day: return "day";
        case time_grain::month: return "month";
        case time_grain::quarter: return "quarter";
        case time_grain::year: return "year";
        case time_grain::none: break;
    }
    return "";
}

namespace {

using namespace std::chrono;


bool is_digits(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_number(std::string_view w) {
    if (w.empty() || !(std::isdigit(static_cast<unsigned char>(w[0])))) return false;
    return std::all_of(w.begin(), w.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// ---------------------------------------------------------------------------------------------
// Dates

std::string iso(year_month_day d) {
    return fmt::format("{:04}-{:02}-{:02}", int(d.year()), unsigned(d.month()), unsigned(d.day()));
}

year_month_day parse_iso(const std::string& s) {
    int y = std::atoi(s.substr(0, 4).c_str());
    unsigned m = static_cast<unsigned>(std::atoi(s.substr(5, 2).c_str()));
    unsigned d = static_cast<unsigned>(std::atoi(s.substr(8, 2).c_str()));
    return year_month_day{year{y}, month{m}, day{d}};
}

year_month_day last_of(year_month ym) { return year_month_day{ym / last}; }

/// Whether `d` (YYYY-MM-DD) is the last day of its month.
bool month_end(const std::string& d) {
    year_month ym{year{std::stoi(d.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(d.substr(5, 2)))}};
    return static_cast<unsigned>(last_of(ym).day()) == static_cast<unsigned>(std::stoi(d.substr(8, 2)));
}

constexpr const char* month_names[] = {"January", "February", "March", "April", "May", "June", "July",
                                       "August", "September", "October", "November", "December"};

period month_period(year_month ym) {
    return {iso(year_month_day{ym / 1}), iso(last_of(ym)),
            fmt::format("{} {}", month_names[unsigned(ym.month()) - 1], int(ym.year())), false};
}

period months_period(year_month first, year_month last_month, std::string label) {
    return {iso(year_month_day{first / 1}), iso(last_of(last_month)), std::move(label), false};
}

period year_period(int y) { return {fmt::format("{}-01-01", y), fmt::format("{}-12-31", y), std::to_string(y), false}; }

period quarter_period(int y, int q) {
    year_month first{year{y}, month{static_cast<unsigned>(3 * q - 2)}};
    return months_period(first, first + months{2}, fmt::format("{}-Q{}", y, q));
}

/// The whole month, quarter or year just before a period that is exactly one of them ("May vs
/// the one before", "Q1 against the quarter prior"), with its length in months; none when the
/// period is no such whole (a to-date span, a week, two months).
struct period_before_t {
    int months_long;
    period before;
};

std::optional<period_before_t> period_before(const period& p) {
    auto from = parse_iso(p.from), to = parse_iso(p.to);
    year_month first = from.year() / from.month(), last_month = to.year() / to.month();
    int span = (last_month - first).count() + 1;
    bool whole = from.day() == day{1} && to == last_of(last_month) &&
                 (span == 1 || (span == 3 && (unsigned(first.month()) - 1) % 3 == 0) || (span == 12 && first.month() == month{1}));
    if (!whole) return std::nullopt;
    auto before = first - months{span};
    return period_before_t{span, span == 1   ? month_period(before)
                                 : span == 3 ? quarter_period(int(before.year()), int((unsigned(before.month()) - 1) / 3 + 1))
                                             : year_period(int(before.year()))};
}

period half_period(int y, int h) {
    year_month first{year{y}, month{static_cast<unsigned>(h == 1 ? 1 : 7)}};
    return months_period(first, first + months{5}, fmt::format("{}-H{}", y, h));
}

/// Cuts a period at the last complete day: "this year" ends yesterday, not on 31 December,
/// as "last month" is the last complete month and "the last 7 days" end yesterday. So "year
/// to date vs the same period last year" compares the same complete days of both years. A
/// period that starts today keeps today. No data lies after today, so the cut needs no daily
/// data: the current month so far is all of that month.
std::string last_complete_day(const year_month_day& today) { return iso(year_month_day{sys_days{today} - days{1}}); }

period up_to(period p, const year_month_day& today, bool to_date_label) {
    auto last = last_complete_day(today);
    if (p.from > last) last = iso(today);
    if (p.to > last) {
        p.to = last;
        if (to_date_label) p.label += " to date";
    }
    return p;
}

/// "7", "21st": a day of a month (1 to 31), else 0.
int day_of_month(std::string_view w) {
    size_t digits = 0;
    while (digits < w.size() && std::isdigit(static_cast<unsigned char>(w[digits]))) ++digits;
    auto rest = w.substr(digits);
    if (digits == 0 || digits > 2 || !(rest.empty() || rest == "st" || rest == "nd" || rest == "rd" || rest == "th")) return 0;
    int d = std::atoi(std::string(w.substr(0, digits)).c_str());
    return d >= 1 && d <= 31 ? d : 0;
}

int month_number(std::string_view w) {
    static const std::pair<const char*, int> names[] = {
        {"january", 1}, {"jan", 1}, {"february", 2}, {"feb", 2}, {"march", 3}, {"mar", 3}, {"april", 4},
        {"apr", 4}, {"may", 5}, {"june", 6}, {"jun", 6}, {"july", 7}, {"jul", 7}, {"august", 8}, {"aug", 8},
        {"september", 9}, {"sep", 9}, {"sept", 9}, {"october", 10}, {"oct", 10}, {"november", 11}, {"nov", 11},
        {"december", 12}, {"dec", 12}};
    for (auto& [n, m] : names)
        if (w == n) return m;
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Words that carry no meaning of their own in a business question. Everything else must be
// explained by the model, the calendar or the grammar of ranking and comparison.
const std::set<std::string_view>& filler() {
    static const std::set<std::string_view> words = {
        "a", "about", "across", "actually", "after", "again", "all", "along", "also", "altogether", "am", "among",
        "amount", "amounts", "an", "and", "any", "anything", "are", "as", "at", "available", "based", "be", "been",
        "being", "both", "breakdown", "broken", "bring", "business", "but", "by", "can", "combined", "come", "came",
        "comes", "company", "could", "count", "counts", "currently", "curious", "data", "detail", "details", "did",
        "display", "do", "does", "doing", "done", "down", "during", "each", "entire", "every", "far", "figure",
        "figures", "find", "for", "from", "generate", "generated", "get", "give", "go", "going", "got", "grand",
        "had", "has", "have", "having", "hello", "help", "here", "hey", "hi", "how", "i", "if", "in", "into", "is",
        "it", "its", "just", "kind", "kindly", "know", "let", "lets", "like", "list", "look", "looking", "looked",
        "made", "make", "me", "much", "my", "name", "fast", "submit", "submitted", "filed", "achieved", "achieve", "handled", "handle", "everything",
        "booked", "book", "recorded", "posted", "contribute", "contributes", "need", "needs", "number", "numbers", "of", "on", "only", "or",
        "order", "ordered", "our", "out", "overall", "please", "pls", "plz", "provide", "pull", "quick", "quickly",
        "rank", "ranked", "ranking", "rankings", "re", "really", "regarding", "report", "respectively", "right",
        "run", "say", "see", "show", "showing", "so", "sort", "sorted", "split", "stack", "stacked",
        "sum", "summarize", "summarise", "summary", "table", "tell", "than", "thanks", "thank", "that", "the",
        "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "together", "total",
        "totals", "totaled", "totalled", "up", "us", "value", "view", "want", "was", "we", "were", "what", "whats",
        "when", "where", "which", "who", "whole", "with", "wondering", "would", "you", "your", "overview",
        "generate", "brought", "bring", "stats", "statistics", "info", "information", "give", "gimme", "quick",
        "hows", "how's", "level", "levels", "currently", "current", "now", "today", "right", "just", "ever",
        "happen", "happened", "look", "per", "vs", "versus", "ok", "okay", "yeah", "yes", "pull", "fetch",
        "while", "them", "ones", "one", "group", "grouped", "compare", "comparing", "comparison", "side",
        "performing", "perform", "performed", "doing", "did", "result", "terms", "number", "numbers", "listing",
        "chart", "graph", "plot", "each", "every", "individual", "separately", "separate", "basis", "wise",
        "including", "include", "includes", "also", "across", "whats", "what's", "got", "get",
        "percent", "pct", "percentage", "w", "yo", "r", "u", "ur", "dated", "flagged",
        "hw", "wat", "wats", "ya", "involving", "involve", "filed", "file", "located", "based", "common", "frequent",
        "ever", "alltime", "like", "been", "doing", "track", "tracked", "tracking", "measured", "went", "spent",
        "spend", "tot", "like", "far", "so", "counting", "whole", "full", "entire", "period", "periods", "time",
        "times", "term", "terms", "lately", "recently", "network", "board", "deck", "slide", "slides", "presentation", "paid", "push", "pushed", "ran", "running", "calendar", "scorecard", "weird", "sorry", "basic",
        "combination", "combinations", "combo", "combos", "boss", "rough", "picture",
        "lineup", "generates", "generating", "wherever", "seeing", "went", "go", "goes", "our", "ours", "all", "status",
        "break", "different", "distinct", "unique", "quantity", "quantities", "figure", "currently",
        "logged", "log", "booked", "book", "racked", "rack", "gets", "getting", "summed", "whose", "anyone",
        "anybody", "sitting", "sit", "sits", "wide", "companywide", "recorded", "registered", "reported", "posted",
        "included", "carried", "carrying", "attached", "account", "accounted", "earned", "earn", "earns", "earning",
        "brings", "bringing", "fix", "record", "records", "alongside", "left", "remaining", "plus", "drove", "drive",
        "drives", "driven", "driving", "move", "moved", "moves", "moving", "dollars", "dollar", "usd", "bucks", "actually", "really", "generally", "transact", "transacted", "transacting",
        "door", "yet", "history", "rn", "fine", "thx", "asap", "lol", "ugh", "honestly", "remember", "received", "receive", "asking", "holding", "moment",
        // the conversation around a question: who asks, how sure they are, what they feel
        "um", "umm", "uh", "hmm", "think", "guess", "believe", "ask", "asks", "asked", "trying", "worried", "worry", "manager", "idea",
        "typos", "typo", "rush", "hurry", "grab", "fancy", "wrong", "roughly", "approximately", "approx", "racks", "racking",
        "wants", "wanted", "bother", "checking", "prepare", "compile", "lemme", "absolute",
        // verbs and asides that say only that the facts happened, and how the asker speaks
        "incurred", "incur", "incurs", "incurring", "lodged", "lodge", "arose", "arise", "arises", "arising", "analyse",
        "analyze", "expressed", "specifically", "honest", "ta", "cheers", "present", "set", "whatever", "ballpark",
        "guys", "folks", "own", "well", "exactly", "fetched", "saw", "curiosity", "already", "keep", "thinking", "feels", "feel",
        // a request said formally ("identify the five dealers…", "please confirm the number…")
        "identify", "confirm", "determine", "calculate", "snapshot", "produce", "produced", "compute", "provide", "attributable",
        // the order of a series, said again ("one row per month, in chronological order")
        "chronological", "chronologically", "laid", "format", "formatted", "labelled", "labeled",
        // greetings and British conversation ("morning! roughly what did turnover come to", "whilst
        // we're on stock", "fancy pulling…")
        "morning", "afternoon", "evening", "whilst", "pulling", "pulled",
        // "coming from the West" (as "came from"); "sequential growth": each period on the one before
        "coming", "sequential", "sequentially",
        // a unit said beside a count ("OH pcs"), a layout ("pivot … region across the top")
        "pcs", "pieces", "pivot", "pivoted",
        // hedges and courtesies ("could you maybe…", "would it be possible…", "I suppose",
        // "someone asked me", "a KPI called…"); the phrases are drop_asides'
        "maybe", "perhaps", "possibly", "possible", "someone", "somebody", "totally", "suppose", "hope", "love", "told",
        "something", "called", "understand", "often",
        // verbs that say only that the facts happened ("cost we absorbed", "pulled in revenue",
        // "which segment is making us the most gross profit", "what are people paying for a Halcyon")
        "absorbed", "absorb", "pulled", "making", "makes", "paying",
        // who a question is asked for, relayed ("the CFO wants…", "Dana says…", "CFO request")
        "cfo", "coo", "cto", "cmo", "cio", "vp", "svp", "evp", "director", "chairman", "chairwoman", "says", "request", "question",
        "words", "review", "put", "accounts",
        // a column's key ("count(claim_id)"): lower case only, "ID" stays Idaho
        "id", "ids",
    };
    return words;
}

/// Words the reader's grammar uses (time, comparison, shares, growth, averages, exclusion):
/// never typos, even when they are one letter from a name in the model.
const std::set<std::string_view>& grammar_words() {
    static const std::set<std::string_view> words = {
        "last", "this", "next", "previous", "prior", "past", "current", "trailing", "recent", "since", "after",
        "before", "until", "till", "through", "between", "from", "year", "years", "month", "months", "quarter",
        "quarters", "week", "weeks", "day", "days", "daily", "weekly", "monthly", "quarterly", "yearly", "annual",
        "annually", "ytd", "mtd", "qtd", "date", "ago", "half", "first", "second", "third", "fourth", "fiscal",
        "calendar", "trend", "trends", "trending", "time", "over", "under", "above", "below", "more", "less",
        "fewer", "least", "most", "than", "share", "percent", "percentage", "proportion", "fraction", "growth",
        "change", "increase", "decrease", "decline", "average", "avg", "mean", "excluding", "excluded", "except", "without",
        "other", "versus", "against", "compared", "compare", "each", "every", "per", "yesterday", "today", "vs",
        "top", "bottom", "best", "worst", "highest", "lowest", "biggest", "smallest", "largest", "fewest"};
    return words;
}

bool grammar_word(std::string_view w) { return grammar_words().count(w) > 0; }

/// Words that say only the order of the rows: "sorted descending", "order by asc".
bool order_word(std::string_view w) { return w == "descending" || w == "desc" || w == "ascending" || w == "asc"; }

/// Ranking words: which end of the order they ask for.
enum class end_asked { none, high, low, best, worst };

end_asked rank_word(std::string_view w) {
    static const std::set<std::string_view> high = {"top", "most", "highest", "biggest", "largest", "greatest",
                                                    "max", "maximum", "leading", "leader", "leaders", "higher", "fattest", "richest",
                                                    "more", "heaviest", "costliest", "priciest", "busiest", "longest", "fastest",
                                                    "leads", "lead", "descending", "desc"};
    static const std::set<std::string_view> low = {"bottom", "least", "lowest", "smallest", "fewest", "min", "shortest",
                                                   "minimum", "slowest", "lower", "less", "fewer", "thinnest", "weakest_volume",
                                                   "ascending", "asc"};
    static const std::set<std::string_view> best = {"best", "strongest", "better", "greatest_performing"};
    static const std::set<std::string_view> worst = {"worst", "weakest", "poorest", "worse", "underperforming",
                                                     "laggards", "laggard", "lagging"};
    if (high.count(w)) return end_asked::high;
    if (low.count(w)) return end_asked::low;
    if (best.count(w)) return end_asked::best;
    if (worst.count(w)) return end_asked::worst;
    return end_asked::none;
}

bool is_exclusion_word(const std::vector<std::string>& w, size_t i, size_t& span) {
    auto at = [&](size_t k) -> std::string_view { return k < w.size() ? std::string_view(w[k]) : std::string_view(); };
    span = 1;
    if (at(i) == "excluding" || at(i) == "exclude" || at(i) == "excludes" || at(i) == "excluded" || at(i) == "except" ||
        at(i) == "without" || at(i) == "besides" || at(i) == "ignoring" || at(i) == "ignore" || at(i) == "minus" || at(i) == "non")
        return true;
    if ((at(i) == "other" && at(i + 1) == "than") || (at(i) == "apart" && at(i + 1) == "from") ||
        (at(i) == "but" && at(i + 1) == "not") || (at(i) == "not" && at(i + 1) == "including") ||
        (at(i) == "not" && (at(i + 1) == "counting" || at(i + 1) == "count")) || (at(i) == "leaving" && at(i + 1) == "aside") ||
        ((at(i) == "strip" || at(i) == "stripping") && at(i + 1) == "out") ||
        ((at(i) == "setting" || at(i) == "set") && at(i + 1) == "aside") ||
        (at(i) == "outside" && at(i + 1) == "of") || (at(i) == "leaving" && at(i + 1) == "out") ||
        (at(i) == "leave" && at(i + 1) == "out") || (at(i) == "take" && at(i + 1) == "out") ||
        (at(i) == "left" && at(i + 1) == "out") || (at(i) == "net" && at(i + 1) == "of") ||
        (at(i) == "taking" && at(i + 1) == "out") || (at(i) == "took" && at(i + 1) == "out") ||
        ((at(i) == "filter" || at(i) == "filtering" || at(i) == "filtered") && at(i + 1) == "out")) {
        span = 2;
        return true;
    }
    if (at(i) == "not" || at(i) == "outside") return true;
    // "drop the SUV segments", "remove the Northeast": a verb on what follows, not a fall
    if ((at(i) == "drop" || at(i) == "dropping" || at(i) == "remove" || at(i) == "removing" || at(i) == "skip" || at(i) == "skipping") &&
        (at(i + 1) == "the" || ((at(i + 1) == "both" || at(i + 1) == "all") && at(i + 2) == "the")))
        return true;
    return false;
}

/// "more than", "over", "at least", "under", "fewer than": the comparison a threshold makes.
std::string comparator(const std::vector<std::string>& w, size_t i, size_t& span) {
    auto at = [&](size_t k) -> std::string_view { return k < w.size() ? std::string_view(w[k]) : std::string_view(); };
    span = 2;
    // "more then 500": the common slip of "than" before a number
    auto than = at(i + 1) == "than" || (at(i + 1) == "then" && !at(i + 2).empty() && std::isdigit(static_cast<unsigned char>(at(i + 2)[0])));
    if ((at(i) == "more" || at(i) == "greater" || at(i) == "higher" || at(i) == "bigger" || at(i) == "larger") && than) return ">";
    if ((at(i) == "less" || at(i) == "fewer" || at(i) == "lower" || at(i) == "smaller" || at(i) == "shorter") && than) return "<";
    if (at(i) == "longer" && than) return ">";
    if (at(i) == "at" && at(i + 1) == "least") return ">=";
    if (at(i) == "at" && at(i + 1) == "most") return "<=";
    if (at(i) == "no" && at(i + 1) == "more" && at(i + 2) == "than") { span = 3; return "<="; }
    if (at(i) == "no" && (at(i + 1) == "less" || at(i + 1) == "fewer") && at(i + 2) == "than") { span = 3; return ">="; }
    span = 1;
    if (at(i) == "over" || at(i) == "above" || at(i) == "exceeding" || at(i) == "exceeds" || at(i) == "exceeded" ||
        at(i) == "exceed" || at(i) == "topped" || at(i) == "tops" || at(i) == "surpassed" || at(i) == "surpass" ||
        at(i) == "cleared" || at(i) == "clears" ||
        // "dealers that have passed $10 million", "crossed 500 units": before a number only
        ((at(i) == "passed" || at(i) == "crossed") && !at(i + 1).empty() && std::isdigit(static_cast<unsigned char>(at(i + 1)[0]))) ||
        at(i) == "gt" || at(i) == "greater")
        return ">";
    if (at(i) == "under" || at(i) == "below" || at(i) == "lt") return "<";
    // "did revenue top $80M": a number no ranking asks for (a limit is at most 1000)
    if (at(i) == "top" && !at(i + 1).empty() && std::all_of(at(i + 1).begin(), at(i + 1).end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
        at(i + 1).size() > 4)
        return ">";
    // "in which months did Lumen units top 150?": a verb after "did", its number ending the clause
    // ("did the top 5 dealers…", "did we sell the top 3 models in…" rank)
    auto number = [](std::string_view x) { return !x.empty() && std::all_of(x.begin(), x.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }); };
    auto clause_ends = [](std::string_view x) {
        return x.empty() || x == "in" || x == "during" || x == "for" || x == "last" || x == "this" || x == "a" || x == "per" ||
               x == "each" || x == "every" || x == "since" || x == "before" || x == "after" || x == "between" || x == "from";
    };
    if (at(i) == "top" && number(at(i + 1)) && clause_ends(at(i + 2)) && i > 0 && at(i - 1) != "the" && at(i - 1) != "our" &&
        at(i - 1) != "a" && at(i - 1) != "by") {
        for (size_t k = i; k > 0 && k + 6 > i; --k)
            if (at(k - 1) == "did" || at(k - 1) == "does" || at(k - 1) == "do" || at(k - 1) == "will" || at(k - 1) == "would" ||
                at(k - 1) == "ever")
                return ">";
    }
    if (at(i) == "min" || at(i) == "minimum") return ">=";
    return "";
}

}  // namespace

namespace {

/// Words that name a fall: "the biggest drop" ranks the most negative change first.
bool falling_word(std::string_view w) {
    return w == "decrease" || w == "decreased" || w == "decline" || w == "declined" || w == "drop" || w == "dropped" ||
           w == "fall" || w == "fell" || w == "loss" || w == "lost" || w == "shrink" || w == "shrank";
}

/// Words that ask for the change between periods: "growth", "grew", "drop".
/// A model name as words: "fi_product" → "fi product", for what bi-ask says.
std::string spoken(std::string name) {
    std::replace(name.begin(), name.end(), '_', ' ');
    return name;
}

bool change_word(std::string_view w) {
    return falling_word(w) || w == "growth" || w == "grow" || w == "grew" || w == "grown" || w == "grows" || w == "growing" || w == "change" ||
           w == "changed" || w == "increase" || w == "increased" || w == "rise" || w == "rose" || w == "gain" ||
           w == "gained" || w == "yoy" || w == "delta" || w == "difference";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The lexicon: every phrase the model knows, by the stems of its words.

namespace {

/// A set of words as one sorted vector of views (into the lexicon's own storage): built once
/// (bi-dump), read back in order from lexicon.txt without a copy, looked up by binary search.
class word_set {
public:
    void insert(std::string_view w) {
        auto at = std::lower_bound(sorted_.begin(), sorted_.end(), w);
        if (at == sorted_.end() || *at != w) sorted_.insert(at, w);
    }
    /// Appends a word that sorts after every word already held (reading a saved file);
    /// false when it does not.
    bool append(std::string_view w) {
        if (!sorted_.empty() && !(sorted_.back() < w)) return false;
        sorted_.push_back(w);
        return true;
    }
    void reserve(size_t n) { sorted_.reserve(n); }
    size_t count(std::string_view w) const { return std::binary_search(sorted_.begin(), sorted_.end(), w) ? 1 : 0; }
    auto begin() const { return sorted_.begin(); }
    auto end() const { return sorted_.end(); }

private:
    std::vector<std::string_view> sorted_;
};

/// The dictionary words of a saved lexicon, read from their lines only when a question first
/// asks about one: most questions never do, and they are two-thirds of the file's lines.
class deferred_word_set {
public:
    bool append(std::string_view w) { return set_.append(w); }
    /// The "<tag><word>\n" lines of a saved file (checked by its checksum), read on first use;
    /// a line that is not one ends the set.
    void defer(std::string_view lines, std::string_view tag) {
        lines_ = lines;
        tag_ = tag;
    }
    bool deferred() const { return !lines_.empty(); }
    size_t count(std::string_view w) const { return read().count(w); }
    auto begin() const { return read().begin(); }
    auto end() const { return read().end(); }

private:
    const word_set& read() const {
        std::call_once(read_, [this] {
            for (auto rest = lines_; !rest.empty();) {
                auto eol = rest.find('\n');
                auto line = rest.substr(0, eol);
                if (!line.starts_with(tag_) || line.size() <= tag_.size() || line.find('\t', tag_.size()) != std::string_view::npos ||
                    !set_.append(line.substr(tag_.size())))
                    break;
                rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
            }
        });
        return set_;
    }
    mutable std::once_flag read_;
    mutable word_set set_;
    std::string_view lines_;
    std::string_view tag_;
};

}  // namespace

struct question_reader::lexicon {
    enum class kind { measure, weak_measure, dimension, value, condition, context_measure };
    struct entry {
        std::span<const std::string_view> stems;
        kind what;
        std::string_view target;   // measure, dimension or condition name; for a value, its dimension
        std::string_view value;    // a value as in the data
        bool weak = false;         // a value whose words also name a measure, dimension or condition
        bool short_code = false;   // a value of three letters or fewer: "TX", "NE"
    };
    // Every view below points into `saved` (lexicon.txt read back), `mapped` (lexicon.bin) or
    // `built` (made from the model).
    std::string saved;
    mapped_file mapped;
    std::deque<std::string> built;
    std::string_view keep(std::string_view s) { return built.emplace_back(s); }
    // The entries' stems, one list an entry (built) or all in one (read back from lexicon.bin).
    std::deque<std::vector<std::string_view>> built_stems;
    std::vector<std::string_view> saved_stems;

    std::vector<entry> entries;
    std::vector<uint32_t> by_first;  // entries by first stem, longest first, then in order
    word_set words;                  // every word of every phrase, for typos
    word_set stems;                  // and their stems
    std::map<std::vector<std::string>, std::string> per_names;  // "per vehicle" → units
    word_set name_words;             // words of measure, dimension and condition names
    deferred_word_set english;       // dictionary words that would read as an abbreviation ("name")

    /// The entries whose first stem is `first`, longest first.
    std::span<const uint32_t> starting(std::string_view first) const {
        auto [lo, hi] = std::equal_range(by_first.begin(), by_first.end(), first, first_less{this});
        return {lo, hi};
    }
    struct first_less {
        const lexicon* lx;
        bool operator()(uint32_t a, std::string_view b) const { return lx->entries[a].stems[0] < b; }
        bool operator()(std::string_view a, uint32_t b) const { return a < lx->entries[b].stems[0]; }
    };
};

namespace {

std::vector<std::string> stems_of(const std::vector<std::string>& words) {
    std::vector<std::string> out;
    out.reserve(words.size());
    for (auto& w : words) out.push_back(stem(w));
    return out;
}

/// A formula's text without its spaces, to compare with one said: "claims/units*100".
std::string bare(std::string f) {
    f.erase(std::remove(f.begin(), f.end(), ' '), f.end());
    return f;
}

}  // namespace

question_reader::question_reader(const semantic_model& model) : model_(&model), lexicon_(std::make_unique<lexicon>()) {
    using kind = lexicon::kind;
    auto& lx = *lexicon_;
    std::set<std::vector<std::string>> name_stems;
    auto add = [&](const std::string& text, kind k, const std::string& target, const std::string& value) {
        auto words = words_of(text);
        if (words.empty()) return;
        auto kept = [&](word_set& set, const std::string& w) {
            if (!set.count(w)) set.insert(lx.keep(w));
        };
        for (auto& w : words) kept(lx.words, w);
        auto stems = stems_of(words);
        lexicon::entry e{{}, k, lx.keep(target), lx.keep(value)};
        auto& list = lx.built_stems.emplace_back();
        for (auto& s : stems) {
            kept(lx.stems, s);
            list.push_back(lx.keep(s));
        }
        e.stems = list;
        if (k != kind::value) {
            name_stems.insert(stems);
            for (auto& w : words) kept(lx.name_words, w);
        }
        e.short_code = k == kind::value && words.size() == 1 && words[0].size() <= 3;
        lx.entries.push_back(std::move(e));
    };
    // A name of three words or more is also known by its initials: "days of supply" → "dos".
    auto initials = [](const std::string& name) {
        std::string out;
        auto words = words_of(name);
        if (words.size() < 3) return out;
        for (auto& w : words) out.push_back(w[0]);
        // ("average ticket size" is no "ats": its stem is the word "at")
        return is_stop_word(out) || filler().count(out) || is_stop_word(stem(out)) || filler().count(stem(out)) ? std::string() : out;
    };
    for (auto& m : model.measures) {
        for (auto& n : m.names)
            if (auto i = initials(n); !i.empty()) add(i, kind::measure, m.name, "");
        for (auto& n : m.names) add(n, kind::measure, m.name, "");
        for (auto& n : m.weak_names) add(n, kind::weak_measure, m.name, "");
        for (auto& n : m.context_names) add(n, kind::context_measure, m.name, "");
    }
    // "repeat repair %": the percentage the model declares of a part of a whole (repeat repairs
    // per 100 claims), where the part says which whole it is part of (`subset_of`)
    for (auto& r : model.measures) {
        if (!r.is_derived() || r.unit != "percent") continue;
        for (auto& part : model.measures)
            if (!part.subset_of.empty() && bare(r.derived.text()) == part.name + "/" + part.subset_of + "*100")
                for (auto& n : part.names) {
                    add(n + " percent", kind::measure, r.name, "");
                    add(n + " percentage", kind::measure, r.name, "");
                }
    }
    for (auto& d : model.dimensions)
        for (auto& n : d.names) add(n, kind::dimension, d.name, "");
    for (auto& m : model.measures)
        for (auto& n : m.per_names) {
            auto w = words_of(n);
            for (auto& x : w)
                if (!lx.words.count(x)) lx.words.insert(lx.keep(x));
            lx.per_names[stems_of(w)] = m.name;
        }
    for (auto& c : model.conditions)
        for (auto& n : c.names) add(n, kind::condition, c.name, "");
    // Values, and the first words of a long value where they name it alone ("Harbor Point").
    std::map<std::vector<std::string>, int> prefix_uses;
    std::vector<std::pair<std::string, std::string>> all_values;
    for (auto& [dim, values] : model.values)
        for (auto& v : values) {
            all_values.emplace_back(dim, v);
            auto s = stems_of(words_of(v));
            for (size_t n = 1; n < s.size(); ++n) ++prefix_uses[std::vector<std::string>(s.begin(), s.begin() + static_cast<long>(n))];
        }
    std::set<std::vector<std::string>> full_values;
    for (auto& [dim, v] : all_values) full_values.insert(stems_of(words_of(v)));
    for (auto& [dim, v] : all_values) {
        add(v, kind::value, dim, v);
        auto words = words_of(v);
        for (size_t n = words.size() - 1; n >= 1 && words.size() >= 3; --n) {
            std::vector<std::string> prefix(words.begin(), words.begin() + static_cast<long>(n));
            auto s = stems_of(prefix);
            if (prefix_uses[s] != 1 || name_stems.count(s) || full_values.count(s)) continue;
            if (n == 1 && (prefix[0].size() < 6 || is_stop_word(prefix[0]) || filler().count(prefix[0]))) continue;
            if (is_stop_word(prefix.back()) || filler().count(prefix.back()) || grammar_word(prefix.back())) continue;
            if (n == 1 && lx.name_words.count(prefix[0])) continue;  // "warranty" names a measure, not a KPI
            std::string text;
            for (auto& w : prefix) text += (text.empty() ? "" : " ") + w;
            add(text, kind::value, dim, v);
        }
    }
    for (auto& a : model.aliases)
        for (auto& alias : a.aliases) add(alias, kind::value, a.slot, a.value);
    for (auto& e : lx.entries)
        if (e.what == kind::value && name_stems.count(std::vector<std::string>(e.stems.begin(), e.stems.end()))) e.weak = true;
    protect_english(lx);
    index_phrases();
}

question_reader::question_reader(const semantic_model& model, std::nullptr_t)
    : model_(&model), lexicon_(std::make_unique<lexicon>()) {}

std::string lexicon_path(const std::string& dumps_dir) { return dumps_dir + "/lexicon.txt"; }

namespace {

std::string binary_lexicon_path(const std::string& text_path) {
    return std::filesystem::path(text_path).replace_extension(".bin").string();
}

constexpr size_t binary_lexicon_header = 40;
constexpr std::string_view binary_lexicon_magic = "BILEXI03";
constexpr std::string_view text_lexicon_magic = "bi-lexicon 7\t";

/// The reader's own word lists (filler and grammar) as one number. The lexicon's English-word
/// protection is computed from them, so a lexicon written by a bi with other lists is built
/// again rather than read: after an upgrade that made "compute" filler, an old lexicon would let
/// "complete" be corrected to it.
std::uint64_t reader_words_checksum() {
    static const std::uint64_t sum = [] {
        std::string all;
        for (auto w : filler()) (all += w) += '\n';
        all += '\f';
        for (auto w : grammar_words()) (all += w) += '\n';
        return checksum64(all);
    }();
    return sum;
}

/// The lexicon.bin at `path`, mapped, when it matches its checksum, or why not (""
/// when it is missing); `model` gets the version of model.json it was written with.
std::optional<mapped_file> binary_lexicon_file(const std::string& path, source_version& model, std::string& damage) {
    mapped_file file;
    try {
        file = mapped_file(path);
    } catch (const error& e) {
        std::error_code ec;
        if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) damage = e.what();
        return std::nullopt;
    }
    auto bytes = file.bytes();
    std::uint64_t sum = 0;
    if (bytes.size() < binary_lexicon_header + 8 || !bytes.starts_with(binary_lexicon_magic)) {
        damage = fmt::format("'{}' is damaged or was written by another version of bi", path);
        return std::nullopt;
    }
    std::memcpy(&model.stamp.size, bytes.data() + 8, 8);
    std::memcpy(&model.stamp.mtime_ns, bytes.data() + 16, 8);
    std::memcpy(&model.content, bytes.data() + 32, 8);
    std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
    if (checksum64(bytes.substr(0, bytes.size() - 8)) != sum) {
        damage = fmt::format("'{}' does not match its checksum: it is damaged", path);
        return std::nullopt;
    }
    return file;
}

/// Is `w` an abbreviation of `v`: the same first letter, then its letters in order ("mkt")?
bool abbreviates(std::string_view w, std::string_view v) {
    if (v.size() <= w.size() || v[0] != w[0]) return false;
    size_t k = 0;
    for (char c : v)
        if (k < w.size() && c == w[k]) ++k;
    return k == w.size();
}

}  // namespace

// Dictionary words a reader knows are not a typo or an abbreviation of a model's word, from the
// system word list when there is one: those one edit from a model's word ("submit" is not
// "Summit"), and those of four or five letters the abbreviation rule would expand ("name" is
// not "nameplate"; "rev", "pen" and "avg" are three letters: those stay abbreviations).
void question_reader::protect_english(lexicon& lx) {
    std::ifstream in("/usr/share/dict/words");
    std::unordered_set<std::string> dictionary;
    for (std::string line; std::getline(in, line);)
        if (line.size() >= 3 && std::all_of(line.begin(), line.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
            dictionary.insert(line);
    std::set<std::string> found;
    auto check = [&](const std::string& w) {
        if (dictionary.count(w) && !lx.words.count(w) && !grammar_word(w) && !filler().count(w)) found.insert(w);
    };
    // The words a typo is corrected to: the model's and the grammar's ("lst" is "last").
    std::vector<std::string_view> targets(lx.words.begin(), lx.words.end());
    for (auto w : grammar_words()) targets.push_back(w);
    for (auto w : filler()) targets.push_back(w);
    static constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyz";
    for (auto& v : targets) {
        if (v.size() < 4) continue;
        std::string word(v);
        for (size_t i = 0; i <= word.size(); ++i) {
            if (i < word.size()) check(word.substr(0, i) + word.substr(i + 1));  // deletion
            if (i + 1 < word.size()) {
                auto swapped = word;
                std::swap(swapped[i], swapped[i + 1]);
                check(swapped);
            }
            for (char c : letters) {
                check(word.substr(0, i) + c + word.substr(i));                                // insertion
                if (i < word.size()) check(word.substr(0, i) + c + word.substr(i + 1));       // substitution
            }
        }
    }
    // Words of eight letters or more are corrected up to two edits away ("transmision"), so an
    // English word two edits from a target is kept as typed too ("relating" is no "reading").
    // Two words that near share a spelling with up to two letters deleted from each.
    auto deletions = [](const std::string& w) {
        std::vector<std::string> out{w};
        for (size_t i = 0; i < w.size(); ++i) {
            auto once = w.substr(0, i) + w.substr(i + 1);
            out.push_back(once);
            for (size_t j = i; j < once.size(); ++j) out.push_back(once.substr(0, j) + once.substr(j + 1));
        }
        return out;
    };
    std::unordered_map<std::string, std::vector<std::string_view>> near;
    for (auto& v : targets)
        if (v.size() >= 6)
            for (auto& d : deletions(std::string(v))) near[d].push_back(v);
    for (auto& line : dictionary) {
        if (line.size() < 8 || found.count(line) || lx.words.count(line) || grammar_word(line) || filler().count(line)) continue;
        bool two_edits = false;
        for (auto& d : deletions(line)) {
            auto it = near.find(d);
            if (it == near.end()) continue;
            // ("warranties" is the model's "warranty", read so)
            for (auto v : it->second) two_edits = two_edits || (edit_distance(line, v, 2) <= 2 && stem(line) != stem(v));
            if (two_edits) break;
        }
        if (two_edits) found.insert(line);
    }
    for (auto& line : dictionary)
        if (line.size() >= 4 && line.size() <= 5 && !lx.words.count(line) &&
            std::any_of(lx.words.begin(), lx.words.end(), [&](auto& v) { return abbreviates(line, v); }))
            found.insert(line);
    for (auto& w : found) lx.english.append(lx.keep(w));
}

std::string lexicon_damage(const std::string& path, const std::string& model_file) {
    source_version written;
    std::string damage;
    binary_lexicon_file(binary_lexicon_path(path), written, damage);
    if (!damage.empty()) return damage;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) return {};
    std::string text;
    try {
        text = read_file(path);
    } catch (const error& e) {
        return e.what();
    }
    // Written with another model.json is not damage: the tables are built from the model. Only
    // the checksum decides.
    (void)model_file;
    std::string_view rest = text;
    for (int tab = 0; tab < 5; ++tab) {
        auto at = rest.find('\t');
        if (!std::string_view(text).starts_with(text_lexicon_magic) || at == std::string_view::npos || at > rest.find('\n'))
            return fmt::format("'{}' is damaged: its first line is not a lexicon's", path);
        rest.remove_prefix(at + 1);
    }
    auto sum = parse_checksum_text(rest.substr(0, 21));
    if (!sum || rest.substr(21, 1) != "\n" || *sum != checksum64(rest.substr(22)))
        return fmt::format("'{}' does not match its checksum: it is damaged", path);
    return {};
}

std::string lexicon_from_other_bi(const std::string& path) {
    std::error_code ec;
    std::uint64_t words = 0;
    if (std::filesystem::exists(path, ec)) {
        std::ifstream in(path, std::ios::binary);
        std::string first;
        std::getline(in, first);
        auto fields = detail::split_list(first, '\t');
        if (fields.size() < 4 || !is_digits(fields[3])) return {};  // told as damage
        words = first.starts_with(text_lexicon_magic) ? std::strtoull(fields[3].c_str(), nullptr, 10) : 0;
    } else if (auto bin = binary_lexicon_path(path); std::filesystem::exists(bin, ec)) {
        std::ifstream in(bin, std::ios::binary);
        char bytes[binary_lexicon_header] = {};
        if (!in.read(bytes, sizeof bytes)) return {};
        if (std::string_view(bytes, binary_lexicon_magic.size()) == binary_lexicon_magic) std::memcpy(&words, bytes + 24, 8);
    } else {
        return {};
    }
    if (words == reader_words_checksum()) return {};
    return fmt::format("'{}' was written by another version of bi: every question builds the reader again, slowly "
                       "(run bi-dump)", path);
}

// The saved tables, one item a line, fields TAB-separated, lists space-separated:
//   bi-lexicon 7 <size> <mtime_ns> <words> <content> <checksum>   (model.json's version, as
//       is_still compares it: stamp, reader_words_checksum of the reader's word lists, then the
//       content's checksum; checksum_text of every line after this one)
//   E <kind> <target> <value> <weak> <short> <stems...>
//   W <word>   S <stem>   N <name word>   X <dictionary word>   P <measure> <stems...>
void question_reader::save(const std::string& path, const std::string& model_file) const {
    auto version = source_version_of(model_file).value_or(source_version{});
    std::string out;
    auto list = [](const auto& v) {
        std::string s;
        for (auto& x : v) (s += s.empty() ? "" : " ") += x;
        return s;
    };
    for (auto k : lexicon_->by_first) {  // in index order, so that reading it back needs no sort
        auto& e = lexicon_->entries[k];
        // a value with a tab or a line break cannot be written as a field: no saved file, so
        // bi-ask builds the tables itself rather than read a wrong one
        if (e.value.find_first_of("\t\n\r") != std::string_view::npos) {
            std::error_code ec;
            std::filesystem::remove(path, ec);
            std::filesystem::remove(binary_lexicon_path(path), ec);
            return;
        }
        out += fmt::format("E\t{}\t{}\t{}\t{}\t{}\t{}\n", static_cast<int>(e.what), e.target, e.value, e.weak ? 1 : 0,
                           e.short_code ? 1 : 0, list(e.stems));
    }
    for (auto& w : lexicon_->words) ((out += "W\t") += w) += "\n";
    for (auto& w : lexicon_->stems) ((out += "S\t") += w) += "\n";
    for (auto& w : lexicon_->name_words) ((out += "N\t") += w) += "\n";
    for (auto& w : lexicon_->english) ((out += "X\t") += w) += "\n";
    for (auto& [st, m] : lexicon_->per_names) out += "P\t" + m + "\t" + list(st) + "\n";
    auto header = fmt::format("{}{}\t{}\t{}\t{}\t{}\n", text_lexicon_magic, version.stamp.size, version.stamp.mtime_ns,
                              reader_words_checksum(), version.content,
                              checksum_text(checksum64(out)));
    atomic_file file(path, replace_mode::entry);
    std::fwrite(header.data(), 1, header.size(), file.stream());
    std::fwrite(out.data(), 1, out.size(), file.stream());
    file.commit();
    save_binary(binary_lexicon_path(path), version);
}

// lexicon.bin: the tables of lexicon.txt as numbers and one pool of strings, so that reading
// them back for a question is taking views, not parsing lines (docs/benchmarks.md, seventh
// round). All numbers little-endian:
//   "BILEXI03" (the format's version: a change of layout changes it)
//   i64 model.json's size  i64 its mtime (ns)  u64 reader_words_checksum()  u64 checksum64 of
//   model.json's content (source_version)
//   strings:  u32 n, u32 offsets[n + 1] into the pool that follows, the pool
//   entries:  u32 n, n × {u32 target, u32 value, u32 first stem, u16 stems, u8 kind, u8 flags}
//             (strings by number; flags: 1 weak, 2 short code), in index order
//   stems:    u32 n, u32 strings[n] (each entry's stems side by side)
//   words, stems, name words: each u32 n, u32 strings[n], sorted
//   per names: u32 n, n × {u32 measure, u32 k, u32 stems[k]}
//   dictionary words: u32 bytes, then one word a line, sorted (read when first asked about)
//   u64 checksum64 of every byte before it
void question_reader::save_binary(const std::string& path, const source_version& model_version) const {
    auto& lx = *lexicon_;
    std::vector<std::string_view> strings;
    std::unordered_map<std::string_view, std::uint32_t> ids;
    auto id = [&](std::string_view s) {
        auto [it, added] = ids.try_emplace(s, static_cast<std::uint32_t>(strings.size()));
        if (added) strings.push_back(s);
        return it->second;
    };
    detail::bin_writer body;  // everything after the strings, which are known only at the end
    std::vector<std::uint32_t> refs;
    body.num(static_cast<std::uint32_t>(lx.by_first.size()));
    for (auto k : lx.by_first) {
        auto& e = lx.entries[k];
        body.num(id(e.target));
        body.num(id(e.value));
        body.num(static_cast<std::uint32_t>(refs.size()));
        body.num(static_cast<std::uint16_t>(e.stems.size()));
        body.num(static_cast<std::uint8_t>(e.what));
        body.num(static_cast<std::uint8_t>((e.weak ? 1 : 0) | (e.short_code ? 2 : 0)));
        for (auto st : e.stems) refs.push_back(id(st));
    }
    body.num(static_cast<std::uint32_t>(refs.size()));
    for (auto r : refs) body.num(r);
    for (auto* set : {&lx.words, &lx.stems, &lx.name_words}) {
        body.num(static_cast<std::uint32_t>(std::distance(set->begin(), set->end())));
        for (auto w : *set) body.num(id(w));
    }
    body.num(static_cast<std::uint32_t>(lx.per_names.size()));
    for (auto& [st, m] : lx.per_names) {
        body.num(id(m));
        body.num(static_cast<std::uint32_t>(st.size()));
        for (auto& w : st) body.num(id(w));
    }
    std::string english;
    for (auto w : lx.english) (english += w) += '\n';
    body.str(english);
    detail::bin_writer out;
    out.num(static_cast<std::uint32_t>(strings.size()));
    std::uint32_t at = 0;
    for (auto s : strings) {
        out.num(at);
        at += static_cast<std::uint32_t>(s.size());
    }
    out.num(at);
    for (auto s : strings) out.bytes() += s;
    out.bytes() += body.bytes();
    detail::bin_writer whole;
    whole.bytes() += binary_lexicon_magic;
    whole.num(model_version.stamp.size);
    whole.num(model_version.stamp.mtime_ns);
    whole.num(reader_words_checksum());
    whole.num(model_version.content);
    whole.bytes() += out.bytes();
    whole.num(checksum64(whole.bytes()));
    atomic_file file(path, replace_mode::entry);
    std::fwrite(whole.bytes().data(), 1, whole.bytes().size(), file.stream());
    file.commit();
}

std::optional<question_reader> question_reader::load_binary(const semantic_model& model, const std::string& path,
                                                            const std::string& model_file) {
    question_reader r(model, nullptr);
    auto& lx = *r.lexicon_;
    source_version written;
    std::string damage;
    auto file = binary_lexicon_file(path, written, damage);
    if (!file || !is_still(written, model_file)) return std::nullopt;
    std::uint64_t words = 0;
    std::memcpy(&words, file->bytes().data() + 24, 8);
    if (words != reader_words_checksum()) return std::nullopt;
    lx.mapped = std::move(*file);
    auto bytes = lx.mapped.bytes();
    try {
        detail::bin_reader in(bytes.data() + binary_lexicon_header, bytes.data() + bytes.size() - 8);
        auto u32 = [](const char* p) {
            std::uint32_t v;
            std::memcpy(&v, p, 4);
            return v;
        };
        auto n_strings = in.num<std::uint32_t>();
        const char* offsets = in.take(std::size_t{n_strings} + 1, 4);
        auto pool_size = u32(offsets + 4 * std::size_t{n_strings});
        const char* pool = in.take(pool_size, 1);
        auto string = [&](std::uint32_t i) {
            if (i >= n_strings) throw std::out_of_range("lexicon.bin: no such string");
            auto from = u32(offsets + 4 * std::size_t{i}), to = u32(offsets + 4 * std::size_t{i} + 4);
            if (from > to || to > pool_size) throw std::out_of_range("lexicon.bin: a string out of the pool");
            return std::string_view(pool + from, to - from);
        };
        auto n_entries = in.num<std::uint32_t>();
        const char* entries = in.take(n_entries, 16);
        auto n_refs = in.num<std::uint32_t>();
        const char* refs = in.take(n_refs, 4);
        lx.saved_stems.reserve(n_refs);
        for (std::uint32_t i = 0; i < n_refs; ++i) lx.saved_stems.push_back(string(u32(refs + 4 * std::size_t{i})));
        lx.entries.reserve(n_entries);
        for (std::uint32_t i = 0; i < n_entries; ++i) {
            const char* e = entries + 16 * std::size_t{i};
            auto first = u32(e + 8);
            std::uint16_t count;
            std::memcpy(&count, e + 12, 2);
            auto what = static_cast<std::uint8_t>(e[14]), flags = static_cast<std::uint8_t>(e[15]);
            if (count == 0 || first > n_refs || count > n_refs - first || what > 5 || flags > 3) return std::nullopt;
            lx.entries.push_back({std::span<const std::string_view>(lx.saved_stems).subspan(first, count),
                                  static_cast<lexicon::kind>(what), string(u32(e)), string(u32(e + 4)), (flags & 1) != 0,
                                  (flags & 2) != 0});
        }
        for (auto* set : {&lx.words, &lx.stems, &lx.name_words}) {
            auto n = in.num<std::uint32_t>();
            const char* ids = in.take(n, 4);
            set->reserve(n);
            for (std::uint32_t i = 0; i < n; ++i)
                if (!set->append(string(u32(ids + 4 * std::size_t{i})))) return std::nullopt;
        }
        for (auto n = in.num<std::uint32_t>(); n > 0; --n) {
            auto m = string(in.num<std::uint32_t>());
            auto k = in.num<std::uint32_t>();
            const char* ids = in.take(k, 4);
            std::vector<std::string> st;
            for (std::uint32_t i = 0; i < k; ++i) st.emplace_back(string(u32(ids + 4 * std::size_t{i})));
            if (m.empty() || st.empty()) return std::nullopt;
            lx.per_names[std::move(st)] = std::string(m);
        }
        auto english = in.view();
        if (!in.done() || (!english.empty() && english.back() != '\n')) return std::nullopt;
        if (!english.empty()) lx.english.defer(english, "");
    } catch (const std::out_of_range&) {
        return std::nullopt;
    }
    r.index_phrases();
    return r;
}

std::optional<question_reader> question_reader::load(const semantic_model& model, const std::string& path,
                                                     const std::string& model_file) {
    if (auto r = load_binary(model, binary_lexicon_path(path), model_file)) return r;
    question_reader r(model, nullptr);
    auto& lx = *r.lexicon_;
    try {
        lx.saved = read_file(path);
    } catch (const error&) {
        return std::nullopt;
    }
    std::string_view text = lx.saved;
    // The header's numbers before its checksum: model.json's size and mtime, the word lists', model.json's content.
    if (!text.starts_with(text_lexicon_magic)) return std::nullopt;
    text.remove_prefix(text_lexicon_magic.size());
    auto number = [&text](auto& n) {  // one TAB-ended field
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || end == text.data() + text.size() || *end != '\t') return false;
        text.remove_prefix(static_cast<size_t>(end - text.data()) + 1);
        return true;
    };
    source_version written;
    std::uint64_t word_lists = 0;
    if (!number(written.stamp.size) || !number(written.stamp.mtime_ns) || !number(word_lists) || !number(written.content))
        return std::nullopt;
    if (word_lists != reader_words_checksum() || !is_still(written, model_file)) return std::nullopt;
    // A damaged file is left for the tables built from the model: the same, only slower.
    auto sum = parse_checksum_text(text.substr(0, 21));
    if (!sum || text.substr(21, 1) != "\n" || *sum != checksum64(text.substr(22))) return std::nullopt;
    text.remove_prefix(22);
    // Sized once: growing the vector copies it, touching fresh pages each time (page faults are
    // most of what a question costs on a virtual machine, docs/benchmarks.md).
    // save() writes the phrases first: counting stops at the first other line, not at the end.
    size_t phrases = 0;
    for (size_t at = 0; text.substr(at).starts_with("E\t"); ++phrases) {
        at = text.find('\n', at);
        if (at == std::string_view::npos) break;
        ++at;
    }
    lx.entries.reserve(phrases);
    // Scanned by hand, a line at a time: this runs for every question, over ~4,700 lines.
    const char* p = text.data();
    const char* const end = p + text.size();
    // The next TAB- (or line-) ended field of [p, eol), p moved past it.
    auto field = [](const char*& p, const char* eol) {
        auto tab = static_cast<const char*>(std::memchr(p, '\t', static_cast<size_t>(eol - p)));
        const char* stop = tab ? tab : eol;
        std::string_view f(p, static_cast<size_t>(stop - p));
        p = tab ? tab + 1 : eol;
        return f;
    };
    auto words = [](std::string_view s) {
        std::vector<std::string_view> out;
        out.reserve(static_cast<size_t>(std::count(s.begin(), s.end(), ' ')) + 1);
        for (size_t start = 0; start <= s.size();) {
            auto space = std::min(s.find(' ', start), s.size());
            if (space > start) out.push_back(s.substr(start, space - start));
            start = space + 1;
        }
        return out;
    };
    while (p != end) {
        auto eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        if (!eol) return std::nullopt;  // cut short
        const char* next = eol + 1;
        if (eol - p < 2 || p[1] != '\t') return std::nullopt;
        char tag = p[0];
        p += 2;
        if (tag == 'E') {
            auto k = field(p, eol), target = field(p, eol), value = field(p, eol), weak = field(p, eol), shrt = field(p, eol);
            std::string_view rest(p, static_cast<size_t>(eol - p));
            auto& stems = lx.built_stems.emplace_back(words(rest));
            if (k.size() != 1 || k[0] < '0' || k[0] > '5' || stems.empty() || rest.find('\t') != std::string_view::npos)
                return std::nullopt;
            lx.entries.push_back({stems, static_cast<lexicon::kind>(k[0] - '0'), target, value, weak == "1", shrt == "1"});
        } else if (tag == 'X') {
            // save() writes them in one run before the per-names: read when first asked about
            if (lx.english.deferred()) return std::nullopt;
            auto run_end = std::string_view(p - 2, static_cast<size_t>(end - (p - 2))).find("\nP\t");
            next = run_end == std::string_view::npos ? end : p - 2 + run_end + 1;
            lx.english.defer(std::string_view(p - 2, static_cast<size_t>(next - (p - 2))), "X\t");
        } else if (tag == 'W' || tag == 'S' || tag == 'N') {
            auto& set = tag == 'W' ? lx.words : tag == 'S' ? lx.stems : lx.name_words;
            std::string_view line(p, static_cast<size_t>(eol - p));
            if (line.empty() || std::memchr(line.data(), '\t', line.size()) || !set.append(line)) return std::nullopt;
        } else if (tag == 'P') {
            auto m = field(p, eol);
            auto st = words(std::string_view(p, static_cast<size_t>(eol - p)));
            if (m.empty() || st.empty()) return std::nullopt;
            lx.per_names[std::vector<std::string>(st.begin(), st.end())] = std::string(m);
        } else {
            return std::nullopt;
        }
        p = next;
    }
    r.index_phrases();
    return r;
}

void question_reader::index_phrases() {
    auto& lx = *lexicon_;
    auto before = [&](uint32_t a, uint32_t b) {
        auto &x = lx.entries[a], &y = lx.entries[b];
        if (x.stems[0] != y.stems[0]) return x.stems[0] < y.stems[0];
        if (x.stems.size() != y.stems.size()) return x.stems.size() > y.stems.size();
        return a < b;
    };
    lx.by_first.resize(lx.entries.size());
    for (uint32_t i = 0; i < lx.by_first.size(); ++i) lx.by_first[i] = i;
    // a saved file is written in this order: checking it is cheaper than sorting
    if (!std::is_sorted(lx.by_first.begin(), lx.by_first.end(), before)) std::sort(lx.by_first.begin(), lx.by_first.end(), before);
}

question_reader::~question_reader() = default;
question_reader::question_reader(question_reader&&) noexcept = default;
question_reader& question_reader::operator=(question_reader&&) noexcept = default;

namespace {

/// The question without what it says in parentheses to define a measure the way the model
/// does: "gross profit (price minus cost)", "days of supply (on hand / daily usage)", "margin
/// (gross profit = price - cost)".
std::string without_definitions(std::string original) {
    auto text = original;
    for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        size_t close = open, depth = 0;  // "(gross margin = (price - cost) / price)"
        for (; close < text.size(); ++close) {
            if (text[close] == '(') ++depth;
            if (text[close] == ')' && --depth == 0) break;
        }
        if (close >= text.size()) break;
        auto inner = std::string_view(text).substr(open + 1, close - open - 1);
        auto inside = words_of(inner);
        // ("Jan 1 - Jun 14": a span of dates, not a difference)
        bool dates = std::any_of(inside.begin(), inside.end(), [](auto& w) { return month_number(w) != 0; });
        bool definition = inner.find('/') != std::string::npos || inner.find('=') != std::string::npos || inner.find("÷") != std::string::npos ||
                          (inner.find(" - ") != std::string::npos && !dates) || inner.find("i.e.") != std::string::npos;
        // "(electrical, powertrain etc)", "(e.g. Lumen)": examples of what is asked, not filters
        // "(based on the dealer that handled the claim)": how it is counted, not a breakdown
        auto how_counted = [](const std::string& w) {
            return w == "based" || w == "according" || w == "attributed" || w == "assigned" || w == "taking" || w == "using";
        };
        definition = definition || (!inside.empty() && how_counted(inside.front())) || (inside.size() > 1 && how_counted(inside[1]));
        // "(2026 is year to date)", "(2026 partial)": a remark on the data, not another period
        static const std::set<std::string_view> partial_words = {"is", "are", "being", "the", "a", "only", "still", "partial",
            "partially", "incomplete", "ytd", "to", "date", "so", "far", "in", "progress", "year", "not", "complete", "yet",
            "ok", "okay", "fine"};
        // ("(June partial)": the month named)
        bool year_named = std::any_of(inside.begin(), inside.end(), [](auto& w) { return (w.size() == 4 && is_digits(w)) || month_number(w); });
        bool partial = std::any_of(inside.begin(), inside.end(), [](auto& w) {
            return w == "partial" || w == "partially" || w == "incomplete" || w == "ytd" || w == "date" || w == "far";
        });
        if (year_named && partial && std::all_of(inside.begin(), inside.end(), [](auto& w) {
                return (w.size() == 4 && is_digits(w)) || month_number(w) || partial_words.count(w);
            }))
            definition = true;
        // "(claims by the dealer's region)": whose breakdown counts them, not another one
        std::string lower_inner;
        for (char c : inner) lower_inner.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        for (auto at = lower_inner.find("by the "); at != std::string::npos && !definition; at = lower_inner.find("by the ", at + 1)) {
            auto end = lower_inner.find(' ', at + 7);
            auto owner = lower_inner.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
            definition = owner.ends_with("'s") || owner.ends_with("\u2019s");
        }
        // "(one row per model and year)": how to lay the answer out, said by its rows already
        definition = definition || std::any_of(inside.begin(), inside.end(), [](auto& w) { return w == "row" || w == "rows" || w == "column" || w == "columns"; });
        bool examples = !inside.empty() && (inside.back() == "etc" || inside.front() == "eg" || inside.front() == "e" ||
                                            (inside.size() > 2 && inside[inside.size() - 2] == "so" && inside.back() == "on") ||
                                            (inside.size() > 2 && inside[inside.size() - 2] == "the" && inside.back() == "like") ||
                                            (inside.size() > 1 && inside[0] == "such" && inside[1] == "as") ||
                                            (inside.size() > 1 && inside[0] == "for" && inside[1] == "example"));
        for (size_t k = 0; k < inside.size(); ++k) {
            auto& w = inside[k];
            bool than = k + 1 < inside.size() && inside[k + 1] == "than";  // "(less than 500)" is a threshold
            // ("gross profit over revenue": a ratio; "over 30 days" is a threshold)
            // ("2025 claims over 2025 sales": a year before each side)
            size_t next = k + 1 < inside.size() && inside[k + 1].size() == 4 && is_digits(inside[k + 1]) && k + 2 < inside.size() &&
                                  std::isalpha(static_cast<unsigned char>(inside[k + 2][0])) ? k + 2 : k + 1;
            bool ratio = w == "over" && k > 0 && next < inside.size() && !std::isdigit(static_cast<unsigned char>(inside[next][0])) &&
                         inside[next] != "the" && inside[next] != "a" && !month_number(inside[next]);
            definition = definition || ratio || w == "minus" || (w == "less" && !than) || w == "plus" || w == "divided" ||
                         w == "times" || w == "defined" || w == "meaning" || w == "calculated" ||
                         w == "handled" || w == "serviced";  // "(region of the dealer that handled the claim)"
        }
        // ("(in dollars, price minus MSRP)": the unit asked stays said)
        bool unit = inside.size() > 2 && inside[0] == "in" &&
                    (inside[1] == "dollars" || inside[1] == "usd" || inside[1] == "percent" || inside[1] == "days");
        if (definition || examples) text.replace(open, close - open + 1, unit ? " in " + inside[1] + " " : std::string(" "));
    }
    // "… in each region? margin = (price - cost) / price", "…under 4.5%, with margin = …": a
    // clause defining a measure, after the question
    auto boundary = [&](size_t at) {  // a clause ends at ? ! ; : , or a full stop (not "4.5")
        char c = text[at];
        if (c == '?' || c == '!' || c == ';' || c == ':' || c == ',') return true;
        return c == '.' && (at + 1 >= text.size() || std::isspace(static_cast<unsigned char>(text[at + 1])));
    };
    // "region = West", "system = 'Electrical'", "repeat_repair = 1": a column set to one value
    // (SQL's way to say a filter), not a definition: the value stays, read as a filter is.
    // A value is quoted, a number or capitalised, one to three words up to the clause's end.
    for (auto eq = text.find('='); eq != std::string::npos; eq = text.find('=', eq + 1)) {
        size_t end = eq + 1;
        while (end < text.size() && !boundary(end)) ++end;
        auto value = std::string_view(text).substr(eq + 1, end - eq - 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
        bool quoted = value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front();
        auto inner = quoted ? value.substr(1, value.size() - 2) : value;
        auto words = words_of(inner);
        bool plain = !inner.empty() && inner.find_first_of("/*+()=<>\u00f7") == std::string_view::npos &&
                     inner.find(" - ") == std::string_view::npos && !words.empty() && words.size() <= 3;
        bool one_value = plain && (quoted || std::isupper(static_cast<unsigned char>(inner.front())) ||
                                   std::all_of(inner.begin(), inner.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }));
        if (one_value) text[eq] = ' ';
    }
    if (auto eq = text.find('='); eq != std::string::npos) {
        size_t start = eq;
        while (start > 0 && !boundary(start - 1)) --start;
        size_t end = eq;
        while (end < text.size() && !(boundary(end) && text[end] != ',')) ++end;
        if (start > 0) text.replace(start, end - start, " ");
    }
    // "by vehicle segment — sedan, SUV, truck and so on": examples after a dash or a colon, as
    // in brackets
    std::string lower;
    for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (std::string_view marker : {" and so on", " etc", " and the like"}) {
        auto at = lower.find(marker);
        if (at == std::string::npos) continue;
        size_t sep = std::string::npos;
        for (std::string_view dash : {"\u2014", "\u2013", " - ", ":"}) {
            auto d = lower.rfind(dash, at);
            if (d != std::string::npos && (sep == std::string::npos || d > sep)) sep = d;
        }
        if (sep == std::string::npos || lower.find_first_of("?!;", sep) < at) continue;
        text.replace(sep, at + marker.size() - sep, " ");
        break;
    }
    // a question that is all definition ("(a/b)", ";x=y") stays as asked, to be read as such
    if (std::none_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) return original;
    return text;
}

/// "May-26 vs Apr-26", "Jun-25 to May-26": a month and two digits joined by a dash, as a
/// spreadsheet writes a month (mmm-yy), are that month of 20yy; "2026-05" is May 2026; "÷" is
/// "divided by".
std::string spreadsheet_months(std::string text) {
    for (size_t at = 0; (at = text.find("\u00f7", at)) != std::string::npos;) text.replace(at, 2, " divided by ");
    for (size_t dash = text.find('-'); dash != std::string::npos; dash = text.find('-', dash + 1)) {
        if (dash + 3 > text.size() || !std::isdigit(static_cast<unsigned char>(text[dash + 1])) ||
            !std::isdigit(static_cast<unsigned char>(text[dash + 2])) ||
            (dash + 3 < text.size() && std::isalnum(static_cast<unsigned char>(text[dash + 3]))))
            continue;
        size_t start = dash;
        while (start > 0 && std::isalpha(static_cast<unsigned char>(text[start - 1]))) --start;
        if (start == dash || (start > 0 && std::isalnum(static_cast<unsigned char>(text[start - 1])))) continue;
        std::string name;
        for (size_t k = start; k < dash; ++k) name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[k]))));
        if (!month_number(name)) continue;
        text.replace(dash, 1, " 20");
    }
    // "period = '2026-05'", "2025-06 to 2026-05": a month as a database writes it (YYYY-MM), not
    // a day ("2026-05-01") or a span of years ("2025-26")
    static const char* names[] = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"};
    auto digit = [&](size_t k) { return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k])); };
    for (size_t dash = text.find('-'); dash != std::string::npos; dash = text.find('-', dash + 1)) {
        if (dash < 4 || !digit(dash - 4) || !digit(dash - 3) || !digit(dash - 2) || !digit(dash - 1) || !digit(dash + 1) || !digit(dash + 2))
            continue;
        if ((dash > 4 && (std::isalnum(static_cast<unsigned char>(text[dash - 5])) || text[dash - 5] == '-')) ||
            (dash + 3 < text.size() && (std::isalnum(static_cast<unsigned char>(text[dash + 3])) || text[dash + 3] == '-')))
            continue;
        int month = std::atoi(text.substr(dash + 1, 2).c_str());
        if (month < 1 || month > 12) continue;
        auto name = fmt::format("{} {}", names[month - 1], text.substr(dash - 4, 4));
        text.replace(dash - 4, 7, name);
        dash = dash - 4 + name.size() - 1;
    }
    return text;
}

/// "between 01/03/2025 and 31/08/2025": dates with slashes, as ISO dates. Which part is the day
/// the question itself must say — a first part over 12 (31/08/2025) makes them all day first, a
/// second part over 12 (08/31/2025) month first; when every date could be either, or they
/// disagree, they are left as typed (and not understood).
std::string iso_slash_dates(const std::string& text) {
    if (text.find('/') == std::string::npos) return text;
    struct date { size_t at, length; int a, b, y; };
    std::vector<date> dates;
    for (size_t i = 0; i < text.size(); ++i) {
        if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) continue;
        size_t k = i;
        auto number = [&](size_t most) {
            size_t start = k;
            while (k < text.size() && k - start < most && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
            return k > start ? std::atoi(text.substr(start, k - start).c_str()) : -1;
        };
        int a = number(2);
        if (a < 1 || k >= text.size() || text[k] != '/') continue;
        ++k;
        int b = number(2);
        if (b < 1 || k >= text.size() || text[k] != '/') continue;
        ++k;
        size_t year_at = k;
        int y = number(4);
        if (y < 1900 || k - year_at != 4 || (k < text.size() && std::isalnum(static_cast<unsigned char>(text[k])))) continue;
        dates.push_back({i, k - i, a, b, y});
        i = k;
    }
    bool day_first = std::any_of(dates.begin(), dates.end(), [](auto& d) { return d.a > 12; });
    bool month_first = std::any_of(dates.begin(), dates.end(), [](auto& d) { return d.b > 12; });
    if (dates.empty() || day_first == month_first) return text;
    std::string out = text;
    for (auto d = dates.rbegin(); d != dates.rend(); ++d) {
        int day = day_first ? d->a : d->b, month = day_first ? d->b : d->a;
        if (month > 12 || day > 31) return text;
        out.replace(d->at, d->length, fmt::format("{:04}-{:02}-{:02}", d->y, month, day));
    }
    return out;
}

/// The question without a clause saying what the answer is for: "… for the board pack", "need it
/// for the parts call-off", "For the EV battery plan, …". The clause is "for" and a determiner,
/// one to three words, and a kind of document or meeting, ending the clause; what it names is
/// not asked about — unless `names_value(noun, word before it)` says the words name a value
/// ("for the batery pack": the Battery Pack).
std::string without_purpose(std::string text, const std::function<bool(std::string_view, std::string_view)>& names_value) {
    static const std::set<std::string_view> documents = {"pack", "plan", "meeting", "call", "review", "presentation",
                                                         "slides", "slide", "memo", "email", "update", "deck", "forecast",
                                                         "section", "page", "dashboard", "scorecard"};
    std::string lower;
    for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (size_t at = lower.find("for "); at != std::string::npos; at = lower.find("for ", at + 1)) {
        if (at > 0 && std::isalnum(static_cast<unsigned char>(lower[at - 1]))) continue;
        size_t k = at + 4;
        auto next_word = [&](size_t& from) {
            while (from < lower.size() && lower[from] == ' ') ++from;
            size_t start = from;
            while (from < lower.size() && (std::isalnum(static_cast<unsigned char>(lower[from])) || lower[from] == '-' ||
                                           lower[from] == '&' || lower[from] == '\''))
                ++from;
            return lower.substr(start, from - start);
        };
        auto det = next_word(k);
        if (det != "the" && det != "my" && det != "our" && det != "this" && det != "a" && det != "an" && det != "next") continue;
        std::string before;
        for (int n = 0; n < 4; ++n) {
            auto w = next_word(k);
            if (w.empty()) break;
            auto head = w.substr(0, w.find('-'));  // "call-off"
            size_t after = k;
            while (after < lower.size() && lower[after] == ' ') ++after;
            bool clause_end = after >= lower.size() || std::string_view(".,;:!?)").find(lower[after]) != std::string_view::npos;
            // ("For the review deck I need one number: …")
            size_t peek = after;
            auto then = next_word(peek);
            clause_end = clause_end || then == "i" || then == "we" || then == "please" || then == "can" || then == "could";
            if (n >= 1 && documents.count(head) && clause_end && !names_value(head, before)) {
                text.replace(at, k - at, std::string(k - at, ' '));
                lower.replace(at, k - at, std::string(k - at, ' '));
                break;
            }
            before = w;
        }
    }
    return text;
}

/// The conversation around a question, as whole phrases: how sure the asker is ("I'm not
/// totally sure", "this might be a silly question", "I hope this makes sense"), how politely
/// they ask ("if it's not too much trouble", "would you be able to", "would you mind") and
/// how the answer should be laid out ("one row per model", "in a single row", "months as
/// YYYY-MM", "as two columns"), which is how bi lays it out. Phrases, not words: "not" and
/// "row" mean something elsewhere. A `*` stands for any one word.
void drop_asides(std::vector<std::string>& words) {
    static const std::vector<std::vector<std::string_view>> asides = {
        {"not", "*", "sure"}, {"not", "sure"}, {"not", "too", "much", "trouble"}, {"not", "too", "much", "bother"},
        {"silly", "question"}, {"dumb", "question"}, {"stupid", "question"}, {"makes", "sense"}, {"make", "sense"},
        {"be", "able", "to"}, {"you", "mind"}, {"dont", "mind"}, {"of", "course"}, {"help", "me", "out"},
        {"would", "be", "great"}, {"be", "great"}, {"proper", "name"}, {"right", "name"}, {"if", "that", "possible"},
        {"if", "possible"}, {"it", "be", "possible"}, {"is", "that", "possible"}, {"is", "it", "possible"},
        {"is", "that", "something"}, {"work", "out"}, {"nothing", "fancy"}, {"keep", "it", "simple"},
        {"nothing", "broken", "out"}, {"nothing", "broken", "down"},
        // the layout: a row per group, the periods as bi writes them
        {"1", "row", "per"}, {"a", "row", "per"}, {"1", "row", "for", "each"}, {"a", "row", "for", "each"},
        {"1", "line", "per"}, {"a", "line", "per"}, {"on", "its", "own", "row"}, {"on", "own", "row"},
        {"in", "a", "single", "row"}, {"in", "one", "row"}, {"all", "in", "a", "single", "row"},
        {"as", "2", "columns", "in", "1", "row"}, {"as", "2", "columns"},
        {"months", "as", "yyyy", "mm"}, {"as", "yyyy", "mm"}, {"yyyy", "mm"}, {"as", "a", "simple", "count"},
        // how a mean is taken, the plain one bi takes: "as a simple average across its lines"
        {"as", "a", "simple", "average"}, {"as", "a", "plain", "average"},
    };
    auto at = [&](size_t i, const std::vector<std::string_view>& phrase) {
        if (i + phrase.size() > words.size()) return false;
        for (size_t k = 0; k < phrase.size(); ++k)
            if (phrase[k] != "*" && words[i + k] != phrase[k]) return false;
        return true;
    };
    for (size_t i = 0; i < words.size();) {
        auto phrase = std::find_if(asides.begin(), asides.end(), [&](auto& p) { return at(i, p); });
        if (phrase == asides.end()) {
            ++i;
            continue;
        }
        // ("one row per model" keeps "per model", which asks for the rows)
        size_t keep = phrase->back() == "per" || phrase->back() == "each" ? 1 : 0;
        words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + phrase->size() - keep));
    }
    // "what's the damage on warranty this year": what it came to
    for (size_t i = 0; i + 2 < words.size(); ++i)
        if (words[i] == "the" && words[i + 1] == "damage" && (words[i + 2] == "on" || words[i + 2] == "for"))
            words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + 2));
    // "was cost last month higher or lower than the month before": the two, side by side
    for (size_t i = 0; i + 3 < words.size(); ++i) {
        auto& a = words[i];
        auto& b = words[i + 2];
        bool either = (a == "higher" && b == "lower") || (a == "lower" && b == "higher") || (a == "more" && b == "less") ||
                      (a == "better" && b == "worse") || (a == "worse" && b == "better");
        if (either && words[i + 1] == "or" && words[i + 3] == "than") {
            words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + 3));
            words[i] = "vs";
        }
    }
    // "…, I mean the dealers in the West region": the question said again, not an average.
    // "By comeback I mean claims flagged as a repeat repair": a word of the question defined,
    // the definition read as the question said again (the defined word is read where it was
    // first said)
    // ("revenue by region I mean the West" keeps its breakdown: "region" was not said before)
    auto said_before = [&](size_t by, size_t end) {
        auto bare = [](std::string w) { return w.size() > 3 && w.back() == 's' ? w.substr(0, w.size() - 1) : w; };
        for (size_t k = by + 1; k < end; ++k)
            if (std::none_of(words.begin(), words.begin() + static_cast<long>(by), [&](auto& w) { return bare(w) == bare(words[k]); }))
                return false;
        return true;
    };
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        if (words[i] != "i" || words[i + 1] != "mean") continue;
        size_t from = i;
        for (size_t by = i >= 3 ? i - 3 : 0; by + 1 < i; ++by)
            if (words[by] == "by" && said_before(by, i)) from = by;
        if (from == i && i >= 2 && words[i - 2] == "by") continue;
        words.erase(words.begin() + static_cast<long>(from), words.begin() + static_cast<long>(i + 2));
    }
}

/// Numbers as people type them: "2,000" → "2000", "$1.5m" → "1500000", "5k" → "5000".
std::string normalise_numbers(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ',' && i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) && i + 3 < text.size() + 1 &&
            i + 3 <= text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isdigit(static_cast<unsigned char>(text[i + 2])) && std::isdigit(static_cast<unsigned char>(text[i + 3])) &&
            (i + 4 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 4]))))
            continue;
        if (c == '$') {  // "$2,000" is a number; "warranty $" says dollars
            size_t k = i + 1;
            while (k < text.size() && text[k] == ' ') ++k;
            // ("claim $ 2024 vs 2025": a year after a space, not an amount)
            auto digits = k;
            while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
            bool year = k > i + 1 && digits - k == 4 && (text.compare(k, 2, "19") == 0 || text.compare(k, 2, "20") == 0) &&
                        (digits >= text.size() || !std::isalnum(static_cast<unsigned char>(text[digits]))) &&
                        (digits >= text.size() || (text[digits] != '.' && text[digits] != ','));
            if (k >= text.size() || !std::isdigit(static_cast<unsigned char>(text[k])) || year) out += " dollars ";
            continue;
        }
        // "w/o EVs", "w/ trucks": the shorthand of a note
        bool word_start = i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]));
        if (word_start && (c == 'w' || c == 'W') && i + 1 < text.size() && text[i + 1] == '/') {
            bool without = i + 2 < text.size() && (text[i + 2] == 'o' || text[i + 2] == 'O') &&
                           (i + 3 >= text.size() || !std::isalnum(static_cast<unsigned char>(text[i + 3])));
            out += without ? "without" : "with";
            i += without ? 2 : 1;
            continue;
        }
        // "May '26": a year said with its last two digits
        if (c == '\'' && word_start && i + 2 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
            (i + 3 >= text.size() || !std::isalnum(static_cast<unsigned char>(text[i + 3])))) {
            out += "20";
            continue;
        }
        // "#1 dealer": the first; "# of cars": the number of them
        if (c == '#' && word_start) {
            bool place = i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]));
            out += place ? " top " : " number ";
            continue;
        }
        // "2026-01-01": an ISO date, said as "January 1 2026"
        auto digit = [&](size_t k) { return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k])); };
        if (word_start && i + 9 < text.size() && digit(i) && digit(i + 1) && digit(i + 2) && digit(i + 3) && text[i + 4] == '-' &&
            digit(i + 5) && digit(i + 6) && text[i + 7] == '-' && digit(i + 8) && digit(i + 9) && !digit(i + 10) &&
            (i + 10 >= text.size() || !std::isalpha(static_cast<unsigned char>(text[i + 10])))) {
            int m = std::atoi(std::string(text.substr(i + 5, 2)).c_str()), d = std::atoi(std::string(text.substr(i + 8, 2)).c_str());
            if (m >= 1 && m <= 12 && d >= 1 && d <= 31) {
                out += fmt::format("{} {} {}", month_names[m - 1], d, text.substr(i, 4));
                i += 9;
                continue;
            }
        }
        if (c == '-' && i + 1 < text.size() && text[i + 1] == '>') {  // "2024 -> 2025"
            out += " to ";
            ++i;
            continue;
        }
        // "Q1-Q4", "Q2–Q3 2025": the quarters from one to the other
        auto quarter_at = [&](size_t k) {
            return k + 1 < text.size() && (text[k] == 'q' || text[k] == 'Q') && text[k + 1] >= '1' && text[k + 1] <= '4' &&
                   (k + 2 >= text.size() || !std::isalnum(static_cast<unsigned char>(text[k + 2])));
        };
        size_t dash = c == '-' ? 1 : text.substr(i).starts_with("\u2013") ? 3 : 0;  // (an en dash)
        if (dash && i >= 2 && quarter_at(i - 2) && quarter_at(i + dash)) {
            out += " through ";
            i += dash - 1;
            continue;
        }
        // "300+ claims": at least 300
        if (c == '+' && i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
            (i + 1 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
            size_t start = out.size();
            while (start > 0 && (std::isdigit(static_cast<unsigned char>(out[start - 1])) || out[start - 1] == '.')) --start;
            out.insert(start, " at least ");
            continue;
        }
        // "where system != Electrical", "segment <> SUV": SQL's "is not"
        if ((c == '!' || c == '<') && i + 1 < text.size() && text[i + 1] == (c == '!' ? '=' : '>')) {
            out += " is not ";
            ++i;
            continue;
        }
        if (c == '>' || c == '<') {
            bool eq = i + 1 < text.size() && text[i + 1] == '=';
            out += c == '>' ? (eq ? " at least " : " more than ") : (eq ? " at most " : " less than ");
            if (eq) ++i;
            continue;
        }
        out.push_back(c);
    }
    // "22 million", "1.5 billion", "300 thousand"
    for (auto [word, factor] : {std::pair<const char*, double>{" million", 1e6}, {" billion", 1e9}, {" thousand", 1e3}}) {
        for (size_t at = out.find(word); at != std::string::npos; at = out.find(word, at + 1)) {
            size_t start = at;
            while (start > 0 && (std::isdigit(static_cast<unsigned char>(out[start - 1])) || out[start - 1] == '.')) --start;
            if (start == at) continue;
            double v = std::atof(out.substr(start, at - start).c_str()) * factor;
            auto digits = fmt::format("{}", v);
            out.replace(start, at - start + std::strlen(word), digits);
            at = start;
        }
    }
    // 5k, 1.5m
    std::string result;
    for (size_t i = 0; i < out.size(); ++i) {
        result.push_back(out[i]);
        if (!std::isdigit(static_cast<unsigned char>(out[i]))) continue;
        size_t j = i + 1;
        if (j < out.size() && (out[j] == 'k' || out[j] == 'K' || out[j] == 'm' || out[j] == 'M') &&
            (j + 1 >= out.size() || !std::isalpha(static_cast<unsigned char>(out[j + 1])))) {
            size_t start = result.size();
            while (start > 0 && (std::isdigit(static_cast<unsigned char>(result[start - 1])) || result[start - 1] == '.')) --start;
            double v = std::atof(result.substr(start).c_str()) * ((out[j] == 'k' || out[j] == 'K') ? 1e3 : 1e6);
            result.resize(start);
            result += fmt::format("{}", v);
            i = j;
        }
    }
    return result;
}

struct token {
    std::string word, stem;
    bool used = false;
};

bool year_word(std::string_view w) { return w == "year" || w == "years" || w == "yr" || w == "yrs"; }
bool month_word(std::string_view w) { return w == "month" || w == "months" || w == "mo" || w == "mos"; }
bool quarter_word(std::string_view w) { return w == "quarter" || w == "quarters" || w == "qtr" || w == "qtrs"; }
bool week_word(std::string_view w) { return w == "week" || w == "weeks" || w == "wk" || w == "wks"; }
bool day_word(std::string_view w) { return w == "day" || w == "days"; }

}  // namespace

/// One question being read: the stages below run in order, each reading what the earlier
/// ones left unused and adding to `q`.
struct question_reader::reading {
    using kind = lexicon::kind;
    struct found {
        size_t start, length;
        const lexicon::entry* e;
    };
    struct value_at {
        size_t start, length;
        std::vector<std::pair<std::string, std::string>> readings;  // (dimension, value)
        bool weak;
    };

    reading(const semantic_model& m, const lexicon& l, std::string_view question, const std::string& today_text);

    const semantic_model& model;
    const lexicon& lx;
    semantic_query q;
    year_month_day today;
    int this_year = 0;
    year_month this_month;
    std::string original;                          // the question as typed: capitals tell codes from words
    std::vector<std::string> words;
    std::vector<token> t;

    // What the stages found, by position in `t`.
    std::vector<found> phrases;
    std::vector<std::pair<size_t, std::string>> measures_at, weak_measures_at, dims_at, conditions_at;
    std::vector<std::pair<size_t, std::vector<std::string>>> context_measures_at;  // "cost": the measures it may be
    std::vector<std::pair<size_t, size_t>> compared_at;  // a measure compared with another: (q.having's index, where the other is said)
    std::vector<std::pair<size_t, size_t>> compared_from;  // and where the measure compared is said
    std::vector<value_at> values;
    std::vector<std::string> value_dimension;       // per value: the dimension it was read as
    std::vector<std::pair<size_t, period>> periods; // each period named, by position
    struct within_year {
        size_t at;
        char unit;  // 'm'onth, 'q'uarter, 'h'alf
        int n;
    };
    std::vector<within_year> yearless;  // "Q1", "March" named without a year: the latest is assumed
    /// That month, quarter or half of year `y`, up to today.
    period part_of(const within_year& part, int y) const {
        return up_to(part.unit == 'm'   ? month_period(year_month{year{y}, month{static_cast<unsigned>(part.n)}})
                     : part.unit == 'q' ? quarter_period(y, part.n)
                                        : half_period(y, part.n),
                     today, true);
    }
    bool weekly = false;                            // "weekly": no cube has weeks
    std::string sequential;                         // "month over month": each period against the one before
    time_grain each_grain = time_grain::none;       // "in each year": a coarser bucket to rank within
    time_grain coarsest_grain = time_grain::none;   // the coarsest grain named ("average monthly units by quarter")
    bool singular_time = false;                     // "which month…": one row
    std::set<size_t> laid_out;                      // where "down the side", "across the top" start
    end_asked asked = end_asked::none;
    size_t rank_at = 0;
    std::vector<std::pair<size_t, measure_condition>> thresholds;
    std::set<size_t> threshold_units;               // "more than 1,850 cars": words a threshold counts
    std::set<size_t> excluded_values;               // positions in `values`
    std::string none_word;                          // "didn't", "no", "never": the rows where nothing happened
    std::string without_dim, with_any_dim;          // "cars sold without an F&I product", "… with an F&I product"
    std::string excluded_measure;                   // "claims excluding repeat repairs": a subset measure taken out
    std::string excluded_text;
    std::string without_text, with_any_text;        // the words that said so
    std::vector<size_t> unknown_at;                 // where each word not understood is
    std::vector<double> money_amounts;              // the numbers written after "$"
    std::set<size_t> money_conditions;              // thresholds (by index) on an amount of money
    size_t share_at = SIZE_MAX;
    bool implied = false;                           // measures only implied ("sales", "how many")
    std::vector<std::pair<size_t, std::string>> breakdowns;

    std::string_view word(size_t i) const { return i < t.size() ? std::string_view(t[i].word) : std::string_view(); }
    bool unused(size_t i) const { return i < t.size() && !t[i].used; }
    void take(size_t i, size_t n = 1) {
        for (size_t k = i; k < i + n && k < t.size(); ++k) t[k].used = true;
    }
    std::string define(const std::string& name, const std::string& text, const std::string& unit, bool higher);
    void replace_measure(std::string from, const std::string& to);

    void correct_typos();
    void match_phrases();
    void read_periods();
    /// The same span a year earlier: "2026 to date" → "2025 to the same day".
    period year_before(const period& p) const;
    void combine_periods();
    void read_grains();
    bool all_of_history(size_t at) const;
    bool series_asked() const;
    void years_as_rows();
    void periods_as_columns();
    void show_parents_named();
    void read_remarks();
    void name_the_one();
    void read_ranking_words();
    void read_thresholds();
    void read_none();
    bool compares_measures(size_t i, size_t span);
    void read_exclusions();
    void read_comparisons();
    bool percent_unit(size_t i) const;
    void read_counted_nouns();
    void read_context_measures();
    bool dimension_has_per_measures(const std::string& dim) const;
    bool kpi_question() const;
    bool names_value_outside_kpis(const value_at& v, bool kpi_context) const;
    void read_measures();
    void compared_alone();
    void define_measures();
    void read_filters();
    void read_breakdowns();
    void condition_rows();
    void complete_measures();
    void complete_named_measures();
    void read_shares_and_thresholds();
    void read_subset_shares();
    void read_rank_measure();
    void check_leftovers();
    /// The model's measure that is x / y (or x / y * 100), or "".
    std::string declared_ratio(const std::string& x, const std::string& y) const;
};

question_reader::reading::reading(const semantic_model& m, const lexicon& l, std::string_view question,
                                  const std::string& today_text)
    : model(m), lx(l) {
    if (question.size() > max_question_bytes)
        throw usage_error(fmt::format("question is too long ({} bytes; at most {})", question.size(), max_question_bytes));
    if (!is_valid_utf8(question)) throw usage_error("question is not valid UTF-8 text");
    if (question.find('\0') != std::string_view::npos) throw usage_error("question contains a NUL byte");
    today = parse_iso(today_text);
    if (!today.ok()) throw usage_error(fmt::format("today's date '{}' is not a calendar date", today_text));
    this_year = int(today.year());
    this_month = today.year() / today.month();
    original = std::string(question);
    // "$60,000", "$45k", "$1.2 million": amounts of money, as normalise_numbers reads them
    for (size_t at = original.find('$'); at != std::string::npos; at = original.find('$', at + 1)) {
        size_t end = at + 1;
        while (end < original.size() && (std::isdigit(static_cast<unsigned char>(original[end])) || original[end] == ',' ||
                                         original[end] == '.' || original[end] == ' ' || std::isalpha(static_cast<unsigned char>(original[end]))))
            ++end;
        auto amount = words_of(normalise_numbers(original.substr(at + 1, end - at - 1)));
        bool year = at + 1 < original.size() && original[at + 1] == ' ' && !amount.empty() && amount.front().size() == 4 &&
                    is_digits(amount.front()) && (amount.front()[0] == '1' || amount.front()[0] == '2');  // "claim $ 2024"
        if (!amount.empty() && is_number(amount.front()) && !year) money_amounts.push_back(std::atof(amount.front().c_str()));
    }
    // ("for the board pack" is a purpose; "for the batery pack" may be the Battery Pack)
    auto names_value = [&](std::string_view noun, std::string_view before) {
        if (filler().count(before)) return false;
        auto stem = stems_of({std::string(noun)}).front();
        return std::any_of(lx.entries.begin(), lx.entries.end(), [&](auto& e) {
            return !e.value.empty() && std::find(e.stems.begin(), e.stems.end(), stem) != e.stems.end();
        });
    };
    // "the difference (actual minus target)": the parentheses name the difference the model
    // declares; read as said, not dropped as a definition
    std::string text(question);
    for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        size_t close = text.find(')', open);
        if (close == std::string::npos) break;
        auto before = words_of(text.substr(0, open));
        if (before.empty() || (before.back() != "difference" && before.back() != "delta")) continue;
        auto inside = words_of(text.substr(open + 1, close - open - 1));
        bool declared = std::any_of(model.measures.begin(), model.measures.end(), [&](auto& m) {
            auto f = m.is_derived() ? bare(m.derived.text()) : std::string();
            return f.find('-') != std::string::npos && f.find('/') == std::string::npos &&
                   std::any_of(m.names.begin(), m.names.end(), [&](auto& n) { return words_of(n) == inside; });
        });
        if (declared) text[open] = text[close] = ' ';
    }
    // "top 4 SKUs (models)": a dimension's name put right in brackets after another's
    auto dimension_named = [&](const std::string& w) -> std::string_view {
        auto st = stems_of({w}).front();
        for (auto& e : lx.entries)
            if (e.what == kind::dimension && e.stems.size() == 1 && e.stems.front() == st) return e.target;
        return {};
    };
    for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        size_t close = text.find(')', open);
        if (close == std::string::npos) break;
        auto before = words_of(text.substr(0, open));
        auto inside = words_of(text.substr(open + 1, close - open - 1));
        if (before.empty() || inside.size() != 1) continue;
        auto said = dimension_named(before.back()), meant = dimension_named(inside.front());
        if (said.empty() || meant.empty() || said == meant) continue;
        auto lower_text = text;
        for (auto& c : lower_text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t start = lower_text.rfind(before.back(), open);
        if (start == std::string::npos) continue;
        text = text.substr(0, start) + inside.front() + text.substr(close + 1);
        open = start;
    }
    // "F&I revenue per unit sold (all units)": every fact counted, said of a ratio's "per"
    // already read, is no measure of its own
    for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        size_t close = text.find(')', open);
        if (close == std::string::npos) break;
        auto before = words_of(text.substr(0, open));
        auto inside = words_of(text.substr(open + 1, close - open - 1));
        bool per_said = std::find(before.begin(), before.end(), "per") != before.end();
        if (per_said && inside.size() == 2 && (inside[0] == "all" || inside[0] == "every") && lx.per_names.count(stems_of({inside[1]})))
            text.replace(open, close - open + 1, " ");
    }
    text = iso_slash_dates(spreadsheet_months(text));
    words = words_of(without_definitions(normalise_numbers(without_purpose(text, names_value))));
    drop_asides(words);
    // "warranty cost/unit", "claims/car": a slash before what a measure counts is "per" ("plant/part
    // combos" name two dimensions)
    std::string lower;
    for (char c : original) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (size_t i = 1; i < words.size() && original.find('/') != std::string::npos; ++i)
        if (lower.find(words[i - 1] + "/" + words[i]) != std::string::npos && lx.per_names.count(stems_of({words[i]})))
            words.insert(words.begin() + static_cast<long>(i++), "per");
    // "GP margin, total co": the company ("CO" in capitals is still Colorado)
    for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] != "co" || !(words[i - 1] == "total" || words[i - 1] == "whole" || words[i - 1] == "entire")) continue;
        auto said = original.find(words[i - 1] + " co");
        auto after = said == std::string::npos ? said : said + words[i - 1].size() + 3;
        if (said != std::string::npos && (after >= original.size() || !std::isalpha(static_cast<unsigned char>(original[after]))))
            words[i] = "company";
    }
    // "Lumen u this qtr", "claims per 100 u sold": the shorthand of units, when the model names a
    // measure so. "can u pull", "thank u", "u need": you.
    static const std::set<std::string_view> before_you = {"can", "could", "would", "will", "do", "did", "are", "r", "if", "let",
                                                          "should", "thank", "thanks", "thx", "tell", "show", "give", "help",
                                                          "send", "see", "got", "get", "for", "to", "ask", "have"};
    static const std::set<std::string_view> after_you = {"pull", "get", "send", "show", "give", "tell", "know", "see", "check", "run",
                                                         "have", "need", "think", "want", "please", "pls", "plz", "mind", "help",
                                                         "guys", "able", "can", "could", "are", "r", "got", "grab", "dig", "find"};
    // (the lexicon is looked through only when a "u" is said: this runs for every question)
    bool units_named = std::find(words.begin(), words.end(), "u") != words.end() &&
                       std::any_of(lx.entries.begin(), lx.entries.end(), [](auto& e) {
                           return e.what == kind::measure && e.stems.size() == 1 && e.stems.front() == "unit";
                       });
    for (size_t i = 0; i < words.size() && units_named; ++i)
        if (words[i] == "u" && !(i > 0 && before_you.count(words[i - 1])) && !(i + 1 < words.size() && after_you.count(words[i + 1])))
            words[i] = "units";
    // "what customers paid", "people paying for a Kestrel", "a Granite buyer paid": the
    // revenue, what customers paid for the vehicles ("the average price customers paid": the
    // price named already). What "we paid" is a cost, not read so.
    static const std::set<std::string_view> buyers = {"customer", "customers", "buyer", "buyers", "people", "owners", "owner",
                                                      "consumers", "clients", "drivers", "shoppers"};
    static const std::set<std::string_view> paying = {"paid", "pay", "pays", "paying", "payed", "spent", "spend", "spending"};
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        size_t verb = i + 1;
        while (verb < words.size() && verb <= i + 3 && (words[verb] == "have" || words[verb] == "had" || words[verb] == "actually" ||
                                                        words[verb] == "are" || words[verb] == "were" || words[verb] == "really"))
            ++verb;
        if (!buyers.count(words[i]) || verb >= words.size() || !paying.count(words[verb])) continue;
        bool price_said = std::any_of(words.begin(), words.end(), [](auto& w) { return w == "price" || w == "prices"; });
        words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(verb + 1));
        if (!price_said) words.insert(words.begin() + static_cast<long>(i), "revenue");
    }
    // "in each segment... no wait, in each region": the words said again after the correction
    // replace the ones they correct
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        size_t said = words[i] == "no" && words[i + 1] == "wait" ? 2 : words[i] == "scratch" && words[i + 1] == "that" ? 2 : 0;
        if (!said) continue;
        size_t from = i;
        if (i + said + 1 < words.size())
            for (size_t k = 0; k + 1 < i; ++k)
                if (words[k] == words[i + said] && words[k + 1] == words[i + said + 1]) from = k;
        words.erase(words.begin() + static_cast<long>(from), words.begin() + static_cast<long>(i + said));
        break;
    }
    // "back in 2024": in 2024 (not "the same fault came back in 2024")
    static const std::set<std::string_view> returning = {"came", "come", "comes", "coming", "went", "go", "goes", "brought", "bring"};
    for (size_t i = 0; i + 2 < words.size(); ++i)
        if (words[i] == "back" && words[i + 1] == "in" && !(i > 0 && returning.count(words[i - 1])) && ((words[i + 2].size() == 4 && is_digits(words[i + 2])) || month_number(words[i + 2])))
            words.erase(words.begin() + static_cast<long>(i));
    // "by how many percentage points did the rate change": the change, in the measure's own
    // points (the difference is shown beside the change in %)
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if ((words[i] == "percentage" || words[i] == "percent") && (words[i + 1] == "points" || words[i + 1] == "point") &&
            std::any_of(words.begin(), words.end(), [](auto& w) { return change_word(w); }))
            words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + 2));
    // Words read as another: "2024 thru 2025", "all plants pooled"
    static const std::map<std::string_view, std::string_view> same_as = {{"thru", "through"}, {"pooled", "combined"}};
    for (auto& w : words)
        if (auto it = same_as.find(w); it != same_as.end()) w = std::string(it->second);
    // "claims and $", "warranty claims & dollars": the amount of money of the facts just named,
    // when the model names it so ("claims dollars", "claims cost"), not a word dropped
    for (size_t i = 2; i < words.size(); ++i) {
        if (words[i] != "dollars" || words[i - 1] != "and") continue;
        for (size_t span = std::min<size_t>(3, i - 1); span >= 1; --span) {
            std::string said;
            for (size_t j = i - 1 - span; j < i - 1; ++j) said += (said.empty() ? "" : " ") + words[j];
            bool named = std::any_of(model.measures.begin(), model.measures.end(), [&](auto& m) {
                return m.unit == "usd" && (std::find(m.names.begin(), m.names.end(), said + " cost") != m.names.end() ||
                                           std::find(m.names.begin(), m.names.end(), said + " dollars") != m.names.end());
            });
            if (!named) continue;
            auto again = words_of(said);
            words.insert(words.begin() + static_cast<long>(i), again.begin(), again.end());
            i += again.size();
            break;
        }
    }
    // "Q1 to Q4", "(Q1 to Q3 2025)": the quarters between, as "Q1-Q4" — unless a change from
    // one to the other is asked ("growth from Q1 to Q3")
    auto quarter_name = [](const std::string& w) { return w.size() == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4'; };
    bool change_asked = std::any_of(words.begin(), words.end(), [](auto& w) { return change_word(w); });
    for (size_t i = 1; i + 1 < words.size() && !change_asked; ++i)
        if (words[i] == "to" && quarter_name(words[i - 1]) && quarter_name(words[i + 1]) && words[i - 1] < words[i + 1])
            words[i] = "through";
    // "margin % to two decimals", "rounded to 2 decimal places": how the numbers are printed
    for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] != "decimals" && words[i] != "decimal" && words[i] != "dp") continue;
        if (!(words[i - 1].size() == 1 && words[i - 1][0] >= '0' && words[i - 1][0] <= '6')) continue;
        size_t from = i - 1, to = i + 1;
        if (to < words.size() && (words[to] == "places" || words[to] == "place")) ++to;
        if (from >= 1 && (words[from - 1] == "to" || words[from - 1] == "with")) --from;
        if (from >= 1 && (words[from - 1] == "rounded" || words[from - 1] == "round")) --from;
        words.erase(words.begin() + static_cast<long>(from), words.begin() + static_cast<long>(to));
        i = from;
    }
    // "through the current month": this month
    for (size_t i = 1; i + 1 < words.size(); ++i)
        if (words[i] == "current" && words[i - 1] == "the" && (month_word(words[i + 1]) || quarter_word(words[i + 1]) || year_word(words[i + 1])) &&
            words[i + 1].back() != 's') {
            words[i] = "this";
            words.erase(words.begin() + static_cast<long>(--i));
        }
    // "Ironwood or Everline — which one made more": which of them
    for (size_t i = 1; i < words.size(); ++i)
        if (words[i] == "1" && words[i - 1] == "which" && !(i + 1 < words.size() && (words[i + 1] == "of" || words[i + 1] == "or")))
            words.erase(words.begin() + static_cast<long>(i--));
    // "the whole line-up", "line up the dealers by revenue": the range of models, or a verb
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == "line" && words[i + 1] == "up") {
            words[i] = "lineup";
            words.erase(words.begin() + static_cast<long>(i + 1));
        }
    // Determiners that never change a question's meaning inside a phrase: "below their reorder point".
    // ("under there reorder point", "missed there target": the common slip for "their")
    static const std::set<std::string_view> before_their = {"under", "below", "above", "over", "missed", "miss", "hit", "met",
                                                            "beat", "reached", "of", "for", "on", "at", "by"};
    for (size_t i = 1; i + 1 < words.size(); ++i) {
        auto& next = words[i + 1];
        if (words[i] == "there" && before_their.count(words[i - 1]) && next != "is" && next != "are" && next != "was" && next != "were")
            words[i] = "their";
    }
    words.erase(std::remove_if(words.begin(), words.end(), [](auto& w) { return w == "their" || w == "its" || w == "his" || w == "her"; }),
                words.end());
    // "for the year so far", "quarter so far": this one, to date
    for (size_t i = 0; i + 2 < words.size(); ++i) {
        bool unit = words[i] == "year" || words[i] == "quarter" || words[i] == "month";
        if (!unit || words[i + 1] != "so" || words[i + 2] != "far") continue;
        // (not "by month so far this year")
        auto before = i > 0 ? std::string_view(words[i - 1]) : std::string_view();
        if (before == "by" || before == "per" || before == "each" || before == "every" || before == "a") continue;
        if (i + 3 < words.size() && (words[i + 3] == "this" || words[i + 3] == "in" || words[i + 3] == "of")) continue;
        if (i > 0 && words[i - 1] == "the") words[i - 1] = "this";
        else if (i == 0 || (words[i - 1] != "this" && words[i - 1] != "last")) words.insert(words.begin() + static_cast<long>(i++), "this");
    }
    // "are we over or under target?": which side is the question, not a condition on the rows
    for (size_t i = 0; i + 2 < words.size(); ++i) {
        auto pair = [&](std::string_view a, std::string_view b) {
            return (words[i] == a && words[i + 2] == b) || (words[i] == b && words[i + 2] == a);
        };
        size_t k = i + 3 + (i + 3 < words.size() && (words[i + 3] == "the" || words[i + 3] == "its" || words[i + 3] == "our") ? 1 : 0);
        bool of_target = k < words.size() && (words[k] == "target" || words[k] == "targets" || words[k] == "plan" || words[k] == "goal");
        if (words[i + 1] == "or" && of_target && (pair("over", "under") || pair("above", "below") || pair("ahead", "behind")))
            words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + 3));
    }
    // "top to dealers", "which for states", "worst to regions": a number heard as a word, as
    // dictation writes it; read so only between a ranking word and a dimension's own name
    auto names_dimension = [&](const std::string& w) {
        auto stem = stems_of({w}).front();
        return std::any_of(lx.entries.begin(), lx.entries.end(), [&](auto& e) {
            return e.what == kind::dimension && e.stems.size() == 1 && e.stems.front() == stem;
        });
    };
    for (size_t i = 1; i + 1 < words.size(); ++i) {
        auto& w = words[i];
        bool two = w == "to" || w == "too", four = w == "for";
        auto& before = words[i - 1];
        bool ranking = before == "top" || before == "bottom" || before == "worst" || before == "which";
        if ((two || four) && ranking && names_dimension(words[i + 1])) w = two ? "2" : "4";
    }
    // "every single month", "a single number", "the single lowest": the intensifier says no
    // more than the words around it ("a single dealer" is one dealer, and stays)
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] != "single") continue;
        auto next = i + 1 < words.size() ? std::string_view(words[i + 1]) : std::string_view();
        // ("the single dealer with the lowest margin", "the cost of a single claim": one, as ever)
        bool intensifier = (i > 0 && (words[i - 1] == "every" || words[i - 1] == "each" || words[i - 1] == "the")) ||
                           (i > 1 && words[i - 1] == "a" && words[i - 2] == "of") || next == "number" || next == "figure" ||
                           next == "total" || (!next.empty() && rank_word(next) != end_asked::none);
        if (intensifier) words.erase(words.begin() + static_cast<long>(i--));
    }
    // "bearing in mind that…", "keep in mind": the idiom, not a wheel bearing
    for (size_t i = 0; i + 2 < words.size(); ++i)
        if ((words[i] == "bearing" || words[i] == "bear" || words[i] == "keeping" || words[i] == "keep") && words[i + 1] == "in" &&
            words[i + 2] == "mind")
            words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + 3));
    // "500 units or more", "30 days or longer", "20 claims or fewer": the bound said after its
    // number is "at least 500 units", "at most 20 claims"
    for (size_t j = 1; j + 1 < words.size(); ++j) {
        if (words[j] != "or") continue;
        auto& w = words[j + 1];
        bool up = w == "more" || w == "above" || w == "higher" || w == "greater" || w == "over" || w == "longer" || w == "better";
        bool down = w == "less" || w == "fewer" || w == "below" || w == "lower" || w == "under" || w == "shorter";
        if (!up && !down) continue;
        size_t n = is_number(words[j - 1]) ? j - 1 : j >= 2 && is_number(words[j - 2]) && !is_number(words[j - 1]) ? j - 2 : SIZE_MAX;
        if (n == SIZE_MAX || (n > 0 && (words[n - 1] == "than" || words[n - 1] == "least" || words[n - 1] == "most"))) continue;
        words.erase(words.begin() + static_cast<long>(j), words.begin() + static_cast<long>(j + 2));
        words.insert(words.begin() + static_cast<long>(n), {"at", up ? "least" : "most"});
    }
    // "if you leave the Electrical system out entirely": "leave out the Electrical system"
    for (size_t i = 0; i + 2 < words.size(); ++i) {
        if (words[i] != "leave" && words[i] != "leaving" && words[i] != "take" && words[i] != "taking" && words[i] != "strip" && words[i] != "stripping")
            continue;
        for (size_t j = i + 2; j < words.size() && j <= i + 5; ++j) {
            if (words[j] != "out") continue;
            words.erase(words.begin() + static_cast<long>(j));
            if (j < words.size() && (words[j] == "entirely" || words[j] == "completely")) words.erase(words.begin() + static_cast<long>(j));
            words.insert(words.begin() + static_cast<long>(i + 1), "out");
            break;
        }
    }
    // "which single month had…", "the single biggest dealer": one, as "which" and "the" say
    // already ("a single dealer" stays: one of them, not the rows)
    // ("as a single dollar figure", "one single number": how the answer is laid out)
    auto layout = [](std::string_view w) { return w == "figure" || w == "number" || w == "total" || w == "value" || w == "dollar" || w == "row" || w == "line"; };
    for (size_t i = 1; i < words.size(); ++i)
        if (words[i] == "single" && (words[i - 1] == "which" || words[i - 1] == "the" || (i + 1 < words.size() && layout(words[i + 1]))))
            words.erase(words.begin() + static_cast<long>(i--));
    // "order by count(claim_id) desc limit 5", "… asc limit 3": SQL's limit is a ranking's count
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        if (words[i] != "limit" || !is_digits(words[i + 1]) || words[i + 1].size() > 3) continue;
        bool ascending = std::any_of(words.begin(), words.end(), [](auto& w) { return w == "asc" || w == "ascending"; });
        words[i] = ascending ? "bottom" : "top";
    }
    // "with the Ironwood and Granite taken out", "with the West excluded": "without …"
    for (size_t i = 0; i + 2 < words.size(); ++i) {
        if (words[i] != "with") continue;
        for (size_t j = i + 2; j < words.size() && j <= i + 7; ++j) {
            bool out = (words[j] == "taken" || words[j] == "left" || words[j] == "stripped" || words[j] == "filtered") &&
                       j + 1 < words.size() && words[j + 1] == "out";
            if (!out && words[j] != "excluded" && words[j] != "removed") continue;
            words.erase(words.begin() + static_cast<long>(j), words.begin() + static_cast<long>(j + (out ? 2 : 1)));
            words[i] = "without";
            break;
        }
    }
    // "1–14 June 2026": the days of one month, read as "June 1-14 2026"
    for (size_t i = 0; i + 3 < words.size(); ++i) {
        if (!day_of_month(words[i]) || !day_of_month(words[i + 1]) || !month_number(words[i + 2])) continue;
        if (i > 0 && (rank_word(words[i - 1]) != end_asked::none || is_digits(words[i - 1]))) continue;
        if (std::atoi(words[i].c_str()) >= std::atoi(words[i + 1].c_str()) || !(words[i + 3].size() == 4 && is_digits(words[i + 3]))) continue;
        std::rotate(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(i + 2), words.begin() + static_cast<long>(i + 3));
    }
    // "31 December 2025", "1 January to 31 March 2026": a date said day first, read as
    // "December 31 2025" (not after a ranking's count: "top 5 May sellers")
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        if (!day_of_month(words[i]) || !month_number(words[i + 1])) continue;
        if (i > 0 && (rank_word(words[i - 1]) != end_asked::none || words[i - 1] == "first" || words[i - 1] == "last")) continue;
        auto after = i + 2 < words.size() ? std::string_view(words[i + 2]) : std::string_view();
        bool year = after.size() == 4 && is_digits(after);
        bool joined = (after == "to" || after == "through" || after == "until" || after == "and" || after == "till") && i + 4 < words.size() &&
                      day_of_month(words[i + 3]) && month_number(words[i + 4]);
        // ("1 Jan – 14 Jun 2026": the dash between the two days)
        bool dashed = i + 3 < words.size() && day_of_month(after) && month_number(words[i + 3]);
        if (year || joined || dashed) std::swap(words[i], words[i + 1]);
    }
    // "1 July 2025 and 31 December 2025 inclusive": both days in, as every span is read
    for (size_t i = 1; i < words.size(); ++i)
        if (words[i] == "inclusive" && (is_digits(words[i - 1]) || day_of_month(words[i - 1]) || month_number(words[i - 1])))
            words.erase(words.begin() + static_cast<long>(i--));
    // "more GAP this year than last": than last year (the unit said once, after "this")
    for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] != "last" || (words[i - 1] != "than" && words[i - 1] != "vs" && words[i - 1] != "versus")) continue;
        auto next = i + 1 < words.size() ? std::string_view(words[i + 1]) : std::string_view();
        if (year_word(next) || month_word(next) || quarter_word(next) || week_word(next) || month_number(next) || is_number(next)) continue;
        for (size_t k = i - 1; k-- > 0;)
            if (words[k] == "this" && k + 1 < i - 1 && (year_word(words[k + 1]) || month_word(words[k + 1]) || quarter_word(words[k + 1]))) {
                words.insert(words.begin() + static_cast<long>(i + 1), words[k + 1]);
                break;
            }
    }
    // "…, taking into account whether higher or lower is better": what "missed" and "on
    // target" always do (each measure declares which way is better)
    for (size_t i = 0; i + 5 < words.size(); ++i) {
        bool either = (words[i + 1] == "higher" && words[i + 3] == "lower") || (words[i + 1] == "lower" && words[i + 3] == "higher");
        if (words[i] != "whether" || !either || words[i + 2] != "or" || words[i + 4] != "is" || words[i + 5] != "better") continue;
        size_t from = i;
        if (from >= 3 && words[from - 1] == "account" && words[from - 2] == "into" &&
            (words[from - 3] == "taking" || words[from - 3] == "take" || words[from - 3] == "taken"))
            from -= 3;
        else if (from >= 1 && (words[from - 1] == "considering" || words[from - 1] == "noting"))
            from -= 1;
        words.erase(words.begin() + static_cast<long>(from), words.begin() + static_cast<long>(i + 6));
        break;
    }
    // "(label quarters like 2024-Q1)", "…, labelled YYYY-Qn": how a period is written, which is
    // how bi writes it anyway
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] != "label" && words[i] != "labelled" && words[i] != "labeled" && words[i] != "labelling" && words[i] != "labeling") continue;
        size_t end = i + 1;
        auto format_word = [](std::string_view w) {
            return w == "quarters" || w == "quarter" || w == "months" || w == "month" || w == "years" || w == "year" || w == "like" ||
                   w == "as" || w == "to" || w == "e" || w == "g" || w == "eg" || w == "yyyy" || w == "qn" || w == "mm" || w == "q" ||
                   w == "the" || w == "them" || w == "format" || w == "in" || w == "through" ||
                   (w.size() == 4 && is_digits(w)) || (w.size() == 2 && (w[0] == 'q' || w[0] == 'h') && std::isdigit(static_cast<unsigned char>(w[1])));
        };
        while (end < words.size() && format_word(words[end])) ++end;
        // (only a period's written form: "label", then nothing but it to the end)
        bool written = end == words.size() && end > i + 1 &&
                       std::any_of(words.begin() + static_cast<long>(i) + 1, words.end(), [](auto& w) {
                           return w == "yyyy" || w == "qn" || (w.size() == 2 && w[0] == 'q') || (w.size() == 4 && is_digits(w));
                       });
        if (written) {
            words.erase(words.begin() + static_cast<long>(i), words.end());
            break;
        }
    }
    // "the first quarter of calendar 2026": of 2026
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == "calendar" && words[i + 1].size() == 4 && is_digits(words[i + 1])) words.erase(words.begin() + static_cast<long>(i));
    // "so far this calendar year", "per calendar year": the year
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == "calendar" && year_word(words[i + 1])) words.erase(words.begin() + static_cast<long>(i));
    // "rev YTD vs same period LY", "units ex EVs": a note's shorthand for two words, or one
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] == "per" && i > 0 && words[i - 1] == "same") {  // "same per. LY"
            words[i] = "period";
        } else if (words[i] == "ly") {
            words[i] = "year";
            words.insert(words.begin() + static_cast<long>(i), "last");
        } else if (words[i] == "pct") {
            words[i] = "percent";
        } else if (words[i] == "inside" && i + 1 < words.size() && (words[i + 1] == "each" || words[i + 1] == "every" || words[i + 1] == "its" || words[i + 1] == "their")) {
            words[i] = "within";  // "top 2 models inside every region"
        } else if ((words[i] == "cut" || words[i] == "sliced" || words[i] == "slice") && i + 1 < words.size() && words[i + 1] == "by") {
            words.erase(words.begin() + static_cast<long>(i--));  // "F&I revenue cut by product and region": by
        } else if (words[i] == "aggregate" || words[i] == "aggregated") {  // "the aggregate claim cost": the total
            words[i] = "total";
        } else if (words[i] == "costliest") {  // "the costliest component in warranty": the most costly
            words[i] = "costly";
            words.insert(words.begin() + static_cast<long>(i), "most");
        } else if (words[i] == "ex" && i + 1 < words.size() && i > 0) {
            words[i] = "excluding";
        }
    }
    // "the difference (actual minus target)": the word for a difference the model declares,
    // named right after it, not a change between periods
    for (size_t i = 0; i + 1 < words.size(); ++i) {
        if (words[i] != "difference" && words[i] != "delta") continue;
        size_t k = i + 1;
        while (k < words.size() && (words[k] == "the" || words[k] == "ie" || words[k] == "i" || words[k] == "e")) ++k;
        bool names_difference = std::any_of(model.measures.begin(), model.measures.end(), [&](auto& m) {
            auto f = m.is_derived() ? bare(m.derived.text()) : std::string();
            if (f.find('-') == std::string::npos || f.find('/') != std::string::npos) return false;
            return std::any_of(m.names.begin(), m.names.end(), [&](auto& n) {
                auto said = words_of(n);
                return k + said.size() <= words.size() && std::equal(said.begin(), said.end(), words.begin() + static_cast<long>(k));
            });
        });
        if (names_difference) words.erase(words.begin() + static_cast<long>(i--));
    }
    // "gross profit % change": the change in %, not the margin ("gp %") changing
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if ((words[i] == "percent" || words[i] == "percentage") &&
            (words[i + 1] == "change" || words[i + 1] == "changes" || words[i + 1] == "growth" || words[i + 1] == "increase" ||
             words[i + 1] == "decrease" || words[i + 1] == "gain" || words[i + 1] == "decline" || words[i + 1] == "drop" || words[i + 1] == "rise"))
            std::swap(words[i], words[i + 1]);
    // "run out before a reorder could arrive", "… before a new order could even show up":
    // within the lead time (the time an order placed now takes to arrive)
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] != "before") continue;
        auto at = [&](size_t k) -> std::string_view { return k < words.size() ? std::string_view(words[k]) : std::string_view(); };
        size_t k = i + 1;
        if (at(k) == "a" || at(k) == "an" || at(k) == "the" || at(k) == "any") ++k;
        if (at(k) == "new" || at(k) == "replenishment" || at(k) == "fresh" || at(k) == "supplier") ++k;
        static const std::set<std::string_view> orders = {"order", "orders", "reorder", "reorders", "delivery", "deliveries", "shipment",
                                                          "shipments", "replenishment", "restock", "resupply"};
        if (!orders.count(at(k))) continue;
        ++k;
        while (at(k) == "could" || at(k) == "can" || at(k) == "would" || at(k) == "will" || at(k) == "even" || at(k) == "possibly") ++k;
        size_t end = 0;
        if (at(k) == "arrive" || at(k) == "arrives" || at(k) == "land" || at(k) == "lands" || at(k) == "arrived") end = k + 1;
        else if ((at(k) == "show" || at(k) == "shows" || at(k) == "come" || at(k) == "comes") && (at(k + 1) == "up" || at(k + 1) == "in")) end = k + 2;
        else if ((at(k) == "get" || at(k) == "gets") && at(k + 1) == "here") end = k + 2;
        if (end == 0) continue;
        words.erase(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(end));
        words.insert(words.begin() + static_cast<long>(i), {"within", "lead", "time"});
    }
    if (words.empty()) throw usage_error("question is empty");
    for (auto& w : words) {
        if (w == "avg") w = "average";  // so "avg sale price" finds "average sale price"
        // "what did we actually get": the adverb, not the KPIs' actual its stem would be
        bool adverb = w == "actually" || w == "really" || w == "totally" || w == "generally";
        t.push_back({w, is_number(w) || adverb ? w : stem(w)});
    }
}

namespace {

/// The model's derived measure whose formula is `text` (spaces aside), if any.
const measure_def* declared_as(const semantic_model& model, std::string_view text) {
    auto spaced = [](std::string_view f) {
        std::string out;
        for (char c : f)
            if (c != ' ') out.push_back(c);
        return out;
    };
    auto wanted = spaced(text);
    for (auto& m : model.measures)
        if (m.is_derived() && spaced(m.derived.text()) == wanted) return &m;
    return nullptr;
}

}  // namespace

std::string question_reader::reading::define(const std::string& name, const std::string& text, const std::string& unit,
                                             bool higher) {
    // the model's own measure when it is this one ("average cost of a claim": avg_claim_cost)
    if (auto* m = declared_as(model, text)) return m->name;
    if (!find_measure(model, q, name)) {
        measure_def d;
        d.name = name;
        d.derived = formula(text);
        d.unit = unit;
        d.higher_is_better = higher;
        for (auto& leaf : d.derived.names())
            if (auto* l = model.measure(leaf)) {
                d.snapshot = d.snapshot || l->snapshot;
                for (auto& p : l->per) d.per.push_back(p);
            }
        q.derived.push_back(std::move(d));
    }
    return name;
}

void question_reader::reading::replace_measure(std::string from, const std::string& to) {
    // (`from` by value: it is often an element of q.measures, replaced below)
    for (auto& m : q.measures)
        if (m == from) m = to;
    for (auto& [at, m] : measures_at)
        if (m == from) m = to;
    for (auto& [at, m] : weak_measures_at)
        if (m == from) m = to;
}

void question_reader::reading::correct_typos() {
    // 1. typos: a word no phrase, calendar or grammar word explains, one or two edits from a
    // word of the model's phrases, is read as that word.
    for (size_t i = 0; i < t.size(); ++i) {
        auto& tk = t[i];
        auto& w = tk.word;
        // "reorder pt": two letters after a phrase's first word abbreviate its second
        if (w.size() == 2 && i > 0 && std::isalpha(static_cast<unsigned char>(w[0])) && std::isalpha(static_cast<unsigned char>(w[1])) &&
            !lx.words.count(w) && !filler().count(w) && !is_stop_word(w) && !grammar_word(w)) {
            std::string_view found;
            bool ambiguous = false;
            for (auto& e : lx.entries)
                if (e.stems.size() >= 2 && e.stems[0] == t[i - 1].stem && e.stems[1].size() > 2 && abbreviates(w, e.stems[1])) {
                    if (found.empty()) found = e.stems[1];
                    else if (found != e.stems[1]) ambiguous = true;
                }
            if (!found.empty() && !ambiguous) {
                q.corrections.push_back(w + "→" + std::string(found));
                w = std::string(found);
                words[i] = w;
                tk.stem = stem(w);
            }
            continue;
        }
        if (w.size() < 3 || is_number(w) || lx.words.count(w) || lx.stems.count(tk.stem) || filler().count(w) || lx.english.count(w) ||
            is_stop_word(w) || month_number(w) || rank_word(w) != end_asked::none || grammar_word(w))
            continue;
        int limit = w.size() >= 8 ? 2 : w.size() >= 3 ? 1 : 0;
        // The nearest word within the limit, first among the words of the model's names, then
        // among all (values too), then the grammar's: "modle" is the dimension "model" before
        // the value "Module". A plural is compared without its "s" too ("dealrs" is "dealer").
        // A word of three letters is only ever one with a letter left out ("sel", "lst").
        std::string best;
        bool tie = false;
        std::string_view singular = w.size() >= 5 && w.back() == 's' ? std::string_view(w).substr(0, w.size() - 1) : std::string_view();
        if (!singular.empty() && lx.english.count(singular)) singular = {};  // "pairs" is not "fair"
        // Of two words as near, the one the typed letters are all in wins: letters left out are
        // the commonest typo ("dealr" is "dealer", not "deal").
        auto omitted = [](std::string_view typed, std::string_view v) {
            size_t k = 0;
            for (char c : v)
                if (k < typed.size() && c == typed[k]) ++k;
            return k == typed.size();
        };
        auto nearest = [&](const auto& candidates) {
            std::string found;
            int found_d = limit + 1;
            bool ambiguous = false, found_omits = false;
            for (std::string_view v : candidates) {
                if (v.size() < 4 || std::abs(int(v.size()) - int(w.size())) > limit + 1) continue;
                if (w.size() == 3 && (v.size() != 4 || v[0] != w[0])) continue;  // "ext" is no "next"
                int d = std::abs(int(v.size()) - int(w.size())) > limit ? limit + 1 : edit_distance(w, v, limit);
                std::string_view typed = w;
                if (!singular.empty() && d > limit && std::abs(int(v.size()) - int(singular.size())) <= limit) {
                    d = edit_distance(singular, v, limit);
                    typed = singular;
                }
                // "delears": the same letters, one moved, is as near as one edit
                if (d > limit && v.size() == w.size() && w.size() >= 5 && v[0] == w[0] && std::is_permutation(w.begin(), w.end(), v.begin()))
                    d = limit;
                if (d > limit) continue;
                bool omits = omitted(typed, v);
                if (d < found_d || (d == found_d && omits && !found_omits)) {
                    found_d = d; found = v; ambiguous = false; found_omits = omits;
                } else if (d == found_d && omits == found_omits && stem(v) != stem(found)) {
                    ambiguous = true;
                }
            }
            if (found_d > limit) return;
            if (ambiguous) tie = true;
            else best = found;
        };
        // "lsat", "untis": two letters swapped is the nearest of all, a name's or the grammar's
        // ("lsat" is "last" before the value "CSAT", one letter off)
        auto swapped = [&](const auto& candidates) {
            for (std::string_view v : candidates) {
                if (v.size() != w.size() || v.size() < 4) continue;
                size_t a = 0;
                while (a < w.size() && w[a] == v[a]) ++a;
                if (a + 1 < w.size() && w[a] == v[a + 1] && w[a + 1] == v[a] && w.compare(a + 2, std::string::npos, v.substr(a + 2)) == 0) {
                    if (best.empty()) best = v;
                    else if (stem(best) != stem(v)) tie = true;
                }
            }
        };
        swapped(lx.name_words);
        swapped(grammar_words());
        if (tie) best.clear();
        tie = false;
        if (best.empty()) nearest(lx.name_words);
        if (best.empty() && !tie) nearest(lx.words);
        if (best.empty() && !tie) nearest(grammar_words());
        if (best.empty() && !tie) nearest(filler());
        // "Febuary", "Setpember": the months' full names (five letters or more)
        static const std::vector<std::string_view> months = {"january", "february", "march", "april", "august",
                                                             "september", "october", "november", "december"};
        if (best.empty() && !tie && w.size() >= 5) nearest(months);
        // "longst", "higest": the ranking words of six letters or more
        static const std::vector<std::string_view> ranking = {"highest", "biggest", "largest", "greatest", "longest", "fastest",
                                                              "lowest", "smallest", "fewest", "shortest", "slowest", "strongest",
                                                              "weakest", "poorest", "costliest"};
        if (best.empty() && !tie && w.size() >= 5) nearest(ranking);
        // Abbreviations: "rev" → revenue, "pen" → penetration, then "mkt" → market, "tgt" →
        // target (the same first letter, the letters in order): only when one word fits.
        // Words of the model's names come first, then the values' words.
        if (best.empty() && !tie && w.size() <= 5)
            for (int pass = 0; pass < 6 && best.empty(); ++pass) {
                std::string found, found_stem;
                bool ambiguous = false;
                auto scan = [&](const auto& candidates) {
                    for (std::string_view v : candidates) {
                        if (v.size() <= w.size() || v[0] != w[0]) continue;
                        // letters left out are vowels first: "mkt", "tgt", never "age" for "average"
                        // ("segs", "comps": a plural's abbreviation, the "s" kept from the word)
                        std::string_view typed = w.size() >= 4 && w.back() == 's' && v.compare(0, w.size(), w) != 0 ? std::string_view(w).substr(0, w.size() - 1) : std::string_view(w);
                        bool fits = pass % 2 == 0 ? v.compare(0, typed.size(), typed) == 0 && (typed.size() == w.size() || typed.size() >= 3)
                                                  : abbreviates(w, v) && (w.size() > 4 || w.find_first_of("aeiou", 1) == std::string::npos);
                        if (!fits) continue;
                        auto vs = stem(v);
                        if (found.empty()) { found = v; found_stem = vs; }
                        else if (vs != found_stem) ambiguous = true;
                        else if (v.size() < found.size()) found = v;
                    }
                };
                if (pass < 2) scan(lx.name_words);
                // "bad" is no "Badger": a value's name is not cut to its first three letters
                else if (pass < 4 && (w.size() >= 5 || pass == 3)) scan(lx.words);  // nor "bill" Billings
                else scan(grammar_words());  // "qtrly": quarterly
                if (!found.empty() && !ambiguous) best = found;
            }
        if (!best.empty()) {
            q.corrections.push_back(w + "→" + best);
            w = best;
            words[i] = best;  // the grammar reads `words`: "excl." is "excluding" there too
            tk.stem = stem(best);
        }
    }
}

void question_reader::reading::match_phrases() {
    // "warranty claim $": the amount of money the model names "warranty claim cost", not the
    // count of claims with its unit dropped
    for (size_t i = 1; i < t.size(); ++i) {
        if (word(i) != "dollars" && word(i) != "dollar" && word(i) != "usd" && word(i) != "bucks") continue;
        for (size_t k = i >= 3 ? i - 3 : 0; k < i; ++k) {
            std::string said;
            for (size_t j = k; j < i; ++j) said += t[j].word + " ";
            bool named = std::any_of(model.measures.begin(), model.measures.end(), [&](auto& m) {
                return m.unit == "usd" && std::find(m.names.begin(), m.names.end(), said + "cost") != m.names.end();
            });
            if (!named) continue;
            t[i].word = "cost";
            t[i].stem = stem("cost");
            break;
        }
    }
    // 2. phrases of the model, longest first.
    auto uppercase_in_question = [&](const std::string& w) {
        std::string upper;
        for (char c : w) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        for (size_t at = original.find(upper); at != std::string::npos; at = original.find(upper, at + 1)) {
            bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(original[at - 1]));
            bool right = at + upper.size() >= original.size() || !std::isalnum(static_cast<unsigned char>(original[at + upper.size()]));
            if (left && right) return true;
        }
        return false;
    };
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i].used) continue;
        auto starting = lx.starting(t[i].stem);
        if (starting.empty()) continue;
        std::vector<const lexicon::entry*> same;  // one span may name values of two dimensions
        size_t best_len = 0;
        for (size_t k : starting) {
            auto& e = lx.entries[k];
            if (e.stems.size() < best_len) break;
            if (i + e.stems.size() > t.size()) continue;
            bool match = true;
            size_t span = 0;  // the words it takes
            for (size_t j = 0; j < e.stems.size() && match; ++j, ++span) {
                match = i + span < t.size();
                // a condition's words may have "the", "its" or "their" between them: "miss the target"
                if (auto w = match ? word(i + span) : std::string_view();
                    j > 0 && e.what == kind::condition && i + span + 1 < t.size() && (w == "the" || w == "its" || w == "their" || w == "our") &&
                    t[i + span].stem != e.stems[j])
                    ++span;
                match = match && !t[i + span].used && t[i + span].stem == e.stems[j];
            }
            if (!match || (!same.empty() && span != best_len)) continue;
            // A one-word name matched by its stem only is not a dictionary word's: "warranty bill"
            // is no "Billings" (the stems agree, the words do not)
            // (the dictionary's words are read only then: the headline question never needs them)
            if (e.what == kind::value && e.stems.size() == 1) {
                std::string value;
                for (char c : e.value) value.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
                // (or an alias saying the value's first word: "GAP" for "GAP Insurance")
                bool same = value == t[i].word || value == t[i].word + "s" || value + "s" == t[i].word ||
                            value.compare(0, t[i].word.size() + 1, t[i].word + " ") == 0;
                if (!same && lx.english.count(t[i].word)) continue;
                // nor a word read as filler: "Provide a count of units" is no "Providence"
                if (!same && filler().count(t[i].word)) continue;
                // (nor a word of a measure's or dimension's name: "bill" of "warranty bill")
                if (!same && std::any_of(lx.entries.begin(), lx.entries.end(), [&](auto& other) {
                        return other.what != kind::value && std::find(other.stems.begin(), other.stems.end(), t[i].stem) != other.stems.end();
                    }))
                    continue;
            }
            // A phrase never takes the first word of "month by month", "quarter over quarter":
            // "the market share KPI month by month" is a series, not a measure named "KPI months".
            if (size_t last = i + span - 1; e.stems.size() > 1 && last + 2 < t.size()) {
                auto unit = t[last].word, joint = t[last + 1].word, again = t[last + 2].word;
                bool same_unit = (month_word(unit) && month_word(again)) || (quarter_word(unit) && quarter_word(again)) ||
                                 (year_word(unit) && year_word(again));
                if (same_unit && (joint == "by" || joint == "over" || joint == "on" || joint == "to")) continue;
            }
            // A short code that is also an ordinary word ("IN", "OR", "ME") counts only in capitals.
            if (e.short_code && (is_stop_word(t[i].word) || filler().count(t[i].word) || month_word(t[i].word) || year_word(t[i].word) ||
                                 quarter_word(t[i].word) || week_word(t[i].word)) &&
                !uppercase_in_question(t[i].word))
                continue;  // "per mo" is a month, "MO" Missouri
            best_len = span;
            same.push_back(&e);
        }
        if (same.empty()) continue;
        // A condition reads before a measure of the same words: "components below reorder point";
        // a measure's own name before another's context name ("revenue").
        auto order = [](const lexicon::entry* e) { return e->what == kind::condition ? 0 : e->what == kind::context_measure ? 2 : 1; };
        std::stable_sort(same.begin(), same.end(), [&](auto* a, auto* b) { return order(a) < order(b); });
        // One span may name values of several dimensions; any other kind of phrase, once.
        for (auto* e : same)
            if (e == same.front() || e->what == kind::value || e->what == kind::weak_measure || e->what == kind::context_measure)
                phrases.push_back({i, best_len, e});
        for (size_t j = i; j < i + best_len; ++j) t[j].used = true;
        i += best_len - 1;
    }

    // Measures, dimensions, values and conditions in question order.
    for (size_t k = 0; k < phrases.size(); ++k) {
        auto& p = phrases[k];
        switch (p.e->what) {
            case kind::measure: measures_at.emplace_back(p.start, p.e->target); break;
            case kind::weak_measure: weak_measures_at.emplace_back(p.start, p.e->target); break;
            case kind::dimension: dims_at.emplace_back(p.start, p.e->target); break;
            case kind::condition: conditions_at.emplace_back(p.start, p.e->target); break;
            case kind::context_measure:
                if (context_measures_at.empty() || context_measures_at.back().first != p.start)
                    context_measures_at.push_back({p.start, {}});
                if (auto& c = context_measures_at.back().second; std::find(c.begin(), c.end(), p.e->target) == c.end())
                    c.emplace_back(p.e->target);
                break;
            case kind::value:
                if (!values.empty() && values.back().start == p.start) {
                    auto r = std::make_pair(std::string(p.e->target), std::string(p.e->value));
                    if (std::find(values.back().readings.begin(), values.back().readings.end(), r) == values.back().readings.end())
                        values.back().readings.push_back(r);
                    values.back().weak = values.back().weak && p.e->weak;
                } else {
                    values.push_back({p.start, p.length, {{std::string(p.e->target), std::string(p.e->value)}}, p.e->weak});
                }
                break;
        }
    }
    // "how much cars we sold by model": "how much" before the facts a count counts, in the
    // plural, asks for that count ("how much revenue" stays the money it names)
    for (auto& [at, m] : weak_measures_at) {
        if (word(at) != "how" || word(at + 1) != "much" || at + 2 >= t.size() || t[at + 2].word.back() != 's') continue;
        auto counted = lx.per_names.find({t[at + 2].stem});
        auto* x = counted == lx.per_names.end() ? nullptr : model.measure(counted->second);
        if (x && x->fact_count) m = x->name;
    }
    // "total vehicle sales revenue": a count's name of two words or more right before another
    // measure's names the facts that measure is of, not a second measure ("units, revenue"
    // stays two: the comma is not kept, so one word is not enough to tell)
    for (size_t k = 0; k + 1 < measures_at.size();) {
        auto first = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) { return p.start == measures_at[k].first; });
        auto* x = model.measure(measures_at[k].second);
        bool facts = x && x->fact_count && first != phrases.end() && first->length >= 2 && first->start + first->length == measures_at[k + 1].first &&
                     measures_at[k + 1].second != x->name;
        if (facts) measures_at.erase(measures_at.begin() + static_cast<long>(k));
        else ++k;
    }
    // "bottom five models on gross profit, who made us the least": "who" after another
    // dimension's name is the pronoun for it, not a dimension of its own
    auto pronoun = [&](auto& d) {
        return t[d.first].word == "who" &&
               std::any_of(dims_at.begin(), dims_at.end(), [&](auto& o) { return o.second != d.second && o.first < d.first; });
    };
    dims_at.erase(std::remove_if(dims_at.begin(), dims_at.end(), pronoun), dims_at.end());
    // "lines below ROP", "the 5 lowest days-of-supply positions": a row named by a pair of
    // dimensions (a stock position: plant and component) is read as the pair
    for (size_t k = 0; k < dims_at.size(); ++k) {
        auto* d = model.dimension(dims_at[k].second);
        if (!d || d->combines.empty()) continue;
        size_t at = dims_at[k].first;
        // ("across all plant stock lines": the names said before it are of the same row)
        for (size_t j = k; j > 0; --j) {
            auto before = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) { return p.start == dims_at[j - 1].first; });
            if (before == phrases.end() || before->start + before->length != at) break;
            at = before->start;
        }
        size_t own = dims_at[k].first;
        dims_at.erase(dims_at.begin() + static_cast<long>(k));
        // (a part named again elsewhere, "positions across all plants", is still one of the row's)
        for (auto& part : d->combines)
            if (std::none_of(dims_at.begin(), dims_at.end(), [&](auto& o) {
                    auto cue = o.first > 0 ? t[o.first - 1].word : std::string();  // ("how many lines at each plant": per plant)
                    bool each = cue == "each" || cue == "every" || cue == "per" || cue == "by";
                    return o.second == part && ((o.first >= at && o.first <= own) || each);
                }))
                dims_at.insert(dims_at.begin() + static_cast<long>(k++), {at, part});
        --k;
    }
    // "combos with DOS above 60": "combinations" with no dimension named are the rows the
    // model names for a pair, where a cube holds that pair with the measures named
    std::vector<std::string> named;  // the measures named, and those of the conditions named
    for (auto& m : measures_at) named.push_back(m.second);
    for (auto& c : conditions_at)
        for (auto& x : model.conditions)
            if (x.name == c.second) named.push_back(x.measure);
    for (size_t i = 0; i < t.size() && dims_at.empty(); ++i) {
        auto w = word(i);
        if (t[i].used || !(w == "combos" || w == "combo" || w == "combinations" || w == "combination" || w == "pairs")) continue;
        const dimension_def* pair = nullptr;
        int fitting = 0;
        for (auto& d : model.dimensions) {
            if (d.combines.empty()) continue;
            bool fits = !named.empty() && std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) {
                auto holds = [&](const std::string& m) {
                    auto leaves = leaves_of(model, q, m);
                    return std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return c.has_measure(l); });
                };
                return std::all_of(d.combines.begin(), d.combines.end(), [&](auto& x) { return c.has_dimension(x); }) &&
                       std::all_of(named.begin(), named.end(), holds);
            });
            if (fits) ++fitting, pair = &d;
        }
        if (fitting != 1) break;
        for (auto& part : pair->combines) dims_at.emplace_back(i, part);
        t[i].used = true;
    }
    // "did we hit the on-time delivery target", "days of battery pack supply": a condition or
    // a measure named with the value it is about inside its words
    for (auto& e : lx.entries) {
        if ((e.what != kind::condition && e.what != kind::measure) || e.stems.size() < 2) continue;
        for (size_t split = 1; split < e.stems.size(); ++split)
            for (size_t i = 0; i + split + 1 < t.size(); ++i) {
                bool head = true;
                for (size_t x = 0; x < split && head; ++x) head = !t[i + x].used && t[i + x].stem == e.stems[x];
                if (!head) continue;
                size_t j = i + split;
                while (j < t.size() && !t[j].used && (t[j].word == "the" || t[j].word == "our" || t[j].word == "a")) ++j;
                auto v = std::find_if(values.begin(), values.end(), [&](auto& x) { return x.start == j; });
                if (v == values.end()) continue;
                size_t k = v->start + v->length, tail = e.stems.size() - split;
                if (k + tail > t.size()) continue;
                bool rest = true;
                for (size_t x = 0; x < tail && rest; ++x) {
                    auto& tk = t[k + x];
                    // the words after the value are free, or a measure's own ("target")
                    bool free = !tk.used || std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == k + x; });
                    rest = free && tk.stem == e.stems[split + x];
                }
                if (!rest) continue;
                auto in_tail = [&](size_t at) { return at >= k && at < k + tail; };
                measures_at.erase(std::remove_if(measures_at.begin(), measures_at.end(), [&](auto& m) { return in_tail(m.first); }),
                                  measures_at.end());
                phrases.erase(std::remove_if(phrases.begin(), phrases.end(), [&](auto& x) { return in_tail(x.start); }), phrases.end());
                phrases.push_back({i, split, &e});
                auto& list = e.what == kind::condition ? conditions_at : measures_at;
                list.insert(std::find_if(list.begin(), list.end(), [&](auto& x) { return x.first > i; }), {i, std::string(e.target)});
                for (size_t x = i; x < j; ++x) t[x].used = true;
                for (size_t x = k; x < k + tail; ++x) t[x].used = true;
            }
    }
}

void question_reader::reading::read_periods() {
    // 3. time: periods, grains and "to date".
    auto year_at = [&](size_t i) -> int {
        if (!unused(i)) return 0;
        auto w = word(i);
        if (w.size() == 4 && is_digits(w) && w[0] == '2' && w[1] == '0') return std::atoi(std::string(w).c_str());
        // "FY25", "CY2025" (the calendar year; the fiscal year is taken as the calendar one)
        bool named = w.size() > 2 && (w.substr(0, 2) == "fy" || w.substr(0, 2) == "cy") && is_digits(w.substr(2));
        if (named && w.size() == 4) return 2000 + std::atoi(std::string(w.substr(2)).c_str());
        if (named && w.size() == 6) return std::atoi(std::string(w.substr(2)).c_str());
        return 0;
    };
    // "Q4 '25", "may 25": two digits after a month or quarter are a year
    auto short_year = [&](size_t i) -> int {
        if (!unused(i)) return 0;
        auto w = word(i);
        if (w.size() == 2 && is_digits(w) && w[0] >= '1' && w[0] <= '9') return 2000 + std::atoi(std::string(w).c_str());
        return 0;
    };
    // "Q1 of last year", "May of this year": a year said in words after a month or quarter
    auto relative_year = [&](size_t i) -> int {
        if (!unused(i) || !unused(i + 1) || !year_word(word(i + 1)) || word(i + 1).back() == 's') return 0;
        auto w = word(i);
        if (w == "last" || w == "previous" || w == "prior") return this_year - 1;
        if (w == "this" || w == "current") return this_year;
        return 0;
    };
    // Which year a month or quarter without one means: the latest that has begun.
    auto latest_year_for_month = [&](int m) { return m <= int(unsigned(today.month())) ? this_year : this_year - 1; };
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i)) continue;
        auto w = word(i);
        auto next = word(i + 1);
        // "GP for Orange Blossom in 25?": two digits after "in" at the end, or before "vs", are a
        // year the data covers
        if (w.size() == 2 && is_digits(w) && i > 0 && (word(i - 1) == "in" || word(i - 1) == "during") &&
            (next.empty() || next == "vs" || next == "versus" || next == "and" || next == "compared")) {
            int y = 2000 + std::atoi(std::string(w).c_str());
            int first = model.first_period.empty() ? this_year : std::atoi(model.first_period.substr(0, 4).c_str());
            if (y >= first && y <= this_year) {
                periods.emplace_back(i, up_to(year_period(y), today, true));
                take(i);
                continue;
            }
        }
        // A number before a comparator's unit is not a year: "more than 2000 sales".
        if (int y = year_at(i); y) {
            size_t span = 0;
            bool compared = i > 0 && (!comparator(words, i - 1, span).empty() || (i > 1 && !comparator(words, i - 2, span).empty() && span == 2));
            // "over 2025" is a period unless a measure follows ("over 2000 sales")
            if (compared && i > 0 && (word(i - 1) == "over" || word(i - 1) == "during") && !(i + 1 < t.size() && t[i + 1].used))
                compared = false;
            if (!compared) {
                // "year 2025", "fiscal 2025", "the 2025 model year" all name the year
                // — but "by model and year (2024 and 2025)", "in each year, 2024…": there the year is a breakdown
                auto before_year = i > 1 ? word(i - 2) : std::string_view();
                bool breakdown = word(i - 1) == "year" && (before_year == "and" || before_year == "by" || before_year == "each" ||
                                                           before_year == "every" || before_year == "per");
                if (i > 0 && unused(i - 1) && !breakdown &&
                    (word(i - 1) == "year" || word(i - 1) == "fiscal" || word(i - 1) == "fy" || word(i - 1) == "calendar"))
                    take(i - 1);
                periods.emplace_back(i, year_period(y));
                take(i);
                continue;
            }
        }
        if (int m = month_number(w); m && !(w == "may" && !(next.size() == 4 && is_digits(next)) && i > 0 && (word(i - 1) == "i" || word(i - 1) == "we" || word(i - 1) == "you"))) {
            // "march", "march 2025", "mar 25"
            if (w == "mar" || w == "may" || w == "dec" || w == "jun" || w == "sep") {
                // short forms that are words too count next to a year or a time preposition
                bool near_time = year_at(i + 1) || (i > 0 && (word(i - 1) == "in" || word(i - 1) == "since" || word(i - 1) == "for" || word(i - 1) == "during" || word(i - 1) == "from" || word(i - 1) == "of" || word(i - 1) == "to" || word(i - 1) == "through" || word(i - 1) == "until" || word(i - 1) == "and" ||
                                                     word(i - 1) == "with" || word(i - 1) == "vs" || word(i - 1) == "versus" || word(i - 1) == "against" || word(i - 1) == "than"));
                // "May of last year", "May of 2025"
                if (word(i + 1) == "of" && (year_at(i + 2) || word(i + 2) == "last" || word(i + 2) == "this" || word(i + 2) == "next")) near_time = true;
                // "May 31 2026", "31 May 2026": a day and a year
                if (word(i + 1).size() <= 2 && is_digits(word(i + 1)) && year_at(i + 2)) near_time = true;
                // "may vs april", "April and May": beside another month's name
                auto joiner = [](std::string_view x) {
                    return x == "vs" || x == "versus" || x == "against" || x == "and" || x == "or" || x == "to" || x == "over";  // "May over April"
                };
                // ("apr", "feb": short forms that are no other word)
                auto other_month = [](std::string_view x) {
                    return month_number(x) && x != "mar" && x != "may" && x != "dec" && x != "jun" && x != "sep";
                };
                if (joiner(word(i + 1)) && other_month(word(i + 2))) near_time = true;
                if (i >= 2 && joiner(word(i - 1)) && other_month(word(i - 2))) near_time = true;
                if (!near_time && w != "may" && w != "dec" && w != "sep") continue;
                if (!near_time) continue;
            }
            // "June 1-7", "Jan 1 through Jun 15", "March 3, 2025": days. Two digits after a month
            // are a year when they can be one of the last five ("may 25") and nothing says days.
            auto day_at = [&](size_t k) { return unused(k) ? day_of_month(word(k)) : 0; };
            auto joins = [&](size_t k) { return word(k) == "to" || word(k) == "through" || word(k) == "thru" || word(k) == "until" || word(k) == "till"; };
            if (int d1 = day_at(i + 1)) {
                int as_short_year = short_year(i + 1);
                bool plausible_year = as_short_year >= this_year - 5 && as_short_year <= this_year && word(i + 1).size() == 2;
                bool days_follow = day_at(i + 2) || (joins(i + 2) && (month_number(word(i + 3)) || day_at(i + 3))) || year_at(i + 2);
                if (!plausible_year || days_follow) {
                    size_t k = i + 2;
                    int m2 = m, d2 = d1;
                    if (joins(k)) ++k;
                    if (int mm = month_number(word(k)); mm && day_at(k + 1)) {
                        m2 = mm;
                        d2 = day_at(k + 1);
                        k += 2;
                    } else if (int d = day_at(k); d && d > d1) {
                        d2 = d;
                        ++k;
                    } else {
                        k = i + 2;
                    }
                    int y = year_at(k);
                    if (y) ++k;
                    else if ((y = relative_year(k))) k += 2;  // "June 1-14 last year"
                    else y = latest_year_for_month(m);
                    year_month_day from{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d1)}};
                    year_month_day to{year{y}, month{static_cast<unsigned>(m2)}, day{static_cast<unsigned>(d2)}};
                    if (from.ok() && to.ok() && sys_days{from} <= sys_days{to}) {
                        auto label = d2 == d1 && m2 == m ? fmt::format("{} {} {}", month_names[m - 1], d1, y)
                                   : m2 == m        ? fmt::format("{} {}-{} {}", month_names[m - 1], d1, d2, y)
                                                    : fmt::format("{} {} - {} {} {}", month_names[m - 1], d1, month_names[m2 - 1], d2, y);
                        take(i, k - i);
                        // dates said to the day are kept as said, up to today ("Jan 1 through Jun 15")
                        period said{iso(from), iso(to), label, true};
                        said.to = std::min(said.to, iso(today));
                        periods.emplace_back(i, said);
                        continue;
                    }
                }
            }
            // "Jan-May 2025", "jan to may 2025": the months between, both included
            size_t second = i + 1;
            if (word(second) == "to" || word(second) == "through" || word(second) == "thru" || word(second) == "until") ++second;
            // ("Jan-May this year": the year said as the one before or this one)
            if (int m2 = month_number(word(second)); m2 > m && (year_at(second + 1) || short_year(second + 1) || relative_year(second + 1))) {
                bool relative = !year_at(second + 1) && !short_year(second + 1);
                int y = year_at(second + 1) ? year_at(second + 1) : relative ? relative_year(second + 1) : short_year(second + 1);
                if (relative) take(second + 2);
                // "how did revenue change from April to May 2026": the two months, side by side
                if (i > 0 && word(i - 1) == "from" && std::any_of(words.begin(), words.end(), [](auto& x) { return change_word(x); })) {
                    take(i - 1, second + 3 - i);
                    periods.emplace_back(i, up_to(month_period(year_month{year{y}, month{static_cast<unsigned>(m)}}), today, true));
                    periods.emplace_back(second, up_to(month_period(year_month{year{y}, month{static_cast<unsigned>(m2)}}), today, true));
                    continue;
                }
                take(i, second + 2 - i);
                year_month a{year{y}, month{static_cast<unsigned>(m)}}, b{year{y}, month{static_cast<unsigned>(m2)}};
                periods.emplace_back(i, up_to(months_period(a, b, fmt::format("{}-{} {}", month_names[m - 1], month_names[m2 - 1], y)), today, true));
                continue;
            }
            // "Q1 2026 (Jan–Mar)", "H2 2025 (Jul–Dec)": the months of the period just named,
            // said again without its year
            if (int m2 = month_number(word(second)); m2 > m && !periods.empty() && periods.back().first + 4 >= i) {
                auto& named = periods.back().second;
                int y = std::atoi(named.from.substr(0, 4).c_str());
                auto same = months_period(year_month{year{y}, month{static_cast<unsigned>(m)}},
                                          year_month{year{y}, month{static_cast<unsigned>(m2)}}, "");
                if (same.from == named.from && (same.to == named.to || up_to(same, today, false).to == named.to)) {
                    take(i, second + 1 - i);
                    continue;
                }
            }
            int y = year_at(i + 1) ? year_at(i + 1) : short_year(i + 1);
            take(i);
            if (y) take(i + 1);
            else if (word(i + 1) == "of" && relative_year(i + 2)) {  // "May of last year"
                y = relative_year(i + 2);
                take(i + 1, 3);
            } else if (relative_year(i + 1)) {  // "April this year"
                y = relative_year(i + 1);
                take(i + 1, 2);
            } else {
                y = latest_year_for_month(m);
                yearless.push_back({i, 'm', m});
            }
            year_month ym{year{y}, month{static_cast<unsigned>(m)}};
            // "the first week of June": its days 1 to 7; "the last week of May": its last seven
            if (i >= 3 && word(i - 1) == "of" && week_word(word(i - 2)) && word(i - 2).back() != 's' && unused(i - 2) && unused(i - 3)) {
                auto o = word(i - 3);
                int n = o == "first" || o == "1st" ? 1 : o == "second" || o == "2nd" ? 2 : o == "third" || o == "3rd" ? 3
                      : o == "fourth" || o == "4th" ? 4 : o == "last" || o == "final" ? -1 : 0;
                if (n) {
                    unsigned end = unsigned(last_of(ym).day());
                    unsigned from = n > 0 ? unsigned(7 * (n - 1) + 1) : end - 6, to = n > 0 ? unsigned(7 * n) : end;
                    take(i - 3, 3);
                    periods.emplace_back(i, up_to(period{iso(ym / day{from}), iso(ym / day{to}),
                                                         fmt::format("{} {}-{} {}", month_names[m - 1], from, to, y), true},
                                                  today, false));
                    continue;
                }
            }
            periods.emplace_back(i, up_to(month_period(ym), today, true));
            continue;
        }
        if (w.size() == 2 && (w[0] == 'q' || w[0] == 'h') && (w[1] >= '1' && w[1] <= (w[0] == 'q' ? '4' : '2'))) {
            int n = w[1] - '0';
            size_t after = i + 1;
            if (word(after) == "of" || word(after) == "in") ++after;
            int y = year_at(after) ? year_at(after) : short_year(after);
            int said = relative_year(after);
            if (!y && i > 0) y = year_at(i - 1);  // "2025 Q1"
            take(i);
            if (said && !y) {
                y = said;
                take(i + 1, after - i + 1);
            } else if (y && (year_at(after) || short_year(after))) take(i + 1, after - i);
            else if (y) take(i - 1);
            if (!y) {
                int first_month = w[0] == 'q' ? 3 * n - 2 : (n == 1 ? 1 : 7);
                y = latest_year_for_month(first_month);
                yearless.push_back({i, w[0], n});
            }
            // a bare year right before was read as its own period: it belongs to this one
            periods.erase(std::remove_if(periods.begin(), periods.end(),
                                         [&](auto& p) { return p.first + 1 == i && p.second.label == std::to_string(y); }),
                          periods.end());
            periods.emplace_back(i, up_to(w[0] == 'q' ? quarter_period(y, n) : half_period(y, n), today, true));
            continue;
        }
        // "first quarter", "second half", "fourth quarter of 2025"
        {
            static const std::pair<const char*, int> ordinals[] = {{"first", 1}, {"1st", 1}, {"second", 2}, {"2nd", 2},
                                                                   {"third", 3}, {"3rd", 3}, {"fourth", 4}, {"4th", 4}};
            int n = 0;
            for (auto& [o, v] : ordinals)
                if (w == o) n = v;
            if (n && (quarter_word(next) || (next == "half" && n <= 2))) {
                bool half = next == "half";
                size_t after = i + 2;
                if (word(after) == "of" || word(after) == "in") ++after;
                int y = year_at(after);
                take(i, 2);
                if (y) take(i + 2, after - i - 1);
                else {
                    y = latest_year_for_month(half ? (n == 1 ? 1 : 7) : 3 * n - 2);
                    yearless.push_back({i, half ? 'h' : 'q', n});
                }
                periods.emplace_back(i, up_to(half ? half_period(y, n) : quarter_period(y, n), today, true));
                continue;
            }
        }
        // "this year", "last month", "previous quarter", "current week"
        if ((w == "this" || w == "current" || w == "last" || w == "previous" || w == "prior" || w == "past") &&
            (year_word(next) || month_word(next) || quarter_word(next) || week_word(next))) {
            bool current = w == "this" || w == "current";
            if (w == "past" && year_word(next)) {  // "the past year": the last twelve complete months
                periods.emplace_back(i, months_period(this_month - months{12}, this_month - months{1}, "last 12 months"));
            } else if (year_word(next)) {
                int y = current ? this_year : this_year - 1;
                periods.emplace_back(i, up_to(year_period(y), today, true));
            } else if (month_word(next)) {
                auto ym = current ? this_month : this_month - months{1};
                periods.emplace_back(i, up_to(month_period(ym), today, true));
            } else if (quarter_word(next)) {
                int qn = (int(unsigned(today.month())) - 1) / 3 + 1, y = this_year;
                if (!current && --qn == 0) { qn = 4; --y; }
                periods.emplace_back(i, up_to(quarter_period(y, qn), today, true));
            } else {
                // weeks run Monday to Sunday
                sys_days d{today};
                weekday wd{d};
                auto monday = d - days{(wd.c_encoding() + 6) % 7};
                if (!current) monday -= days{7};
                period p{iso(year_month_day{monday}), iso(year_month_day{monday + days{6}}),
                         current ? "this week" : "last week", true};
                periods.emplace_back(i, up_to(p, today, false));
            }
            take(i, 2);
            continue;
        }
        // "the completed months of this year", "full months so far this year": January to the
        // last complete month
        if ((w == "complete" || w == "completed" || w == "full" || w == "finished") && next == "months") {
            size_t k = i + 2;
            if (word(k) == "of" || word(k) == "in") ++k;
            int y = 0;
            size_t end = k;
            if (relative_year(k) == this_year) y = this_year, end = k + 2;
            else if (year_at(k) == this_year) y = this_year, end = k + 1;
            else if (word(k) == "ytd") y = this_year, end = k + 1;
            else if (word(k) == "so" && word(k + 1) == "far") y = this_year, end = k + 2, end += relative_year(end) == this_year ? 2 : 0;
            if (y && unsigned(today.month()) > 1) {
                periods.emplace_back(i, unsigned(today.month()) == 2 ? month_period(year{y} / January)
                                                                    : months_period(year{y} / January, this_month - months{1},
                                                                                    fmt::format("January-{} {}", month_names[unsigned(today.month()) - 2], y)));
                take(i, end - i);
                continue;
            }
        }
        // "last 6 months", "past 3 quarters", "trailing 12 months", "last 30 days", "last 2 years";
        // "the last 6 complete months" too: complete, as "last" months always are
        size_t u = i + 2;
        if (word(u) == "complete" || word(u) == "completed" || word(u) == "full" || word(u) == "whole") ++u;
        if ((w == "last" || w == "past" || w == "previous" || w == "trailing" || w == "prior" || w == "recent") &&
            is_digits(next) && (month_word(word(u)) || quarter_word(word(u)) || day_word(word(u)) ||
                                year_word(word(u)) || week_word(word(u)))) {
            int n = std::atoi(std::string(next).c_str());
            auto unit = word(u);
            if (n > 0 && n <= 120) {
                // "for each of the last 6 months": one row a month
                if (i >= 3 && word(i - 1) == "the" && word(i - 2) == "of" && (word(i - 3) == "each" || word(i - 3) == "every")) {
                    q.grain = month_word(unit) ? time_grain::month : quarter_word(unit) ? time_grain::quarter
                            : year_word(unit) ? time_grain::year : time_grain::day;
                    take(i - 3, 3);
                }
                if (month_word(unit) || quarter_word(unit) || year_word(unit)) {
                    int span = month_word(unit) ? n : quarter_word(unit) ? 3 * n : 12 * n;
                    periods.emplace_back(i, months_period(this_month - months{span}, this_month - months{1},
                                                          fmt::format("last {} {}", n, unit)));
                } else {
                    int span = day_word(unit) ? n : 7 * n;
                    sys_days d{today};
                    period p{iso(year_month_day{d - days{span}}), iso(year_month_day{d - days{1}}),
                             fmt::format("last {} {}", n, unit), true};
                    periods.emplace_back(i, p);
                }
                take(i, u - i + 1);
                continue;
            }
        }
        if (w == "ttm" || w == "ltm") {
            periods.emplace_back(i, months_period(this_month - months{12}, this_month - months{1}, "last 12 months"));
            take(i);
            continue;
        }
        // "ytd", "year to date", "mtd", "qtd"
        if (w == "ytd" || w == "mtd" || w == "qtd" ||
            ((year_word(w) || month_word(w) || quarter_word(w)) && next == "to" && word(i + 2) == "date")) {
            char k = w == "ytd" || year_word(w) ? 'y' : w == "mtd" || month_word(w) ? 'm' : 'q';
            period p = k == 'y' ? year_period(this_year)
                     : k == 'm' ? month_period(this_month)
                                : quarter_period(this_year, (int(unsigned(today.month())) - 1) / 3 + 1);
            p = up_to(p, today, false);
            p.label = k == 'y' ? fmt::format("{} to date", this_year) : k == 'm' ? p.label + " to date" : p.label + " to date";
            // "2025 YTD": the same span of that year
            if (k == 'y' && !periods.empty() && periods.back().first + 1 == i && periods.back().second.label.size() == 4) {
                // (this year's is the span just read: cut where the data ends, it needs no days)
                int y = std::atoi(periods.back().second.label.c_str());
                auto to = parse_iso(p.to);
                auto end = iso(year_month_day{year{y}, to.month(), to.day()});
                if (y != this_year) p = {fmt::format("{}-01-01", y), end, fmt::format("{} to date", y), !month_end(end)};
                periods.pop_back();
            }
            periods.emplace_back(i, p);
            take(i, w.size() == 3 ? 1 : 3);
            continue;
        }
        if (w == "yesterday" || (w == "today" && false)) {
            sys_days d{today};
            auto y = year_month_day{d - days{1}};
            periods.emplace_back(i, period{iso(y), iso(y), "yesterday", true});
            take(i);
            continue;
        }
        // "2 years ago", "3 months ago"
        if (is_digits(w) && (year_word(next) || month_word(next)) && word(i + 2) == "ago") {
            int n = std::atoi(std::string(w).c_str());
            if (year_word(next)) periods.emplace_back(i, year_period(this_year - n));
            else periods.emplace_back(i, month_period(this_month - months{n}));
            take(i, 3);
            continue;
        }
    }
}

void question_reader::reading::combine_periods() {
    // "each year (include 2026 so far)": a period included is not the only one asked for
    periods.erase(std::remove_if(periods.begin(), periods.end(), [&](auto& p) {
                      auto before = p.first > 0 ? word(p.first - 1) : std::string_view();
                      bool included = before == "include" || before == "including" || before == "incl" || before == "plus";
                      if (included) take(p.first - 1);
                      return included;
                  }),
                  periods.end());
    // "2026 to date", "June to date", "this year to date": a period that runs to today is cut
    // at the last complete day already
    auto yesterday = last_complete_day(today);
    for (size_t k = 1; k + 1 < t.size(); ++k) {
        if (!unused(k) || !unused(k + 1) || word(k) != "to" || word(k + 1) != "date" || unused(k - 1)) continue;
        std::pair<size_t, period>* named = nullptr;
        for (auto& p : periods)
            if (p.first < k && (!named || p.first > named->first)) named = &p;
        if (!named || named->second.to < yesterday || named->second.from > yesterday) continue;
        bool between = true;  // only the period's own words before "to date"
        for (size_t j = named->first; j < k; ++j) between = between && !unused(j);
        if (!between) continue;
        take(k, 2);
        named->second = up_to(named->second, today, true);
    }
    // "the twelve months ended 31 December 2025", "the quarter ended 31 March 2026", "the year
    // ending June 30, 2025", "six months to 30 June 2025": the span of that length up to the day
    for (auto& [at, p] : periods) {
        auto joint = at >= 2 ? word(at - 1) : std::string_view();
        if (p.from != p.to || !(joint == "ended" || joint == "ending" || joint == "to")) continue;
        size_t u = at - 2, first = u;
        auto unit = word(u);
        int n = 0;
        if (month_word(unit) && unit.back() == 's' && u >= 1 && is_digits(word(u - 1)) && unused(u - 1)) {
            n = std::atoi(std::string(word(u - 1)).c_str());
            first = u - 1;
        } else if (year_word(unit) && unit.back() != 's') {
            n = u >= 1 && word(u - 1) == "half" ? 6 : 12;
            if (n == 6) first = u - 1;
        } else if (quarter_word(unit) && unit.back() != 's') {
            n = 3;
        }
        if (n < 1 || n > 120 || !unused(u)) continue;
        if (first >= 1 && (word(first - 1) == "the" || word(first - 1) == "fiscal" || word(first - 1) == "financial")) --first;
        auto end = parse_iso(p.to);
        year_month last = end.year() / end.month();
        if (month_end(p.to)) {
            p = months_period(last - months{n - 1}, last, "");
            int y = int(last.year());
            if (n == 12 && unsigned(last.month()) == 12) p = year_period(y);
            else if (n == 3 && unsigned(last.month()) % 3 == 0) p = quarter_period(y, int(unsigned(last.month())) / 3);
            else p.label = fmt::format("{} {} to {} {}", month_names[unsigned((last - months{n - 1}).month()) - 1],
                                       int((last - months{n - 1}).year()), month_names[unsigned(last.month()) - 1], y);
        } else {
            auto back = last - months{n};
            year_month_day start{back.year(), back.month(), end.day()};
            if (!start.ok()) start = last_of(last - months{n});
            p = period{iso(year_month_day{sys_days{start} + days{1}}), p.to, fmt::format("{} months ended {}", n, p.label), true};
        }
        p = up_to(p, today, true);
        take(first, at - first);
    }
    bool range = false;  // "from March to May", "between 2024 and 2025"
    size_t range_end = 0;  // (without "from": the later period of it)
    // "since the data starts", "since the beginning": all of the data, as with no period
    for (size_t i = 0; i + 2 < t.size(); ++i)
        if (unused(i) && word(i) == "since" && word(i + 1) == "the" && (word(i + 2) == "start" || word(i + 2) == "beginning") &&
            word(i + 3) != "of") {
            size_t end = i + 3;
            if (word(end) == "of" || word(end) == "the" || word(end) == "data" || word(end) == "records") ++end;
            take(i, 3);
        } else if (unused(i) && word(i) == "since" && word(i + 1) == "the" && (word(i + 2) == "data" || word(i + 2) == "records") &&
                   (word(i + 3) == "starts" || word(i + 3) == "start" || word(i + 3) == "began" || word(i + 3) == "begin")) {
            take(i, 4);
        }
    // "since March", "from Q1 2025 to Q3 2025", "between 2024 and 2025", "through May"
    for (size_t k = 0; k < periods.size(); ++k) {
        auto at = periods[k].first;
        // "since the start of 2024": since 2024
        if (at >= 3 && word(at - 1) == "of" && (word(at - 2) == "start" || word(at - 2) == "beginning")) {
            size_t lead = word(at - 3) == "the" ? at - 3 : at - 2;
            if (lead >= 1 && (word(lead - 1) == "since" || word(lead - 1) == "from")) {
                take(lead, at - lead);
                periods[k].first = at = lead;  // the words before the period are now its own
            }
        }
        auto before = at > 0 ? word(at - 1) : std::string_view();
        // "from 2024 through now", "from March until today", "Jan '25 thru today": since then
        {
            for (size_t j = at + 1; j < t.size() && j <= at + 4; ++j) {
                if (unused(j) && (word(j) == "through" || word(j) == "thru" || word(j) == "to" || word(j) == "till" ||
                                  word(j) == "until") &&
                    (word(j + 1) == "now" || word(j + 1) == "today" || word(j + 1) == "present" || word(j + 1) == "date")) {
                    auto& p = periods[k].second;
                    p = up_to(period{p.from, iso(today), "since " + p.label, p.needs_days}, today, false);
                    if (before == "from") take(at - 1);
                    take(j, 2);
                    break;
                }
                if (unused(j)) break;  // only the period's own words may stand between
            }
        }
        if (before == "since" || before == "after") {
            auto& p = periods[k].second;
            p = up_to(period{p.from, iso(today), "since " + p.label, p.needs_days}, today, false);
            if (before == "after") p.from = p.to;  // refused below: "after" needs day arithmetic
            take(at - 1);
        }
        if ((before == "through" || before == "until" || before == "till" || before == "to" || before == "and") &&
            k > 0 && at >= 1) {
            auto prev_at = periods[k - 1].first;
            auto lead = prev_at > 0 ? word(prev_at - 1) : std::string_view();
            if (lead == "from" || lead == "between") {
                range = true;
                take(prev_at - 1);
                take(at - 1);
            } else if (before == "through" || before == "until" || before == "till" ||
                       (before == "to" && periods[k - 1].second.from == periods[k - 1].second.to && periods[k].second.from == periods[k].second.to) ||
                       (before == "to" && series_asked() && periods[k - 1].second.to < periods[k].second.from)) {
                // "Jan 2025 through May 2026": a range without "from"; "to" alone compares, but
                // between two days it is a span ("2026-01-01 to 2026-03-31"), and so it is beside
                // a series of finer periods, no change asked ("F&I rev by month, Jun-25 to May-26")
                range = true;
                range_end = k;
                take(at - 1);
            }
        }
    }
    // "this year vs last year — 2025 against 2024": two comparisons, not one of four periods
    int comparing = 0;
    for (size_t i = 0; i < words.size(); ++i)
        comparing += words[i] == "vs" || words[i] == "versus" || words[i] == "against" ||
                     (words[i] == "compared" && i + 1 < words.size() && (words[i + 1] == "to" || words[i + 1] == "with"));
    if (comparing >= 2 && periods.size() >= 4 && periods.size() == size_t(2 * comparing))
        q.problem = "the question names two comparisons: ask for one (\"2024 vs 2025\")";
    // "last quarter (Q1 2026 vs Q1 2025)": a period named twice is one period ("this year …
    // 2026": a year and its days of data so far); a part of the year named without one is then said with its
    // year ("Q1 GP growth: Q1 2026 vs Q1 2025")
    auto data_end = last_complete_day(today);
    for (size_t k = 1; k < periods.size();) {
        auto& p = periods[k].second;
        auto whole_year = [](const period& x) { return x.label.size() == 4 && x.to == x.label + "-12-31"; };
        auto again = std::find_if(periods.begin(), periods.begin() + static_cast<long>(k), [&](auto& e) {
            if (e.second.from != p.from) return false;
            if (e.second.to == p.to) return true;
            return (whole_year(e.second) || whole_year(p)) && std::min(e.second.to, data_end) == std::min(p.to, data_end);
        });
        if (again == periods.begin() + static_cast<long>(k)) {
            ++k;
            continue;
        }
        size_t at = again->first;
        yearless.erase(std::remove_if(yearless.begin(), yearless.end(), [&](auto& part) { return part.at == at; }), yearless.end());
        periods.erase(periods.begin() + static_cast<long>(k));
    }
    // "year to date vs the same period last year": the earlier period is the later one's span a
    // year before, not the whole of last year.
    bool same_span = false;
    for (size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == "same" && (words[i + 1] == "period" || words[i + 1] == "time" || words[i + 1] == "span" ||
                                   words[i + 1] == "stretch" || words[i + 1] == "point" || words[i + 1] == "dates" ||
                                   words[i + 1] == "days" || month_word(words[i + 1]) || quarter_word(words[i + 1]) ||
                                   week_word(words[i + 1]))) {
            same_span = true;
            take(i, 2);  // "the same quarter" names no grain
        }
    // "this year than at this point last year": the same span
    for (size_t i = 0; i + 2 < words.size(); ++i)
        if (words[i] == "this" && (words[i + 1] == "point" || words[i + 1] == "stage") && words[i + 2] == "last" && unused(i)) {
            same_span = true;
            take(i, 2);
        }
    // "last quarter versus the same quarter a year earlier", "May vs a year before": the one
    // period named and its span a year before
    for (size_t i = 0; i + 1 < t.size() && periods.size() == 1; ++i) {
        auto after = word(i + 1);
        if (!unused(i) || !year_word(word(i)) || word(i).back() == 's' ||
            !(after == "earlier" || after == "before" || after == "ago" || after == "prior" || after == "back"))
            continue;
        take(i, 2);
        if (i > 0 && (word(i - 1) == "a" || word(i - 1) == "one")) take(i - 1);
        periods.push_back({i, year_before(periods[0].second)});
        same_span = false;
    }
    // "last month vs the month before", "Q1 against the quarter prior": the whole month or
    // quarter just before the one named
    for (size_t i = 1; i + 1 < t.size() && periods.size() == 1; ++i) {
        auto unit = word(i), after = word(i + 1);
        bool month = month_word(unit) && unit.back() != 's', quarter = quarter_word(unit) && unit.back() != 's';
        // ("compared to month before": "the" left out after a comparison's word)
        auto lead = word(i - 1);
        bool compared = lead == "to" || lead == "vs" || lead == "versus" || lead == "with" || lead == "against";
        if (!unused(i) || !(month || quarter) || !(lead == "the" || compared) ||
            !(after == "before" || after == "prior" || after == "earlier"))
            continue;
        auto before = period_before(periods[0].second);
        if (!before || before->months_long != (month ? 1 : 3)) continue;
        periods.push_back({i, before->before});
        take(i - 1, 3);
    }
    // "last mo vs prior", "Q1 vs the previous one", "May vs the one before": the whole month,
    // quarter or year just before the one named, the unit left unsaid
    for (size_t i = 1; i < t.size() && periods.size() == 1; ++i) {
        size_t k = i;
        if (word(k) == "the") ++k;
        bool one = word(k) == "1" || word(k) == "one";
        if (one) ++k;
        auto w = word(k);
        auto lead = word(i - 1);
        bool compared = lead == "vs" || lead == "versus" || lead == "against" || lead == "to" || lead == "with";
        if (!compared || !unused(k) || !(w == "prior" || w == "previous" || (one && w == "before"))) continue;
        auto after = word(k + 1);
        if (month_word(after) || quarter_word(after) || year_word(after) || week_word(after) || day_word(after) || after == "period") continue;
        auto before = period_before(periods[0].second);
        if (!before) continue;
        periods.push_back({i, before->before});
        take(i - 1, k - i + 2);
        if (!one && (after == "1" || after == "one")) take(k + 1);  // "vs the previous one"
    }
    // ("… the same stretch last year (Jan 1 to Jun 14, 2025)": the earlier span said again, or
    // the year it lies in, names no third period)
    if (same_span && periods.size() >= 2) {
        auto later = *std::max_element(periods.begin(), periods.end(), [](auto& a, auto& b) { return a.second.to < b.second.to; });
        auto earlier = year_before(later.second);
        std::optional<period> said;  // the span as the question gives it, to the day
        bool restated = std::all_of(periods.begin(), periods.end(), [&](auto& p) {
            // the span itself (a day either way: "Jan 1 to Jun 14" when the data ends then), or its year
            bool span = p.second.from == earlier.from && p.second.to.substr(0, 7) == earlier.to.substr(0, 7) && p.second.to != later.second.to;
            if (span) said = p.second;
            // the later span said to the day ("YTD … (Jan 1 through Jun 15)"), the latest of them
            bool again = p.second.from == later.second.from && p.second.to.substr(0, 7) == later.second.to.substr(0, 7);
            bool year = p.second.from <= earlier.from && p.second.to >= earlier.to && p.second.from.substr(0, 4) == earlier.from.substr(0, 4);
            return p.second.to == later.second.to || again || span || year;
        });
        if (periods.size() == 2 || restated) periods = {{later.first, later.second}, {later.first, said && restated ? *said : earlier}};
    }
    // "H1 vs H2 revenue for FY25", "Q1 vs Q2 vs Q3 units in 2025": parts of the year named
    // without one, beside one whole year, are those parts of it
    if (yearless.size() >= 2 && periods.size() == yearless.size() + 1) {
        auto whole = std::find_if(periods.begin(), periods.end(), [&](auto& p) {
            return std::none_of(yearless.begin(), yearless.end(), [&](auto& part) { return part.at == p.first; });
        });
        auto& w = whole->second;
        if (w.label.size() == 4 && is_digits(w.label) && w.from == w.label + "-01-01" && w.to == w.label + "-12-31") {
            int y = std::atoi(w.label.c_str());
            std::vector<std::pair<size_t, period>> parts;
            for (auto& part : yearless)
                parts.emplace_back(part.at, part_of(part, y));
            periods = std::move(parts);
        }
    }
    // "march units: march 2024 vs march 2025": a part of the year named without one, beside
    // that part of two or more years, says them again
    if (yearless.size() == 1 && periods.size() >= 3) {
        auto part = yearless.front();
        bool restated = std::all_of(periods.begin(), periods.end(), [&](auto& named) {
            if (named.first == part.at) return true;
            auto same = part_of(part, std::atoi(named.second.from.substr(0, 4).c_str()));
            return named.second.from == same.from && named.second.to == same.to;
        });
        if (restated) {
            periods.erase(std::remove_if(periods.begin(), periods.end(), [&](auto& named) { return named.first == part.at; }), periods.end());
            yearless.clear();
        }
    }
    // "Q1 revenue, 2025 vs 2026", "march units in 2024 and 2025": a part of the year named
    // without one, beside whole years, is that part of each of them
    if (yearless.size() == 1 && periods.size() >= 2) {
        auto part = yearless.front();
        std::vector<int> years_named;
        bool only_years = true;
        for (auto& [at, p] : periods) {
            if (at == part.at) continue;
            bool whole_year = p.label.size() == 4 && is_digits(p.label) && p.from == p.label + "-01-01" && p.to == p.label + "-12-31";
            if (whole_year) years_named.push_back(std::atoi(p.label.c_str()));
            else only_years = false;
        }
        if (only_years && !years_named.empty()) {
            std::vector<std::pair<size_t, period>> parts;
            for (int y : years_named)
                parts.emplace_back(part.at, part_of(part, y));
            periods = std::move(parts);
        }
    }
    // "the first half vs the second half of 2025", "Q1 vs Q2 2024": parts named without a year
    // beside parts of one year are of that year
    if (!yearless.empty() && periods.size() >= 2 && yearless.size() < periods.size()) {
        int y = 0;
        bool one_year = true;
        for (auto& named : periods) {
            size_t at = named.first;  // a plain name, as the lambda captures it (clang 14)
            auto& p = named.second;
            if (std::any_of(yearless.begin(), yearless.end(), [&](auto& part) { return part.at == at; })) continue;
            int from_year = std::atoi(p.from.substr(0, 4).c_str());
            bool whole_year = p.from.substr(5) == "01-01" && p.to.substr(5) == "12-31";
            if (whole_year || p.to.substr(0, 4) != p.from.substr(0, 4) || (y && y != from_year)) one_year = false;
            y = from_year;
        }
        // (not when that is a period named: "Q1 vs Q1 2025" is this year's Q1 against last year's)
        bool named_again = std::any_of(periods.begin(), periods.end(), [&](auto& named) {
            return std::any_of(yearless.begin(), yearless.end(), [&](auto& part) {
                auto p = part_of(part, y);
                return part.at != named.first && p.from == named.second.from && p.to == named.second.to;
            });
        });
        if (one_year && y && !named_again)
            for (auto& [at, p] : periods)
                for (auto& part : yearless)
                    if (part.at == at)
                        p = part_of(part, y);
    }
    // A range joins the two ends; otherwise several periods are a comparison.
    // "how did units compare between 2024 and 2025": the two side by side, not the span
    bool growth_words = std::any_of(words.begin(), words.end(), [](auto& w) {
        return change_word(w) || w == "compare" || w == "compared" || w == "comparison" || w == "comparing";
    });
    // "trailing twelve months (Jun-25 to May-26)": a span said again as a range is one period
    if (range && periods.size() == 3 && range_end == 2 && !growth_words) {
        auto& said = periods[0].second;
        auto end = last_complete_day(today);
        if (said.from == periods[1].second.from && std::min(said.to, end) == std::min(periods[2].second.to, end))
            periods.erase(periods.begin() + 1, periods.end());
    }
    if (range && periods.size() == 2 && !growth_words) {
        auto& a = periods[0].second;
        auto& b = periods[1].second;
        q.window = period{std::min(a.from, b.from), std::max(a.to, b.to), a.label + " to " + b.label, a.needs_days || b.needs_days};
    } else if (periods.size() == 1) {
        q.window = periods[0].second;
    } else if (periods.size() > 1) {
        for (auto& [at, p] : periods) q.compare.push_back(p);
        std::sort(q.compare.begin(), q.compare.end(), [](auto& a, auto& b) { return a.from < b.from; });
    }
}

period question_reader::reading::year_before(const period& p) const {
    auto from = parse_iso(p.from), to = parse_iso(p.to);
    year_month_day pf{from.year() - years{1}, from.month(), from.day()}, pt{to.year() - years{1}, to.month(), to.day()};
    if (!pt.ok()) pt = last_of(pt.year() / pt.month());
    // the same span a year earlier ends inside a month unless this one ends with one
    // (a period cut at the last complete day is all its month's data; a year earlier it is not)
    bool inside_month = pt != last_of(pt.year() / pt.month()) && p.to >= last_complete_day(today);
    // the label with its year one less ("May 2026" → "May 2025"), else said in words
    std::string label = p.label + " a year earlier";
    for (size_t k = 0; k + 4 <= p.label.size(); ++k)
        if (is_digits(p.label.substr(k, 4)) && (k + 4 == p.label.size() || !std::isdigit(static_cast<unsigned char>(p.label[k + 4]))) &&
            (k == 0 || !std::isdigit(static_cast<unsigned char>(p.label[k - 1])))) {
            label = p.label.substr(0, k) + std::to_string(std::atoi(p.label.substr(k, 4).c_str()) - 1) + p.label.substr(k + 4);
            break;
        }
    return period{iso(pf), iso(pt), label, p.needs_days || inside_month};
}

/// Whether the question asks for a series by a calendar grain ("by month", "monthly", "each
/// quarter") and no change between periods.
bool question_reader::reading::series_asked() const {
    bool series = false;
    for (size_t i = 0; i < words.size(); ++i) {
        auto& w = words[i];
        if (change_word(w) || w == "vs" || w == "versus" || w == "against" || w == "compared" || w == "compare") return false;
        bool unit_next = i + 1 < words.size() && (month_word(words[i + 1]) || quarter_word(words[i + 1]) || week_word(words[i + 1]) ||
                                                  day_word(words[i + 1]));
        series = series || w == "monthly" || w == "quarterly" || w == "weekly" || w == "daily" ||
                 ((w == "by" || w == "per" || w == "each" || w == "every") && unit_next);
    }
    return series;
}

/// "the whole history", "over the entire claim history", "across all the claim history we
/// have": all the data, not a series over time.
bool question_reader::reading::all_of_history(size_t at) const {
    auto whole = [&](size_t k) { return word(k) == "whole" || word(k) == "entire" || word(k) == "all" || word(k) == "full"; };
    auto article = [&](size_t k) { return word(k) == "the" || word(k) == "our" || word(k) == "of"; };
    return (at >= 1 && whole(at - 1)) || (at >= 2 && whole(at - 2)) || (at >= 3 && whole(at - 3) && article(at - 2));
}

void question_reader::reading::read_grains() {
    // Grains: "monthly", "by month", "per quarter", "each year", "trend", "over time"
    bool trend = false;
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i)) continue;
        auto w = word(i);
        // "lead time (days)", "lead time in days": the unit of a measure counted in days
        // "what's a Kestrel going for these days": nowadays, no series by day
        if (w == "days" && i > 0 && word(i - 1) == "these") {
            take(i - 1, 2);
            continue;
        }
        if (w == "days" || w == "day") {
            size_t end = i > 0 && word(i - 1) == "in" ? i - 1 : i;
            // ("avg lead time per plant (days)": the unit in parentheses, anywhere after it)
            bool bracketed = original.find("(days)") != std::string::npos || original.find("(in days)") != std::string::npos;
            bool unit = std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                auto* m = p.e->what == kind::measure ? model.measure(p.e->target) : nullptr;
                return m && m->unit == "days" && (p.start + p.length == end || (bracketed && p.start + p.length <= end));
            });
            if (unit) {
                take(end, i - end + 1);
                continue;
            }
            // "a lead time of 30 days or more": an amount of a measure counted in days
            bool amount = i > 0 && is_number(word(i - 1)) && std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                auto* m = p.e->what == kind::measure ? model.measure(p.e->target) : nullptr;
                return m && m->unit == "days";
            });
            if (amount) {
                take(i);
                continue;
            }
        }
        time_grain g = time_grain::none;
        size_t n = 1;
        if (w == "mom" || w == "qoq" || w == "wow") sequential = w == "mom" ? "month" : w == "qoq" ? "quarter" : "week";
        if (w == "monthly" || w == "mom") g = time_grain::month;
        else if (w == "qoq") g = time_grain::quarter;
        else if (w == "wow") g = time_grain::none, weekly = true;
        else if (w == "quarterly") g = time_grain::quarter;
        else if (w == "yearly" || w == "annual" || w == "annually" || w == "yoy") g = time_grain::year;
        else if (w == "daily") g = time_grain::day;
        else if (w == "weekly") g = time_grain::none, weekly = true;
        else if ((w == "by" || w == "per" || w == "each" || w == "every") && unused(i + 1) &&
                 (month_word(word(i + 1)) || quarter_word(word(i + 1)) || year_word(word(i + 1)) || day_word(word(i + 1)) || week_word(word(i + 1)))) {
            auto u = word(i + 1);
            g = month_word(u) ? time_grain::month : quarter_word(u) ? time_grain::quarter : year_word(u) ? time_grain::year
              : day_word(u) ? time_grain::day : time_grain::none;
            if (w == "each" || w == "every" || w == "per") each_grain = g;
            if (week_word(u)) weekly = true;
            n = 2;
        } else if ((month_word(w) || quarter_word(w) || year_word(w)) && (word(i + 1) == "by" || word(i + 1) == "over" || word(i + 1) == "on" || word(i + 1) == "to") &&
                   (month_word(word(i + 2)) || quarter_word(word(i + 2)) || year_word(word(i + 2)))) {
            // "month by month", "year over year", "month on month", "quarter to quarter"
            g = month_word(w) ? time_grain::month : quarter_word(w) ? time_grain::quarter : time_grain::year;
            if (g != time_grain::year && word(i + 1) != "by" && word(i + 1) != "to") sequential = month_word(w) ? "month" : "quarter";
            n = 3;
        } else if (w == "trend" || w == "trends" || w == "trending" || w == "trended" || w == "trajectory" ||
                   w == "evolve" || w == "evolved" || w == "evolving" ||
                   ((w == "over" || w == "across") && word(i + 1) == "time") || w == "timeline" ||
                   (w == "history" && !all_of_history(i)) ||
                   w == "evolution") {
            trend = true;
            if (w == "over" || w == "across") take(i, 2);
            else take(i);
            continue;
        } else if (w == "seasonality" || w == "seasonal") {
            trend = true;
            take(i);
            continue;
        }
        if (g == time_grain::none && !weekly) continue;
        // the finest grain named is the breakdown: "the best month in each year"
        if (g != time_grain::none && (q.grain == time_grain::none || g < q.grain)) q.grain = g;
        coarsest_grain = std::max(coarsest_grain, g);
        take(i, n);
    }
    // A time unit left over names a breakdown: "by model and year", "which month had the most…",
    // "units a month".
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i)) continue;
        auto w = word(i);
        time_grain g = month_word(w) ? time_grain::month : quarter_word(w) ? time_grain::quarter
                     : year_word(w) ? time_grain::year : day_word(w) ? time_grain::day : time_grain::none;
        if (g == time_grain::none) continue;
        // "lead time in days": the unit a measure is given in
        if (i >= 1 && word(i - 1) == "in" && w.size() > 3 && w.back() == 's' && !is_digits(word(i + 1))) {
            take(i - 1, 2);
            continue;
        }
        // "across all years": the whole span, not a breakdown
        if (i >= 2 && word(i - 1) == "all" && (word(i - 2) == "across" || word(i - 2) == "over" || word(i - 2) == "for" || word(i - 2) == "of" || word(i - 2) == "in")) {
            take(i - 2, 3);
            continue;
        }
        // "across the 12 months of 2025": the period's months, all of them, said by their number
        if (i >= 3 && is_digits(word(i - 1)) && (word(i - 2) == "the" || word(i - 2) == "all") &&
            (word(i - 3) == "across" || word(i - 3) == "over") && (word(i + 1) == "of" || word(i + 1) == "in") && q.window) {
            auto from = parse_iso(q.window->from), to = parse_iso(q.window->to);
            int months_in = (int(to.year()) - int(from.year())) * 12 + int(unsigned(to.month())) - int(unsigned(from.month())) + 1;
            int quarters_in = months_in / 3;
            int n = std::atoi(std::string(word(i - 1)).c_str());
            if ((g == time_grain::month && n == months_in) || (g == time_grain::quarter && n == quarters_in)) {
                take(i - 3, 4);
                continue;
            }
        }
        if (q.grain == time_grain::none || g < q.grain) q.grain = g;
        coarsest_grain = std::max(coarsest_grain, g);
        singular_time = singular_time || (w == "month" || w == "quarter" || w == "year" || w == "day" || w == "yr");
        take(i);
        if (i > 0 && unused(i - 1) && word(i - 1) == "a") take(i - 1);
    }
    if (trend && q.grain == time_grain::none) q.grain = time_grain::month;
    years_as_rows();
    periods_as_columns();
}

void question_reader::reading::years_as_rows() {
    // "claims by model and year (2024 and 2025)", "the best month in each year, 2024 and 2025":
    // whole consecutive years named beside a yearly breakdown are the rows' span, not a
    // comparison with a column per year. The last may be the year so far ("per calendar year
    // (2024, 2025 and 2026 to date)").
    if (q.compare.size() < 2 || (q.grain != time_grain::year && each_grain != time_grain::year)) return;
    for (auto& w : words)
        if (change_word(w) || w == "vs" || w == "versus" || w == "against" || w == "compared" || w == "compare") return;
    for (size_t k = 0; k < q.compare.size(); ++k) {
        auto& p = q.compare[k];
        auto from = parse_iso(p.from), to = parse_iso(p.to);
        bool last = k + 1 == q.compare.size();
        if (from.month() != std::chrono::January || from.day() != std::chrono::day{1} || to.year() != from.year() ||
            (to != last_of(to.year() / std::chrono::December) && !last))
            return;
        if (k > 0 && from.year() != parse_iso(q.compare[k - 1].from).year() + std::chrono::years{1}) return;
    }
    q.window = period{q.compare.front().from, q.compare.back().to,
                      q.compare.front().label + " to " + q.compare.back().label, false};
    q.compare.clear();
}

void question_reader::reading::periods_as_columns() {
    // "by region and quarter for 2025, one row per region, with columns Q1, Q2, Q3 and Q4": the
    // periods side by side are the grain's own buckets, so the grain is said by them ("four
    // columns": as many as there are periods)
    if (q.compare.size() < 2 || q.grain == time_grain::none) return;
    int bucket_months = q.grain == time_grain::month ? 1 : q.grain == time_grain::quarter ? 3 : q.grain == time_grain::year ? 12 : 0;
    for (auto& p : q.compare) {
        auto whole = period_before(p);  // (a whole month, quarter or year, and the one before it)
        bool one_bucket = bucket_months ? whole && whole->months_long == bucket_months : p.from == p.to;
        if (!one_bucket) return;
    }
    q.grain = time_grain::none;
    for (size_t i = 0; i + 1 < t.size(); ++i)
        if (unused(i) && (word(i + 1) == "columns" || word(i + 1) == "cols") && word(i) == std::to_string(q.compare.size())) take(i);
}

void question_reader::reading::show_parents_named() {
    // "top 10 dealers by units across the Southeast and Midwest regions combined": rows of
    // several named parents show which one each row belongs to (one row each still: a dealer
    // is in one region)
    if (q.group_by.size() != 1 || !q.count_of.empty() || q.share || !q.limit_per.empty() || !q.problem.empty()) return;
    for (auto& f : q.filters) {
        if (f.exclude || f.values.size() < 2) continue;
        bool ancestor = false;
        for (auto* d = model.dimension(q.group_by.front()); d && !d->parent.empty() && !ancestor; d = model.dimension(d->parent))
            ancestor = d->parent == f.dimension;
        if (ancestor) {
            q.group_by.push_back(f.dimension);
            return;
        }
    }
}

void question_reader::reading::name_the_one() {
    // "Market share: May 2026 actual vs target": a measure never combined across its `per`
    // dimension, asked of one value of it, names that value in its row
    if (q.grain != time_grain::none || !q.count_of.empty()) return;
    for (auto& f : q.filters) {
        if (f.exclude || f.values.size() != 1) continue;
        if (std::find(q.group_by.begin(), q.group_by.end(), f.dimension) != q.group_by.end()) continue;
        bool per = std::any_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
            auto* x = find_measure(model, q, m);
            return x && std::find(x->per.begin(), x->per.end(), f.dimension) != x->per.end();
        });
        if (per) q.group_by.insert(q.group_by.begin(), f.dimension);
    }
}

void question_reader::reading::read_remarks() {
    // "… bearing in mind that for some of them lower is better", "Lower is better for that
    // one": which way a measure is better, which the model declares already
    static const std::set<std::string_view> before = {"that", "for", "some", "of", "them", "those", "these", "it", "one", "ones",
                                                      "note", "remember", "bearing", "keeping", "keep", "in", "mind", "given",
                                                      "since", "as", "and", "1", "kpis", "are", "is"};
    static const std::set<std::string_view> after = {"for", "that", "one", "1", "ones", "them", "it", "some", "of", "those", "these",
                                                     "so", "please", "take", "into", "account"};
    for (size_t i = 0; i + 2 < t.size(); ++i) {
        // "lower is better", "better when lower"
        bool direction = (word(i) == "lower" || word(i) == "higher") && word(i + 1) == "is" && (word(i + 2) == "better" || word(i + 2) == "worse");
        bool when = (word(i) == "better" || word(i) == "worse") && word(i + 1) == "when" && (word(i + 2) == "lower" || word(i + 2) == "higher");
        if (!direction && !when) continue;
        if (!unused(i) || !unused(i + 1) || !unused(i + 2)) continue;
        size_t from = i, to = i + 3;
        while (from > 0 && unused(from - 1) && before.count(word(from - 1))) --from;
        while (to < t.size() && unused(to) && after.count(word(to))) ++to;
        // "the KPIs where lower is better": which ones, not a remark
        if (from > 0 && (word(from - 1) == "where" || word(from - 1) == "which" || word(from - 1) == "whose" || word(from - 1) == "with"))
            continue;
        take(from, to - from);
    }
    // "Q1 2026 next to Q1 2025, one column per quarter": the comparison's layout, not a breakdown
    for (size_t i = 0; i + 3 < t.size() && !q.compare.empty(); ++i) {
        if (!(word(i) == "1" || word(i) == "one" || word(i) == "a") || (word(i + 1) != "column" && word(i + 1) != "columns")) continue;
        size_t k = i + 2;
        if (word(k) != "per" && word(k) != "for") continue;
        if (word(++k) == "each") ++k;
        if (month_word(word(k)) || quarter_word(word(k)) || year_word(word(k)) || word(k) == "period" || word(k) == "periods") {
            take(i, k - i + 1);
            q.grain = time_grain::none;
        }
    }
    // "model down the side, region across the top": where a breakdown goes in a table, not a
    // ranking ("top") — the dimension before it is a breakdown (read_breakdowns)
    for (size_t i = 1; i + 2 < t.size(); ++i)
        if ((word(i) == "down" || word(i) == "across" || word(i) == "along") && word(i + 1) == "the" &&
            (word(i + 2) == "side" || word(i + 2) == "top" || word(i + 2) == "left") && unused(i + 2)) {
            take(i, 3);
            laid_out.insert(i);
        }
}

void question_reader::reading::read_ranking_words() {
    // 4. limits and ranking
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i)) continue;
        auto w = word(i);
        auto e = rank_word(w);
        if (e == end_asked::none) continue;
        // comparators ("more than", "less than", "at least", "at most") are not ranking words
        size_t span = 0;
        if (!comparator(words, i, span).empty() || (i > 0 && word(i - 1) == "at") || (i > 0 && word(i - 1) == "no")) continue;
        if ((w == "more" || w == "less" || w == "fewer" || w == "higher" || w == "lower" || w == "better" || w == "worse")) {
            // "did we sell more cars in May than in April": the two periods side by side
            if (q.compare.size() == 2)
                for (size_t k = i + 1; k < t.size(); ++k)
                    if (unused(k) && word(k) == "than") {
                        take(i);
                        take(k);
                        break;
                    }
            continue;  // comparatives compare ("more than", "vs"): not a ranking
        }
        // "which plant's most exposed? i.e. lowest days of cover": the end said with its measure
        auto names_measure = [&](size_t k) {
            return std::any_of(phrases.begin(), phrases.end(), [&](auto& p) { return p.start == k + 1 && p.e->what == kind::measure; });
        };
        if (asked == end_asked::none || (names_measure(i) && !names_measure(rank_at))) { asked = e; rank_at = i; }
        take(i);
        if (word(i + 1) == "first" || word(i + 1) == "last") take(i + 1);
        // "most expensive first", "highest revenue first": the order said after its measure
        else if (word(i + 2) == "first" && unused(i + 2)) take(i + 2);
        auto number_at = [&](size_t k) {
            if (!unused(k) || !is_digits(word(k)) || word(k).size() > 4) return false;
            int n = std::atoi(std::string(word(k)).c_str());
            if (n <= 0 || n > 1000 || q.limit) return false;
            q.limit = n;
            take(k);
            return true;
        };
        if (!number_at(i + 1) && i > 0) number_at(i - 1);
    }
    // "which 3 West region dealers brought in the most revenue": the number after "which"
    for (size_t i = 0; i + 1 < t.size() && asked != end_asked::none && !q.limit; ++i) {
        if (word(i) != "which" && word(i) != "what") continue;
        if (!unused(i + 1) || !is_digits(word(i + 1)) || word(i + 1).size() > 3) continue;
        int n = std::atoi(std::string(word(i + 1)).c_str());
        if (n <= 0) continue;
        q.limit = n;
        take(i + 1);
    }
    // "5 dealers with the most...", "list 3 models": a bare number before a dimension is a limit
    // only with a ranking word.
    if (asked != end_asked::none && !q.limit)
        for (auto& [at, d] : dims_at)
            if (at > 0 && unused(at - 1) && is_digits(word(at - 1)) && word(at - 1).size() <= 3 &&
                std::atoi(std::string(word(at - 1)).c_str()) > 0) {
                q.limit = std::atoi(std::string(word(at - 1)).c_str());
                take(at - 1);
            }
}

void question_reader::reading::read_thresholds() {
    // 5. thresholds: "more than 600 sales", "revenue above 5000000", "at least 3 claims"
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i) && !(i < t.size() && rank_word(word(i)) != end_asked::none)) continue;
        size_t span = 0;
        // "where do we have fewer days of supply than lead time": the comparison split around
        // the first measure
        if (auto w = word(i); unused(i) && (w == "fewer" || w == "less" || w == "more" || w == "shorter" || w == "longer" ||
                                             w == "lower" || w == "higher" || w == "greater")) {
            auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == i + 1 && x.e->what == kind::measure; });
            size_t than = p == phrases.end() ? 0 : i + 1 + p->length;
            if (than && word(than) == "than") {
                size_t n = than + 1;
                while (unused(n) && (word(n) == "the" || word(n) == "its" || word(n) == "our" || word(n) == "their")) ++n;
                auto right = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == n; });
                auto left = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == i + 1; });
                if (right != measures_at.end() && left != measures_at.end() && right->second != left->second) {
                    measure_condition c;
                    c.measure = left->second;
                    c.op = w == "more" || w == "longer" || w == "higher" || w == "greater" ? ">" : "<";
                    c.other = right->second;
                    for (size_t k = i; k < n; ++k) c.text += (c.text.empty() ? "" : " ") + t[k].word;
                    c.text += " " + right->second;
                    take(i);
                    take(than, n - than);
                    q.having.push_back(c);
                    continue;
                }
            }
        }
        auto op = comparator(words, i, span);
        if (op.empty()) continue;
        size_t n = i + span;
        if (compares_measures(i, span)) continue;
        if ((word(n) == "a" || word(n) == "an") && unused(n) && is_number(word(n + 1))) ++n;  // "below a 5% margin"
        if (!is_number(word(n)) || !unused(n)) continue;
        measure_condition c;
        c.op = op;
        c.value = std::atof(std::string(word(n)).c_str());
        // "$60,000", "45k dollars": an amount of money, which only a measure in dollars can pass
        auto after_number = word(n + 1);
        bool money = after_number == "dollars" || after_number == "dollar" || after_number == "bucks" || after_number == "usd" ||
                     std::any_of(money_amounts.begin(), money_amounts.end(), [&](double v) { return std::abs(v - c.value) < 1e-6; });
        if (money) money_conditions.insert(thresholds.size());
        size_t end = n + 1;
        if (word(end) == "percent") ++end;
        for (size_t k = i; k < end; ++k) c.text += (c.text.empty() ? "" : " ") + t[k].word;
        take(i, end - i);
        // "claims above $2,000 each": a condition on every claim, which no cube keeps
        if (word(end) == "each" || word(end) == "apiece") {
            if (q.problem.empty()) q.problem = fmt::format("'{} {}' is a condition on each fact, not on a total: not pre-computed", c.text, word(end));
            take(end);
            continue;
        }
        // "averaging over $1,000 per warranty claim", "over $45k a sale": an amount of money per
        // fact is the model's mean of a sum in dollars over that fact count (of two, the one of
        // the measure "how much" asks for)
        if (money && (word(end) == "per" || word(end) == "a" || word(end) == "an")) {
            std::string fact;
            size_t len = 0;
            for (size_t n2 = 3; n2 >= 1 && fact.empty(); --n2) {
                if (end + 1 + n2 > t.size()) continue;
                std::vector<std::string> st;
                for (size_t k = end + 1; k < end + 1 + n2; ++k) st.push_back(t[k].stem);
                if (auto it = lx.per_names.find(st); it != lx.per_names.end()) { fact = it->second; len = n2; }
            }
            const measure_def* mean = nullptr;
            bool ambiguous = false;
            auto asked_by_how_much = [&](const measure_def& m) {
                auto* x = model.measure(m.derived.names().front());
                return x && std::find(x->weak_names.begin(), x->weak_names.end(), "how much") != x->weak_names.end();
            };
            for (auto& m : model.measures) {
                if (fact.empty() || !m.is_derived() || m.unit != "usd") continue;
                auto parts = m.derived.names();
                if (parts.size() != 2 || parts[1] != fact || m.derived.text().find('/') == std::string::npos) continue;
                if (auto* x = model.measure(parts[0]); !x || x->unit != "usd" || !x->subset_of.empty()) continue;
                if (!mean || (asked_by_how_much(m) && !asked_by_how_much(*mean))) { ambiguous = mean && asked_by_how_much(*mean); mean = &m; }
                else if (asked_by_how_much(m) == asked_by_how_much(*mean)) ambiguous = true;
            }
            if (mean && !ambiguous) {
                c.measure = mean->name;
                for (size_t k = end; k < end + 1 + len; ++k) threshold_units.insert(k);
                take(end, 1 + len);
                thresholds.emplace_back(i, c);
                continue;
            }
        }
        // "more than 1,850 cars": the words after the number say what is counted
        for (size_t len = 3; len >= 1; --len) {
            if (end + len > t.size()) continue;
            std::vector<std::string> st;
            for (size_t k = end; k < end + len; ++k) st.push_back(t[k].stem);
            if (auto it = lx.per_names.find(st); it != lx.per_names.end()) {
                c.measure = it->second;
                for (size_t k = end; k < end + len; ++k) threshold_units.insert(k);
                break;
            }
        }
        // ("states that have more than one dealership": a count of a dimension's values in each
        // row, which no measure holds)
        if (c.measure.empty())
            for (auto& [at, d] : dims_at)
                if (at == end) {
                    threshold_units.insert(at);
                    if (q.problem.empty())
                        q.problem = fmt::format("'{} {}': the number of {} values in each row is not pre-computed", c.text, t[at].word, spoken(d));
                }
        thresholds.emplace_back(i, c);
    }
}

std::string question_reader::reading::declared_ratio(const std::string& x, const std::string& y) const {
    for (auto& m : model.measures)
        if (m.is_derived() && (bare(m.derived.text()) == x + "/" + y || bare(m.derived.text()) == x + "/" + y + "*100")) return m.name;
    return "";
}

bool question_reader::reading::compares_measures(size_t i, size_t span) {
    // "where days of supply is shorter than the lead time": one measure against another, on
    // each row of the answer
    auto measure_from = [&](size_t at) -> const std::string* {
        for (auto& m : measures_at)
            if (m.first == at) return &m.second;
        return nullptr;
    };
    size_t n = i + span;
    while (unused(n) && (word(n) == "the" || word(n) == "its" || word(n) == "our")) ++n;
    auto* right = measure_from(n);
    size_t end = i;
    while (end > 0 && unused(end - 1) && (word(end - 1) == "is" || word(end - 1) == "are" || word(end - 1) == "was" || word(end - 1) == "were"))
        --end;
    const std::string* left = nullptr;
    size_t left_at = 0;
    for (auto& p : phrases)
        if (p.start + p.length == end && p.e->what == kind::measure) left = measure_from(left_at = p.start);
    if (!right || !left || *left == *right) return false;
    // "gross profit over revenue": a ratio the model declares (margin), not a comparison
    if (word(i) == "over" && !declared_ratio(*left, *right).empty()) return false;
    measure_condition c;
    c.measure = *left;
    c.op = comparator(words, i, span);
    c.other = *right;
    for (size_t k = end; k < n; ++k) c.text += (c.text.empty() ? "" : " ") + t[k].word;
    auto rp = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == n; });
    c.text += " " + std::string(rp->e->target);
    take(end, n - end);
    compared_at.emplace_back(q.having.size(), n);
    compared_from.emplace_back(q.having.size(), left_at);
    q.having.push_back(c);
    return true;
}

void question_reader::reading::read_none() {
    // "which dealers didn't sell a single Granite", "components that never had a claim",
    // "dealers with no (zero) claims": the groups where nothing happened. Read here, answered
    // only as a breakdown of one counted or summed measure (read_shares_and_thresholds).
    static const std::set<std::string_view> verbs = {"didnt", "dont", "doesnt", "havent", "hasnt", "hadnt", "wasnt", "werent", "never"};
    static const std::set<std::string_view> auxiliaries = {"did", "do", "does", "have", "has", "had", "was", "were"};
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i)) continue;
        auto w = word(i);
        bool none = verbs.count(w) || (w == "not" && i > 0 && auxiliaries.count(word(i - 1))) ||
                    // "had no claims", "with zero sales": not "no more than", not "number 0"
                    ((w == "no" || w == "0" || w == "zero") && i > 0 &&
                     (word(i - 1) == "had" || word(i - 1) == "with" || word(i - 1) == "have" || word(i - 1) == "has" ||
                      word(i - 1) == "sold" || word(i - 1) == "made" || word(i - 1) == "got" || word(i - 1) == "recorded" ||
                      word(i - 1) == "see" || word(i - 1) == "saw" || word(i - 1) == "logged"));
        // "cars sold with no F&I product", "without any F&I product": a fact without any value of
        // a dimension (a group with none is "dealers with no claims"; "without GAP" an exclusion)
        size_t next = i + 1;
        while (word(next) == "any" || word(next) == "a" || word(next) == "an") ++next;
        auto absent = std::find_if(dims_at.begin(), dims_at.end(), [&](auto& d) { return d.first == next; });
        none = none || (w == "without" && absent != dims_at.end());
        if (!none) continue;
        // (answered by complete_measures as the count less the count of those with one)
        if ((((w == "no" || w == "0" || w == "zero") && word(i - 1) == "with") || w == "without") && absent != dims_at.end()) {
            if (without_dim.empty()) {
                without_dim = absent->second;
                without_text = std::string(w == "without" ? "without " : "with no ") + without_dim;
                take(i, next - i);
                dims_at.erase(absent);
            }
            continue;
        }
        if (none_word.empty()) none_word = std::string(w);
        take(i);
        if (w == "not" && auxiliaries.count(word(i - 1))) take(i - 1);
        // "a single", "any", "at all": what the negation counts, said again
        for (size_t k = i + 1; k < t.size() && k <= i + 6; ++k) {
            auto x = word(k);
            if (x == "single" || x == "any" || x == "one" || x == "once") take(k);
            if (x == "at" && word(k + 1) == "all") take(k, 2);
        }
    }
}

void question_reader::reading::read_exclusions() {
    // 6. exclusions: "excluding the Northeast and the West", "other than Lumen"
    for (size_t i = 0; i < t.size(); ++i) {
        size_t span = 0;
        if (!unused(i) || !is_exclusion_word(words, i, span)) continue;
        size_t k = i + span;
        bool any = false;
        std::vector<size_t> scoping;  // "excluding dealers (located) in Texas": the dimension the value scopes
        while (k < t.size()) {
            // "excluding sales made by Texas dealers", "excluding claims filed at Texas stores": the
            // facts the value's rows hold, not a measure
            if (!any) {
                auto facts = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) {
                    return p.start == k && (p.e->what == kind::measure || p.e->what == kind::weak_measure);
                });
                size_t n = facts == phrases.end() ? k : k + facts->length;
                auto w = word(n);
                if (n > k && (w == "made" || w == "sold" || w == "filed" || w == "booked" || w == "recorded" || w == "logged" ||
                              w == "handled" || w == "written" || w == "raised" || w == "lodged" || w == "submitted"))
                    w = word(++n);
                if (n > k && unused(n) && (w == "by" || w == "at" || w == "in" || w == "from" || w == "through" || w == "via" || w == "on" || w == "of") &&
                    std::any_of(values.begin(), values.end(), [&](auto& x) { return x.start == n + 1 || (word(n + 1) == "the" && x.start == n + 2); })) {
                    for (size_t x = k; x <= n; ++x) scoping.push_back(x);
                    k = n + 1;
                    continue;
                }
            }
            if (!any && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& d) { return d.first == k; })) {
                size_t n = k + 1;
                if (word(n) == "located" || word(n) == "based") ++n;
                if (unused(n) && (word(n) == "in" || word(n) == "from") &&
                    std::any_of(values.begin(), values.end(), [&](auto& x) { return x.start == n + 1 || (word(n + 1) == "the" && x.start == n + 2); })) {
                    for (size_t x = k; x <= n; ++x) scoping.push_back(x);
                    k = n + 1;
                    continue;
                }
            }
            auto v = std::find_if(values.begin(), values.end(), [&](auto& x) { return x.start == k; });
            if (v != values.end()) {
                excluded_values.insert(static_cast<size_t>(v - values.begin()));
                any = true;
                k += v->length;
                continue;
            }
            if (unused(k) && (word(k) == "the" || word(k) == "and" || word(k) == "or" || word(k) == "nor" || word(k) == "both" ||
                              word(k) == "any" || word(k) == "all" || word(k) == "anyone" || word(k) == "anything" ||
                              word(k) == "in" || word(k) == "from" || word(k) == "those" || word(k) == "ones")) {
                ++k;
                continue;
            }
            // "excluding anything relating to the powertrain system"
            if (unused(k) && (word(k) == "relating" || word(k) == "related" || word(k) == "belonging") && word(k + 1) == "to") {
                take(k, 2);
                k += 2;
                continue;
            }
            // "excluding the West region": the dimension's own name after its value
            if (any && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& d) { return d.first == k; })) {
                ++k;
                continue;
            }
            break;
        }
        // "with both truck segments excluded": the values said before a word that follows them
        if (word(i) == "excluded" || (word(i) == "left" && word(i + 1) == "out"))
            for (size_t b = i; b > 0;) {
                --b;
                auto v = std::find_if(values.begin(), values.end(), [&](auto& x) { return x.start + x.length == b + 1; });
                if (v != values.end()) {
                    excluded_values.insert(static_cast<size_t>(v - values.begin()));
                    any = true;
                    b = v->start;
                    continue;
                }
                bool dim = std::any_of(dims_at.begin(), dims_at.end(), [&](auto& d) { return d.first == b; });
                if (!dim && !(unused(b) && (word(b) == "the" || word(b) == "and" || word(b) == "or" || word(b) == "both" || word(b) == "all")))
                    break;
            }
        if (any) {
            take(i, span);
            for (auto x : scoping) take(x);
            for (auto* list : {&dims_at, &measures_at, &weak_measures_at})
                list->erase(std::remove_if(list->begin(), list->end(), [&](auto& d) {
                                return std::find(scoping.begin(), scoping.end(), d.first) != scoping.end();
                            }),
                            list->end());
        }
        // "warranty cost, not counting repeat repairs": a part of the facts a measure names
        // ("drop the repeat repairs" only says again what a measure named leaves out)
        bool verb = word(i) == "drop" || word(i) == "dropping" || word(i) == "remove" || word(i) == "removing";
        auto m = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.first == k; });
        if (!any && !verb && m != measures_at.end() && excluded_measure.empty())
            if (auto* d = model.measure(m->second); d && !d->subset_of.empty()) {
                excluded_measure = m->second;
                auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == k; });
                for (size_t x = i; x < k + (p == phrases.end() ? 1 : p->length); ++x) excluded_text += (excluded_text.empty() ? "" : " ") + t[x].word;
                measures_at.erase(m);
                take(i, span);
            }
    }
}

bool question_reader::reading::percent_unit(size_t i) const {
    // "by what percentage did revenue grow", "gross margin percentage": the unit of a change or
    // of the measure just named, not a share
    if (q.growth || std::any_of(words.begin(), words.end(), [](auto& w) { return change_word(w); })) return true;
    // ("are units up YTD versus last year, and by how much in percent": "up" or "down" said of a
    // measure, not of a verb's "pull up", "broken down", "add up")
    static const std::set<std::string_view> verbs = {"pull", "pulled", "bring", "brought", "look", "looked", "add", "added", "sum",
                                                     "summed", "break", "broken", "breaking", "round", "rounded", "roll", "rolled", "show", "set"};
    for (size_t k = 0; k < words.size(); ++k)
        if ((words[k] == "up" || words[k] == "down") && (k == 0 || !verbs.count(words[k - 1]))) return true;
    return std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
        return p.start + p.length == i && (p.e->what == kind::measure || p.e->what == kind::context_measure);
    });
}

void question_reader::reading::read_comparisons() {
    // 7. shares, comparisons and growth, averages
    for (size_t i = 0; i < t.size(); ++i) {
        // "how much of our gross profit…", "what part of…"
        if ((word(i) == "how" && word(i + 1) == "much" && word(i + 2) == "of") ||
            ((word(i) == "what" || word(i) == "which") && (word(i + 1) == "part" || word(i + 1) == "portion" || word(i + 1) == "slice") &&
             word(i + 2) == "of")) {
            q.share = true;
            share_at = i;
            take(i, 3);
            continue;
        }
        if (!unused(i)) continue;
        auto w = word(i);
        // "how much did claims go up or down", "are unit sales up or down": a change
        if ((w == "up" || w == "down") && word(i + 1) == "or" && (word(i + 2) == "up" || word(i + 2) == "down")) {
            q.growth = true;
            take(i, 3);
            continue;
        }
        if ((w == "go" || w == "went" || w == "gone" || w == "goes" || w == "going") && (word(i + 1) == "up" || word(i + 1) == "down")) {
            q.growth = true;
            take(i, 2);
            if (word(i + 2) == "or" && (word(i + 3) == "up" || word(i + 3) == "down")) take(i + 2, 2);
            continue;
        }
        // "2025 revenue next to 2025 warranty cost": side by side
        if (w == "next" && word(i + 1) == "to") {
            take(i, 2);
            continue;
        }
        if (w == "share" || w == "proportion" || w == "fraction" || w == "contribution" || w == "contributed" ||
            w == "mix" || (w == "percent" && word(i + 1) == "of") || (w == "percentage" && (word(i + 1) == "of" || !percent_unit(i))) ||
            // "how is F&I revenue split between the products, in % terms"
            ((w == "percent" || w == "percentages") && i > 0 && (word(i - 1) == "in" || word(i - 1) == "as") && !percent_unit(i)) ||
            // "Transmission claims: what percent came through each region's dealers"
            (w == "percent" && i > 0 && word(i - 1) == "what" && !percent_unit(i)) ||
            // "the % split of warranty cost by system", "pct breakdown of units by region"
            ((w == "percent" || w == "pct" || w == "percentage") && (word(i + 1) == "split" || word(i + 1) == "breakdown"))) {
            q.share = true;
            if (share_at == SIZE_MAX) share_at = i;
            take(i);
            if (word(i + 1) == "of" || word(i + 1) == "split" || word(i + 1) == "breakdown") take(i + 1);
        } else if (change_word(w)) {
            q.growth = true;
            take(i);
        } else if (w == "vs" || w == "versus" || w == "against" || (w == "compared" && (word(i + 1) == "to" || word(i + 1) == "with")) ||
                   (w == "relative" && word(i + 1) == "to" && is_digits(word(i + 2))) || (w == "compare")) {
            take(i);
            if (w == "compared" || w == "relative") take(i + 1);
        } else if (w == "average" || w == "avg" || w == "mean" || w == "typical" || w == "averaged" || w == "averaging" ||
                   w == "averages") {
            take(i);
            // "average monthly units", "average units per month", "monthly average"
            q.average_over = "?";
        }
    }
    // "f&i rev yoy % 2025", "revenue yoy 2025": year over year said of one period is its change
    // from the year before (a yearly series of one year is no answer to it)
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i] != "yoy") continue;
        auto next = i + 1 < words.size() ? std::string_view(words[i + 1]) : std::string_view();
        bool percent = next == "percent" || next == "pct" || next == "percentage";
        if (percent || (q.window && q.compare.empty() && sequential.empty() && q.grain == time_grain::year)) q.growth = true;
    }
    // "year over year" / "yoy" read as a yearly grain: with growth words and one period, it is a
    // comparison with the same span a year earlier.
    if (q.growth && q.compare.empty() && q.window && sequential.empty()) {
        q.compare = {year_before(*q.window), *q.window};
        q.window.reset();
        if (q.grain == time_grain::year) q.grain = time_grain::none;
    }
    if (q.growth && q.compare.empty() && q.grain == time_grain::none) q.grain = time_grain::year;
    // "GP YoY % by model, 2025 over 2024": the years named are the two compared, with the change
    bool yoy = std::any_of(words.begin(), words.end(), [](auto& w) { return w == "yoy"; });
    for (size_t i = 0; i + 2 < words.size(); ++i) yoy = yoy || (words[i] == "year" && words[i + 1] == "over" && words[i + 2] == "year");
    if (yoy && q.compare.size() >= 2 && q.grain == time_grain::year) q.growth = true;
    // "month-over-month change from March to April": the two periods side by side, not a series
    if (q.growth && q.compare.size() >= 2) q.grain = time_grain::none;
}

void question_reader::reading::read_counted_nouns() {
    // "the vehicles we sold", "how many F&I products did we sell": the noun a measure counts,
    // then the verb that names the measure, are that measure, not a breakdown by vehicle.
    static const std::set<std::string_view> between = {"we", "that", "which", "you", "they", "were", "was", "did", "have", "had", "got", "do"};
    // "the most common F&I product sold", where "F&I products sold" names the count: the
    // products are ranked by it
    for (auto& measure : measures_at) {
        size_t mat = measure.first;  // a plain name, as a lambda below captures it (clang 14)
        auto kind_of = mat > 0 ? word(mat - 1) : std::string_view();
        // "the number of each F&I product sold": a breakdown by the products, counted
        // "which cars sold the most": the cars, ranked by the count "cars sold" names
        bool each = kind_of == "each" || kind_of == "every" || kind_of == "which" || kind_of == "what";
        if (!each && (mat < 2 || !(kind_of == "common" || kind_of == "popular" || kind_of == "frequent") ||
                      rank_word(word(mat - 2)) == end_asked::none))
            continue;
        auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == mat; });
        if (p == phrases.end()) continue;
        const lexicon::entry* named = nullptr;
        for (auto& e : lx.entries)
            if (e.what == kind::dimension && e.stems.size() < p->length && (!named || e.stems.size() > named->stems.size()) &&
                std::equal(e.stems.begin(), e.stems.end(), t.begin() + static_cast<long>(mat), [](auto& st, auto& tk) { return st == tk.stem; }))
                named = &e;
        if (named && std::none_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.second == named->target; }))
            dims_at.insert(std::find_if(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first > mat; }), {mat, std::string(named->target)});
    }
    for (auto d = dims_at.begin(); d != dims_at.end();) {
        size_t at = d->first;
        // "how many of each F&I product did we sell", "which models did we sell": a breakdown
        auto cue = at > 0 ? word(at - 1) : std::string_view();
        if (cue == "each" || cue == "every" || cue == "per" || cue == "by" || cue == "which" || cue == "what") {
            ++d;
            continue;
        }
        auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == at; });
        size_t len = p == phrases.end() ? 1 : p->length;
        // "vehicle revenue", "vehicle gross profit": what a measure counts, naming the measure's
        // facts, says which revenue — not a breakdown by vehicle model
        if (len == 1 && lx.per_names.count(std::vector<std::string>{t[at].stem}) &&
            std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == at + 1; })) {
            take(at);
            d = dims_at.erase(d);
            continue;
        }
        std::vector<std::string> noun;
        for (size_t k = at; k < at + len; ++k) noun.push_back(t[k].stem);
        size_t k = at + len;
        while (k < t.size() && k <= at + len + 2 && between.count(word(k))) ++k;
        // the measure the verb names that counts this noun: "per vehicle", or named "<noun> sold"
        auto counts = [&](const std::string& m) {
            if (auto c = lx.per_names.find(noun); c != lx.per_names.end() && c->second == m) return true;
            auto* md = model.measure(m);
            return md && std::any_of(md->names.begin(), md->names.end(), [&](auto& n) {
                       auto st = stems_of(words_of(n));
                       return st.size() == noun.size() + 1 && std::equal(noun.begin(), noun.end(), st.begin());
                   });
        };
        auto verb = std::find_if(weak_measures_at.begin(), weak_measures_at.end(), [&](auto& w) { return w.first == k && counts(w.second); });
        if (k == at + len || verb == weak_measures_at.end()) {
            ++d;
            continue;
        }
        auto m = verb->second;
        auto pos = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.first > at; });
        measures_at.insert(pos, {at, m});
        weak_measures_at.erase(std::remove_if(weak_measures_at.begin(), weak_measures_at.end(), [&](auto& w) { return w.first == k; }),
                               weak_measures_at.end());
        // "the most common F&I product sold": the products, ranked by that count
        auto kind_of = at > 0 ? word(at - 1) : std::string_view();
        if (at >= 2 && (kind_of == "common" || kind_of == "popular" || kind_of == "frequent") && rank_word(word(at - 2)) != end_asked::none) {
            take(at + len, k - at - len + 1);
            ++d;
            continue;
        }
        take(at, k - at + 1);
        d = dims_at.erase(d);
    }
}

void question_reader::reading::read_context_measures() {
    // A name several measures share ("cost": vehicle cost, warranty cost) is the one measure a
    // cube holds together with everything else the question names; none or several, and the
    // question must say which.
    bool kpi = kpi_question();
    auto fits = [&](const cube_def& cube, const std::string& m) {
        auto holds = [&](const std::string& name) {
            auto* d = model.measure(name);
            if (!d) return false;
            auto leaves = model.leaves(*d);
            return std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); });
        };
        if (!holds(m)) return false;
        auto names_value = [&](size_t at) {  // "GAP" in "GAP revenue": the product, not the gap to target
            return std::any_of(values.begin(), values.end(), [&](auto& v) {
                return at >= v.start && at < v.start + v.length && names_value_outside_kpis(v, kpi);
            });
        };
        for (auto& [at, other] : measures_at)
            if (!holds(other) && !names_value(at)) return false;
        for (auto& [at, d] : dims_at)
            if (!cube.has_dimension(d)) return false;
        for (auto& v : values)
            if ((!v.weak || names_value_outside_kpis(v, kpi)) &&
                std::none_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return cube.has_dimension(r.first); }))
                return false;
        return true;
    };
    auto fits_some = [&](const std::string& m) { return std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) { return fits(c, m); }); };
    for (auto& entry : context_measures_at) {
        size_t at = entry.first;  // not a structured binding: clang before 16 cannot capture one in a lambda
        auto& candidates = entry.second;
        std::vector<std::string> fitting;
        // A measure's own name is read as that measure, unless no cube holds it with the rest of
        // the question and one measure of that context name fits: "F&I products by revenue" is
        // their F&I revenue.
        if (auto direct = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.first == at; });
            direct != measures_at.end()) {
            auto named = direct->second;
            measures_at.erase(direct);
            for (auto& m : candidates)
                if (fits_some(m)) fitting.push_back(m);
            auto read = fits_some(named) || fitting.size() != 1 ? named : fitting[0];
            measures_at.insert(std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.first > at; }), {at, read});
            continue;
        }
        for (auto& m : candidates)
            if (fits_some(m)) fitting.push_back(m);
        if (fitting.size() == 1) {
            auto pos = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.first > at; });
            measures_at.insert(pos, {at, fitting[0]});
            continue;
        }
        auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == at; });
        std::string text, list;
        for (size_t k = at; k < at + p->length; ++k) text += (text.empty() ? "" : " ") + t[k].word;
        auto& among = fitting.empty() ? candidates : fitting;
        // "which model cost us the least in warranty": the one whose own name holds another
        // word of the question
        std::vector<std::string> named_elsewhere;
        for (auto& m : among) {
            auto* d = model.measure(m);
            if (!d) continue;
            std::set<std::string> name_stems;
            for (auto& n : d->names)
                for (auto& w : words_of(n))
                    if (!filler().count(w)) name_stems.insert(stem(w));
            for (size_t k = at; k < at + p->length; ++k) name_stems.erase(t[k].stem);
            bool elsewhere = false;
            for (size_t k = 0; k < t.size(); ++k)
                if ((k < at || k >= at + p->length) && !filler().count(std::string(word(k))) && name_stems.count(t[k].stem)) elsewhere = true;
            if (elsewhere) named_elsewhere.push_back(m);
        }
        if (named_elsewhere.size() == 1) {
            auto pos = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.first > at; });
            measures_at.insert(pos, {at, named_elsewhere[0]});
            continue;
        }
        for (size_t k = 0; k < among.size(); ++k) {
            auto* d = model.measure(among[k]);
            auto name = d && !d->names.empty() ? d->names.front() : among[k];
            list += (k == 0 ? "" : k + 1 == among.size() ? " or " : ", ") + name;
        }
        if (q.problem.empty()) q.problem = fmt::format("'{}' could be {}: say which", text, list);
    }
}

void question_reader::reading::compared_alone() {
    // "operations KPIs last month vs target", "how does it compare with the target": the one
    // measure named is what the rows are compared with, so the rows also show what their cube
    // shows by default (the actuals).
    if (measures_at.size() != 1 || q.measures.size() != 1) return;
    size_t k = measures_at[0].first;
    while (k > 0 && (word(k - 1) == "the" || word(k - 1) == "a" || word(k - 1) == "our" || word(k - 1) == "its" || word(k - 1) == "their")) --k;
    auto w = k > 0 ? word(k - 1) : std::string_view(), before = k > 1 ? word(k - 2) : std::string_view();
    bool compared = w == "vs" || w == "versus" || w == "against" ||
                    ((w == "with" || w == "to") && (before == "compare" || before == "compared" || before == "compares"));
    if (!compared) return;
    std::string named = q.measures[0];  // a copy: the insert below moves the vector
    std::vector<std::string> shown;
    for (auto& cube : model.cubes) {
        if (!cube.has_measure(named)) continue;
        for (auto& m : model.measures)
            if (m.shown_by_default && m.name != named && cube.has_measure(m.name) &&
                std::find(shown.begin(), shown.end(), m.name) == shown.end())
                shown.push_back(m.name);
    }
    if (shown.size() != 1) return;
    q.measures.insert(q.measures.begin(), shown[0]);
    // and the difference, when the model declares it ("gap = actual - target")
    if (auto* m = declared_as(model, shown[0] + " - " + named)) q.measures.push_back(m->name);
}

bool question_reader::reading::dimension_has_per_measures(const std::string& dim) const {
    for (auto& cube : model.cubes) {
        if (!cube.has_dimension(dim)) continue;
        for (auto& [m, how] : cube.measures)
            if (auto* d = model.measure(m); d && !d->per.empty()) return true;
    }
    return false;
}

bool question_reader::reading::kpi_question() const {
    // A measure counted per value of a dimension (a KPI's actual), a condition on one, that
    // dimension or a value of it puts the question among KPIs; words a value shares with such a
    // measure ("GAP", the gap to target) do not by themselves.
    auto in_weak_value = [&](size_t at) {
        return std::any_of(values.begin(), values.end(), [&](auto& v) { return v.weak && at >= v.start && at < v.start + v.length; });
    };
    for (auto& [at, m] : measures_at)
        if (auto* d = model.measure(m); d && !d->per.empty() && !in_weak_value(at)) return true;
    for (auto& condition : conditions_at) {
        const auto& c = condition.second;
        auto cd = std::find_if(model.conditions.begin(), model.conditions.end(), [&](auto& x) { return x.name == c; });
        for (auto& cube : model.cubes)
            if (cube.has_measure(cd->measure))
                for (auto& other : cube.measures)
                    if (auto* om = model.measure(other.first); om && !om->per.empty()) return true;
    }
    for (auto& [at, d] : dims_at)
        for (auto& m : model.measures)
            if (std::find(m.per.begin(), m.per.end(), d) != m.per.end()) return true;
    for (auto& v : values)
        for (auto& [dim, val] : v.readings)
            if (!v.weak && dimension_has_per_measures(dim)) return true;
    return false;
}

bool question_reader::reading::names_value_outside_kpis(const value_at& v, bool kpi_context) const {
    // "GAP units by region": words naming only a KPI's measure (the gap to target) name the
    // value where nothing puts the question among KPIs
    if (!v.weak || kpi_context) return false;
    auto from_span = [&](auto& m) { return m.first >= v.start && m.first < v.start + v.length; };
    bool kpi_words = std::any_of(measures_at.begin(), measures_at.end(), from_span) &&
                     std::all_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
                         auto* d = model.measure(m.second);
                         return !from_span(m) || (d && !d->per.empty());
                     });
    return kpi_words && std::any_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return !dimension_has_per_measures(r.first); });
}

void question_reader::reading::read_measures() {
    // 8. measures: named ones; weak names ("sales", "how many") only when nothing else is named.
    // "on-hand units", "reorder point units": the word "units" after a measure of counts is
    // that measure's unit, not the measure the word names alone
    for (size_t k = 1; k < measures_at.size();) {
        size_t at = measures_at[k].first;
        auto prev = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == measures_at[k - 1].first; });
        auto* d = model.measure(measures_at[k - 1].second);
        bool unit_word = word(at) == "units" || word(at) == "unit";
        if (unit_word && prev != phrases.end() && prev->start + prev->length == at && d && d->unit == "count" &&
            measures_at[k].second != measures_at[k - 1].second && (word(at + 1).empty() || !unused(at + 1) || word(at + 1) != "sold")) {
            measures_at.erase(measures_at.begin() + static_cast<long>(k));
            continue;
        }
        // "gross profit margin", "GP margin": a measure named just before one computed from it
        // over another says which that one is (margin = gross profit / revenue), not a second
        // measure
        auto* next = model.measure(measures_at[k].second);
        if (prev != phrases.end() && prev->start + prev->length == at && next && next->is_derived() && d) {
            auto names = next->derived.names();  // (the first: "units ASP" are two measures)
            if (!names.empty() && names.front() == d->name) {
                measures_at.erase(measures_at.begin() + static_cast<long>(k - 1));
                continue;
            }
        }
        // "repeat-repair claims per 100 cars": a count of part of the facts, said just before
        // the count of them all, names the part (where the whole's name stood)
        if (prev != phrases.end() && prev->start + prev->length == at && d && d->subset_of == measures_at[k].second) {
            measures_at[k].second = d->name;
            measures_at.erase(measures_at.begin() + static_cast<long>(k - 1));
            continue;
        }
        // "repeat-repair warranty cost", "warranty cost of repeat repairs", "claim cost on claims
        // where the same fault came back": a sum over part of the facts, the model's measure of
        // it (repeat_cost: claim_cost summed over repeat_repairs)
        auto part_sum = [&](const std::string& whole, const std::string& facts) -> const measure_def* {
            for (auto& m : model.measures)
                if (m.subset_of == whole && m.facts == facts) return &m;
            return nullptr;
        };
        auto joins = [&](size_t from, size_t to) {  // "of", "on claims where", "for the"
            if (to - from > 4) return false;
            for (size_t j = from; j < to; ++j) {
                auto w = word(j);
                bool counted = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& x) {
                    auto* c = model.measure(x.second);
                    return x.first == j && c && c->fact_count;
                });
                if (!(w == "of" || w == "on" || w == "for" || w == "from" || w == "the" || w == "where" || w == "that" || w == "with" ||
                      w == "were" || w == "was" || w == "which" || counted))
                    return false;
            }
            return true;
        };
        bool summed = false;
        for (size_t j = k; j-- > 0 && !summed;) {
            auto pj = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == measures_at[j].first; });
            size_t end = measures_at[j].first + (pj == phrases.end() ? 1 : pj->length);
            if (end > at || !joins(end, at)) break;
            const measure_def* sum = end == at ? part_sum(measures_at[k].second, measures_at[j].second) : nullptr;  // "repeat-repair warranty cost"
            if (!sum && end < at) sum = part_sum(measures_at[j].second, measures_at[k].second);                     // "warranty cost of repeat repairs"
            if (sum) {
                measures_at[j].second = sum->name;
                measures_at.erase(measures_at.begin() + static_cast<long>(j + 1), measures_at.begin() + static_cast<long>(k + 1));
                summed = true;
                break;
            }
            // (only the count of the facts may stand between: "claim cost on claims where…")
            auto* between = model.measure(measures_at[j].second);
            if (!between || !between->fact_count) break;
        }
        if (summed) continue;
        ++k;
    }
    for (auto& [at, m] : measures_at)
        if (std::find(q.measures.begin(), q.measures.end(), m) == q.measures.end()) q.measures.push_back(m);
    bool kpi_context = kpi_question();
    // Values: a weak one (its words also name a measure) is a value only where the question is
    // about what that value's dimension measures; otherwise the words were read as the measure.
    for (size_t k = 0; k < values.size(); ++k) {
        auto& v = values[k];
        if (!v.weak) continue;
        bool keep = false;
        for (auto& [dim, val] : v.readings) keep = keep || (kpi_context && dimension_has_per_measures(dim));
        keep = keep || names_value_outside_kpis(v, kpi_context);
        if (keep) {
            // the words named the value, not the measure
            for (auto it = q.measures.begin(); it != q.measures.end();) {
                bool from_here = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
                    return m.second == *it && m.first >= v.start && m.first < v.start + v.length;
                });
                it = from_here ? q.measures.erase(it) : it + 1;
            }
            measures_at.erase(std::remove_if(measures_at.begin(), measures_at.end(),
                                             [&](auto& m) { return m.first >= v.start && m.first < v.start + v.length; }),
                              measures_at.end());
            v.weak = false;
        } else {
            v.readings.clear();
        }
    }
    // "actual vs target and the variance": a measure named without its unit is shown with the
    // measures the model declares beside it (the gap to target beside the variance %);
    // "variance %" is the percentage alone
    auto unit_said = [&](const std::string& unit) {
        for (size_t k = 0; k < t.size(); ++k)
            if (unit == "percent" && (word(k) == "percent" || word(k) == "percentage" || word(k) == "percentages")) return true;
        return false;
    };
    for (size_t k = 0; k < q.measures.size(); ++k) {
        auto* d = model.measure(q.measures[k]);
        if (!d || d->shown_with.empty() || unit_said(d->unit)) continue;
        for (auto& other : d->shown_with)
            if (std::find(q.measures.begin(), q.measures.end(), other) == q.measures.end())
                q.measures.insert(q.measures.begin() + static_cast<long>(++k), other);
    }
    q.named_measure = !q.measures.empty() || !conditions_at.empty();
    implied = q.measures.empty() && !weak_measures_at.empty();
    compared_alone();
    // A weak name counts only where a cube holds it with the dimensions and values named: "how
    // did the market share KPI move" is not about units moved.
    auto fits = [&](const std::string& m) {
        auto leaves = leaves_of(model, q, m);
        return std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& cube) {
            if (!std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); })) return false;
            for (auto& [at, d] : dims_at)
                if (!cube.has_dimension(d)) return false;
            for (auto& v : values)
                if (!v.weak && !v.readings.empty() &&
                    std::none_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return cube.has_dimension(r.first); }))
                    return false;
            return true;
        });
    };
    if (q.measures.empty()) {
        for (auto& [at, m] : weak_measures_at)
            if (std::find(q.measures.begin(), q.measures.end(), m) == q.measures.end() && fits(m)) q.measures.push_back(m);
        if (q.measures.empty() && kpi_context)  // a KPI's own measures answer it: "move" says no more
            for (auto& [at, m] : weak_measures_at) take(at);
        else if (q.measures.empty())  // nothing fits: said as read, refused by the planner
            for (auto& [at, m] : weak_measures_at)
                if (std::find(q.measures.begin(), q.measures.end(), m) == q.measures.end()) q.measures.push_back(m);
        implied = !q.measures.empty();
    }
}

void question_reader::reading::define_measures() {
    // "repeat repairs divided by claims", "on hand minus reorder point": one measure divided by
    // or less another, the model's own when it declares it (its "* 100" aside). Said after a
    // measure ("days of cover, taking days of cover as on hand divided by daily usage", "…,
    // i.e. warranty cost divided by units sold"), it defines that measure again.
    for (size_t i = 1; i + 1 < t.size(); ++i) {
        bool divided = word(i) == "divided" && word(i + 1) == "by", minus = word(i) == "minus";
        // "daily usage times lead time", "daily usage x LT", "multiplied by"
        bool multiplied = word(i) == "times" || word(i) == "x" || (word(i) == "multiplied" && word(i + 1) == "by");
        // "gross margin for 2025? I think that's gross profit over revenue": "over" divides only
        // where the model declares that ratio ("on hand over reorder point" is a comparison)
        bool over = word(i) == "over";
        divided = divided || over;
        if (!unused(i) || !(divided || minus || multiplied)) continue;
        auto a = std::find_if(measures_at.rbegin(), measures_at.rend(), [&](auto& m) { return m.first < i; });
        if (a == measures_at.rend()) continue;
        auto pa = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == a->first; });
        if (a->first + (pa == phrases.end() ? 1 : pa->length) != i) continue;
        // "by that month's units sold", "by the number of cars sold"
        static const std::set<std::string_view> lead = {"the", "number", "of", "that", "this", "each", "our", "total", "s", "its"};
        size_t k = i + ((divided && !over) || word(i) == "multiplied" ? 2 : 1);
        auto leading = [&](size_t at) {
            return lead.count(word(at)) || month_word(word(at)) || quarter_word(word(at)) || year_word(word(at));
        };
        while (k < t.size() && leading(k)) ++k;
        auto b = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == k; });
        if (b == measures_at.end() || b->second == a->second) continue;
        std::string x = a->second, y = b->second;
        auto* xm = find_measure(model, q, x);
        auto* ym = find_measure(model, q, y);
        if (!xm || !ym) continue;
        std::string op = divided ? "/" : multiplied ? "*" : "-", name;
        for (auto& m : model.measures)
            if (m.is_derived() && (bare(m.derived.text()) == x + op + y || (divided && bare(m.derived.text()) == x + op + y + "*100")))
                name = m.name;
        if (over && name.empty()) continue;
        if (name.empty()) {
            // (a count a day times days is a count)
            std::string unit = divided      ? (xm->unit == "usd" && ym->unit != "usd" ? "usd" : "number")
                               : multiplied ? (xm->unit == "days" ? ym->unit : xm->unit)
                                            : xm->unit;
            name = define(fmt::format("{}_{}_{}", x, divided ? "over" : multiplied ? "times" : "minus", y), fmt::format("{} {} {}", x, op, y),
                          unit, xm->higher_is_better);
        }
        auto pb = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == b->first; });
        size_t end = b->first + (pb == phrases.end() ? 1 : pb->length);
        size_t start = a->first;
        // the words that say a definition follows, and the measure it defines said again
        static const std::set<std::string_view> marker = {"measured", "as", "taking", "take", "meaning", "use", "using", "i", "e", "ie",
                                                          "calculated", "computed", "defined", "is", "so", "which", "where", "that",
                                                          "mean", "means", "we", "define", "it", "being"};
        while (start > 0) {
            auto again = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& m) {
                auto pm = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == m.first; });
                return m.second == name && m.first + (pm == phrases.end() ? 1 : pm->length) == start;
            });
            if (again != measures_at.end() && again->first != a->first) { start = again->first; continue; }
            if (unused(start - 1) && marker.count(word(start - 1))) { --start; continue; }
            // "meaning this year's total warranty cost divided by…"
            if (leading(start - 1) && std::none_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == start - 1; })) {
                --start;
                continue;
            }
            break;
        }
        bool restated = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.second == name && (m.first < start || m.first >= end); });
        take(start, end - start);
        auto x_at = a->first;
        // "on hand less than daily usage times lead time": the comparison is with the whole
        for (auto& [h, at] : compared_at)
            if (at == x_at && q.having[h].other == x) {
                q.having[h].other = name;
                for (size_t k = a->first + (pa == phrases.end() ? 1 : pa->length); k < end; ++k) q.having[h].text += " " + t[k].word;
            }
        // "on-hand divided by daily usage is less than the lead time": the whole is compared
        for (auto& [h, at] : compared_from)
            if (at == b->first && q.having[h].measure == y) {
                q.having[h].measure = name;
                std::string said;
                for (size_t k = x_at; k < b->first; ++k) said += t[k].word + " ";
                q.having[h].text = said + q.having[h].text;
            }
        measures_at.erase(std::remove_if(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first >= start && m.first < end; }),
                          measures_at.end());
        weak_measures_at.erase(std::remove_if(weak_measures_at.begin(), weak_measures_at.end(), [&](auto& m) { return m.first >= start && m.first < end; }),
                               weak_measures_at.end());
        dims_at.erase(std::remove_if(dims_at.begin(), dims_at.end(), [&](auto& d) { return d.first >= start && d.first < end; }), dims_at.end());
        if (!restated)
            measures_at.insert(std::find_if(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first > x_at; }), {x_at, name});
        // the measures the question shows: the ratio in place of its parts
        bool x_elsewhere = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.second == x; });
        bool y_elsewhere = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.second == y; });
        auto pos = std::find(q.measures.begin(), q.measures.end(), x);
        if (std::find(q.measures.begin(), q.measures.end(), name) == q.measures.end()) {
            if (pos != q.measures.end()) *pos = name;
            else q.measures.insert(q.measures.begin(), name);
        } else if (pos != q.measures.end() && !x_elsewhere) {
            q.measures.erase(pos);
        }
        if (!x_elsewhere) q.measures.erase(std::remove(q.measures.begin(), q.measures.end(), x), q.measures.end());
        if (!y_elsewhere) q.measures.erase(std::remove(q.measures.begin(), q.measures.end(), y), q.measures.end());
        i = end - 1;
    }
    // Measures the question defines from two others:
    //  - "gross profit per vehicle", "claims per 100 vehicles sold": X divided by the measure a
    //    per-name names (times the number);
    //  - "warranty cost as a percentage of revenue": X / Y * 100.
    for (size_t i = 0; i + 1 < t.size(); ++i) {
        if (!unused(i) || (word(i) != "per" && word(i) != "for" && word(i) != "every" && word(i) != "of")) continue;
        size_t at = i + 1;
        double scale = 1;
        // "the average cost of a claim": of one of what the measure counts
        bool of_one = word(i) == "of" && (word(at) == "a" || word(at) == "an" || word(at) == "one") && q.average_over == "?";
        if (word(i) == "of" && !of_one) continue;
        if (of_one) {
            ++at;
        } else if (is_number(word(at))) {
            scale = std::atof(std::string(word(at)).c_str());
            ++at;
        } else if (word(i) != "per") {
            continue;  // "for every 100 vehicles", not "for vehicles"
        }
        if (of_one) take(i + 1);
        std::string by;
        size_t len = 0;
        for (size_t n = 3; n >= 1 && by.empty(); --n) {
            if (at + n > t.size()) continue;
            std::vector<std::string> st;
            for (size_t k = at; k < at + n; ++k) st.push_back(t[k].stem);
            if (auto it = lx.per_names.find(st); it != lx.per_names.end()) { by = it->second; len = n; }
        }
        // "Lumen warranty cost per Lumen sold", "F&I revenue per GAP Insurance contract": per one
        // of a value's facts, named by its verb or its noun
        if (by.empty())
            for (auto& v : values) {
                if (v.start != at) continue;
                size_t after = at + v.length;
                if (word(after) == "sold")
                    for (auto& [st, m] : lx.per_names)
                        if (st.size() == 2 && st[1] == t[after].stem) { by = m; len = v.length + 1; }
                for (size_t n = 2; n >= 1 && by.empty(); --n) {
                    if (after + n > t.size()) continue;
                    std::vector<std::string> st;
                    for (size_t k = after; k < after + n; ++k) st.push_back(t[k].stem);
                    if (auto it = lx.per_names.find(st); it != lx.per_names.end()) { by = it->second; len = v.length + n; }
                }
            }
        if (by.empty()) continue;
        // "per vehicle segment": the words after "per" name a dimension, a breakdown
        if (std::any_of(phrases.begin(), phrases.end(), [&](auto& p) { return p.start <= at && p.start + p.length > at + len; }))
            continue;
        // the measure divided: the last one named before "per"
        std::string x;
        for (auto& [mat, m] : measures_at)
            if (mat < i) x = m;
        if (x.empty())
            for (auto& [mat, m] : weak_measures_at)
                if (mat < i && std::find(q.measures.begin(), q.measures.end(), m) != q.measures.end()) x = m;
        if (x.empty() || x == by) continue;
        // the words after "per" are read here: they name no breakdown and no measure of their own
        auto absorb = [&] {
            take(i, at + len - i);
            auto inside = [&](auto& d) { return d.first > i && d.first < at + len; };
            dims_at.erase(std::remove_if(dims_at.begin(), dims_at.end(), inside), dims_at.end());
            measures_at.erase(std::remove_if(measures_at.begin(), measures_at.end(), inside), measures_at.end());
            weak_measures_at.erase(std::remove_if(weak_measures_at.begin(), weak_measures_at.end(), inside), weak_measures_at.end());
        };
        auto* xm = find_measure(model, q, x);
        // "average cost per claim", "average price per vehicle": already a ratio to that measure
        // ("claim rate per 1000 units", the rate per 100: the count over them at that scale)
        if (xm->is_derived()) {
            auto parts = xm->derived.names();
            auto text = xm->derived.text();
            bool per_hundred = parts.size() == 2 && text.ends_with("* 100");
            if (!parts.empty() && parts.back() == by && !(per_hundred && scale != 1 && scale != 100)) {
                absorb();
                if (std::none_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.second == by; }))
                    q.measures.erase(std::remove(q.measures.begin(), q.measures.end(), by), q.measures.end());
                continue;
            }
            if (per_hundred && parts.back() == by) {
                replace_measure(x, parts.front());
                x = parts.front();
                xm = find_measure(model, q, x);
            }
        }
        auto* bm = model.measure(by);
        // "the premium over MSRP (%) per car": a percentage is already per the whole
        if (xm->unit == "percent") {
            if (q.problem.empty()) q.problem = fmt::format("'{} per {}': a percentage is not divided by a count", spoken(x), spoken(by));
            absorb();
            continue;
        }
        std::string unit = xm->unit == "usd" ? "usd" : "number";
        std::string name = scale == 1 ? fmt::format("{}_per_{}", x, bm->names.empty() ? by : by)
                                      : fmt::format("{}_per_{}_{}", x, fmt::format("{}", scale), by);
        name = define(name, scale == 1 ? fmt::format("{} / {}", x, by) : fmt::format("{} / {} * {}", x, by, scale), unit,
                      xm->higher_is_better);
        replace_measure(x, name);
        // "models above 100 claims per 1k units sold": the threshold's number counts the ratio
        for (auto& th : thresholds) {
            size_t pos = th.first;  // a plain name, as the lambda captures it (clang 14)
            if (th.second.measure == x && pos < i && std::any_of(threshold_units.begin(), threshold_units.end(), [&](size_t k) {
                    return k > pos && k < i && i - k <= 3;
                }))
                th.second.measure = name;
        }
        absorb();
        q.measures.erase(std::remove(q.measures.begin(), q.measures.end(), by), q.measures.end());
        if (q.measures.empty()) q.measures.push_back(name);
    }
    if (q.share && share_at != SIZE_MAX) {
        std::string a, b;
        size_t b_at = SIZE_MAX;
        for (auto& [mat, m] : measures_at) {
            if (mat < share_at) a = m;
            else if (b.empty()) { b = m; b_at = mat; }
        }
        // "as a percentage of vehicle sales revenue": a count's name before a measure names
        // whose measure it is, as "vehicle revenue" does
        if (!b.empty()) {
            auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == b_at; });
            auto next = std::find_if(measures_at.begin(), measures_at.end(), [&](auto& x) {
                return p != phrases.end() && x.first == b_at + p->length;
            });
            auto* counted = find_measure(model, q, b);
            if (next != measures_at.end() && counted && counted->fact_count && next->second != b) {
                q.measures.erase(std::remove(q.measures.begin(), q.measures.end(), b), q.measures.end());
                b = next->second;
            }
        }
        // "what share of claims were repeat repairs": the whole first, then the part it was
        if (a.empty() && !b.empty()) {
            size_t whole_at = SIZE_MAX;
            for (auto& [mat, m] : measures_at)
                if (mat > share_at && m == b && whole_at == SIZE_MAX) whole_at = mat;
            for (auto& [mat, m] : measures_at) {
                if (mat <= whole_at || !a.empty() || m == b) continue;
                bool copula = false;
                for (size_t k = whole_at + 1; k < mat; ++k) {
                    auto w = word(k);
                    copula = copula || w == "were" || w == "was" || w == "are" || w == "is" || w == "being" || w == "been";
                }
                if (copula) a = m;
            }
        }
        // "repeat-repair rate (percent of its claims that were repeat repairs)": a percentage
        // named, then said again as a share, is that percentage
        if (auto* am = a.empty() ? nullptr : find_measure(model, q, a); am && am->unit == "percent") {
            q.share = false;
            return;
        }
        // "repeat repairs as a percentage of warranty cost": of a cost, the part those facts
        // carry (the measure of the whole's that sums over them: repeat_cost)
        if (auto *am = a.empty() ? nullptr : find_measure(model, q, a), *bm = b.empty() ? nullptr : find_measure(model, q, b);
            am && bm && am->unit != bm->unit)
            for (auto& m : model.measures)
                if (m.subset_of == b && m.facts == a) a = m.name;
        if (!a.empty() && !b.empty() && a != b) {
            // "of the Infotainment claims, what fraction were repeat repairs": the part (the
            // measure counting some of the other's facts) over its whole, whichever is said first
            if (find_measure(model, q, b)->subset_of == a) std::swap(a, b);
            // ("Texas warranty cost … was Transmission claims, as a %": a count of a cost is no share)
            if (find_measure(model, q, a)->unit != find_measure(model, q, b)->unit) {
                if (q.problem.empty())
                    q.problem = fmt::format("{} and {} are not in one unit: a share is of one measure (say 'share of {}')", spoken(a),
                                            spoken(b), spoken(b));
                return;
            }
            auto name = define(fmt::format("{}_pct_of_{}", a, b), fmt::format("{} / {} * 100", a, b), "percent",
                               find_measure(model, q, a)->higher_is_better);
            // a part named again elsewhere ("dealers with at least 20 claims … as a percentage of
            // their claims") stays shown; the percentage once
            auto named_twice = [&](const std::string& m) {
                return std::count_if(measures_at.begin(), measures_at.end(), [&](auto& x) { return x.second == m; }) > 1;
            };
            bool keep_a = named_twice(a), keep_b = named_twice(b);
            q.measures.erase(std::remove_if(q.measures.begin(), q.measures.end(), [&](auto& m) {
                                 return (m == a && !keep_a) || (m == b && !keep_b) || m == name;
                             }),
                             q.measures.end());
            q.measures.insert(q.measures.begin(), name);
            q.share = false;
        }
    }
}

void question_reader::reading::read_filters() {
    // "in every month of 2025": a condition held in each period of the window, said of the
    // whole window by the model's `every` form; the months are not the rows
    size_t every_at = SIZE_MAX;
    for (size_t i = 0; i + 1 < t.size(); ++i)
        if (word(i) == "every" && (month_word(word(i + 1)) || quarter_word(word(i + 1)) || year_word(word(i + 1)))) every_at = i;
    // Conditions become thresholds on their measure. Asked as a yes/no question ("did we hit
    // the market share target last month?", "is Toluca below reorder point on batteries?") a
    // condition is a column saying whether each row meets it; asked of "any", "which" or "what"
    // ("did any KPI miss target?") it picks the rows out.
    static const std::set<std::string_view> auxiliaries = {"did", "do", "does", "is", "are", "was", "were", "has", "have", "had"};
    static const std::set<std::string_view> listing = {"any", "anything", "anyone", "anybody", "anywhere", "which", "what", "who",
                                                       "where", "how", "whichever", "whatever"};
    // ("… or are we under? just show on hand and reorder point": "show" lists rows only when
    // rows follow it, "show me the parts")
    auto lists_rows = [&](size_t i) {
        if (word(i) != "list" && word(i) != "show") return false;
        size_t k = i + 1;
        while (k < t.size() && (word(k) == "me" || word(k) == "us" || word(k) == "the" || word(k) == "all" || word(k) == "every")) ++k;
        return std::any_of(dims_at.begin(), dims_at.end(), [&](auto& d) { return d.first == k; });
    };
    bool yes_no = !t.empty() && auxiliaries.count(word(0));
    for (size_t i = 0; i < t.size() && yes_no; ++i) yes_no = !listing.count(t[i].word) && !lists_rows(i);
    for (auto& condition : conditions_at) {
        size_t at = condition.first;
        const auto& c = condition.second;
        auto it = std::find_if(model.conditions.begin(), model.conditions.end(), [&](auto& x) { return x.name == c; });
        // ("… and whether the target was met": asked of each row)
        bool whether = false;
        for (size_t k = at >= 3 ? at - 3 : 0; k < at; ++k)
            if (word(k) == "whether") {
                whether = true;
                take(k);
            }
        measure_condition mc{it->measure, it->op, it->threshold, "", it->name, yes_no || whether ? it->name : ""};
        if (every_at != SIZE_MAX) {
            if (it->every_op.empty()) {
                if (q.problem.empty())
                    q.problem = fmt::format("'{} every {}': a condition held in every period is not pre-computed", it->name, word(every_at + 1));
            } else if (each_grain == q.grain) {
                mc = {it->measure, it->every_op, it->every_value, it->every_other, it->name, mc.column};
                q.grain = time_grain::none;
                each_grain = time_grain::none;
            }
        }
        for (auto& p : phrases)
            if (p.start == at) {
                mc.text.clear();
                for (size_t k = p.start; k < p.start + p.length; ++k) mc.text += (mc.text.empty() ? "" : " ") + t[k].word;
            }
        q.having.push_back(mc);
    }

    // Filters, each value resolved to one dimension: the one the question's measures are held by.
    auto measure_cubes_have = [&](const std::string& dim) {
        if (q.measures.empty()) return true;
        for (auto& cube : model.cubes)
            if (cube.has_dimension(dim) && std::all_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
                    auto leaves = leaves_of(model, q, m);
                    return !leaves.empty() && std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); });
                }))
                return true;
        return false;
    };
    value_dimension.assign(values.size(), "");
    for (size_t k = 0; k < values.size(); ++k) {
        auto& v = values[k];
        if (v.readings.empty()) continue;
        std::vector<std::pair<std::string, std::string>> fitting;
        for (auto& r : v.readings)
            if (measure_cubes_have(r.first)) fitting.push_back(r);
        if (fitting.empty()) fitting = v.readings;
        if (fitting.size() > 1) {
            // a value's whole name over the first words of another's: "Brakes components" are the
            // Brakes system's, not Brake Pads
            std::vector<std::pair<std::string, std::string>> whole;
            for (auto& r : fitting)
                if (words_of(r.second).size() == v.length) whole.push_back(r);
            if (!whole.empty()) fitting = whole;
        }
        if (fitting.size() > 1) {
            // the dimension named right after the value settles it: "San Antonio plant"
            for (auto& [at, d] : dims_at)
                if (at == v.start + v.length || at + 1 == v.start || (at + 2 == v.start && word(at + 1) == "of"))  // "the state of NE"
                    for (auto& r : fitting)
                        if (r.first == d) fitting = {r};
        }
        if (fitting.size() > 1 && v.start > 0 && word(v.start - 1) == "the") {
            // "in the NE": a code such as a state's is not said with "the"; an abbreviated name is
            auto code = [](const std::string& value) {
                return value.size() <= 3 && std::all_of(value.begin(), value.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
            };
            std::vector<std::pair<std::string, std::string>> named;
            for (auto& r : fitting)
                if (!code(r.second)) named.push_back(r);
            if (!named.empty()) fitting = named;
        }
        if (fitting.size() > 1) {
            // "NE vs SE": a value named beside one of a single dimension is of that dimension
            auto joiner = [&](size_t at) { return word(at) == "vs" || word(at) == "versus" || word(at) == "and" || word(at) == "or" || word(at) == "against"; };
            for (auto& other : values) {
                if (&other == &v || other.readings.size() != 1) continue;
                bool beside = (other.start == v.start + v.length + 1 && joiner(v.start + v.length)) ||
                              (other.start + other.length + 1 == v.start && joiner(v.start - 1));
                if (!beside) continue;
                std::vector<std::pair<std::string, std::string>> same;
                for (auto& r : fitting)
                    if (r.first == other.readings[0].first) same.push_back(r);
                if (!same.empty()) fitting = same;
            }
        }
        if (fitting.size() > 1) {
            // "NE" where the vocabulary says `prefer: region Northeast = NE`: the catalog's author
            // settled it (the restatement names the value read)
            std::vector<std::string> said;
            for (size_t j = v.start; j < v.start + v.length; ++j) said.push_back(t[j].word);
            std::vector<std::pair<std::string, std::string>> preferred;
            for (auto& r : fitting)
                for (auto& a : model.aliases)
                    if (a.preferred && a.slot == r.first && a.value == r.second &&
                        std::any_of(a.aliases.begin(), a.aliases.end(), [&](auto& name) { return words_of(name) == said; }))
                        preferred.push_back(r);
            if (preferred.size() == 1) fitting = preferred;
        }
        if (fitting.size() > 1) {
            std::set<std::string> dims;
            for (auto& r : fitting) dims.insert(r.first);
            if (dims.size() > 1) {
                std::string text;
                for (size_t j = v.start; j < v.start + v.length; ++j) text += (text.empty() ? "" : " ") + t[j].word;
                std::string list;
                for (auto& d : dims) list += (list.empty() ? "" : " or ") + d;
                q.problem = fmt::format("'{}' could be a {}: say which", text, list);
                // two readings equally plausible: name both, never pick one
                std::string options;
                for (auto& [dim, val] : fitting) {
                    auto option = fmt::format("the {} {}", dim, val);
                    if (options.find(option) == std::string::npos) options += (options.empty() ? "" : " or ") + option;
                }
                q.clarify = fmt::format("Did you mean {}?", options);
                continue;
            }
        }
        const auto& dim = fitting.front().first;
        const auto& val = fitting.front().second;
        value_dimension[k] = dim;
        bool exclude = excluded_values.count(k) > 0;
        auto f = std::find_if(q.filters.begin(), q.filters.end(), [&](auto& x) { return x.dimension == dim && x.exclude == exclude; });
        if (f == q.filters.end()) q.filters.push_back({dim, {val}, exclude});
        else if (std::find(f->values.begin(), f->values.end(), val) == f->values.end()) f->values.push_back(val);
    }
    // "Granite truck sales", "Lumen EVs": a value named with its parent's value says what it
    // is; the child alone is the filter (a wrong parent would otherwise leave no rows), and
    // alone is excluded ("excluding the Lumen EV" is not every EV)
    for (size_t k = 0; k + 1 < values.size(); ++k) {
        bool ex = excluded_values.count(k) > 0;
        if (values[k].start + values[k].length != values[k + 1].start || ex != (excluded_values.count(k + 1) > 0)) continue;
        auto* child = model.dimension(value_dimension[k]);
        auto& parent = value_dimension[k + 1];
        if (!child || parent.empty() || child->parent != parent) continue;
        auto f = std::find_if(q.filters.begin(), q.filters.end(), [&](auto& x) { return x.dimension == parent && x.exclude == ex; });
        auto c = std::find_if(q.filters.begin(), q.filters.end(), [&](auto& x) { return x.dimension == child->name && x.exclude == ex; });
        if (f == q.filters.end() || c == q.filters.end() || f->values.size() != 1 || c->values.size() != 1) continue;
        q.filters.erase(f);
        value_dimension[k + 1].clear();
    }
}

void question_reader::reading::read_breakdowns() {
    // 9. dimensions named: breakdowns. A dimension's name asks for one row per value, except:
    //  - beside its own value ("the West region") or filtered to one value;
    //  - a counted noun: "how many cars", "the most vehicles", "number of components";
    //  - a scope: "across all plants", "for all dealers", "Texas dealers", "dealers in Texas";
    //  - beside a name of another dimension it qualifies: "dealer state" is the state;
    //  - in a total ("total warranty cost for dealers in the West");
    //  unless "by", "per", "each", "which" or a ranking asks for rows.
    bool total_asked = false;
    for (size_t i = 0; i < t.size(); ++i)
        if (word(i) == "total" || word(i) == "overall" || word(i) == "altogether" || word(i) == "combined" ||
            (word(i) == "in" && word(i + 1) == "total")) {
            // "ranked by total warranty cost": the measure summed, not a total asked for
            bool ranking_measure = i > 0 && word(i - 1) == "by" && std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
                return m.first == i + 1;
            });
            // "(% of total revenue)": the whole of a share, not a total asked for
            bool whole_of_share = i >= 2 && word(i - 1) == "of" &&
                                  (word(i - 2) == "percent" || word(i - 2) == "pct" || word(i - 2) == "percentage" || word(i - 2) == "share");
            if (!ranking_measure && !whole_of_share) total_asked = true;
        }
    // The word before a dimension's name that asks for its rows; `ranked` says it was a ranking
    // word ("top dealers"), which asks for the rows of only the first dimension named so.
    auto explicit_cue = [&](size_t at, bool* ranked = nullptr) {
        bool past_measure = false;
        for (size_t back = 1; back <= 5 && back <= at; ++back) {
            auto w = word(at - back);
            // "cost per claim for Electrical parts": a word of a measure's name is no cue
            bool named = std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                return p.start <= at - back && at - back < p.start + p.length && p.length > 1 &&
                       (p.e->what == kind::measure || p.e->what == kind::weak_measure);
            });
            if (named) {
                past_measure = true;
                continue;
            }
            // "what gross profit did dealers outside Texas make": "what" asks for the measure
            if (w == "what" && past_measure) return false;
            // "what percent of cars went out with…": the whole a part is of, not its rows
            if ((w == "percent" || w == "percentage" || w == "proportion" || w == "fraction" || w == "share") && word(at - back + 1) == "of")
                return false;
            if (w == "by" && at - back >= 1) {
                // ("filed last year by dealers", "sold in 2025 by")
                size_t v = at - back - 1;
                while (v > 0 && (word(v) == "last" || word(v) == "this" || word(v) == "in" || word(v) == "during" || year_word(word(v)) ||
                                 month_word(word(v)) || quarter_word(word(v)) || month_number(word(v)) || (word(v).size() == 4 && is_digits(word(v)))))
                    --v;
                auto verb = word(v);
                if (verb == "sold" || verb == "filed" || verb == "made" || verb == "generated" || verb == "earned" ||
                    verb == "brought" || verb == "submitted" || verb == "raised" || verb == "sell" || verb == "sells" ||
                    verb == "lodged" || verb == "logged" || verb == "incurred" || verb == "recorded" || verb == "reported" ||
                    verb == "registered" || verb == "booked" || verb == "written")
                    return false;
            }
            // ("more than 30 claims from Southwest dealers": a threshold's number is no count of rows)
            bool threshold_number = at - back >= 1 && (word(at - back - 1) == "than" || word(at - back - 1) == "over" ||
                                                       word(at - back - 1) == "above" || word(at - back - 1) == "under" ||
                                                       word(at - back - 1) == "below" || word(at - back - 1) == "least");
            if (w == "by" || w == "per" || w == "each" || w == "every" || w == "which" || w == "what" || w == "across" ||
                w == "among" || w == "list" || w == "show" || w == "rank" || w == "name" || (is_digits(w) && w.size() <= 3 && !threshold_number))
                return true;
            if (rank_word(w) != end_asked::none) {
                if (ranked) *ranked = true;
                return true;
            }
            size_t pos = at - back;
            bool in_value = std::any_of(values.begin(), values.end(), [&](auto& v) { return v.start <= pos && pos < v.start + v.length; });
            // ("the most costly component": a word that names a measure in context)
            bool in_measure = std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                return p.start <= pos && pos < p.start + p.length &&
                       (p.e->what == kind::measure || p.e->what == kind::weak_measure || p.e->what == kind::context_measure);
            });
            // "each West region dealer": the value's dimension named with it
            bool in_dimension = in_value || std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first == pos; });
            if (!(filler().count(std::string(w)) || in_value || in_measure || (in_dimension && back == 1 && pos >= 1))) break;
        }
        return false;
    };
    auto counted = [&](size_t at) {
        while (at >= 1 && (word(at - 1) == "different" || word(at - 1) == "distinct" || word(at - 1) == "unique" ||
                           word(at - 1) == "individual" || word(at - 1) == "separate"))
            --at;
        // "how many of the sales-category KPIs": the values (and their dimension's name) that
        // say which ones are counted
        for (bool moved = true; moved && at >= 1;) {
            moved = false;
            size_t end = at;
            if (std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first + 1 == end; })) --end;
            for (auto& v : values)
                if (v.start + v.length == end && !v.readings.empty() && v.start < at) {
                    at = v.start;
                    moved = true;
                    break;
                }
        }
        // "the number of off-target KPIs": a condition said before the noun counted
        for (auto& c : conditions_at) {
            auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == c.first; });
            if (p != phrases.end() && p->start + p->length == at) at = p->start;
        }
        // "how many of our dealers", "how many of the plants"
        if (at >= 4 && (word(at - 1) == "our" || word(at - 1) == "the") && word(at - 2) == "of" && word(at - 3) == "many" &&
            word(at - 4) == "how")
            at -= 2;
        auto w1 = at >= 1 ? word(at - 1) : std::string_view(), w2 = at >= 2 ? word(at - 2) : std::string_view();
        return (w1 == "many" && w2 == "how") || (w1 == "of" && (w2 == "number" || w2 == "count")) || w1 == "most" ||
               w1 == "fewest" || w1 == "least" || w1 == "more" || w1 == "fewer";
    };
    std::string lower;  // the question as typed, in lower case: for apostrophes the words lost
    for (char c : original) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    auto scoped = [&](size_t at) {
        // "lead time for each component (across plants)", "average lead time per plant, a simple
        // average across the components": summed over, beside the breakdown named
        size_t across = at >= 2 && (word(at - 1) == "the" || word(at - 1) == "all") ? at - 2 : at >= 1 ? at - 1 : at;
        if (across < at && word(across) == "across" && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) {
                auto cue = x.first > 0 ? word(x.first - 1) : std::string_view();
                return x.first != at && (cue == "each" || cue == "every" || (cue == "per" && across + 1 < at));
            }))
            return true;
        // "total cost (all components, all models, every dealer)": the last of a list of them all
        if (total_asked && at >= 3 && word(at - 1) == "every" && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) {
                return x.first + 2 == at && x.first >= 1 && word(x.first - 1) == "all";
            }))
            return true;
        if (at >= 2 && word(at - 1) == "every" && word(at - 2) == "across") return true;  // "across every dealer": all together
        // "top 5 parts by daily usage, all plants combined": summed over them
        auto name = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == at; });
        auto next = word(at + (name == phrases.end() ? 1 : name->length));
        if (at >= 1 && word(at - 1) == "all" && (next == "combined" || next == "together" || next == "collectively")) return true;
        // "bottom 3 parts by on hand across plants", "which component has the longest average
        // lead time across the plants": summed over, beside the rows asked for
        size_t over = at;
        while (over >= 2 && (word(over - 1) == "the" || word(over - 1) == "all" || word(over - 1) == "our")) --over;
        if (over >= 1 && word(over - 1) == "across" && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) {
                return x.first < at && explicit_cue(x.first);
            }))
            return true;
        // "cost us in total, across all models and dealers", "total on hand across their
        // components": summed over them
        if (total_asked && ((at >= 1 && word(at - 1) == "across") ||
                            (at >= 2 && (word(at - 1) == "all" || word(at - 1) == "the") && word(at - 2) == "across")))
            return true;
        // "averaged over every plant and component in that system"
        if (at >= 2 && (word(at - 1) == "every" || word(at - 1) == "all") && word(at - 2) == "over") return true;
        // "2025 warranty cost, all systems except Powertrain": the rest of them, together ("overall
        // … for every region except the West" too)
        if (at >= 1 && (word(at - 1) == "all" || (word(at - 1) == "every" && total_asked))) {
            auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == at; });
            size_t span = 0;
            if (p != phrases.end() && is_exclusion_word(words, at + p->length, span)) return true;
        }
        if (at >= 2 && word(at - 1) == "every" && word(at - 2) == "from" && total_asked) return true;  // "total revenue from every dealer"
        // "across the whole dealer network": all together
        if (at >= 2 && (word(at - 1) == "whole" || word(at - 1) == "entire")) {
            size_t k = at - 2;
            if (k > 0 && word(k) == "the") --k;
            auto w = word(k);
            if (w == "across" || w == "over" || w == "for" || w == "in" || w == "of") return true;
        }
        // "across all of our Florida dealerships": back over the value and the articles
        for (size_t k = at; k > 0;) {
            auto v = std::find_if(values.begin(), values.end(), [&](auto& x) { return x.start + x.length == k && !x.readings.empty(); });
            if (v != values.end() && v->start > 0) k = v->start;
            else if (word(k - 1) == "our" || word(k - 1) == "the" || word(k - 1) == "of") --k;
            else {
                if (k != at && k >= 2 && word(k - 1) == "all") {
                    auto w = word(k - 2);
                    if (w == "across" || w == "for" || w == "over" || w == "at" || w == "in" || w == "from") return true;
                }
                break;
            }
        }
        // "GP, full yr 2025, all dealers", "on hand by system, all plants": a last clause of its
        // own saying what the figure covers
        if (at >= 1 && word(at - 1) == "all" && at + 1 == t.size())
            for (auto comma = lower.find(", all "); comma != std::string::npos; comma = lower.find(", all ", comma + 1)) {
                auto rest = std::string_view(lower).substr(comma + 6);
                auto end = rest.find_first_not_of("abcdefghijklmnopqrstuvwxyz");
                auto said = rest.substr(0, end);
                if ((said == word(at) || stems_of({std::string(said)}).front() == t[at].stem) &&
                    (end == std::string_view::npos || rest.substr(end).find_first_not_of(" .?!") == std::string_view::npos))
                    return true;
            }
        if (at >= 3 && (word(at - 1) == "our" || word(at - 1) == "the") && (word(at - 2) == "all" || word(at - 2) == "any")) --at;  // "across all our plants"
        if (at < 2 || (word(at - 1) != "all" && word(at - 1) != "any")) return false;
        auto w = word(at - 2);
        return w == "across" || w == "for" || w == "over" || w == "of" || w == "at" || w == "in" || w == "from";
    };
    auto owned_by_previous = [&](size_t at) {
        if (at < 2 || std::none_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first == at - 1; })) return false;
        auto cue = word(at - 2);
        if (!(cue == "each" || cue == "every" || cue == "per" || cue == "by")) return false;
        auto owner = std::string(word(at - 1)), owned = std::string(word(at));
        static constexpr const char* apostrophes[] = {"'s ", "\u2019s ", "' "};
        return std::any_of(std::begin(apostrophes), std::end(apostrophes),
                           [&](const char* a) { return lower.find(owner + a + owned) != std::string::npos; });
    };
    // a heading: before a colon, or a leading "For our Northeast dealers," clause
    size_t colon = original.find(':');
    if (colon == std::string::npos && !words.empty() && words[0] == "for") colon = original.find(',');
    size_t heading_words = colon == std::string::npos ? 0 : words_of(original.substr(0, colon)).size();
    // "se dealers rev ytd", "SW dealers — claims per 100 cars sold": a question that opens with
    // a value and the plural it scopes, the measure straight after, names its rows so too
    if (heading_words == 0 && !dims_at.empty()) {
        size_t at = dims_at.front().first;
        bool opens_with_values = at >= 1 && std::all_of(t.begin(), t.begin() + static_cast<long>(at), [&](auto& tk) {
            size_t k = static_cast<size_t>(&tk - &t[0]);
            return std::any_of(values.begin(), values.end(), [&](auto& v) { return v.start <= k && k < v.start + v.length && !v.readings.empty(); });
        });
        // (not "TX dealers F&I rev by month", "Texas stores, units Q1 2026 vs Q1 2025", "Southwest
        // dealers' warranty cost": a series, two periods, a possessive are the scope's together)
        bool possessive = lower.find(std::string(word(at)) + "'") != std::string::npos ||
                          lower.find(std::string(word(at)) + "\u2019") != std::string::npos;
        if (opens_with_values && !possessive && q.grain == time_grain::none && q.compare.empty() && word(at).size() > 3 && word(at).back() == 's' &&
            std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
                // ("NE dealers -> claims per 100 sold": the arrow read as "to")
                return m.first == at + 1 || (m.first == at + 2 && word(at + 1) == "to" && original.find("->") != std::string::npos);
            }))
            heading_words = at + 1;
    }
    // "For Powertrain components only,": a scope, not the rows
    if (std::find(words.begin(), words.begin() + static_cast<long>(std::min(heading_words, words.size())), "only") !=
        words.begin() + static_cast<long>(std::min(heading_words, words.size())))
        heading_words = 0;
    std::vector<std::pair<size_t, std::string>> counted_dims;
    std::vector<std::pair<size_t, std::string>> scoped_out;
    std::set<size_t> summed_over;  // "across all models and dealers": both
    size_t rank_verb = SIZE_MAX;  // where "rank", "ranked"… is said first
    for (size_t i = 0; i < t.size(); ++i)
        if (word(i) == "rank" || word(i) == "ranked" || word(i) == "ranking" || word(i) == "rankings") rank_verb = std::min(rank_verb, i);
    for (size_t k = 0; k < dims_at.size(); ++k) {
        size_t at = dims_at[k].first;
        const auto& d = dims_at[k].second;
        // "dealer state" is the dealer's state: a dimension named before one of its attributes
        // ("component / region", "group by region, segment" name two)
        auto slash = [&](size_t a) {
            auto& o = original;
            for (auto sep : {"/", " / ", " /", "/ "}) {
                auto joined = t[a].word + sep + t[a + 1].word;
                auto it = std::search(o.begin(), o.end(), joined.begin(), joined.end(),
                                      [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == y; });
                if (it != o.end()) return true;
            }
            return false;
        };
        bool comma = lower.find(fmt::format("{}, {}", t[at].word, t[at + 1 < t.size() ? at + 1 : at].word)) != std::string::npos;
        if (k + 1 < dims_at.size() && dims_at[k + 1].first == at + 1 && !slash(at) && !comma &&
            std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) {
                auto& next = dims_at[k + 1].second;
                return std::find(c.grain.begin(), c.grain.end(), d) != c.grain.end() &&
                       std::find(c.dimensions.begin(), c.dimensions.end(), next) != c.dimensions.end() &&
                       std::find(c.grain.begin(), c.grain.end(), next) == c.grain.end();
            }))
            continue;
        if (threshold_units.count(at)) continue;
        // ("the sales-category KPIs": a value's own dimension named after it is not counted)
        bool own_name = std::any_of(values.begin(), values.end(), [&](auto& v) {
            return v.start + v.length == at && std::any_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return r.first == d; });
        });
        if (!own_name && counted(at)) {
            counted_dims.emplace_back(at, d);
            continue;
        }
        bool joined = at >= 2 && word(at - 1) == "and" && std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
            return p.e->what == kind::dimension && p.start + p.length == at - 1 && summed_over.count(p.start);
        });
        // ("across all plant/part combos": both)
        joined = joined || (at >= 1 && std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                                return p.e->what == kind::dimension && p.start + p.length == at && summed_over.count(p.start) && slash(p.start + p.length - 1);
                            }));
        if (scoped(at) || joined) {
            summed_over.insert(at);
            continue;
        }
        auto after = word(at + 1);
        auto named = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) { return p.start == at; });
        bool placed = laid_out.count(at + (named == phrases.end() ? 1 : named->length)) > 0;  // "region across the top"
        bool subject = placed || after == "with" || after == "that" || after == "where" || after == "whose" || after == "having" ||
                       after == "mix" ||  // "model mix": the share of each model
                       after == "which" || std::any_of(thresholds.begin(), thresholds.end(), [&](auto& th) { return th.first == at + 1; });
        // a dimension the measures are never added up across is always a breakdown: "Finance KPIs"
        bool per_dimension = std::any_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
            auto* x = find_measure(model, q, m);
            return x && std::find(x->per.begin(), x->per.end(), d) != x->per.end();
        });
        bool ranked = false;
        // "Northeast dealers: 2025 revenue next to 2024 revenue": a heading names the rows
        bool heading = at < heading_words && word(at).size() > 3 && word(at).back() == 's';
        // ("Midwest stores: units per state per model": the rows are named after the heading)
        if (heading && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first >= heading_words && x.second != d && explicit_cue(x.first); }))
            heading = false;
        // ("TX vs CA dealers: revenue": the values compared are the rows, not the dealers)
        auto value_ends = [&](size_t end) {
            return std::any_of(values.begin(), values.end(), [&](auto& v) { return v.start + v.length == end && !v.readings.empty(); });
        };
        if (heading && at >= 3 && value_ends(at) && (word(at - 2) == "vs" || word(at - 2) == "versus" || word(at - 2) == "v") &&
            value_ends(at - 2))
            heading = false;
        bool cue = subject || per_dimension || heading || explicit_cue(at, &ranked);
        // "GAP policies sold with cars", "only cars that had an F&I product": one word that
        // also names the facts a measure counts ("cars": units) is those facts, not the rows of
        // its dimension, unless a word asks for rows ("by car", "which cars", "top 3 cars")
        bool fact_noun = std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
            return p.start == at && p.length == 1 && p.e->what == kind::dimension;
        }) && std::any_of(lx.per_names.begin(), lx.per_names.end(), [&](auto& pn) { return pn.first.size() == 1 && pn.first[0] == t[at].stem; });
        if (fact_noun && !per_dimension && !heading && !explicit_cue(at)) continue;
        // "total warranty cost by region and segment": the second of two joined by "and" has
        // the first one's cue
        if (!cue && at >= 2 && (word(at - 1) == "and" || word(at - 1) == "or"))
            for (auto& p : phrases)
                if (p.e->what == kind::dimension && p.start + p.length == at - 1 && explicit_cue(p.start)) cue = true;
        // "which plant has the least electrical parts": the ranking is the plant's
        if (cue && ranked && !subject && !per_dimension && !breakdowns.empty()) cue = false;
        if (!cue && total_asked) continue;
        // "sales with an F&I product", "didn't sell a single Halcyon": one of them, not each. A
        // percentage the model defines so ("F&I penetration … of sales with an F&I product")
        // says no more than its name; otherwise "any F&I product" is a filter no cube holds.
        auto article = at >= 1 ? word(at - 1) : std::string_view();
        // ("any dealers running a margin under 4.5%": which of them)
        bool plural = word(at).size() > 3 && word(at).back() == 's';
        if (!cue && q.average_over != "?" && (article == "a" || article == "an" || ((article == "any" || article == "some") && !plural) || article == "single")) {
            bool defined = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
                auto* x = find_measure(model, q, m.second);
                return x && x->is_derived() && x->unit == "percent";
            });
            if (!defined && with_any_dim.empty()) {
                // answered by complete_measures as the count of those with one, when the model has it
                auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == at; });
                with_any_text = std::string(article);
                for (size_t k = at; k < at + (p == phrases.end() ? 1 : p->length); ++k) with_any_text += " " + t[k].word;
                with_any_dim = d;
            }
            continue;
        }
        // "how much F&I revenue did the dealers book": the dealers together
        bool how_much = words.size() >= 2 && words[0] == "how" && (words[1] == "much" || words[1] == "many");
        if (!cue && how_much && at >= 1 && (article == "the" || article == "our" || article == "all")) continue;
        // "each region's dealers": the dealers are the region's, whose rows are asked for —
        // unless they are ranked there ("rank each state's stores by gross profit": the stores,
        // ranked within their state)
        if (owned_by_previous(at) && rank_verb == SIZE_MAX) continue;
        // "each system of component", "by region of the dealer": the rows are the first one's,
        // the second says whose (the dimension after "of" is one the first is a parent of)
        {
            size_t of = at >= 1 && word(at - 1) == "of" ? at - 1
                      : at >= 2 && word(at - 2) == "of" && (article == "the" || article == "its" || article == "their" || article == "each") ? at - 2
                                                                                                                                      : SIZE_MAX;
            auto whose = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) {
                return of != SIZE_MAX && p.e->what == kind::dimension && p.start + p.length == of;
            });
            bool finer = false;
            for (auto* x = model.dimension(d); whose != phrases.end() && x && !x->parent.empty() && !finer; x = model.dimension(x->parent))
                finer = x->parent == whose->e->target;
            if (finer) continue;
            // "the state of the dealer", "state of the selling dealer": the dealer says whose state
            size_t owner_of = article == "the" || article == "its" || article == "their" ? at - 2
                            : at >= 3 && (word(at - 2) == "the" || word(at - 2) == "its") ? at - 3 : SIZE_MAX;
            if (owner_of != SIZE_MAX && owner_of < at && word(owner_of) == "of" && !explicit_cue(at) &&
                std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                    return p.e->what == kind::dimension && p.start + p.length == owner_of && p.e->target != d;
                }))
                continue;
        }
        // "claims from dealers in each region": the rows are the regions'
        if (!cue && (after == "in" || after == "within" || after == "for") &&
            (word(at + 2) == "each" || word(at + 2) == "every") &&
            std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first == at + 3; }))
            continue;
        // (a value read as another dimension's: "Brakes" is the system, not a Brake Pads prefix)
        auto other_value_at = [&](size_t pos) {
            for (size_t k = 0; k < values.size(); ++k) {
                auto& v = values[k];
                if (v.start > pos || pos >= v.start + v.length || v.readings.empty()) continue;
                if (k < value_dimension.size() && !value_dimension[k].empty() ? value_dimension[k] != d
                                                                              : std::none_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return r.first == d; }))
                    return true;
            }
            return false;
        };
        // "Electrical system components": the value may be named with its own dimension's name
        size_t before = at;
        while (before >= 1 && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first == before - 1; }) &&
               before >= 2 && other_value_at(before - 2))
            --before;
        bool scoped_by_value = (before >= 1 && other_value_at(before - 1)) ||
                               ((after == "in" || after == "from" || after == "at" || after == "outside") &&
                                (other_value_at(at + 2) || (word(at + 2) == "the" && other_value_at(at + 3))));
        if (!cue && scoped_by_value) {
            scoped_out.emplace_back(at, d);
            continue;
        }
        bool beside_value = std::any_of(values.begin(), values.end(), [&](auto& v) {
            return (v.start + v.length == at || at + 1 == v.start) &&
                   std::any_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return r.first == d; });
        });
        if (beside_value) continue;
        // "each state where we have dealers": where they are, not their rows
        if (!cue && at >= 2 && (word(at - 1) == "have" || word(at - 1) == "had") && (word(at - 2) == "we" || word(at - 2) == "they"))
            continue;
        // "how many Lumens did dealers sell": who sold them, said as the verb's subject, not rows
        if (!cue && word(at).back() == 's') {
            size_t s = at;
            while (s >= 1 && (word(s - 1) == "our" || word(s - 1) == "the" || word(s - 1) == "all")) --s;
            auto verb = word(at + 1);
            // ("states where our stores sold at least 700 units": the stores of the states named before)
            bool relative = s >= 1 && word(s - 1) == "where" &&
                            std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first + 1 < s && x.second != d; });
            if (s >= 1 && (word(s - 1) == "did" || word(s - 1) == "do" || word(s - 1) == "have" || word(s - 1) == "had" || relative) &&
                (verb == "sell" || verb == "sold" || verb == "file" || verb == "filed" || verb == "make" || verb == "made" ||
                 verb == "move" || verb == "moved" || verb == "book" || verb == "booked" || verb == "deliver" || verb == "delivered" ||
                 verb == "write" || verb == "written" || verb == "log" || verb == "logged"))
                continue;
        }
        // "claims where system is not Electrical": the dimension a condition is put on
        if (!cue && at >= 1 && word(at - 1) == "where" && (after == "is" || after == "not" || after == "in")) continue;
        auto f = std::find_if(q.filters.begin(), q.filters.end(), [&](auto& x) { return x.dimension == d && !x.exclude; });
        if (f != q.filters.end() && f->values.size() == 1 && !(at > 0 && (word(at - 1) == "by" || word(at - 1) == "per" || word(at - 1) == "each")))
            continue;
        if (std::none_of(breakdowns.begin(), breakdowns.end(), [&](auto& b) { return b.second == d; })) breakdowns.emplace_back(at, d);
    }
    // "Midwest dealers - top 6 by warranty spend": a ranking ranks the dimension named, even
    // where a value scopes it.
    // So does "the Midwest stores ranked by revenue", "Midwest stores by revenue": the stores in order.
    auto ordered_after = [&](size_t at) {
        auto next = word(at + 1);
        if (next == "ranked" || next == "sorted" || next == "ordered" || next == "rank") return true;
        return next == "by" && std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return m.first == at + 2; });
    };
    if (breakdowns.empty() && scoped_out.size() == 1 && (asked != end_asked::none || ordered_after(scoped_out.front().first)))
        breakdowns.push_back(scoped_out.front());
    // "West dealers -> units each", "Texas stores: revenue for each one": an "each" naming
    // nothing after it is each of the plural named before it
    if (breakdowns.empty() && scoped_out.size() == 1 && word(scoped_out.front().first).back() == 's')
        for (size_t i = scoped_out.front().first + 1; i < t.size(); ++i) {
            auto next = word(i + 1);
            bool names = std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first == i + 1; }) ||
                         std::any_of(values.begin(), values.end(), [&](auto& v) { return v.start == i + 1; }) || year_word(next) ||
                         month_word(next) || quarter_word(next) || week_word(next) || day_word(next) || next == "of";
            if (word(i) == "each" && !names) {
                breakdowns.push_back(scoped_out.front());
                if (next == "1") take(i + 1);  // "each one"
                break;
            }
        }
    // Several values of one dimension asked together ("Cordova and Lumen sales") are one row
    // each, unless they are together the part of a share.
    // ("Battery Pack, Alternator and Starter Motor combined": summed, as one)
    auto together = [&](const std::string& d) {
        size_t end = 0;
        for (auto& v : values)
            if (std::any_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return r.first == d; })) end = std::max(end, v.start + v.length);
        // ("Lumen and Cordova units combined", "the truck and heavy-duty truck segments together")
        for (auto& m : measures_at)
            if (m.first == end) {
                auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == m.first; });
                end += p == phrases.end() ? 1 : p->length;
            }
        for (auto& [at, dim] : dims_at)
            if (at == end && dim == d) ++end;
        auto w = word(end);
        if (w == "combined" || w == "together" || w == "collectively" || (w == "in" && word(end + 1) == "total") ||
            (w == "between" && word(end + 1) == "them"))
            return true;
        // "combined revenue from the luxury sedan and sports coupe segments - one number please"
        size_t first = t.size();
        for (auto& v : values)
            if (std::any_of(v.readings.begin(), v.readings.end(), [&](auto& r) { return r.first == d; })) first = std::min(first, v.start);
        for (size_t k = 0; k < first; ++k)
            if (word(k) == "combined" || word(k) == "together" || word(k) == "collectively") return true;
        for (size_t k = 0; k + 1 < t.size(); ++k)
            if ((word(k) == "1" || word(k) == "single") && (word(k + 1) == "number" || word(k + 1) == "figure")) return true;
        return false;
    };
    for (auto& f : q.filters)
        if (!f.exclude && f.values.size() > 1 && !q.share && !together(f.dimension) &&
            std::none_of(breakdowns.begin(), breakdowns.end(), [&](auto& b) { return b.second == f.dimension; }))
            breakdowns.emplace_back(t.size(), f.dimension);
    // "best-selling model in each region": rank within the dimension after "each"/"every"/"per"
    // when another dimension is the one ranked.
    // "In each region, which month had the highest revenue": the months ranked within each region
    // "rank every dealer within its region": the dimension after "within" is the group, before
    // one after "each"/"every"/"per"
    auto within = [&](size_t at) {
        if (at == 0 || at >= t.size()) return 0;
        // ("at each Texas dealership": the value said between)
        for (auto v = values.begin(); at > 0 && v != values.end();)
            if (v->start + v->length == at && !v->readings.empty() && v->start > 0) at = v->start, v = values.begin();
            else ++v;
        // ("of every model-and-component combination, which 4": the pairs, ranked as one list)
        auto phrase_end = [&](size_t k) {
            auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == k; });
            return k + (p == phrases.end() ? 1 : p->length);
        };
        if (size_t next = phrase_end(at); word(next) == "and" && std::any_of(dims_at.begin(), dims_at.end(), [&](auto& x) { return x.first == next + 1; })) {
            auto w = word(phrase_end(next + 1));
            if (w == "combination" || w == "combinations" || w == "combo" || w == "combos" || w == "pair" || w == "pairs") return 0;
        }
        if (at >= 2 && word(at - 1) == "own") --at;  // "within their own state"
        auto before = word(at - 1);
        if (before == "within" ||
            ((before == "their" || before == "its" || before == "the" || before == "each") && at >= 2 && word(at - 2) == "within"))
            return 2;
        return before == "each" || before == "every" || before == "per" ? 1 : 0;
    };
    int strongest = 0;
    for (auto& b : breakdowns) strongest = std::max(strongest, within(b.first));
    auto group_by_it = [&](size_t at, const std::string& d) {  // the words that said it are read
        q.limit_per = d;
        take(at - 1);
        if (word(at - 1) != "within" && word(at - 2) == "within") take(at - 2);
    };
    bool ranked_time = breakdowns.size() == 1 && q.grain != time_grain::none && singular_time;
    if (asked != end_asked::none && (breakdowns.size() >= 2 || ranked_time)) {
        for (auto& [at, d] : breakdowns)
            if (strongest > 0 && within(at) == strongest) group_by_it(at, d);
    }
    // "rank dealers within their region by gross profit", "rank the components within each
    // system, most expensive first": every row, ranked within the dimension named after
    // "within"/"each", unless a number limits it
    if (rank_verb != SIZE_MAX && breakdowns.size() >= 2 && !q.limit) {
        if (q.limit_per.empty())
            for (auto& [at, d] : breakdowns) {
                if (within(at) == 0 || within(at) < strongest) continue;
                group_by_it(at, d);
                break;
            }
        if (!q.limit_per.empty()) {
            q.rank_all = true;
            if (asked == end_asked::none) {
                asked = end_asked::high;
                rank_at = rank_verb;
            }
        }
    }
    // "how many dealers…", "number of KPIs…": the count of a dimension's values, unless the noun
    // is what a measure counts ("how many cars": units).
    for (auto& counted : counted_dims) {
        size_t at = counted.first;  // a plain name, as the lambdas capture it (clang 14)
        auto& d = counted.second;
        bool fact = false;
        for (auto& [st, m] : lx.per_names)
            if (st.size() == 1 && st[0] == t[at].stem) fact = true;
        // "how many parts are on hand at Toluca": the measure named is a count of those parts
        // ("parts on hand"), unless a condition picks some of them to count
        if (thresholds.empty() && conditions_at.empty())
            for (auto& m : q.measures)
                if (auto* x = model.measure(m))
                    for (auto& n : x->names) {
                        auto st = stems_of(words_of(n));
                        if (st.size() > 1 && st.front() == t[at].stem) fact = true;
                    }
        if (fact || !q.count_of.empty()) continue;
        q.count_of = d;
        // "how many plant and component combinations": the pairs of both are counted
        auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == at; });
        size_t next = at + (p == phrases.end() ? 1 : p->length);
        auto other = std::find_if(breakdowns.begin(), breakdowns.end(), [&](auto& b) { return b.first == next + 1; });
        // (or a row the model names as the pair: "how many plant-component lines")
        auto pairs = [&](size_t k) {
            auto w = word(k);
            auto named = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == k && x.e->what == kind::dimension; });
            auto* combined = named == phrases.end() ? nullptr : model.dimension(std::string(named->e->target));
            return w == "combinations" || w == "combination" || w == "combos" || w == "pairs" || (combined && !combined->combines.empty());
        };
        // "how many lines are below ROP": the pair a row is named for
        auto same = std::find_if(counted_dims.begin(), counted_dims.end(), [&](auto& b) { return b.first == at && b.second != d; });
        if (same != counted_dims.end()) {
            q.count_with = same->second;
        } else if (auto adjacent = std::find_if(breakdowns.begin(), breakdowns.end(), [&](auto& b) { return b.first == next && b.second != d; });
                   adjacent != breakdowns.end()) {
            // "how many plant-component lines": the two said before the pair's own name
            auto q2 = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == next; });
            if (pairs(next + (q2 == phrases.end() ? 1 : q2->length))) {
                q.count_with = adjacent->second;
                breakdowns.erase(adjacent);
            }
        }
        if (q.count_with.empty() && word(next) == "and" && other != breakdowns.end() && other->second != d) {
            auto q2 = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == other->first; });
            if (pairs(other->first + (q2 == phrases.end() ? 1 : q2->length))) {
                q.count_with = other->second;
                breakdowns.erase(other);
            }
        }
    }
    // "how many lines are below reorder at San Antonio": a measure that counts those very rows
    // (each row of its cubes, where the condition the model builds on it holds) is the count
    if (!q.count_of.empty() && conditions_at.empty() && thresholds.empty()) {
        std::set<std::string> counted{q.count_of};
        if (!q.count_with.empty()) counted.insert(q.count_with);
        for (auto& [at, m] : measures_at) {
            auto* d = model.measure(m);
            bool rows_counted = d && d->unit == "count" && !d->is_derived() &&
                                std::any_of(model.conditions.begin(), model.conditions.end(), [&](auto& c) {
                                    return c.measure == d->name && c.op == ">" && c.threshold == 0;
                                }) &&
                                std::all_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) {
                                    return !c.has_measure(d->name) || std::set<std::string>(c.grain.begin(), c.grain.end()) == counted;
                                });
            if (rows_counted) {
                q.count_of.clear();
                q.count_with.clear();
                break;
            }
        }
    }
    // "in how many months of 2025 did we hit the target": the months the condition holds in
    // ("the number of months", "# mos": how many)
    if (q.count_of.empty() && !conditions_at.empty()) {
        for (size_t i = 2; i < t.size(); ++i) {
            auto w = word(i);
            bool periods = w.back() == 's' && (month_word(w) || quarter_word(w) || year_word(w));
            bool how_many = (word(i - 1) == "many" && word(i - 2) == "how") || word(i - 1) == "number" ||
                            (word(i - 1) == "of" && (word(i - 2) == "number" || word(i - 2) == "count"));
            if (how_many && periods) {
                auto g = month_word(w) ? time_grain::month : quarter_word(w) ? time_grain::quarter : time_grain::year;
                if (q.grain != time_grain::none && q.grain != g) break;
                q.grain = time_grain::none;  // the months are counted, not listed
                q.count_of = to_string(g);
                take(i);
                break;
            } else if (word(i - 1) == "many" && word(i - 2) == "how" && word(i) == "of") {
                // "how many of the last 12 months were off target": the period's months, counted
                for (size_t k = i + 1; k < t.size() && k <= i + 4; ++k)
                    if (word(k) == "months" || word(k) == "quarters") {
                        auto g = word(k) == "months" ? time_grain::month : time_grain::quarter;
                        if (q.grain != time_grain::none && q.grain != g) break;
                        q.grain = time_grain::none;
                        q.count_of = to_string(g);
                        take(i);
                        break;
                    }
                break;
            }
        }
    }
    // "average units per dealer": the mean over that dimension's values; "average monthly units
    // per region" is a mean per month for each region
    if (q.average_over == "?" && q.grain == time_grain::none)
        for (auto it = breakdowns.begin(); it != breakdowns.end(); ++it)
            if (it->first > 0 && it->first < t.size() && (word(it->first - 1) == "per" || word(it->first - 1) == "a")) {
                // "average cost per claim, per region": a mean already, so one per region
                auto mean = [&](const std::string& m) {
                    auto* d = find_measure(model, q, m);
                    return d && (d->is_derived() || d->how == aggregate::avg);
                };
                if (!q.measures.empty() && std::all_of(q.measures.begin(), q.measures.end(), mean)) break;
                // "average warranty claim cost per component": where the model names the average
                // of a measure ("average warranty cost" is the cost per claim), that is each one's
                auto measures = q.measures;
                for (auto& m : measures) {
                    auto* d = find_measure(model, q, m);
                    if (!d || d->is_derived()) continue;
                    for (auto& avg : model.measures)
                        if (avg.is_derived() && std::any_of(d->names.begin(), d->names.end(), [&](auto& n) {
                                return std::find(avg.names.begin(), avg.names.end(), "average " + n) != avg.names.end();
                            })) {
                            replace_measure(m, avg.name);
                            break;
                        }
                }
                if (!q.measures.empty() && std::all_of(q.measures.begin(), q.measures.end(), mean)) {
                    q.average_over.clear();
                    break;
                }
                // "average warranty cost per component": the mean over components, or each
                // component's cost per claim? Counts ("average units per dealer") are not in doubt.
                for (auto& m : q.measures) {
                    auto* d = find_measure(model, q, m);
                    if (!d || d->fact_count || mean(m)) continue;
                    bool per_fact = std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& cube) {
                        return cube.has_measure(m) && std::any_of(model.measures.begin(), model.measures.end(), [&](auto& c) {
                                   return c.fact_count && cube.has_measure(c.name);
                               });
                    });
                    // "average revenue per dealer in each region": the mean across them, region by region
                    if (per_fact && q.problem.empty() && breakdowns.size() == 1)
                        q.problem = fmt::format("'average {0} per {1}' could be the average across {1}s or each {1}'s average: "
                                                "say 'average {0} across {1}s' or 'average {0} by {1}'",
                                                d->names.empty() ? m : d->names.front(), it->second);
                }
                q.average_over = it->second;
                breakdowns.erase(it);
                break;
            }
    for (auto& [at, d] : breakdowns) q.group_by.push_back(d);
    if (!q.count_of.empty()) {
        bool periods_counted = q.count_of == "month" || q.count_of == "quarter" || q.count_of == "year";
        q.group_by.erase(std::remove(q.group_by.begin(), q.group_by.end(), q.count_of), q.group_by.end());
        if (q.measures.empty() || !q.named_measure || implied) {
            // members are counted where they have rows: measured by the smallest cube that has them
            q.measures.clear();
            for (auto& h : q.having) q.measures.push_back(h.measure);
            std::vector<std::string> needed = q.group_by;
            if (!periods_counted) needed.push_back(q.count_of);
            for (auto& f : q.filters) needed.push_back(f.dimension);
            // an implied measure the cubes with those dimensions hold ("dealers that sold…"),
            // else the first measure of the smallest such cube
            if (q.measures.empty() && implied)
                for (auto& [at, m] : weak_measures_at) {
                    auto leaves = leaves_of(model, q, m);
                    bool held = std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& cube) {
                        return std::all_of(needed.begin(), needed.end(), [&](auto& d) { return cube.has_dimension(d); }) &&
                               std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); });
                    });
                    if (held) {
                        q.measures.push_back(m);
                        break;
                    }
                }
            const cube_def* best = nullptr;
            for (auto& cube : model.cubes)
                if (std::all_of(needed.begin(), needed.end(), [&](auto& d) { return cube.has_dimension(d); }) &&
                    (!best || cube.rows < best->rows))
                    best = &cube;
            if (q.measures.empty() && best) q.measures.push_back(best->measures.front().first);
        }
    }
}

void question_reader::reading::condition_rows() {
    // "list everything below reorder point": a condition holds of rows, so with no breakdown
    // the rows are the grain of the one cube that holds the condition's measure.
    // "parts below reorder point": a condition said of the cube's rows (a stock position) keeps
    // them, where no measure is named that the rows would be summed for
    bool compared = std::any_of(q.having.begin(), q.having.end(), [](auto& h) { return !h.other.empty(); });
    // ("parts with a lead time over 30 days": so does a threshold on a row's own attribute, a
    // measure its cube keeps the largest or smallest of)
    auto attribute = [&](const std::string& m) {
        auto* d = model.measure(m);
        return d && d->how && (*d->how == aggregate::max || *d->how == aggregate::min);
    };
    bool attributes = conditions_at.empty() && !thresholds.empty() && !measures_at.empty() &&
                      std::all_of(thresholds.begin(), thresholds.end(), [&](auto& th) {
                          return (th.second.measure.empty() || attribute(th.second.measure)) && th.second.other.empty();
                      }) &&
                      std::all_of(measures_at.begin(), measures_at.end(), [&](auto& m) { return attribute(m.second); });
    // (measures named only to say the condition again, "(days of cover less than lead time)",
    // are no measure to sum)
    bool restated = std::all_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
        auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == m.first; });
        size_t end = m.first + (p == phrases.end() ? 1 : p->length);
        return std::any_of(q.having.begin(), q.having.end(), [&](auto& h) { return h.measure == m.second || h.other == m.second; }) ||
               std::any_of(thresholds.begin(), thresholds.end(), [&](auto& th) {
                   return th.second.measure == m.second || th.second.other == m.second ||
                          (th.second.measure.empty() && !th.second.other.empty() && (end == th.first || end + 1 == th.first));
               });
    });
    bool coarser = !q.group_by.empty() && ((restated && (!conditions_at.empty() || compared)) || attributes);
    // ("total shortfall by plant for parts below reorder point": the measure summed over the
    // plant's parts below it, which a condition on the plant's sums cannot pick out)
    bool summed_rows = !q.group_by.empty() && !coarser && !conditions_at.empty() && q.grain == time_grain::none && !q.share;
    if ((conditions_at.empty() && !compared && !coarser) || (!q.group_by.empty() && !coarser && !summed_rows) || q.grain != time_grain::none ||
        q.share || !q.count_of.empty())
        return;
    const cube_def* only = nullptr;
    for (auto& h : q.having)
        for (auto& cube : model.cubes)
            if (cube.has_measure(h.measure) || (!h.other.empty() && [&] {
                    auto leaves = leaves_of(model, q, h.measure), more = leaves_of(model, q, h.other);
                    leaves.insert(leaves.end(), more.begin(), more.end());
                    return std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); });
                }())) {
                if (only && only != &cube) return;
                only = &cube;
            }
    for (auto& m : measures_at)
        for (auto& cube : model.cubes)
            if (attributes && cube.has_measure(m.second)) {
                if (only && only != &cube) return;
                only = &cube;
            }
    if (!only) return;
    // a dimension of the cube's grain the rows need not show: filtered to one value
    auto one_value = [&](const std::string& d) {
        return std::any_of(q.filters.begin(), q.filters.end(), [&](auto& f) { return f.dimension == d && !f.exclude && f.values.size() == 1; });
    };
    if (summed_rows) {
        if (!only->time.empty()) return;
        for (auto& g : only->grain)
            if (std::find(q.group_by.begin(), q.group_by.end(), g) == q.group_by.end() && !one_value(g) && q.problem.empty()) {
                auto c = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) { return p.e->what == kind::condition; });
                std::string said;
                for (size_t k = c->start; k < c->start + c->length; ++k) said += (said.empty() ? "" : " ") + t[k].word;
                q.problem = fmt::format("'{}' holds of each {} apart: summed by {}, the rows would count the ones it does not hold of",
                                        said, spoken(only->grain.back()), spoken(q.group_by.front()));
            }
        return;
    }
    if (coarser) {
        if (q.limit || !only->time.empty()) return;
        for (auto& g : q.group_by)
            if (std::find(only->grain.begin(), only->grain.end(), g) == only->grain.end()) return;
        std::vector<std::string> rows;
        for (auto& g : only->grain)
            if (std::find(q.group_by.begin(), q.group_by.end(), g) != q.group_by.end() || !one_value(g)) rows.push_back(g);
        q.group_by = rows;
        return;
    }
    // "across all lines below reorder point, the total shortfall": one sum over the rows the
    // condition holds of, which the rows' own sums cannot give
    bool total = std::any_of(words.begin(), words.end(), [](auto& w) {
        return w == "total" || w == "sum" || w == "overall" || w == "altogether" || w == "combined";
    });
    if (total && !restated && !conditions_at.empty() && q.problem.empty()) {
        auto c = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) { return p.e->what == kind::condition; });
        std::string said;
        for (size_t k = c->start; k < c->start + c->length; ++k) said += (said.empty() ? "" : " ") + t[k].word;
        q.problem = fmt::format("'{}' holds of each {} apart: a total over only those is not pre-computed", said, spoken(only->grain.back()));
    }
    for (auto& g : only->grain)
        if (g != only->time && only->has_dimension(g)) q.group_by.push_back(g);
}

void question_reader::reading::complete_measures() {
    bool mean_asked = !q.average_over.empty();
    complete_named_measures();
    // "customer KPIs last month with gap to target": a measure computed per value of a dimension
    // (a KPI's gap, actual - target) is shown beside the measures it is computed from that an
    // answer shows by default, which say what it is a gap between
    for (size_t i = 0, n = q.measures.size(); i < n; ++i) {
        auto* d = find_measure(model, q, q.measures[i]);
        if (!d || !d->is_derived() || d->per.empty()) continue;
        for (auto& part : d->derived.names())
            if (auto* p = model.measure(part); p && p->shown_by_default && std::find(q.measures.begin(), q.measures.end(), part) == q.measures.end())
                q.measures.push_back(part);
    }
    // "cars sold with GAP insurance", "units by F&I product": the sales counted by the measure
    // that counts those of them with a product, whose cubes hold the product
    // "the F&I product mix": a share of what the breakdown's cube counts
    if (q.measures.empty() && q.share && !q.group_by.empty() && q.grain == time_grain::none) {
        const cube_def* best = nullptr;
        for (auto& cube : model.cubes)
            if (std::all_of(q.group_by.begin(), q.group_by.end(), [&](auto& d) { return cube.has_dimension(d); }) &&
                std::all_of(q.filters.begin(), q.filters.end(), [&](auto& f) { return cube.has_dimension(f.dimension); }) &&
                (!best || cube.rows < best->rows))
                best = &cube;
        if (best)
            for (auto& [m, how] : best->measures)
                if (auto* d = model.measure(m); d && d->fact_count && q.measures.empty()) q.measures.push_back(m);
    }
    // "cars sold with an F&I product" / "without any F&I product": of the facts a measure counts,
    // those with a value of a dimension are what its subset measure counts where the whole's
    // cubes lack that dimension (fi_units of units); those without, the whole less the subset.
    // A share of those with one is the subset over the whole.
    auto subset_for = [&](const std::string& dim) -> const measure_def* {
        for (auto& sub : model.measures) {
            if (sub.subset_of.empty() || std::find(q.measures.begin(), q.measures.end(), sub.subset_of) == q.measures.end()) continue;
            bool whole_has = false, sub_has = false;
            for (auto& c : model.cubes) {
                whole_has = whole_has || (c.has_measure(sub.subset_of) && c.has_dimension(dim));
                sub_has = sub_has || (c.has_measure(sub.name) && c.has_dimension(dim));
            }
            if (sub_has && !whole_has) return &sub;
        }
        return nullptr;
    };
    for (int pass = 0; pass < 2; ++pass) {
        auto& dim = pass == 0 ? without_dim : with_any_dim;
        auto& text = pass == 0 ? without_text : with_any_text;
        if (dim.empty()) continue;
        bool unsplit = std::none_of(q.group_by.begin(), q.group_by.end(), [&](auto& d) { return d == dim; }) &&
                       std::none_of(q.filters.begin(), q.filters.end(), [&](auto& f) { return f.dimension == dim; });
        if (!unsplit && pass == 1) continue;  // "by F&I product (the ones with a product)": so each row is
        auto* sub = unsplit && q.measures.size() == 1 ? subset_for(dim) : nullptr;
        if (!sub) {
            if (q.problem.empty())
                q.problem = fmt::format("'{}': facts {} are not kept apart in the pre-computed data", spoken(text),
                                        pass == 0 ? "without one" : "with one");
            continue;
        }
        auto whole = sub->subset_of;
        if (pass == 0) {
            auto name = whole + "_without_" + dim;
            replace_measure(whole, define(name, whole + " - " + sub->name, model.measure(whole)->unit, model.measure(whole)->higher_is_better));
        } else if (q.share) {
            // "what percent of cars went out with an F&I product": of all of them
            auto* w = model.measure(whole);
            replace_measure(whole, define(sub->name + "_share", sub->name + " / " + whole + " * 100", "percent", w->higher_is_better));
            q.share = false;
        } else {
            replace_measure(whole, sub->name);
        }
        if (q.rank_measure == whole) q.rank_measure = q.measures.front();
        for (auto& h : q.having)
            if (h.measure == whole) h.measure = q.measures.front();
    }
    // "claims excluding repeat repairs": the whole less the part; "warranty cost excluding repeat
    // repairs": less the part of the cost those facts carry (a measure with `facts`)
    if (!excluded_measure.empty()) {
        auto* part = model.measure(excluded_measure);
        if (q.measures.empty()) q.measures.push_back(part->subset_of);
        for (auto m : std::vector<std::string>(q.measures)) {
            const measure_def* sub = m == part->subset_of ? part : nullptr;
            for (auto& x : model.measures)
                if (!sub && x.subset_of == m && x.facts == excluded_measure) sub = &x;
            if (!sub) {
                if (q.problem.empty())
                    q.problem = fmt::format("'{}': the {} of those is not kept apart in the pre-computed data", excluded_text, spoken(m));
                break;
            }
            auto* whole = model.measure(m);
            auto name = define(m + "_excluding_" + excluded_measure, m + " - " + sub->name, whole->unit, whole->higher_is_better);
            replace_measure(m, name);
            if (q.rank_measure == m) q.rank_measure = name;
            for (auto& h : q.having)
                if (h.measure == m) h.measure = name;
        }
    }
    // "warranty cost by region, repeat repairs vs first-time repairs": another measure split
    // between a part of the facts and the rest, which are rows, not columns of counts
    for (auto& part : model.measures) {
        if (part.subset_of.empty() || std::find(q.measures.begin(), q.measures.end(), part.name) == q.measures.end()) continue;
        auto rest = std::find_if(q.measures.begin(), q.measures.end(), [&](auto& m) {
            auto* d = find_measure(model, q, m);
            auto names = d && d->is_derived() ? d->derived.names() : std::vector<std::string>{};
            return names.size() == 2 && names[0] == part.subset_of && names[1] == part.name && d->derived.text().find('-') != std::string::npos;
        });
        bool other = std::any_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
            return m != part.name && m != part.subset_of && (rest == q.measures.end() || m != *rest);
        });
        if (rest != q.measures.end() && other && q.problem.empty())
            q.problem = fmt::format("'{}' split between {} and the rest is not pre-computed as rows", spoken(q.measures.front()),
                                    spoken(part.name));
    }
    // "what was plant capacity utilization last month, and what's the target": a KPI named by
    // its value is asked for its actual; its target alone is shown beside it
    // beside it (the other measures its cube shows by default, per the same dimension)
    if (q.measures.size() == 1 && q.having.empty() && q.compare.empty())
        if (auto* named = model.measure(q.measures[0]); named && named->shown_by_default && !named->per.empty() &&
                                                         std::any_of(q.filters.begin(), q.filters.end(), [&](auto& f) {
                                                             return !f.exclude && f.values.size() == 1 && f.dimension == named->per.front();
                                                         })) {
            std::vector<std::string> shown;
            for (auto& m : model.measures)
                if (m.shown_by_default && m.per == named->per &&
                    std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) { return c.has_measure(m.name) && c.has_measure(named->name); }))
                    shown.push_back(m.name);
            if (shown.size() > 1) q.measures = shown;
        }
    // "how much of our warranty cost comes from repeat repairs, as a percentage": the part of
    // the whole the named part of the facts carries (repeat_cost of claim_cost)
    if (q.share && q.measures.size() == 2 && q.group_by.empty() && q.filters.empty())
        for (auto& x : model.measures) {
            if (x.subset_of != q.measures[0] || (x.facts != q.measures[1] && x.name != q.measures[1])) continue;
            auto whole = q.measures[0];
            auto* w = model.measure(whole);
            auto name = define(x.name + "_share_of_" + whole, x.name + " / " + whole + " * 100", "percent", !w->higher_is_better);
            q.measures = {name};
            q.share = false;
            break;
        }
    // never in a share or a rate, whose whole would be the narrower count ("what percent of cars
    // went out with an extended warranty": of all cars)
    bool part_of_whole = q.share || std::any_of(words.begin(), words.end(), [](auto& w) {
        return w == "percent" || w == "pct" || w == "percentage" || w == "share" || w == "fraction" || w == "proportion" ||
               w == "rate" || w == "ratio" || w == "portion" || w == "part";
    });
    if (!part_of_whole)
        for (auto& sub : model.measures) {
            if (sub.subset_of.empty() || std::find(q.measures.begin(), q.measures.end(), sub.subset_of) == q.measures.end()) continue;
            auto holds = [&](const std::string& measure, const std::string& dim) {
                return std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) { return c.has_measure(measure) && c.has_dimension(dim); });
            };
            std::vector<std::string> dims = q.group_by;
            for (auto& f : q.filters)
                if (!f.exclude) dims.push_back(f.dimension);
            bool narrows = std::any_of(dims.begin(), dims.end(), [&](auto& d) { return !holds(sub.subset_of, d) && holds(sub.name, d); });
            bool excluded = std::any_of(q.filters.begin(), q.filters.end(), [&](auto& f) { return f.exclude && !holds(sub.subset_of, f.dimension); });
            if (narrows && !excluded) {
                replace_measure(sub.subset_of, sub.name);
                if (q.rank_measure == sub.subset_of) q.rank_measure = sub.name;
                for (auto& h : q.having)
                    if (h.measure == sub.subset_of) h.measure = sub.name;
            }
        }
    // "market share last 3 months": a monthly figure that is averaged, not added, over months
    // is shown month by month, unless its mean was asked for
    auto averaged = [&](const std::string& m) {
        auto* d = find_measure(model, q, m);
        if (!d) return false;
        auto leaves = leaves_of(model, q, m);
        return !leaves.empty() && std::all_of(leaves.begin(), leaves.end(), [&](auto& l) {
            auto* x = model.measure(l);
            return x && !x->is_derived() && x->how == aggregate::avg;
        });
    };
    if (!mean_asked && q.grain == time_grain::none && q.window && q.window->from.substr(0, 7) != q.window->to.substr(0, 7) &&
        q.group_by.empty() && q.compare.empty() && q.having.empty() && q.count_of.empty() && !q.share && !q.measures.empty() &&
        std::all_of(q.measures.begin(), q.measures.end(), averaged))
        q.grain = time_grain::month;
}

void question_reader::reading::complete_named_measures() {
    // No measure named, and a condition that says what shows it ("below reorder point": the
    // stock and the reorder point it is below)
    // ("where on-hand stock is below the reorder point": a part of it named, all of it shown)
    for (auto& [at, name] : conditions_at)
        for (auto& c : model.conditions) {
            bool part = std::any_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
                return std::find(c.shows.begin(), c.shows.end(), m) != c.shows.end();
            });
            if (c.name == name && (q.measures.empty() || part))
                for (auto& m : c.shows)
                    if (std::find(q.measures.begin(), q.measures.end(), m) == q.measures.end()) q.measures.push_back(m);
        }
    // "Operations KPIs for last month with their targets": the rows' own figures, and those too —
    // a measure shown by default said after "with" adds to the others its cube shows by default
    if (q.measures.size() == 1 && !q.group_by.empty()) {
        auto* named = model.measure(q.measures.front());
        bool with = std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
            return m.second == q.measures.front() && m.first >= 1 && word(m.first - 1) == "with";
        });
        if (named && named->shown_by_default && with) {
            std::set<std::string> shown;
            for (auto& cube : model.cubes)
                if (cube.has_measure(named->name))
                    for (auto& [m, how] : cube.measures)
                        if (auto* d = model.measure(m); d && d->shown_by_default) shown.insert(m);
            q.measures.clear();
            for (auto& m : model.measures)
                if (shown.count(m.name)) q.measures.push_back(m.name);
        }
    }
    // No measure named, but dimensions, values or conditions that only some cubes hold: those
    // cubes' default measures, when they agree ("Net promoter score last month").
    if (q.measures.empty() && (!q.filters.empty() || !q.group_by.empty() || !q.having.empty())) {
        std::set<std::string> defaults;
        bool agree = true, any = false;
        for (auto& cube : model.cubes) {
            bool fits = std::all_of(q.group_by.begin(), q.group_by.end(), [&](auto& d) { return cube.has_dimension(d); }) &&
                        std::all_of(q.filters.begin(), q.filters.end(), [&](auto& f) { return cube.has_dimension(f.dimension); }) &&
                        std::all_of(q.having.begin(), q.having.end(), [&](auto& h) {
                            auto leaves = leaves_of(model, q, h.measure);
                            return std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); });
                        });
            if (!fits) continue;
            std::set<std::string> mine;
            for (auto& [m, how] : cube.measures)
                if (auto* d = model.measure(m); d && d->shown_by_default) mine.insert(m);
            if (mine.empty()) continue;
            if (any && mine != defaults) agree = false;
            defaults = mine;
            any = true;
        }
        if (any && agree)
            for (auto& m : model.measures)
                if (defaults.count(m.name)) q.measures.push_back(m.name);
    }

    // Implied measures ("sales", "how many", "popular"): of those a cube can answer with the
    // question's dimensions, the first the model declares.
    if (implied && q.measures.size() > 1 && q.count_of.empty()) {
        std::vector<std::string> dims = q.group_by;
        for (auto& f : q.filters) dims.push_back(f.dimension);
        std::vector<std::string> fits;
        for (auto& m : q.measures) {
            auto leaves = leaves_of(model, q, m);
            for (auto& cube : model.cubes)
                if (std::all_of(leaves.begin(), leaves.end(), [&](auto& l) { return cube.has_measure(l); }) &&
                    std::all_of(dims.begin(), dims.end(), [&](auto& d) { return cube.has_dimension(d); })) {
                    fits.push_back(m);
                    break;
                }
        }
        q.measures = {fits.empty() ? q.measures.front() : fits.front()};
    }

    // "average": per a time grain or a dimension asked for ("average monthly units", "average
    // units per dealer"); a mean or ratio is one already ("average margin"); an additive
    // measure otherwise averages over its facts ("average revenue" per vehicle sold).
    // "models averaging over $1,200 per claim": the average is the threshold's mean per fact
    if (q.average_over == "?")
        for (auto& [at, c] : thresholds) {
            auto* d = c.measure.empty() ? nullptr : model.measure(c.measure);
            if (!d || !d->is_derived() || d->derived.names().size() != 2) continue;
            auto* fact = model.measure(d->derived.names()[1]);
            if (!fact || !fact->fact_count) continue;
            if (std::all_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
                    auto* x = find_measure(model, q, m);
                    return x && x->fact_count;
                }))
                q.measures = {c.measure};
            q.average_over.clear();
        }
    if (q.average_over == "?") {
        auto is_mean = [&](const std::string& m) {
            auto* d = find_measure(model, q, m);
            return d && (d->is_derived() || d->how == aggregate::avg);
        };
        bool all_means = std::all_of(q.measures.begin(), q.measures.end(), is_mean);
        // "average monthly days to sell": the mean of the months' values, said as one adjective
        bool per_period_adjective = false;
        for (size_t i = 0; i + 1 < words.size(); ++i) {
            if (!(words[i] == "average" || words[i] == "avg" || words[i] == "mean")) continue;
            size_t k = i + 1;  // "the average of the monthly actuals"
            if (k + 1 < words.size() && words[k] == "of") ++k;
            if (k + 1 < words.size() && words[k] == "the") ++k;
            auto per_period = [](const std::string& a) {
                return a == "monthly" || a == "quarterly" || a == "yearly" || a == "annual" || a == "daily";
            };
            // ("Q1 monthly average": the same, said the other way round, when the months are the
            // data's own rows; "quarterly average of turnover in 2025" is each quarter's)
            bool own_grain = std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) {
                return c.time == to_string(q.grain) && !q.measures.empty() && c.has_measure(q.measures.front());
            });
            if (per_period(words[k]) || (i > 0 && per_period(words[i - 1]) && own_grain)) per_period_adjective = true;
        }
        // "avg transmission claim cost month by month": a series of the average, not the
        // average month
        bool series = false;
        for (size_t i = 0; i < words.size(); ++i) {
            bool unit = month_word(words[i]) || quarter_word(words[i]) || year_word(words[i]) || week_word(words[i]);
            if (!unit) continue;
            if (i + 2 < words.size() && words[i + 1] == "by" && words[i + 2] == words[i]) series = true;
        }
        // ("average monthly units by quarter", "… in each year": the quarters' rows, each the
        // mean of its months; "the best month in each year" ranks within the years instead)
        auto coarser = coarsest_grain > q.grain && (each_grain != coarsest_grain || asked == end_asked::none) ? coarsest_grain : time_grain::none;
        if (q.grain != time_grain::none && !all_means && !series) {
            q.average_over = std::string(to_string(q.grain));
            q.grain = coarser;
        } else if (all_means && per_period_adjective && q.grain != time_grain::none) {
            // a mean of monthly means is the mean over the period's rows only where each month
            // is one row averaged ("avg" measures, one value a month); a ratio's is not
            // (a sum or difference of such means is the mean of theirs: "actual - target")
            auto averaged_leaf = [&](const std::string& m) {
                auto* d = find_measure(model, q, m);
                return d && !d->is_derived() && d->how == aggregate::avg;
            };
            bool averaged = std::all_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
                auto* d = find_measure(model, q, m);
                if (!d || !d->is_derived()) return averaged_leaf(m);
                auto text = d->derived.text();
                auto names = d->derived.names();
                return text.find_first_of("*/") == std::string::npos && std::all_of(names.begin(), names.end(), averaged_leaf);
            });
            if (averaged) q.grain = coarser;
            else {
                auto* first = find_measure(model, q, q.measures.front());
                auto grain = std::string(to_string(q.grain));
                q.problem = fmt::format("the mean of {} {} values is not pre-computed: ask for it by {} or for the whole period",
                                        grain == "day" ? "daily" : grain + "ly",
                                        first && !first->names.empty() ? first->names.front() : q.measures.front(), grain);
            }
            q.average_over.clear();
        } else if (all_means) {
            q.average_over.clear();
        } else {
            q.average_over.clear();
            // "average cost of a warranty claim": the claim is what the cost is averaged over
            bool other = std::any_of(q.measures.begin(), q.measures.end(), [&](auto& m) {
                auto* d = find_measure(model, q, m);
                return d && !d->fact_count && !is_mean(m);
            });
            if (other)
                q.measures.erase(std::remove_if(q.measures.begin(), q.measures.end(), [&](auto& m) {
                                     auto* d = find_measure(model, q, m);
                                     return d && d->fact_count;
                                 }),
                                 q.measures.end());
            for (auto& m : q.measures) {
                if (is_mean(m)) continue;
                std::string count;
                for (auto& c : model.measures)
                    if (c.fact_count && count.empty())
                        for (auto& cube : model.cubes)
                            if (cube.has_measure(m) && cube.has_measure(c.name)) { count = c.name; break; }
                if (count.empty() || count == m) {
                    q.problem = "average per what? Say per month, per year, per dealer…";
                    break;
                }
                auto* xm = model.measure(m);
                auto name = define(fmt::format("{}_per_{}", m, count), fmt::format("{} / {}", m, count),
                                   xm && xm->unit == "usd" ? "usd" : "number", !xm || xm->higher_is_better);
                replace_measure(m, name);
            }
        }
    }
}

void question_reader::reading::read_shares_and_thresholds() {
    // A share without a breakdown is the part its filter makes of the whole without it: "what
    // share of 2025 revenue came from the West"; the part is named before the share word when
    // it is ("Orange Blossom Motors' share of Southeast sales").
    if (q.share && q.group_by.empty()) {
        // "of all Southwest revenue, what percentage came from the Texas dealers": a value
        // after the share word, after "from" or "were", is the part
        for (size_t k = 0; k < values.size() && q.share_dimension.empty(); ++k) {
            if (value_dimension[k].empty() || values[k].start <= share_at || share_at == SIZE_MAX || excluded_values.count(k)) continue;
            size_t b = values[k].start;
            while (b > share_at + 1 && (word(b - 1) == "the" || word(b - 1) == "our")) --b;
            auto w = word(b - 1);
            // ("what fraction were for the Battery Pack")
            bool were_for = w == "for" && b >= 2 && (word(b - 2) == "were" || word(b - 2) == "was");
            if (w == "from" || w == "were" || w == "was" || w == "in" || w == "by" || w == "at" || w == "through" || were_for)
                q.share_dimension = value_dimension[k];
        }
        if (q.share_dimension.empty())
            for (size_t k = 0; k < values.size(); ++k)
                if (!value_dimension[k].empty() && values[k].start < share_at && !excluded_values.count(k))
                    q.share_dimension = value_dimension[k];
        if (q.share_dimension.empty())
            for (auto& f : q.filters)
                if (!f.exclude) q.share_dimension = f.dimension;
        // "what share of the year's revenue came in each month": the periods' shares of the whole
        if (q.share_dimension.empty() && q.grain == time_grain::none)
            q.problem = "a share of what? Name the part (\"from the West\") or a breakdown";
    }

    // With a breakdown, a part named before the share word is the part of each row's whole:
    // "Lumen share of units by region", "the electrical system's share of warranty cost in each
    // region" (each region's units, its warranty cost); "the share of Lumen units by region" is
    // each region's share of the Lumen's
    if (q.share && !q.group_by.empty() && share_at != SIZE_MAX)
        for (size_t k = 0; k < values.size(); ++k) {
            if (value_dimension[k].empty() || excluded_values.count(k) || values[k].start >= share_at ||
                std::find(q.group_by.begin(), q.group_by.end(), value_dimension[k]) != q.group_by.end())
                continue;
            size_t end = values[k].start + values[k].length;
            while (end < share_at && (std::any_of(dims_at.begin(), dims_at.end(), [&](auto& d) {
                                          return d.first == end && d.second == value_dimension[k];
                                      }) || word(end) == "s"))
                ++end;  // ("the Electrical system's share"; "each Northeast dealer's share" is the dealers')
            // (a value of a coarser level than a row's scopes the rows: "within the Southeast, how
            // much … did each dealer account for")
            bool coarser = false;
            for (auto& g : q.group_by)
                for (auto* x = model.dimension(g); x && !x->parent.empty() && !coarser; x = model.dimension(x->parent))
                    coarser = x->parent == value_dimension[k];
            if (end == share_at && !coarser) q.share_dimension = value_dimension[k];
        }

    // Thresholds take the measure their number counts ("more than 1,850 cars"), else the
    // measure named right after the number, else the nearest one, else the main one.
    for (size_t k = 0; k < thresholds.size(); ++k) {
        auto& c = thresholds[k].second;
        size_t at = thresholds[k].first;
        std::string m = c.measure;
        // "attach rate (share of cars with a product) below 37%": a percentage is a measure in
        // percent, when one is asked for
        bool percent = c.text.size() > 8 && c.text.substr(c.text.size() - 8) == " percent";
        auto in_percent = [&](const std::string& name) {
            auto* x = find_measure(model, q, name);
            return x && x->unit == "percent";
        };
        bool some_percent = percent && std::any_of(measures_at.begin(), measures_at.end(), [&](auto& x) {
            return in_percent(x.second) && std::find(q.measures.begin(), q.measures.end(), x.second) != q.measures.end();
        });
        if (m.empty()) {
            size_t best = SIZE_MAX;
            for (auto& [mat, name] : measures_at) {
                size_t d = mat > at ? mat - at : at - mat + 1;  // after the number beats before it
                if (some_percent && !in_percent(name)) continue;
                if (d < best && std::find(q.measures.begin(), q.measures.end(), name) != q.measures.end()) { best = d; m = name; }
            }
        }
        if (m.empty() && !q.measures.empty()) m = q.measures.front();
        // "attached an F&I product to fewer than 50% of them": a percentage of a count is the
        // model's rate of it ("F&I penetration" = contracts / units * 100), when it has one
        if (auto* counted = percent && !m.empty() && !q.growth && q.compare.empty() ? find_measure(model, q, m) : nullptr;
            counted && counted->unit == "count") {
            std::string rate;
            for (auto& x : model.measures)
                if (x.unit == "percent" && x.is_derived() && x.derived.names().size() == 2 && x.derived.names()[0] == m &&
                    bare(x.derived.text()) == m + "/" + x.derived.names()[1] + "*100")
                    rate = rate.empty() ? x.name : "?";
            if (!rate.empty() && rate != "?") {
                if (std::find(q.measures.begin(), q.measures.end(), m) != q.measures.end()) replace_measure(m, rate);
                m = rate;
            }
        }
        c.measure = m;
        // "how many vehicles went for more than $60,000": each sale's price, not a count
        auto* md = m.empty() ? nullptr : find_measure(model, q, m);
        if (md && money_conditions.count(k) && md->unit != "usd" && q.problem.empty())
            q.problem = fmt::format("'{}' is an amount of money and {} is not: a condition on each fact's own price or cost is "
                                    "not pre-computed", c.text, m);
        // "how many claims cost more than $3,000": with no rows asked for, the condition is said
        // of each counted fact, which the cubes hold summed
        const measure_def* counted = nullptr;
        for (auto& name : q.measures)
            if (auto* x = find_measure(model, q, name); x && x->fact_count && !counted) counted = x;
        for (size_t i = 2; i < t.size() && !counted; ++i) {  // ("how many individual claims")
            size_t n = word(i) == "individual" || word(i) == "single" || word(i) == "separate" ? i + 1 : i;
            auto fact = n < t.size() ? lx.per_names.find({t[n].stem}) : lx.per_names.end();
            if (word(i - 1) == "many" && word(i - 2) == "how" && fact != lx.per_names.end())
                if (auto* x = model.measure(fact->second); x && x->fact_count) counted = x;
        }
        if (counted && q.group_by.empty() && q.count_of.empty() && q.grain == time_grain::none && q.compare.empty() &&
            q.problem.empty())
            q.problem = fmt::format("'{}' is said of each single one of the {}: the pre-computed data holds them summed, not one by one",
                                    c.text, counted->names.empty() ? counted->name : counted->names.front());
        if (!m.empty()) q.having.push_back(c);
        else q.problem = fmt::format("'{}' of what?", c.text);
    }
    // "which dealers sold no Granite": the breakdown's values whose measure is 0, for one
    // measure that counts or sums facts (a group with no facts has no margin or average)
    // "KPIs that never missed their target": the condition's count is 0, not above it
    bool flipped = false;
    // ("KPIs that didn't hit their target": the other way round, above 0)
    if (!none_word.empty() && q.having.size() == 1 && q.having[0].other.empty() && (q.having[0].op == ">" || q.having[0].op == "=") &&
        q.having[0].value == 0 && !conditions_at.empty()) {
        q.having[0].op = q.having[0].op == ">" ? "=" : ">";
        q.having[0].text = none_word + " " + q.having[0].text;
        flipped = true;
    }
    if (!none_word.empty() && !flipped) {
        auto* m = q.measures.size() == 1 ? model.measure(q.measures.front()) : nullptr;
        bool summed = m && !m->is_derived() && *m->how == aggregate::sum && !m->snapshot;
        bool one_breakdown = (q.group_by.size() == 1 && q.count_of.empty()) || (q.group_by.empty() && !q.count_of.empty() && model.dimension(q.count_of));
        if (summed && one_breakdown && q.grain == time_grain::none && q.compare.empty() && !q.share && q.having.empty() &&
            asked == end_asked::none) {
            measure_condition c;
            c.measure = q.measures.front();
            c.op = "=";
            c.value = 0;
            c.text = "none";
            q.having.push_back(c);
        } else if (q.problem.empty()) {
            q.problem = fmt::format("'{}': what did not happen is answered only as a list of one breakdown's values with none "
                                    "of one counted measure (\"which dealers sold no Granite\")", none_word);
        }
    }
}

void question_reader::reading::read_subset_shares() {
    // "what % of cars sold went out with an Extended Warranty": the share of a count taken by a
    // dimension only a part of its facts carry (the F&I product) is the rate the model declares
    // for that part ("fi_penetration = fi_units / units * 100"), its whole left unfiltered
    if (!q.share || q.share_dimension.empty() || q.measures.size() != 1 || !q.problem.empty()) return;
    auto whole = q.measures.front();
    auto holds = [&](const std::string& m, const std::string& d) {
        return std::any_of(model.cubes.begin(), model.cubes.end(), [&](auto& c) { return c.has_measure(m) && c.has_dimension(d); });
    };
    if (holds(whole, q.share_dimension)) return;
    for (auto& part : model.measures) {
        if (part.subset_of != whole || !holds(part.name, q.share_dimension)) continue;
        if (auto* rate = declared_as(model, part.name + " / " + whole + " * 100")) {
            q.measures = {rate->name};
            q.share = false;
            q.share_dimension.clear();
            return;
        }
    }
}

void question_reader::reading::read_rank_measure() {
    // Ranking: the measure right after the ranking word ("most claims"), else after "by"/"in"/
    // "for" following it, else the main one.
    if (asked != end_asked::none && !q.measures.empty()) {
        std::string m = q.measures.front();
        for (auto& [mat, name] : measures_at)
            if (mat > rank_at && mat > 0 && (word(mat - 1) == "by" || word(mat - 1) == "in" || word(mat - 1) == "for" || word(mat - 1) == "on")) {
                m = name;
                break;
            }
        // "which component cost us the most in warranty claims": the measure said just before
        // the ranking word is the one ranked, over one after "in"
        for (auto& measure : measures_at) {
            size_t mat = measure.first;  // a plain name, as the lambda captures it (clang 14)
            auto& name = measure.second;
            auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == mat; });
            size_t end = mat + (p == phrases.end() ? 1 : p->length);
            while (end < rank_at && (word(end) == "us" || word(end) == "the" || word(end) == "we")) ++end;
            if (end == rank_at) m = name;
        }
        bool by_named = false;
        for (auto& [mat, name] : measures_at)
            if (mat > rank_at && mat > 0 && word(mat - 1) == "by") by_named = true;
        for (auto& [mat, name] : measures_at)
            if (!by_named && (mat == rank_at + 1 || (mat == rank_at + 2 && word(rank_at + 1) == "the"))) m = name;
        // "which models grew the most from 2024 to 2025": ranked by the change between the periods
        // (in % when the words ask for a rate), not by either period's value
        bool by_change = q.growth && q.compare.size() >= 2;
        if (by_change) {
            bool rate = std::any_of(words.begin(), words.end(), [](auto& w) {
                return w == "percent" || w == "percentage" || w == "pct" || w == "rate" || w == "fastest" || w == "faster";
            });
            m = rate ? "change_pct" : "change";
        }
        if (!q.count_of.empty()) m = q.count_column();
        else if (!by_change && std::find(q.measures.begin(), q.measures.end(), m) == q.measures.end()) q.measures.push_back(m);
        q.rank_measure = m;
        auto* d = find_measure(model, q, m);
        bool higher_better = !d || d->higher_is_better;
        // "the best Days to sell reading": which way is better differs from KPI to KPI, so the
        // question must say it ("(lower is better)"), or say highest or lowest
        if ((asked == end_asked::best || asked == end_asked::worst) && d && d->better_varies) {
            std::optional<bool> said;
            for (size_t i = 0; i + 2 < words.size(); ++i)
                if (words[i + 1] == "is" && words[i + 2] == "better" && (words[i] == "lower" || words[i] == "higher"))
                    said = words[i] == "higher";
            if (said) higher_better = *said;
            else if (q.problem.empty())
                q.problem = fmt::format("'{}' {}: which way is better differs by {}; say highest or lowest",
                                        asked == end_asked::best ? "best" : "worst", spoken(m), d->per.front());
        }
        switch (asked) {
            case end_asked::high: q.direction = sort_direction::desc; break;
            case end_asked::low: q.direction = sort_direction::asc; break;
            case end_asked::best: q.direction = higher_better ? sort_direction::desc : sort_direction::asc; break;
            case end_asked::worst: q.direction = higher_better ? sort_direction::asc : sort_direction::desc; break;
            case end_asked::none: break;
        }
        // "the biggest drop": the largest fall is the most negative change
        if (by_change && std::any_of(words.begin(), words.end(), [](auto& w) { return falling_word(w); }))
            q.direction = q.direction == sort_direction::desc ? sort_direction::asc : sort_direction::desc;
        // "which model has the most…", "the best-selling dealer", "which month…": one row,
        // unless the noun is plural or a number was given, or every row is ranked ("Dealer GP
        // rank within region")
        if (!q.limit && !q.rank_all) {
            bool singular = false;
            for (auto& breakdown : breakdowns) {
                size_t at = breakdown.first;  // a plain name, as the lambdas capture it (clang 14)
                auto& dim = breakdown.second;
                if (at >= t.size() || dim == q.limit_per) continue;
                // (the noun is the name's last word: "F&I products")
                auto named = std::find_if(phrases.begin(), phrases.end(), [&](auto& p) { return p.start == at; });
                auto& w = t[named == phrases.end() ? at : std::min(at + named->length, t.size()) - 1].word;
                // "list every component, lowest first": all of them, in that order; "growth by
                // model": each of them
                bool all = at > 0 && (word(at - 1) == "every" || word(at - 1) == "each" || word(at - 1) == "all" || word(at - 1) == "by");
                // "which of our Florida stores moved the most": one of them
                size_t k = at;
                while (k > 0 && (word(k - 1) == "our" || word(k - 1) == "the" || word(k - 1) == "these" ||
                                 std::any_of(values.begin(), values.end(), [&](auto& v) { return v.start + v.length == k; }))) {
                    auto v = std::find_if(values.begin(), values.end(), [&](auto& x) { return x.start + x.length == k; });
                    k = v != values.end() && word(k - 1) != "our" && word(k - 1) != "the" && word(k - 1) != "these" ? v->start : k - 1;
                }
                bool one_of = k >= 2 && word(k - 1) == "of" && (word(k - 2) == "which" || word(k - 2) == "who");
                singular = (!(w.size() > 3 && w.back() == 's') && !all) || one_of;
            }
            // "highest first", "sorted descending", "order by desc": an order, not one row
            for (size_t i = 1; i < t.size(); ++i)
                if ((word(i) == "first" && (rank_word(word(i - 1)) != end_asked::none || (i > 1 && rank_word(word(i - 2)) != end_asked::none))) ||
                    order_word(word(i)))
                    singular = false;  // ("fastest-growing first")
            bool each_one = std::all_of(breakdowns.begin(), breakdowns.end(), [&](auto& b) { return b.second == q.limit_per; });
            if (each_one && singular_time) singular = true;
            if (singular) q.limit = 1;
        }
    } else if (asked != end_asked::none && q.measures.empty()) {
        q.rank_measure = "?";
    }
    // "what share of revenue came from the top 10 dealers combined", "how much of our revenue
    // came from the top 10 dealers": their shares added, one row. (Sums only: ratios do not
    // add up.)
    if (q.share && q.limit && *q.limit > 1 && q.group_by.size() == 1 && q.grain == time_grain::none && q.limit_per.empty() &&
        !q.measures.empty()) {
        bool together_word = std::any_of(words.begin(), words.end(), [](auto& w) {
            return w == "combined" || w == "together" || w == "altogether" || w == "collectively";
        });
        bool how_much = words.size() >= 2 && words[0] == "how" && words[1] == "much";
        // "what share of revenue came from our top 5 dealers": the share those five brought
        for (size_t i = 1; i + 1 < words.size(); ++i) {
            size_t k = i + 1 + (words[i + 1] == "the" || words[i + 1] == "our" ? 1 : 0);
            bool came = words[i - 1] == "came" || words[i - 1] == "come" || words[i - 1] == "comes" || words[i - 1] == "coming";
            if (came && words[i] == "from" && k < words.size() && words[k] == "top") how_much = true;
        }
        // "what share of revenue do our top 5 dealers account for / make up / represent"
        auto top = std::find(words.begin(), words.end(), "top");
        how_much = how_much || std::any_of(top, words.end(), [](auto& w) {
            return w == "account" || w == "accounted" || w == "represent" || w == "represented" || w == "make" || w == "made";
        });
        bool sums = std::all_of(q.measures.begin(), q.measures.end(), [&](auto& name) {
            auto* m = find_measure(model, q, name);
            return m && !m->is_derived() && m->how == aggregate::sum;
        });
        // (with periods side by side, each period's top rows would differ: not said, so not done)
        if ((together_word || how_much) && sums && !q.compare.empty() && q.problem.empty())
            q.problem = "the top rows combined is answered for one period at a time";
        else if ((together_word || how_much) && sums) q.together = true;
    }
    // "best month by revenue in 2024 and best month in 2025", "the best month in each of FY2024
    // and FY2025": the months ranked within each of those years, not side by side (a month's
    // row would hold both years' months)
    if (q.compare.size() >= 2 && q.grain != time_grain::none && q.grain < time_grain::year && q.limit && q.limit_per.empty() &&
        !q.rank_measure.empty() && q.group_by.empty()) {
        bool years = true;
        for (size_t k = 0; k < q.compare.size() && years; ++k) {
            auto& p = q.compare[k];
            years = p.from.substr(5) == "01-01" && p.to.substr(5) == "12-31" && p.from.substr(0, 4) == p.to.substr(0, 4) &&
                    (k == 0 || std::atoi(p.from.c_str()) == std::atoi(q.compare[k - 1].from.c_str()) + 1);
        }
        // ("the best 5 months across 2024-2025", "… 2024 to 2025": one ranking over the span)
        bool span = false;
        if (years)
            for (auto* joint : {"-", "\u2013", " - ", " \u2013 ", " to ", " through ", " thru "})
                span = span || original.find(q.compare.front().from.substr(0, 4) + joint + q.compare.back().from.substr(0, 4)) != std::string::npos;
        if (years) {
            q.window = period{q.compare.front().from, q.compare.back().to, q.compare.front().label + " to " + q.compare.back().label, false};
            q.compare.clear();
            q.growth = false;
            if (!span) q.limit_per = "year";
        }
    }
    // "Highest-revenue month in each year": rank the months within each year.
    if (asked != end_asked::none && each_grain != time_grain::none && q.grain != time_grain::none && q.grain < each_grain &&
        q.limit_per.empty()) {
        q.limit_per = std::string(to_string(each_grain));  // the limit, if any, is per year
    }
    // "top 3 models by revenue in each quarter": the models ranked within each quarter
    if (asked != end_asked::none && each_grain != time_grain::none && q.grain == each_grain && !q.group_by.empty() &&
        q.limit_per.empty() && q.limit)
        q.limit_per = std::string(to_string(each_grain));

    // "what percent of months…": a share of periods is not something the cubes hold
    bool of_periods = false;  // "in what percent of months…"
    for (size_t k = share_at; share_at != SIZE_MAX && k < share_at + 4 && k + 1 < t.size(); ++k)
        if (word(k) == "of" && (month_word(word(k + 1)) || quarter_word(word(k + 1)) || year_word(word(k + 1)) || week_word(word(k + 1)) ||
                                day_word(word(k + 1))))
            of_periods = true;
    if (q.share && share_at != SIZE_MAX && q.grain != time_grain::none && q.group_by.empty() && (q.share_dimension.empty() || of_periods))
        q.problem = "a share of periods (months, quarters) is not pre-computed";
    // Ranked by a measure the question did not name, under a condition ("which KPI missed its
    // target by the most"): by how much of what is not said.
    if (asked != end_asked::none && !q.having.empty() && q.count_of.empty() && measures_at.empty())
        q.problem = "ranked by what? Name the measure (\"by variance\", \"by actual\")";

    if (weekly && !q.measures.empty()) q.problem = "there is no weekly breakdown in the pre-computed data";
    // "our best seller in Florida": a ranking with nothing to rank would answer with one total
    if (!q.rank_measure.empty() && q.group_by.empty() && q.grain == time_grain::none && q.compare.empty() && q.count_of.empty() &&
        q.limit_per.empty() && q.having.empty() && !q.share && q.problem.empty())
        q.problem = "ranked among what? Name it (\"the best-selling model\", \"the top dealer\")";
    // "month-over-month revenue change for last month": that month against the one before
    if (!sequential.empty() && !q.measures.empty() && q.compare.empty() && q.window && (sequential == "month" || sequential == "quarter") &&
        (q.grain == time_grain::none || to_string(q.grain) == sequential) && q.group_by.empty()) {
        auto before = period_before(*q.window);
        if (before && before->months_long == (sequential == "month" ? 1 : 3)) q.compare = {before->before, *q.window};
        if (!q.compare.empty()) {
            q.window.reset();
            q.grain = time_grain::none;
            q.growth = true;
        } else if (q.window->from.substr(0, 7) != q.window->to.substr(0, 7)) {
            // "month-over-month revenue growth for Jan through May": each month's change from
            // the one before (January's from December)
            q.grain = sequential == "month" ? time_grain::month : time_grain::quarter;
            q.growth = true;
        }
    }
    // "gp mom % - last mo vs prior": the two months named are the change asked for, not a series
    // (the grain may be gone already: the two periods are its buckets side by side)
    if (!sequential.empty() && q.compare.size() == 2 && (q.grain == time_grain::none || to_string(q.grain) == sequential) &&
        q.group_by.empty()) {
        q.grain = time_grain::none;
        q.growth = true;
    }
    if (!sequential.empty() && q.growth && q.compare.empty() && q.grain != time_grain::none && to_string(q.grain) == sequential)
        sequential.clear();
    if (!sequential.empty() && !q.measures.empty() && q.compare.size() < 2)
        q.problem = fmt::format("the change from each {0} to the one before is not computed; ask for the {0}s side by side "
                                "(\"by {0}\") or for two periods (\"March vs April\")", sequential);
    // "Who is the CEO?": the data holds no people; "who sold the most" is a ranking.
    // ("who's the CEO" is read as "who the CEO": the apostrophe's "s" goes)
    if (word(0) == "who" && (word(1) == "is" || word(1) == "are" || word(1) == "was" || word(1) == "were" || word(1) == "the") &&
        asked == end_asked::none)
        q.problem = "the data holds no people: ask about dealers, models, regions, plants or KPIs";
}

void question_reader::reading::check_leftovers() {
    // 10. what is left must be filler: anything else was not understood. A word of a measure
    // already read says it again ("which components cost us the most in warranty").
    std::set<std::string> said, columns;
    for (auto& m : q.measures)
        if (auto* d = find_measure(model, q, m)) {
            std::vector<const measure_def*> named{d};
            for (auto& leaf : d->derived.names())
                if (auto* l = model.measure(leaf)) named.push_back(l);
            for (auto* n : named) {
                for (auto& name : n->names)
                    for (auto& w : words_of(name)) said.insert(w);
                for (auto& c : n->columns) {
                    columns.insert(c);
                    for (auto& w : words_of(c)) columns.insert(w);
                }
            }
        }
    // "gross profit (price − cost)", "revenue being the sum of price paid", "defined as the sum of
    // price minus our cost": a measure asked, defined in its cubes' columns. A run of such words
    // (with the measures' names, filler and "100") holding a column and a word of arithmetic;
    // a number in it makes it a condition ("cars with price over 60,000"), never a definition.
    static const std::set<std::string_view> arithmetic = {"sum", "summed", "minus", "less", "plus", "divided", "times", "over",
                                                          "×", "defined", "defining", "define", "being", "expressed"};
    auto defines = [&](size_t i) {
        if (columns.empty() || !(columns.count(t[i].word) || arithmetic.count(t[i].word))) return false;
        auto part = [&](size_t k) {
            auto& w = t[k].word;
            bool named = !unused(k) && std::any_of(measures_at.begin(), measures_at.end(), [&](auto& m) {
                auto p = std::find_if(phrases.begin(), phrases.end(), [&](auto& x) { return x.start == m.first; });
                return m.first <= k && k < m.first + (p == phrases.end() ? 1 : p->length);
            });
            return named || (unused(k) && (columns.count(w) || arithmetic.count(w) || filler().count(w) || is_stop_word(w) || said.count(w) ||
                                           w == "100" || w == "paid"));
        };
        size_t from = i, to = i + 1;
        while (from > 0 && i - from < 8 && part(from - 1)) --from;
        while (to < t.size() && to - i < 8 && part(to)) ++to;
        bool column = false, sum = false;
        for (size_t k = from; k < to; ++k) {
            column = column || (unused(k) && columns.count(t[k].word));
            sum = sum || arithmetic.count(t[k].word);
        }
        return column && sum;
    };
    for (size_t i = 0; i < t.size(); ++i) {
        if (!unused(i)) continue;
        auto& w = t[i].word;
        if (defines(i)) continue;
        // ("a lot", "lots of" say nothing; "each dealer's lot" is a place the data does not hold)
        bool place = (w == "lot" || w == "lots") && !(i > 0 && word(i - 1) == "a") && word(i + 1) != "of";
        // ("dealers w the lowest units" is "with"; "NE vs W" names a place bi cannot tell)
        place = place || (w == "w" && i > 0 && (word(i - 1) == "vs" || word(i - 1) == "versus" || word(i - 1) == "and"));
        // "revenue % by region": a percentage of an amount the model declares none of (a share? a
        // margin?), not the amount; "margin %", "growth in %" say their unit again
        // "units $": an amount of money of a count, likewise
        bool percent = w == "percent" || w == "percentage" || w == "percentages";
        bool money = w == "dollars" || w == "dollar" || w == "usd" || w == "bucks";
        place = place || (((percent && !q.share && !q.growth) || money) && std::any_of(phrases.begin(), phrases.end(), [&](auto& p) {
                              if (p.start + p.length != i || p.e->what != kind::measure) return false;
                              auto* m = find_measure(model, q, std::string(p.e->target));
                              return m && m->unit != (percent ? "percent" : "usd");
                          }));
        // "how far above MSRP, in dollars": an amount the answer's measures (a %) are not
        // ("units and $ by region": an amount asked beside a count the model names no money of)
        place = place || (money && i > 0 && (word(i - 1) == "in" || word(i - 1) == "as" || word(i - 1) == "and") && !q.measures.empty() &&
                          std::none_of(q.measures.begin(), q.measures.end(), [&](auto& name) {
                              auto* m = find_measure(model, q, name);
                              return m && m->unit == "usd";
                          }));
        if (!place && (filler().count(w) || is_stop_word(w) || said.count(w))) continue;
        // "the mix of F&I revenue by product, as percentages": a share's unit
        if ((q.share || q.growth) && (percent || w == "pct")) continue;
        // "model and component combinations": the rows of two breakdowns
        if (q.group_by.size() >= 2 && (w == "combination" || w == "combinations" || w == "combo" || w == "combos" ||
                                       w == "pair" || w == "pairs"))
            continue;
        if (w == "the" || w == "of") continue;
        if (w == "v" && q.compare.size() >= 2) continue;    // "Q1 2026 v Q1 2025"
        // "one row per region with a column for each year": the periods compared are the columns
        if ((w == "column" || w == "columns") && q.compare.size() >= 2) continue;
        // "did we sell more cars this May than last May", "more claims in Q1 or Q4?": which of two
        // periods or values is more, answered by the two side by side (not "more than 500")
        bool two = q.compare.size() >= 2 || std::any_of(q.filters.begin(), q.filters.end(), [](auto& f) { return !f.exclude && f.values.size() >= 2; });
        bool number_after = [&] {
            for (size_t k = i + 1; k < t.size() && k <= i + 3; ++k)
                if (is_number(word(k))) return true;
            return false;
        }();
        if ((w == "more" || w == "fewer" || w == "less") && two && !number_after) continue;
        if (w == "x" && q.group_by.size() >= 2) continue;   // "by region x system"
        // "the first week of June (1st-7th)": a day already read as an end of the period
        if (w.size() >= 3 && w.size() <= 4 && std::isdigit(static_cast<unsigned char>(w[0])) && q.window) {
            auto suffix = w.substr(w.size() - 2);
            int d = std::atoi(w.c_str());
            bool ordinal = suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th";
            if (ordinal && d >= 1 && d <= 31 &&
                (std::atoi(q.window->from.substr(8).c_str()) == d || std::atoi(q.window->to.substr(8).c_str()) == d))
                continue;
        }
        q.unknown.push_back(w);
        unknown_at.push_back(i);
    }
    // "Where will we run out before a reorder could arrive, i.e. days of supply below lead
    // time?": what follows "i.e." says again, in words the reader knows, what came before
    for (size_t i = 0; i + 1 < t.size() && !q.unknown.empty(); ++i) {
        bool restates = (word(i) == "i" && word(i + 1) == "e") || word(i) == "ie" ||
                        (word(i) == "in" && word(i + 1) == "other" && word(i + 2) == "words");
        if (!restates || q.measures.empty()) continue;
        if (std::all_of(unknown_at.begin(), unknown_at.end(), [&](size_t at) { return at < i || (word(i) != "ie" && at == i + 1); })) {
            q.unknown.clear();
            unknown_at.clear();
        }
    }
}

namespace {

/// A breakdown by a dimension whose values share names (Portland, OR and Portland, ME) is also a
/// breakdown by the dimension that tells them apart, unless the question names one value of it:
/// otherwise two places would be summed as one row.
void qualify_breakdowns(const semantic_model& model, semantic_query& q) {
    for (size_t i = 0; i < q.group_by.size(); ++i) {
        auto* d = model.dimension(q.group_by[i]);
        if (!d || d->qualified_by.empty()) continue;
        const auto& by = d->qualified_by;
        bool one = std::any_of(q.filters.begin(), q.filters.end(),
                               [&](auto& f) { return f.dimension == by && !f.exclude && f.values.size() == 1; });
        if (one || std::find(q.group_by.begin(), q.group_by.end(), by) != q.group_by.end()) continue;
        q.group_by.insert(q.group_by.begin() + static_cast<std::ptrdiff_t>(i) + 1, by);
    }
}

}  // namespace

semantic_query question_reader::read(std::string_view question, const std::string& today_text) const {
    reading r(*model_, *lexicon_, question, today_text);
    r.correct_typos();
    r.match_phrases();
    r.read_periods();
    r.combine_periods();
    r.read_grains();
    r.read_remarks();
    r.read_ranking_words();
    r.read_thresholds();
    r.read_none();
    r.read_exclusions();
    r.read_comparisons();
    r.read_counted_nouns();
    r.read_context_measures();
    r.read_measures();
    r.define_measures();
    r.read_filters();
    r.read_breakdowns();
    r.condition_rows();
    r.complete_measures();
    r.read_shares_and_thresholds();
    r.read_subset_shares();
    r.read_rank_measure();
    r.name_the_one();
    r.show_parents_named();
    r.check_leftovers();
    // "rank the SE dealers by claim cost", "rank 2025's months by revenue": the rows with their
    // places, highest first unless the question said which end
    bool rank_verb = std::any_of(r.words.begin(), r.words.end(), [](auto& w) { return w == "rank" || w == "ranked" || w == "ranking" || w == "rankings"; });
    // "Southwest vs whole company": a part beside the whole, which one table of filtered rows
    // cannot hold (the filter would drop the whole)
    for (size_t i = 0; i + 1 < r.words.size() && r.q.problem.empty(); ++i) {
        auto& w = r.words[i];
        if (w != "vs" && w != "versus" && w != "against" && !(w == "compared" && (r.words[i + 1] == "to" || r.words[i + 1] == "with"))) continue;
        size_t k = i + (w == "compared" ? 2 : 1);
        while (k < r.words.size() && (r.words[k] == "the" || r.words[k] == "our" || r.words[k] == "whole" || r.words[k] == "entire" ||
                                      r.words[k] == "total" || r.words[k] == "overall"))
            ++k;
        bool whole = k < r.words.size() && (r.words[k] == "company" || r.words[k] == "business" || r.words[k] == "network" ||
                                            r.words[k] == "nation" || r.words[k] == "country" || r.words[k] == "everyone" ||
                                            (k > i + 1 && r.words[k - 1] == "overall" && k == r.words.size()));
        if (whole && std::any_of(r.q.filters.begin(), r.q.filters.end(), [](auto& f) { return !f.exclude; }))
            r.q.problem = "a part beside the whole company is not answered in one table: ask for each";
    }
    // "units vs last year": a period compared with one the question does not name is not the
    // named period alone
    for (size_t i = 0; i + 1 < r.words.size() && r.q.problem.empty(); ++i) {
        auto& w = r.words[i];
        bool vs = w == "vs" || w == "versus" || w == "against" || ((w == "compared" || w == "comparing") && (r.words[i + 1] == "to" || r.words[i + 1] == "with"));
        if (!vs) continue;
        size_t k = i + (w == "compared" || w == "comparing" ? 2 : 1);
        while (k < r.words.size() && r.words[k] == "the") ++k;
        auto next = k < r.words.size() ? std::string_view(r.words[k]) : std::string_view();
        bool period_next = next == "last" || next == "this" || next == "previous" || next == "prior" || next == "same" ||
                           (next.size() == 4 && is_digits(next)) || month_number(next) != 0;
        bool two = r.q.compare.size() >= 2 || std::any_of(r.q.having.begin(), r.q.having.end(), [](auto& h) { return !h.other.empty(); }) ||
                   std::any_of(r.q.filters.begin(), r.q.filters.end(), [](auto& f) { return f.values.size() >= 2; });
        if (period_next && !two && r.q.window)
            r.q.problem = fmt::format("'{} {}' compared with which period? Name both (\"this year vs last year\")", w, next);
    }
    // ("which region grew the fastest? rank them": all of them, the first first)
    for (size_t i = 0; i + 1 < r.words.size(); ++i)
        if ((r.words[i] == "rank" || r.words[i] == "ranked") && (r.words[i + 1] == "them" || r.words[i + 1] == "all") && r.q.limit == 1 &&
            std::none_of(r.words.begin(), r.words.end(), [](auto& w) { return w == "1" || w == "one"; }))
            r.q.limit.reset();
    if (rank_verb && r.q.limit_per.empty() && !r.q.together && (!r.q.group_by.empty() || r.q.grain != time_grain::none) && !r.q.measures.empty()) {
        r.q.places = true;
        if (r.q.rank_measure.empty()) r.q.rank_measure = r.q.measures.front(), r.q.direction = sort_direction::desc;
    }
    // "GP without trucks (… the truck segment)": a value both asked for and excluded
    for (auto& f : r.q.filters)
        for (auto& x : r.q.filters)
            if (!f.exclude && x.exclude && f.dimension == x.dimension && r.q.problem.empty())
                for (auto& v : f.values)
                    if (std::find(x.values.begin(), x.values.end(), v) != x.values.end())
                        r.q.problem = fmt::format("'{}' is both asked for and excluded: say which", v);
    qualify_breakdowns(*model_, r.q);
    return std::move(r.q);
}


semantic_query structured_query(const semantic_model* model, const query_spec& o) {
    if (!model) throw usage_error("the structured form needs the semantic model: run bi-dump or bi-regen first");
    if (o.measures.empty()) throw usage_error("the structured form needs at least one measure (--measure)");
    auto date = [](const std::string& s, const char* flag) {
        bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
        for (size_t i = 0; ok && i < s.size(); ++i) ok = (i == 4 || i == 7) || std::isdigit(static_cast<unsigned char>(s[i]));
        if (!ok) throw usage_error(fmt::format("{} '{}' is not a date of the form YYYY-MM-DD", flag, s));
    };
    semantic_query q;
    for (auto& m : o.measures) {
        if (!model->measure(m)) throw usage_error(fmt::format("measure '{}' is not a measure of the model", m));
        q.measures.push_back(m);
    }
    for (auto& d : o.by) {
        if (!model->dimension(d)) throw usage_error(fmt::format("by '{}' is not a dimension of the model", d));
        q.group_by.push_back(d);
    }
    auto add_filters = [&](const std::vector<std::string>& list, bool exclude, const char* flag) {
        for (auto& f : list) {
            auto eq = f.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
                throw usage_error(fmt::format("{} '{}' needs DIMENSION=VALUE", flag, f));
            auto dim = f.substr(0, eq);
            if (!model->dimension(dim)) throw usage_error(fmt::format("{} '{}': '{}' is not a dimension of the model", flag, f, dim));
            dimension_filter filter{dim, {}, exclude};
            std::string value;
            for (size_t i = eq + 1; i <= f.size(); ++i) {
                if (i == f.size() || f[i] == ',') {
                    if (!value.empty()) filter.values.push_back(value);
                    value.clear();
                } else {
                    value.push_back(f[i]);
                }
            }
            q.filters.push_back(std::move(filter));
        }
    };
    add_filters(o.filters, false, "--filter");
    add_filters(o.excludes, true, "--exclude");
    if (!o.from.empty() || !o.to.empty()) {
        if (!o.from.empty()) date(o.from, "--from");
        if (!o.to.empty()) date(o.to, "--to");
        period p{o.from.empty() ? "0000-01-01" : o.from, o.to.empty() ? "9999-12-31" : o.to, "", false};
        p.label = fmt::format("{} to {}", o.from.empty() ? "the start" : o.from, o.to.empty() ? "today" : o.to);
        // a period that starts or ends inside a month needs a daily cube
        p.needs_days = (!o.from.empty() && o.from.substr(8) != "01") || (!o.to.empty() && !month_end(o.to));
        q.window = p;
    }
    if (!o.grain.empty())
        q.grain = o.grain == "day" ? time_grain::day : o.grain == "month" ? time_grain::month
                : o.grain == "quarter" ? time_grain::quarter : time_grain::year;
    if (o.top && o.bottom) throw usage_error("--top and --bottom cannot be combined");
    if (!o.direction.empty() && o.direction != "asc" && o.direction != "desc")
        throw usage_error(fmt::format("a ranking direction is asc or desc, not '{}'", o.direction));
    if (o.top || o.bottom || !o.rank_by.empty()) {
        q.rank_measure = o.rank_by.empty() ? q.measures.front() : o.rank_by;
        if (!model->measure(q.rank_measure)) throw usage_error(fmt::format("rank measure '{}' is not a measure of the model", q.rank_measure));
        if (std::find(q.measures.begin(), q.measures.end(), q.rank_measure) == q.measures.end()) q.measures.push_back(q.rank_measure);
        q.direction = o.bottom || (!o.top && o.direction == "asc") ? sort_direction::asc : sort_direction::desc;
        if (o.top || o.bottom) q.limit = o.top ? o.top : o.bottom;
        q.places = o.places;
    }
    q.named_measure = true;
    qualify_breakdowns(*model, q);
    return q;
}

query_spec parse_query_spec(std::string_view json, const std::string& source) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    auto fail = [&](const std::string& what) { return usage_error(fmt::format("'{}': {}", source, what)); };
    if (doc.HasParseError() || !doc.IsObject()) throw fail("not a JSON object");
    query_spec spec;
    auto strings = [&](const rapidjson::Value& v, const char* key) {
        std::vector<std::string> out;
        if (!v.IsArray()) throw fail(fmt::format("'{}' must be an array of strings", key));
        for (auto& x : v.GetArray()) {
            if (!x.IsString()) throw fail(fmt::format("'{}' must be an array of strings", key));
            out.emplace_back(x.GetString(), x.GetStringLength());
        }
        return out;
    };
    auto text = [&](const rapidjson::Value& v, const char* key) {
        if (!v.IsString()) throw fail(fmt::format("'{}' must be a string", key));
        return std::string(v.GetString(), v.GetStringLength());
    };
    for (auto& m : doc.GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        auto& v = m.value;
        if (v.IsNull()) continue;
        if (key == "measures") spec.measures = strings(v, "measures");
        else if (key == "by") spec.by = strings(v, "by");
        else if (key == "grain") spec.grain = text(v, "grain");
        else if (key == "filters") {
            if (!v.IsArray()) throw fail("'filters' must be an array of {dimension, in | not_in}");
            for (auto& f : v.GetArray()) {
                if (!f.IsObject() || !f.HasMember("dimension")) throw fail("each filter needs 'dimension'");
                auto dim = text(f["dimension"], "dimension");
                bool exclude = f.HasMember("not_in");
                auto values = strings(exclude ? f["not_in"] : f.HasMember("in") ? f["in"] : f["dimension"], exclude ? "not_in" : "in");
                std::string joined;
                for (auto& x : values) joined += (joined.empty() ? "" : ",") + x;
                (exclude ? spec.excludes : spec.filters).push_back(dim + "=" + joined);
            }
        } else if (key == "period") {
            if (!v.IsObject()) throw fail("'period' must be {from, to}");
            if (v.HasMember("from")) spec.from = text(v["from"], "from");
            if (v.HasMember("to")) spec.to = text(v["to"], "to");
        } else if (key == "rank") {
            if (!v.IsObject() || !v.HasMember("measure")) throw fail("'rank' must be {measure, direction}");
            spec.rank_by = text(v["measure"], "measure");
            if (v.HasMember("direction")) spec.direction = text(v["direction"], "direction");
            if (v.HasMember("places")) {
                if (!v["places"].IsBool()) throw fail("'rank.places' must be true or false");
                spec.places = v["places"].GetBool();
            }
            // (a ranking within each group is not replayed yet: said, never dropped)
            for (auto* part : {"within", "all"})
                if (v.HasMember(part)) throw fail(fmt::format("'rank.{}' cannot be given in the structured form yet; ask the question instead", part));
        } else if (key == "limit") {
            if (!v.IsInt() || v.GetInt() <= 0) throw fail("'limit' must be a positive whole number");
        } else if (key == "compare" || key == "having" || key == "share" || key == "together" || key == "average_per" || key == "growth" ||
                   key == "corrections") {
            throw fail(fmt::format("'{}' cannot be given in the structured form yet; ask the question instead", key));
        } else {
            throw fail(fmt::format("unknown key '{}'", key));
        }
    }
    if (doc.HasMember("limit") && doc["limit"].IsInt()) {
        int n = doc["limit"].GetInt();
        (spec.direction == "asc" ? spec.bottom : spec.top) = n;
    }
    return spec;
}

const measure_def* find_measure(const semantic_model& model, const semantic_query& q, std::string_view name) {
    if (auto* m = model.measure(name)) return m;
    for (auto& d : q.derived)
        if (d.name == name) return &d;
    return nullptr;
}

std::vector<std::string> leaves_of(const semantic_model& model, const semantic_query& q, std::string_view name) {
    auto* m = find_measure(model, q, name);
    if (!m) return {};
    if (!m->is_derived()) return {m->name};
    std::vector<std::string> out;
    for (auto& n : m->derived.names())
        for (auto& leaf : leaves_of(model, q, n))
            if (std::find(out.begin(), out.end(), leaf) == out.end()) out.push_back(leaf);
    return out;
}

namespace {

/// "city" → "cities", "dealer" → "dealers", "month" → "months".
std::string plural(std::string s) {
    bool consonant_y = s.size() >= 2 && s.back() == 'y' && std::string_view("aeiou").find(s[s.size() - 2]) == std::string_view::npos;
    if (consonant_y) return s.substr(0, s.size() - 1) + "ies";
    if (s.ends_with("s") || s.ends_with("x") || s.ends_with("ch") || s.ends_with("sh")) return s + "es";
    return s + "s";
}

}  // namespace

std::string restate(const semantic_model& model, const semantic_query& q) {
    auto nice = [](std::string s) {
        for (auto& c : s)
            if (c == '_') c = ' ';
        return s;
    };
    std::string out;
    for (size_t i = 0; i < q.measures.size(); ++i) {
        auto name = nice(q.measures[i]);
        if (auto* m = model.measure(q.measures[i]); m && !m->names.empty()) name = m->names.front();
        if (!q.count_of.empty())
            name = "number of " + (q.count_with.empty() ? plural(nice(q.count_of)) : nice(q.count_of) + " and " + nice(q.count_with) + " pairs");
        out += (i == 0 ? "" : i + 1 == q.measures.size() ? " and " : ", ") + name;
        if (!q.count_of.empty()) break;  // the count is the one column, whichever measures choose the members
    }
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    if (q.share) out = "Share of " + out;
    if (!q.average_over.empty()) out = "Average " + (out.empty() ? out : std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])))) + out.substr(1)) + " per " + nice(q.average_over);
    std::vector<std::string> by;
    for (auto& d : q.group_by) by.push_back(nice(d));
    if (q.grain != time_grain::none) by.emplace_back(to_string(q.grain));
    // "Share of units within each region": each row's own whole, the part its filter makes
    bool within = q.share && !q.share_dimension.empty() && !q.group_by.empty();
    if (!by.empty()) {
        out += within ? " within each " : " by ";
        for (size_t i = 0; i < by.size(); ++i) out += (i == 0 ? "" : " and ") + by[i];
    }
    for (auto& f : q.filters) {
        std::string list;
        for (auto& v : f.values) list += (list.empty() ? "" : ", ") + v;
        out += fmt::format(" · {}{}", f.exclude ? "excluding " : "", list);
    }
    if (q.window) out += " · " + q.window->label;
    if (!q.compare.empty()) {
        out += " · ";
        for (size_t i = 0; i < q.compare.size(); ++i) out += (i == 0 ? "" : " vs ") + q.compare[i].label;
        if (q.growth) out += " (change in %)";
    }
    for (auto& h : q.having)
        out += !h.column.empty() ? fmt::format(" · {}?", nice(h.column))
               : h.other.empty() ? fmt::format(" · {} {} {}", nice(h.measure), h.op, h.value)
                                 : fmt::format(" · {} {} {}", nice(h.measure), h.op, nice(h.other));
    if (!q.rank_measure.empty() && q.rank_measure != "?") {
        bool desc = q.direction == sort_direction::desc;
        if (q.rank_all) {
            out += fmt::format(" · ranked by {}, {} first, in each {}", nice(q.rank_measure), desc ? "highest" : "lowest", nice(q.limit_per));
        } else {
            out += fmt::format(" · {} {}", desc ? "highest" : "lowest", nice(q.rank_measure));
            out += q.limit ? fmt::format(" {}", *q.limit) : " first";
            if (!q.limit_per.empty()) out += " in each " + nice(q.limit_per);
            if (q.together) out += " together";
        }
    } else if (q.limit) {
        out += fmt::format(" · {} rows", *q.limit);
    }
    return out;
}

}  // namespace bi
