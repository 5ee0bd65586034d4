// Text normalisation and stemming. Stemming uses Snowball's English stemmer (libstemmer),
// one stemmer per thread because a Snowball stemmer is not thread-safe.
//
// Linked statically (BI_STEMMER_ENGLISH_ONLY), we call the English stemmer's own entry points
// instead of sb_stemmer_new: that one function's table of all 30 languages drags every stemmer
// into the executable, and their 350 KB of pointer tables are relocated at every process start
// (about 1 ms of page faults, docs/benchmarks.md). The entry points and the first fields of
// SN_env are Snowball's generated C interface, unchanged since 2002; tests/text_test.cpp
// checks this path against sb_stemmer word for word.
#include "bi/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <utf8proc.h>

#ifndef BI_STEMMER_ENGLISH_ONLY
#include <libstemmer.h>
#endif

#include "bi/error.hpp"
#include "detail/json.hpp"

namespace bi {

bool is_valid_utf8(std::string_view s) { return detail::valid_utf8(s); }

// ASCII text, most questions, only has its case folded: utf8proc is for the rest.
std::string fold_text(std::string_view in) {
    std::string out(in);
    bool ascii = true;
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        else if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    }
    if (ascii) return out;
    utf8proc_uint8_t* folded = nullptr;
    auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                  UTF8PROC_STRIPMARK | UTF8PROC_LUMP);
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()), static_cast<utf8proc_ssize_t>(in.size()),
                          &folded, options);
    if (n >= 0) out.assign(reinterpret_cast<const char*>(folded), static_cast<size_t>(n));  // else: not UTF-8, bytes kept
    std::free(folded);
    return out;
}

namespace {

bool word_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int small_number(std::string_view w) {
    static constexpr std::array<const char*, 20> ones{
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    for (size_t i = 0; i < ones.size(); ++i)
        if (w == ones[i]) return static_cast<int>(i);
    if (w == "dozen") return 12;
    return -1;
}

int tens_number(std::string_view w) {
    static constexpr std::array<const char*, 8> tens{"twenty", "thirty", "forty", "fifty",
                                                     "sixty", "seventy", "eighty", "ninety"};
    for (size_t i = 0; i < tens.size(); ++i)
        if (w == tens[i]) return static_cast<int>(i + 2) * 10;
    return -1;
}

/// "quick one", "the one with the lowest revenue", "one number": a pronoun or "a single", not a count.
bool one_as_pronoun(const std::vector<std::string>& before, const std::vector<std::string>& words, size_t at) {
    auto previous = before.empty() ? std::string_view() : std::string_view(before.back());
    auto next = at + 1 < words.size() ? std::string_view(words[at + 1]) : std::string_view();
    // ("a basic one", "just the one at the top", "that one", "…, just the one")
    return previous == "quick" || previous == "basic" || previous == "simple" || previous == "easy" || previous == "silly" ||
           previous == "this" || previous == "that" ||
           (previous == "the" && (next.empty() || next == "with" || next == "that" || next == "who" || next == "which" || next == "at" ||
                                  next == "on" || next == "in")) ||
           next == "number" || next == "figure" || next == "name";
}

/// A number below a thousand said in words from words[j]: "five", "twenty five", "three
/// hundred (and) ten". Advances j past it; -1 (j unchanged) when none starts there.
int words_below_thousand(const std::vector<std::string>& words, size_t& j) {
    size_t k = j;
    int value = -1;
    auto tens_and_ones = [&]() {
        if (k >= words.size()) return -1;
        if (int t = tens_number(words[k]); t >= 0) {
            ++k;
            if (k < words.size())
                if (int o = small_number(words[k]); o > 0 && o < 10) { ++k; return t + o; }
            return t;
        }
        if (int o = small_number(words[k]); o >= 0) { ++k; return o; }
        return -1;
    };
    value = tens_and_ones();
    if (value >= 1 && value < 10 && k < words.size() && words[k] == "hundred") {
        ++k;
        value *= 100;
        size_t back = k;
        if (k < words.size() && words[k] == "and") ++k;
        if (int rest = tens_and_ones(); rest > 0) value += rest;
        else k = back;
    }
    if (value >= 0) j = k;
    return value;
}

/// Rewrites runs of number words into digits: "twenty five" → "25", "a hundred" → "100";
/// years said aloud, "twenty twenty five" and "two thousand (and) twenty five" → "2025"; and
/// "forty million", "45 grand" → the number itself.
std::vector<std::string> numbers_to_digits(std::vector<std::string> words) {
    std::vector<std::string> out;
    for (size_t i = 0; i < words.size(); ++i) {
        double value = -1;
        size_t j = i;
        if (words[j] == "twenty" && j + 1 < words.size() &&
            (tens_number(words[j + 1]) >= 0 || small_number(words[j + 1]) >= 10)) {  // "twenty twenty five", "twenty nineteen"
            ++j;
            value = 2000 + words_below_thousand(words, j);
        } else if (int t = tens_number(words[j]); t >= 0) {
            value = words_below_thousand(words, j);
        } else if (int o = small_number(words[j]); o >= 0 && !(o == 1 && one_as_pronoun(out, words, j))) {
            value = words_below_thousand(words, j);
        } else if (words[j] == "hundred") {
            value = 100;
            ++j;
        } else if (words[j] == "thousand") {
            value = 1000;
            ++j;
        } else if (!words[j].empty() && std::all_of(words[j].begin(), words[j].end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                   j + 1 < words.size() && words[j + 1] == "grand") {
            value = std::atof(words[j].c_str());  // "45 grand"
            ++j;
        }
        if (value < 0) {
            out.push_back(std::move(words[i]));
            continue;
        }
        if (j < words.size() && words[j] == "hundred") {  // "a hundred", "twenty five hundred"
            value = std::max(value, 1.0) * 100;
            ++j;
        }
        if (j < words.size() && words[j] == "thousand") {  // "per thousand cars", "two thousand (and) twenty five"
            value = std::max(value, 1.0) * 1000;
            ++j;
            size_t k = j + (j < words.size() && words[j] == "and" ? 1 : 0);
            if (int rest = words_below_thousand(words, k); rest > 0) {
                value += rest;
                j = k;
            }
        }
        // "forty million", "45 grand" (but not "a grand total")
        if (j < words.size() && (words[j] == "million" || words[j] == "billion" ||
                                 (words[j] == "grand" && (j + 1 >= words.size() || (words[j + 1] != "total" && words[j + 1] != "totals"))))) {
            value *= words[j] == "million" ? 1e6 : words[j] == "billion" ? 1e9 : 1e3;
            ++j;
        }
        out.push_back(value == std::floor(value) ? std::to_string(static_cast<long long>(value)) : fmt::format("{}", value));
        i = j - 1;
    }
    return out;
}

#ifdef BI_STEMMER_ENGLISH_ONLY
}  // namespace
extern "C" {
struct SN_env;
SN_env* english_UTF_8_create_env(void);
void english_UTF_8_close_env(SN_env* z);
int english_UTF_8_stem(SN_env* z);
int SN_set_current(SN_env* z, int size, const unsigned char* s);
}
namespace {
// The leading fields of Snowball's struct SN_env (libstemmer's header.h): the current string
// and its length.
struct sn_env_head {
    unsigned char* p;
    int c;
    int l;
};

class english_stemmer {
public:
    english_stemmer() : env_(english_UTF_8_create_env()) {}
    ~english_stemmer() { english_UTF_8_close_env(env_); }
    english_stemmer(const english_stemmer&) = delete;
    english_stemmer& operator=(const english_stemmer&) = delete;
    bool ok() const { return env_ != nullptr; }
    // The stem, or nullopt where Snowball fails (out of memory).
    std::optional<std::string> stem(std::string_view word) {
        if (SN_set_current(env_, static_cast<int>(word.size()), reinterpret_cast<const unsigned char*>(word.data())) < 0 ||
            english_UTF_8_stem(env_) < 0)
            return std::nullopt;
        auto head = reinterpret_cast<const sn_env_head*>(env_);
        return std::string(reinterpret_cast<const char*>(head->p), static_cast<size_t>(head->l));
    }

private:
    SN_env* env_;
};
#else
class english_stemmer {
public:
    english_stemmer() : s_(sb_stemmer_new("english", "UTF_8")) {}
    ~english_stemmer() { sb_stemmer_delete(s_); }
    english_stemmer(const english_stemmer&) = delete;
    english_stemmer& operator=(const english_stemmer&) = delete;
    bool ok() const { return s_ != nullptr; }
    std::optional<std::string> stem(std::string_view word) {
        auto out = sb_stemmer_stem(s_, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
        if (!out) return std::nullopt;
        return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(sb_stemmer_length(s_)));
    }

private:
    sb_stemmer* s_;
};
#endif

}  // namespace

std::vector<std::string> words_of(std::string_view text) {
    std::string s = fold_text(text);
    std::vector<std::string> words;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) words.push_back(std::move(current));
        current.clear();
    };
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (word_char(c)) {
            current.push_back(static_cast<char>(c));
        } else if (c == '\'') {
            // "dealer's" → "dealer", "how're" → "how", "we'll" → "we"; "don't" → "dont"
            size_t end = i + 1;
            while (end < s.size() && s[end] >= 'a' && s[end] <= 'z') ++end;
            auto suffix = std::string_view(s).substr(i + 1, end - i - 1);
            if (suffix == "s" || suffix == "re" || suffix == "ve" || suffix == "ll" || suffix == "d" || suffix == "m")
                i = end - 1;
        } else if (c == '.' && !current.empty() && std::isdigit(static_cast<unsigned char>(current.back())) &&
                   i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
            current.push_back('.');
        } else {
            flush();
            if (c == '&') words.emplace_back("and");
            else if (c == '%') words.emplace_back("percent");
        }
    }
    flush();
    return numbers_to_digits(std::move(words));
}

std::string stem(std::string_view word) {
    if (word.empty() || std::isdigit(static_cast<unsigned char>(word.front()))) return std::string(word);
    // Questions repeat their words: a batch stems each distinct word once (up to a bound).
    thread_local std::unordered_map<std::string, std::string> known;
    if (auto it = known.find(std::string(word)); it != known.end()) return it->second;
    thread_local english_stemmer stemmer;
    if (!stemmer.ok()) throw error("cannot create the Snowball English stemmer");
    auto out = stemmer.stem(word);
    std::string result = out ? std::move(*out) : std::string(word);
    if (known.size() >= 8192) known.clear();
    known.emplace(word, result);
    return result;
}

namespace {

// English function words plus the filler of BI questions; never domain words, never ranking
// words (top, best, worst), which carry meaning. Sorted: looked up by binary search.
constexpr std::string_view stop_list[] = {
    "a", "about", "across", "all", "also", "am", "an", "analysis", "and", "any", "are", "arent", "as",
    "at", "be", "been", "being", "between", "both", "breakdown", "but", "by", "can", "can't", "cant",
    "check", "could", "couldnt", "current", "currently", "data", "details", "did", "didnt", "display",
    "do", "does", "doesnt", "doing", "dont", "each", "either", "fetch", "find", "for", "from", "get",
    "give", "go", "got", "had", "has", "hasnt", "have", "havent", "having", "he", "her", "here", "hey",
    "hi", "him", "his", "how", "i", "if", "im", "in", "info", "information", "into", "is", "isnt", "it",
    "its", "ive", "just", "kindly", "know", "let", "let's", "lets", "like", "list", "look", "looking",
    "lot", "many", "may", "me", "might", "much", "must", "my", "need", "now", "of", "ok", "okay", "on",
    "ones", "or", "our", "ours", "over", "overview", "per", "please", "pls", "plz", "pull", "quick",
    "quickly", "really", "report", "reports", "run", "see", "she", "should", "shouldnt", "show", "so",
    "some", "status", "stuff", "summary", "tell", "than", "thanks", "that", "the", "their", "them",
    "then", "there", "these", "they", "thing", "things", "this", "those", "to", "up", "us", "view",
    "want", "was", "wasnt", "we", "were", "werent", "what", "whats", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "within", "wont", "would", "wouldnt", "you", "your",
};

// The Snowball stems of stop_list, sorted (tests/router_test.cpp checks them against stem()),
// so that no process stems the list at start-up.
constexpr std::string_view stop_stems[] = {
    "a", "about", "across", "all", "also", "am", "an", "analysi", "and", "ani", "are", "arent", "as",
    "at", "be", "been", "between", "both", "breakdown", "but", "by", "can", "can't", "cant", "check",
    "could", "couldnt", "current", "data", "detail", "did", "didnt", "display", "do", "doe", "doesnt",
    "dont", "each", "either", "fetch", "find", "for", "from", "get", "give", "go", "got", "had", "has",
    "hasnt", "have", "havent", "he", "her", "here", "hey", "hi", "him", "his", "how", "i", "if", "im",
    "in", "info", "inform", "into", "is", "isnt", "it", "ive", "just", "kind", "know", "let", "like",
    "list", "look", "lot", "mani", "may", "me", "might", "much", "must", "my", "need", "now", "of",
    "ok", "okay", "on", "one", "or", "our", "over", "overview", "per", "pleas", "pls", "plz", "pull",
    "quick", "realli", "report", "run", "see", "she", "should", "shouldnt", "show", "so", "some",
    "status", "stuff", "summari", "tell", "than", "thank", "that", "the", "their", "them", "then",
    "there", "these", "they", "thing", "this", "those", "to", "up", "us", "view", "want", "was",
    "wasnt", "we", "were", "werent", "what", "when", "where", "whi", "which", "while", "who", "whom",
    "will", "with", "within", "wont", "would", "wouldnt", "you", "your",
};

}  // namespace

bool is_stop_word(std::string_view word) {
    return std::binary_search(std::begin(stop_list), std::end(stop_list), word);
}

bool is_stop_stem(std::string_view s) {
    return std::binary_search(std::begin(stop_stems), std::end(stop_stems), s);
}

std::span<const std::string_view> stop_words_list() { return stop_list; }
std::span<const std::string_view> stop_stems_list() { return stop_stems; }

int edit_distance(std::string_view a, std::string_view b, int limit) {
    int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
    if (std::abs(n - m) > limit) return limit + 1;
    // Three rows; on the stack for words of ordinary length (this runs for every unknown word
    // against every word of the model: no allocation per pair).
    constexpr int small = 48;
    int on_stack[3 * (small + 1)];
    std::vector<int> on_heap;
    int* rows = on_stack;
    if (m > small) {
        on_heap.resize(3 * static_cast<size_t>(m + 1));
        rows = on_heap.data();
    }
    int *prev2 = rows, *prev = rows + (m + 1), *cur = rows + 2 * (m + 1);
    for (int j = 0; j <= m; ++j) prev[j] = j;
    for (int i = 1; i <= n; ++i) {
        cur[0] = i;
        int row_min = cur[0];
        for (int j = 1; j <= m; ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
            row_min = std::min(row_min, cur[j]);
        }
        if (row_min > limit) return limit + 1;
        std::swap(prev2, prev);  // the row before last is the next one written
        std::swap(prev, cur);
    }
    return std::min(prev[m], limit + 1);
}

}  // namespace bi
