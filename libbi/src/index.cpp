// Building, writing and loading the router's index. Catalog text goes through the same
// analysis as questions (words, synonyms, stems, stop words), so the two always agree.
#include "bi/index.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/files.hpp"
#include "bi/hash.hpp"
#include "bi/text.hpp"
#include "detail/binary.hpp"

namespace bi {

namespace fs = std::filesystem;

namespace {

constexpr int index_format = 7;  // 6: words folded by utf8proc (accents, ß); 7: a checksum

bool is_number_word(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

std::vector<std::string> stems_of(const std::vector<std::string>& words) {
    std::vector<std::string> out;
    out.reserve(words.size());
    for (auto& w : words) out.push_back(stem(w));
    return out;
}

/// The shorter names people use for a value: "Motor City Auto Group" is also "Motor City" and
/// "Motor" when the words dropped are generic (shared with other values) and the short name
/// names no other value.
std::vector<std::vector<std::string>> short_forms(const std::vector<std::string>& words,
                                                  const std::map<std::string, int>& shared,
                                                  const std::map<std::vector<std::string>, int>& prefixes) {
    std::vector<std::vector<std::string>> out;
    for (size_t k = words.size() - 1; k >= 1 && k < words.size(); --k) {
        auto it = shared.find(words[k]);
        if (it == shared.end() || it->second < 2) break;
        std::vector<std::string> prefix(words.begin(), words.begin() + static_cast<long>(k));
        if (auto p = prefixes.find(prefix); p != prefixes.end() && p->second == 1) out.push_back(std::move(prefix));
    }
    return out;
}

/// Derives what the file does not store: document frequencies and postings.
template <class Phrases, class StemsOf>
void build_lookup(router_index::first_stem_lookup& lookup, const Phrases& phrases, StemsOf stems_of) {
    lookup.positions.clear();
    for (size_t i = 0; i < phrases.size(); ++i)
        if (auto& stems = stems_of(phrases[i]); !stems.empty()) lookup.positions[stems.front()].push_back(static_cast<int>(i));
    lookup.built_for = phrases.size();
}

void index_synonyms(router_index& index) {
    build_lookup(index.synonyms_by_first, index.synonyms, [](auto& s) -> auto& { return s.first; });
}

void index_slot_phrases(router_index& index) {
    build_lookup(index.slot_phrases_by_first, index.slot_phrases, [](auto& p) -> auto& { return p.stems; });
}

/// The positions of the phrases that may start at `stem`: from the lookup when it is current,
/// else every position (while build_index is still adding phrases).
template <class Visit>
void for_each_starting_with(const router_index::first_stem_lookup& lookup, size_t size, std::string_view stem,
                            Visit visit) {
    if (lookup.built_for == size && size > 0) {
        if (auto it = lookup.positions.find(std::string(stem)); it != lookup.positions.end())
            for (int i : it->second) visit(static_cast<size_t>(i));
        return;
    }
    for (size_t i = 0; i < size; ++i) visit(i);
}

/// What routing needs about the catalog as a whole, derived from every query once, when the
/// index is built or read from index.json (index.bin stores it).
void derive(router_index& index) {
    std::unordered_map<std::string, int> df;
    for (size_t i = 0; i < index.size(); ++i)
        for (auto& [s, weight] : index.query(i).terms) ++df[s];
    double n = static_cast<double>(index.size());
    for (auto& [s, count] : df) index.idf[s] = std::log(1.0 + (n - count + 0.5) / (count + 0.5));
    for (size_t i = 0; i < index.size(); ++i)
        for (auto& [s, weight] : index.query(i).terms) index.postings[s].push_back(static_cast<int>(i));
    index.max_idf = 0;
    for (auto& [s, idf] : index.idf) index.max_idf = std::max(index.max_idf, idf);
    double total_length = 0;
    for (size_t i = 0; i < index.size(); ++i) total_length += index.query(i).length;
    index.avg_length = index.size() == 0 ? 1 : total_length / static_cast<double>(index.size());
    // Catalogs reuse column names: stem each name once.
    std::unordered_set<std::string_view> seen;
    for (size_t i = 0; i < index.size(); ++i)
        for (auto& c : index.def(i).columns)
            if (seen.insert(c).second) index.column_stems.insert(stem(c));
}

void finish(router_index& index) {
    index_synonyms(index);
    index_slot_phrases(index);
    derive(index);
}

/// Records the real English words (from the system word list, when there is one) that are
/// one edit away from a catalog word, so "contact" is never corrected to "contract".
void protect_english_words(router_index& index) {
    std::ifstream in("/usr/share/dict/words");
    if (!in) return;
    std::unordered_set<std::string> english;
    size_t longest = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.find('\'') != std::string::npos) continue;
        for (auto& c : line)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        longest = std::max(longest, line.size());
        english.insert(line);
    }
    static constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyz";
    auto check = [&](const std::string& candidate) {
        if (candidate.size() >= 5 && english.count(candidate) && !index.words.count(candidate)) index.english.insert(candidate);
    };
    for (auto& [word, count] : index.words) {
        // A word's edits number 54 per letter, each as long as the word: quadratic in its
        // length. One longer than every English word plus one has no English word an edit away.
        if (word.size() < 4 || word.size() > longest + 1) continue;
        for (size_t i = 0; i <= word.size(); ++i) {
            for (char c : letters) {
                check(word.substr(0, i) + c + word.substr(i));                                  // insertion
                if (i < word.size()) check(word.substr(0, i) + c + word.substr(i + 1));         // substitution
            }
            if (i < word.size()) check(word.substr(0, i) + word.substr(i + 1));                 // deletion
            if (i + 1 < word.size()) {
                auto t = word;
                std::swap(t[i], t[i + 1]);
                check(t);                                                                       // transposition
            }
        }
    }
}

}  // namespace

int router_index::find(std::string_view id) const {
    for (size_t i = 0; i < size(); ++i)
        if (def(i).id() == id || def(i).name == id) return static_cast<int>(i);
    return -1;
}

bool is_rank_word(std::string_view word) {
    static const std::set<std::string_view> words = {
        "top", "best", "worst", "most", "least", "highest", "lowest", "bottom", "fewest", "largest", "biggest",
        "smallest", "leading", "greatest", "strongest", "weakest", "poorest", "better", "worse", "more", "less",
        "slowest", "fastest"};
    return words.count(word) > 0;
}

std::vector<phrase_match> match_slot_phrases(const router_index& index, const std::vector<std::string>& stems) {
    // Every (phrase, start) that matches, then taken in phrase order: phrases are sorted
    // longest first, so a longer name wins over a shorter one inside it.
    struct found_at {
        size_t k, i;  // phrase position, start in `stems`
        const slot_phrase* phrase;
    };
    std::vector<found_at> found;
    for (size_t i = 0; i < stems.size(); ++i) {
        index.for_each_slot_phrase(stems[i], [&](size_t k, const slot_phrase& phrase) {
            auto& p = phrase.stems;
            if (!p.empty() && i + p.size() <= stems.size() &&
                std::equal(p.begin(), p.end(), stems.begin() + static_cast<long>(i)))
                found.push_back({k, i, &phrase});
        });
    }
    std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return std::tie(a.k, a.i) < std::tie(b.k, b.i); });
    std::vector<phrase_match> out;
    std::vector<bool> used(stems.size(), false);
    for (auto [k, i, phrase] : found) {
        auto& p = *phrase;
        bool free = std::none_of(used.begin() + static_cast<long>(i), used.begin() + static_cast<long>(i + p.stems.size()),
                                 [](bool u) { return u; });
        if (!free) continue;
        std::fill_n(used.begin() + static_cast<long>(i), p.stems.size(), true);
        out.push_back({i, p.stems.size(), &p});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.start < b.start; });
    return out;
}

std::vector<std::string> apply_synonyms(const router_index& index, const std::vector<std::string>& stems) {
    std::vector<std::string> out;
    for (size_t i = 0; i < stems.size();) {
        size_t best_len = 0;
        const std::vector<std::string>* best = nullptr;
        index.for_each_synonym(stems[i], [&](size_t, const router_index::synonym& s) {
            auto& [phrase, canonical] = s;
            if (phrase.size() <= best_len || i + phrase.size() > stems.size()) return;
            if (std::equal(phrase.begin(), phrase.end(), stems.begin() + static_cast<long>(i))) {
                best_len = phrase.size();
                best = &canonical;
            }
        });
        if (best) {
            out.insert(out.end(), best->begin(), best->end());
            i += best_len;
        } else {
            out.push_back(stems[i++]);
        }
    }
    return out;
}

std::string index_path(const std::string& dumps_dir) {
    return (fs::path(dumps_dir) / "index.json").string();
}

router_index build_index(const catalog& whole, const std::string& dumps_dir) {
    // The router chooses among reports; cubes are the semantic model's (model.cpp).
    catalog c;
    c.dir = whole.dir;
    c.vocab = whole.vocab;
    for (auto& q : whole.queries)
        if (!q.is_cube()) c.queries.push_back(q);
    router_index index;
    for (auto& w : c.vocab.outside)
        if (auto phrase = stems_of(words_of(w)); !phrase.empty()) index.outside.push_back(std::move(phrase));
    for (auto& w : c.vocab.stop_words)
        for (auto& word : words_of(w)) index.stop_words.insert(stem(word));
    for (auto& [canonical, alternatives] : c.vocab.synonyms) {
        auto target = stems_of(words_of(canonical));
        for (auto& w : words_of(canonical)) ++index.words[w];
        for (auto& alt : alternatives) {
            auto words = words_of(alt);
            for (auto& w : words) ++index.words[w];
            auto phrase = stems_of(words);
            if (!phrase.empty() && phrase != target) index.synonyms.emplace_back(phrase, target);
        }
    }
    index_synonyms(index);
    // Stems that name what queries are about (not examples): a slot value made only of these
    // is weak, e.g. the KPI category "sales".
    std::set<std::string> topic_stems;
    for (auto& q : c.queries) {
        std::string text = q.title + " " + q.description;
        for (auto& k : q.keywords) text += " " + k;
        for (auto& s : q.synonyms) text += " " + s;
        for (auto& s : apply_synonyms(index, stems_of(words_of(text)))) topic_stems.insert(s);
    }

    // Slot values found in the dumps, then the vocabulary's aliases.
    std::map<std::string, std::set<std::string>> values;  // slot → values
    for (auto& q : c.queries) {
        if (q.slots.empty()) continue;
        auto path = dump_path(dumps_dir, q);
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) continue;
        dump d;
        try {
            // The binary companion, when it belongs to this JSON, holds the same rows and
            // reads without parsing.
            auto binary = read_binary_dump(path);
            d = binary ? std::move(*binary) : read_dump(path);
        } catch (const error&) {
            continue;  // an unreadable dump is answered live; its values come from the others
        }
        for (auto& [slot, column] : q.slots) {
            if (slot == "year") continue;
            int i = d.data.index_of(column);
            if (i < 0) continue;
            for (auto& row : d.data.rows)
                if (auto s = std::get_if<std::string>(&row[i]); s && !s->empty()) values[slot].insert(*s);
        }
    }
    auto weak = [&](const std::vector<std::string>& words) {
        return std::all_of(words.begin(), words.end(), [&](auto& w) { return topic_stems.count(stem(w)) > 0; });
    };
    auto add_phrase = [&](const std::vector<std::string>& words, const std::string& slot, const std::string& value) {
        if (words.empty()) return;
        auto stems = stems_of(words);
        for (auto& p : index.slot_phrases)
            if (p.stems == stems && p.slot == slot) return;
        for (auto& w : words) ++index.words[w];
        index.slot_phrases.push_back({std::move(stems), slot, value, weak(words)});
    };
    for (auto& [slot, set] : values) {
        std::map<std::string, int> shared;
        std::map<std::vector<std::string>, int> prefixes;
        for (auto& v : set) {
            auto words = words_of(v);
            for (auto& w : std::set<std::string>(words.begin(), words.end())) ++shared[w];
            for (size_t k = 1; k < words.size(); ++k) ++prefixes[std::vector<std::string>(words.begin(), words.begin() + static_cast<long>(k))];
        }
        for (auto& v : set) {
            auto words = words_of(v);
            add_phrase(words, slot, v);
            for (auto& s : short_forms(words, shared, prefixes)) add_phrase(s, slot, v);
        }
    }
    for (auto& a : c.vocab.aliases) {
        // Aliases of the semantic model's other dimensions (state, kpi) are not report slots.
        if (std::find(known_slots().begin(), known_slots().end(), a.slot) == known_slots().end()) continue;
        // An alias for a value the data does not have (yet) still resolves to that value.
        for (auto& alias : a.aliases) add_phrase(words_of(alias), a.slot, a.value);
        add_phrase(words_of(a.value), a.slot, a.value);
    }
    // Longest phrases first so "san antonio" wins over a one-word alias inside it.
    std::stable_sort(index.slot_phrases.begin(), index.slot_phrases.end(),
                     [](auto& x, auto& y) { return x.stems.size() > y.stems.size(); });
    index_slot_phrases(index);

    // Terms per query, field-weighted.
    auto analyse = [&](const std::string& text) {
        auto words = words_of(text);
        for (auto& w : words) ++index.words[w];
        auto stems = stems_of(words);
        // Strong slot values and ranking words are not topic words: drop them as the router
        // does for questions.
        std::vector<bool> drop(words.size(), false);
        for (auto& m : match_slot_phrases(index, stems))
            if (!m.phrase->weak) std::fill_n(drop.begin() + static_cast<long>(m.start), m.length, true);
        std::vector<std::string> kept;
        for (size_t i = 0; i < words.size(); ++i)
            if (!drop[i] && !is_number_word(words[i]) && !is_rank_word(words[i])) kept.push_back(stems[i]);
        std::vector<std::string> out;
        for (auto& s : apply_synonyms(index, kept))
            if (!is_stop_word(s) && !is_stop_stem(s) && !index.is_vocabulary_stop_word(s)) out.push_back(s);
        return out;
    };
    for (auto& q : c.queries) {
        indexed_query iq;
        iq.id = q.id();
        iq.title = q.title;
        iq.schedule = std::string(to_string(q.when));
        for (auto& [slot, column] : q.slots) iq.slots.push_back(slot);
        for (auto& column : q.columns)
            if (auto s = stem(column); std::find(iq.column_stems.begin(), iq.column_stems.end(), s) == iq.column_stems.end())
                iq.column_stems.push_back(std::move(s));
        iq.worst_first = q.worst_first;
        std::map<std::string, double> tf;
        auto add = [&](const std::string& text, double weight) {
            for (auto& s : analyse(text)) tf[s] += weight;
        };
        add(q.title, 3.0);
        for (auto& k : q.keywords) add(k, 2.0);
        for (auto& s : q.synonyms) add(s, 2.0);
        add(q.description, 1.0);
        // What the rows are broken down by: "claims by component" should prefer a query that
        // has a component column over one that merely mentions components.
        for (auto& column : q.columns) {
            std::string words = column;
            std::replace(words.begin(), words.end(), '_', ' ');
            add(words, 1.5);
        }
        for (auto& e : q.examples) {
            add(e, 1.0);
            iq.examples.push_back(analyse(e));
            iq.example_texts.push_back(e);
        }
        for (auto& [s, w] : tf) {
            iq.terms.emplace_back(s, w);
            iq.length += w;
        }
        index.add(std::move(iq), q);
    }
    protect_english_words(index);
    finish(index);
    return index;
}

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_strings(json_writer& w, const std::vector<std::string>& list) {
    w.StartArray();
    for (auto& s : list) w.String(s);
    w.EndArray();
}

std::vector<std::string> read_strings(const rapidjson::Value& v) {
    std::vector<std::string> out;
    if (!v.IsArray()) return out;
    for (auto& s : v.GetArray())
        if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
    return out;
}

void write_def(json_writer& w, const query_def& q) {
    w.StartObject();
    w.Key("category"); w.String(q.category);
    w.Key("name"); w.String(q.name);
    w.Key("file"); w.String(q.file);
    w.Key("title"); w.String(q.title);
    w.Key("description"); w.String(q.description);
    w.Key("slots");
    w.StartObject();
    for (auto& [slot, column] : q.slots) { w.Key(slot.c_str()); w.String(column); }
    w.EndObject();
    w.Key("columns"); write_strings(w, q.columns);
    w.Key("measures");
    w.StartObject();
    for (auto& [column, how] : q.measures) {
        w.Key(column.c_str());
        w.String(how == aggregate::sum ? "sum" : how == aggregate::min ? "min" : "max");
    }
    w.EndObject();
    w.Key("ratios");
    w.StartArray();
    for (auto& r : q.ratios) {
        write_strings(w, {r.column, r.numerator, r.subtrahend, r.denominator});
    }
    w.EndArray();
    w.Key("ratio_scales");
    w.StartArray();
    for (auto& r : q.ratios) { w.StartArray(); w.Double(r.scale); w.Int(r.round_digits); w.EndArray(); }
    w.EndArray();
    w.Key("units");
    w.StartObject();
    for (auto& [column, unit] : q.units) { w.Key(column.c_str()); w.String(unit); }
    w.EndObject();
    w.Key("sort"); write_strings(w, {q.sort.column, q.sort.direction == sort_direction::asc ? "asc" : "desc"});
    w.Key("chart"); write_strings(w, {q.chart.type, q.chart.label, q.chart.series});
    w.Key("chart_values"); write_strings(w, q.chart.values);
    w.Key("schedule"); w.String(std::string(to_string(q.when)));
    if (q.default_limit) { w.Key("limit"); w.Int(*q.default_limit); }
    w.Key("worst_first"); w.Bool(q.worst_first);
    w.Key("sql"); w.String(q.sql);
    w.EndObject();
}

query_def read_def(const rapidjson::Value& v, const std::string& path) {
    auto fail = [&] { return parse_error(path, 0, "malformed query entry (run bi-dump to rebuild the index)"); };
    if (!v.IsObject()) throw fail();
    auto text = [&](const char* key) -> std::string {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd() || !it->value.IsString()) throw fail();
        return {it->value.GetString(), it->value.GetStringLength()};
    };
    auto member = [&](const char* key) -> const rapidjson::Value& {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd()) throw fail();
        return it->value;
    };
    query_def q;
    q.category = text("category");
    q.name = text("name");
    q.file = text("file");
    q.title = text("title");
    q.description = text("description");
    q.sql = text("sql");
    auto& slots = member("slots");
    if (!slots.IsObject()) throw fail();
    for (auto& m : slots.GetObject())
        if (m.value.IsString()) q.slots.emplace_back(m.name.GetString(), m.value.GetString());
    q.columns = read_strings(member("columns"));
    auto& measures = member("measures");
    if (!measures.IsObject()) throw fail();
    for (auto& m : measures.GetObject()) {
        std::string how = m.value.IsString() ? m.value.GetString() : "sum";
        q.measures.emplace_back(m.name.GetString(), how == "min" ? aggregate::min : how == "max" ? aggregate::max : aggregate::sum);
    }
    auto& ratios = member("ratios");
    auto& scales = member("ratio_scales");
    if (!ratios.IsArray() || !scales.IsArray() || ratios.Size() != scales.Size()) throw fail();
    for (rapidjson::SizeType i = 0; i < ratios.Size(); ++i) {
        auto parts = read_strings(ratios[i]);
        if (parts.size() != 4 || !scales[i].IsArray() || scales[i].Size() != 2 || !scales[i][0].IsNumber() || !scales[i][1].IsInt())
            throw fail();
        q.ratios.push_back({parts[0], parts[1], parts[2], parts[3], scales[i][0].GetDouble(), scales[i][1].GetInt()});
    }
    auto& units = member("units");
    if (!units.IsObject()) throw fail();
    for (auto& m : units.GetObject())
        if (m.value.IsString()) q.units[m.name.GetString()] = m.value.GetString();
    auto sort = read_strings(member("sort"));
    if (sort.size() != 2) throw fail();
    q.sort = {sort[0], sort[1] == "asc" ? sort_direction::asc : sort_direction::desc};
    auto chart = read_strings(member("chart"));
    if (chart.size() != 3) throw fail();
    q.chart = {chart[0], chart[1], read_strings(member("chart_values")), chart[2]};
    auto when = parse_schedule(text("schedule"));
    if (!when) throw fail();
    q.when = *when;
    if (auto it = v.FindMember("limit"); it != v.MemberEnd() && it->value.IsInt()) q.default_limit = it->value.GetInt();
    if (auto it = v.FindMember("worst_first"); it != v.MemberEnd() && it->value.IsBool()) q.worst_first = it->value.GetBool();
    return q;
}

// index.bin: the same content as index.json, laid out to be used where it lies. A table of
// where each query's two records are (router view, catalog entry); everything routing needs
// about the whole catalog, including what index.json leaves to be derived (idf, postings,
// mean length, column stems), so nothing walks every query at load — word sets, synonyms and
// slot phrases as sorted tables searched in place, checked where read; the records; then the
// stamp of the index.json it was written with; then the checksum (XXH3-64) of each 4 KiB block
// of all that, checked when a block is first read; then where those checksums start, its own
// checksum and "BIINDEXn". Strings are length + bytes,
// numbers as in memory (the file is a cache for this machine). bi-ask maps the file and
// decodes a query only when a question makes it a candidate.
constexpr char binary_index_end[8] = {'B', 'I', 'I', 'N', 'D', 'E', 'X', '9'};
constexpr size_t binary_index_stamp = 3 * 8;
constexpr size_t binary_index_trailer = 2 * 8 + sizeof binary_index_end;
constexpr std::uint64_t binary_index_block = 4096;

/// index.bin is checked where it is read, so that loading touches none of its tables: a
/// damaged file that still names the index.json it was written with is reported then.
[[noreturn]] void damaged_index(const char* what) {
    throw parse_error("index.bin", 0, fmt::format("{} (run bi-dump to rebuild it)", what));
}

/// The mapped index.bin's blocks, each checked against its checksum when first read.
struct block_check {
    const char* base = nullptr;
    std::uint64_t checked_end = 0;  // where the checksums start
    mutable std::vector<bool> verified;

    void operator()(const char* p, size_t n) const {
        if (n == 0 || !base) return;
        auto offset = static_cast<std::uint64_t>(p - base);
        if (offset > checked_end || n > checked_end - offset) damaged_index("a record lies outside the file");
        for (auto b = offset / binary_index_block; b <= (offset + n - 1) / binary_index_block; ++b) {
            if (verified[b]) continue;
            auto length = std::min(binary_index_block, checked_end - b * binary_index_block);
            std::uint64_t sum = 0;
            std::memcpy(&sum, base + checked_end + 8 * b, 8);
            if (checksum64({base + b * binary_index_block, static_cast<size_t>(length)}) != sum)
                damaged_index("a block does not match its checksum");
            verified[b] = true;
        }
    }
};

using bin_out = detail::bin_writer;  // the same encoding as model.bin's and lexicon.bin's

class bin_in {
public:
    bin_in(const char* p, const char* end, const block_check* check) : p_(p), end_(end), check_(check) {}
    template <typename T>
    T num() {
        T v{};
        if (static_cast<size_t>(end_ - p_) < sizeof v) throw std::out_of_range("index.bin");
        (*check_)(p_, sizeof v);
        std::memcpy(&v, p_, sizeof v);
        p_ += sizeof v;
        return v;
    }
    std::string str() {
        auto n = num<std::uint32_t>();
        if (static_cast<size_t>(end_ - p_) < n) throw std::out_of_range("index.bin");
        (*check_)(p_, n);
        std::string v(p_, n);
        p_ += n;
        return v;
    }
    std::vector<std::string> strs() {
        auto n = num<std::uint32_t>();
        std::vector<std::string> v;
        v.reserve(std::min<size_t>(n, static_cast<size_t>(end_ - p_)));
        for (std::uint32_t i = 0; i < n; ++i) v.push_back(str());
        return v;
    }
    std::uint32_t count() { return num<std::uint32_t>(); }
    const char* here() const { return p_; }
    void skip(size_t n) {
        if (static_cast<size_t>(end_ - p_) < n) throw std::out_of_range("index.bin");
        p_ += n;
    }

private:
    const char* p_;
    const char* end_;
    const block_check* check_;
};

std::string binary_index_path(const std::string& json_path) {
    return fs::path(json_path).replace_extension(".bin").string();
}

void write_query(bin_out& o, const indexed_query& q) {
    o.str(q.id);
    o.str(q.title);
    o.str(q.schedule);
    o.strs(q.slots);
    o.num(static_cast<std::uint32_t>(q.terms.size()));
    for (auto& [t, w] : q.terms) { o.str(t); o.num(w); }
    o.num(static_cast<std::uint32_t>(q.examples.size()));
    for (auto& e : q.examples) o.strs(e);
    o.strs(q.example_texts);
    o.strs(q.column_stems);
    o.num(static_cast<std::int32_t>(q.worst_first));
}

indexed_query read_query(bin_in& in) {
    indexed_query q;
    q.id = in.str();
    q.title = in.str();
    q.schedule = in.str();
    q.slots = in.strs();
    auto terms = in.count();
    q.terms.reserve(terms);
    for (std::uint32_t i = 0; i < terms; ++i) {
        auto t = in.str();
        double w = in.num<double>();
        q.terms.emplace_back(std::move(t), w);
        q.length += w;
    }
    auto examples = in.count();
    for (std::uint32_t i = 0; i < examples; ++i) q.examples.push_back(in.strs());
    q.example_texts = in.strs();
    q.column_stems = in.strs();
    q.worst_first = in.num<std::int32_t>() != 0;
    return q;
}

void write_def(bin_out& o, const query_def& q) {
    for (auto* t : {&q.category, &q.name, &q.file, &q.title, &q.description, &q.sql}) o.str(*t);
    o.num(static_cast<std::uint32_t>(q.slots.size()));
    for (auto& [slot, column] : q.slots) { o.str(slot); o.str(column); }
    o.strs(q.columns);
    o.num(static_cast<std::uint32_t>(q.measures.size()));
    for (auto& [column, how] : q.measures) { o.str(column); o.num(static_cast<std::int32_t>(how)); }
    o.num(static_cast<std::uint32_t>(q.ratios.size()));
    for (auto& r : q.ratios) {
        for (auto* t : {&r.column, &r.numerator, &r.subtrahend, &r.denominator}) o.str(*t);
        o.num(r.scale);
        o.num(static_cast<std::int32_t>(r.round_digits));
    }
    o.num(static_cast<std::uint32_t>(q.units.size()));
    for (auto& [column, unit] : q.units) { o.str(column); o.str(unit); }
    o.str(q.sort.column);
    o.num(static_cast<std::int32_t>(q.sort.direction));
    o.str(q.chart.type);
    o.str(q.chart.label);
    o.strs(q.chart.values);
    o.str(q.chart.series);
    o.num(static_cast<std::int32_t>(q.when));
    o.num(static_cast<std::int32_t>(q.default_limit ? 1 : 0));
    o.num(static_cast<std::int32_t>(q.default_limit.value_or(0)));
    o.num(static_cast<std::int32_t>(q.worst_first));
}

query_def read_def(bin_in& in) {
    query_def q;
    for (auto* t : {&q.category, &q.name, &q.file, &q.title, &q.description, &q.sql}) *t = in.str();
    for (auto k = in.count(); k > 0; --k) {
        auto slot = in.str();
        q.slots.emplace_back(std::move(slot), in.str());
    }
    q.columns = in.strs();
    for (auto k = in.count(); k > 0; --k) {
        auto column = in.str();
        q.measures.emplace_back(std::move(column), static_cast<aggregate>(in.num<std::int32_t>()));
    }
    for (auto k = in.count(); k > 0; --k) {
        ratio_spec r;
        for (auto* t : {&r.column, &r.numerator, &r.subtrahend, &r.denominator}) *t = in.str();
        r.scale = in.num<double>();
        r.round_digits = in.num<std::int32_t>();
        q.ratios.push_back(std::move(r));
    }
    for (auto k = in.count(); k > 0; --k) {
        auto column = in.str();
        q.units[column] = in.str();
    }
    q.sort.column = in.str();
    q.sort.direction = static_cast<sort_direction>(in.num<std::int32_t>());
    q.chart.type = in.str();
    q.chart.label = in.str();
    q.chart.values = in.strs();
    q.chart.series = in.str();
    q.when = static_cast<schedule>(in.num<std::int32_t>());
    bool has_limit = in.num<std::int32_t>() != 0;
    auto limit = in.num<std::int32_t>();
    if (has_limit) q.default_limit = limit;
    q.worst_first = in.num<std::int32_t>() != 0;
    return q;
}

template <class Set>
std::vector<std::string> sorted(const Set& set) {
    std::vector<std::string> out(set.begin(), set.end());
    std::sort(out.begin(), out.end());
    return out;
}

/// A set of names as a sorted table of (name at, name length) entries, then the name pool.
void write_name_set(bin_out& o, const std::vector<std::string>& names) {
    std::string pool;
    o.num(static_cast<std::uint32_t>(names.size()));
    for (auto& name : names) {
        o.num(static_cast<std::uint32_t>(pool.size()));
        o.num(static_cast<std::uint32_t>(name.size()));
        pool += name;
    }
    o.str(pool);
}

/// Phrases (synonyms, slot phrases) by first stem: how many phrases there are; a table of
/// (first stem at, its length, position, record at) sorted by first stem then position; the
/// stem pool; the records, each written by `write`. A phrase with no stems never matches and
/// is left out.
template <class Phrases, class StemsOf, class Write>
void write_phrase_table(bin_out& o, const Phrases& phrases, StemsOf stems_of, Write write) {
    std::vector<std::pair<std::string_view, std::uint32_t>> order;  // (first stem, position)
    for (size_t i = 0; i < phrases.size(); ++i)
        if (auto& stems = stems_of(phrases[i]); !stems.empty()) order.emplace_back(stems.front(), static_cast<std::uint32_t>(i));
    std::sort(order.begin(), order.end());
    bin_out records;
    std::vector<std::uint32_t> record_at(phrases.size());
    for (size_t i = 0; i < phrases.size(); ++i) {
        record_at[i] = static_cast<std::uint32_t>(records.bytes().size());
        write(records, phrases[i]);
    }
    std::string pool;
    o.num(static_cast<std::uint32_t>(phrases.size()));
    o.num(static_cast<std::uint32_t>(order.size()));
    for (auto& [first, position] : order) {
        o.num(static_cast<std::uint32_t>(pool.size()));
        o.num(static_cast<std::uint32_t>(first.size()));
        o.num(position);
        o.num(record_at[position]);
        pool += first;
    }
    o.str(pool);
    o.str(records.bytes());
}

void write_binary_index(const router_index& index, const std::string& json_path) {
    auto n = index.size();
    bin_out o;
    o.num(static_cast<std::uint32_t>(n));
    auto table_at = o.bytes().size();
    o.bytes().append(2 * n * sizeof(std::uint64_t), '\0');  // filled in below
    write_phrase_table(o, index.synonyms, [](auto& s) -> auto& { return s.first; }, [](bin_out& r, auto& s) {
        r.strs(s.first);
        r.strs(s.second);
    });
    write_phrase_table(o, index.slot_phrases, [](auto& p) -> auto& { return p.stems; }, [](bin_out& r, auto& p) {
        r.strs(p.stems);
        r.str(p.slot);
        r.str(p.value);
        r.num(static_cast<std::int32_t>(p.weak));
    });
    // Words and stems as sorted tables of fixed-size entries over a pool of names, searched
    // where they lie: (name at, name length, count) and (name at, name length, idf, postings
    // at, postings count), then the pool (and the postings).
    std::map<std::string, int> words(index.words.begin(), index.words.end());
    std::string pool;
    o.num(static_cast<std::uint32_t>(words.size()));
    for (auto& [word, count] : words) {
        o.num(static_cast<std::uint32_t>(pool.size()));
        o.num(static_cast<std::uint32_t>(word.size()));
        o.num(static_cast<std::int32_t>(count));
        pool += word;
    }
    o.str(pool);
    write_name_set(o, sorted(index.stop_words));
    o.num(static_cast<std::uint32_t>(index.outside.size()));
    for (auto& phrase : index.outside) o.strs(phrase);
    write_name_set(o, sorted(index.english));
    // Derived from the queries, stored so that loading walks none of them.
    std::map<std::string, double> idf(index.idf.begin(), index.idf.end());
    pool.clear();
    std::vector<std::int32_t> postings;
    o.num(static_cast<std::uint32_t>(idf.size()));
    for (auto& [stem, weight] : idf) {
        auto it = index.postings.find(stem);
        auto count = it == index.postings.end() ? 0 : it->second.size();
        o.num(static_cast<std::uint32_t>(pool.size()));
        o.num(static_cast<std::uint32_t>(stem.size()));
        o.num(weight);
        o.num(static_cast<std::uint32_t>(postings.size()));
        o.num(static_cast<std::uint32_t>(count));
        pool += stem;
        for (size_t k = 0; k < count; ++k) postings.push_back(it->second[k]);
    }
    o.str(pool);
    o.num(static_cast<std::uint32_t>(postings.size()));
    o.bytes().append((4 - o.bytes().size() % 4) % 4, '\0');  // aligned, to be read in place as ints
    for (auto q : postings) o.num(q);
    o.num(index.max_idf);
    o.num(index.avg_length);
    write_name_set(o, sorted(index.column_stems));
    for (size_t i = 0; i < n; ++i) {
        std::uint64_t query_at = o.bytes().size();
        write_query(o, index.query(i));
        std::uint64_t def_at = o.bytes().size();
        write_def(o, index.def(i));
        std::memcpy(o.bytes().data() + table_at + 16 * i, &query_at, 8);
        std::memcpy(o.bytes().data() + table_at + 16 * i + 8, &def_at, 8);
    }
    auto stamp = stamp_of(json_path).value_or(file_stamp{});
    o.num(stamp.inode);
    o.num(stamp.size);
    o.num(stamp.mtime_ns);
    std::uint64_t sums_at = o.bytes().size();
    bin_out sums;
    for (std::uint64_t at = 0; at < sums_at; at += binary_index_block)
        sums.num(checksum64(std::string_view(o.bytes()).substr(at, binary_index_block)));
    o.bytes() += sums.bytes();
    o.num(sums_at);
    o.num(checksum64({reinterpret_cast<const char*>(&sums_at), 8}));
    o.bytes().append(binary_index_end, sizeof binary_index_end);
    atomic_file out(binary_index_path(json_path), replace_mode::entry);
    std::fwrite(o.bytes().data(), 1, o.bytes().size(), out.stream());
    out.commit();
}

}  // namespace

/// index.bin, mapped: the table of record positions and the records themselves.
namespace {

constexpr size_t set_entry = 8;      // u32 name at, u32 name length
constexpr size_t words_entry = 12;   // u32 name at, u32 name length, i32 count
constexpr size_t phrase_entry = 16;  // u32 first stem at, u32 its length, u32 position, u32 record at
constexpr size_t stems_entry = 24;   // u32 name at, u32 name length, f64 idf, u32 postings at, u32 count

/// A sorted table of index.bin (see write_binary_index), in place.
struct name_table {
    const char* entries = nullptr;
    std::uint32_t count = 0;
    size_t entry_size = 0;
    const char* pool = nullptr;
    std::uint32_t pool_size = 0;
    const int* postings = nullptr;     // stems only; 4-byte aligned in the file
    std::uint32_t postings_count = 0;
    const block_check* check = nullptr;

    template <typename T>
    T field(std::uint32_t i, size_t offset) const {
        T v;
        (*check)(entries + entry_size * i + offset, sizeof v);
        std::memcpy(&v, entries + entry_size * i + offset, sizeof v);
        return v;
    }
    std::pair<std::uint32_t, std::uint32_t> name_span(std::uint32_t i) const {
        return {field<std::uint32_t>(i, 0), field<std::uint32_t>(i, 4)};
    }
    std::pair<std::uint32_t, std::uint32_t> postings_span(std::uint32_t i) const {
        return {field<std::uint32_t>(i, 16), field<std::uint32_t>(i, 20)};
    }
    std::string_view name(std::uint32_t i) const {
        auto [at, length] = name_span(i);
        if (at > pool_size || length > pool_size - at) damaged_index("a name lies outside its table");
        (*check)(pool + at, length);
        return {pool + at, length};
    }
    /// The entry named `key`, by binary search, or nullopt.
    std::optional<std::uint32_t> find(std::string_view key) const {
        // Most probes differ in their first byte: compare it before calling memcmp.
        auto less = [](std::string_view a, std::string_view b) {
            if (!a.empty() && !b.empty() && a[0] != b[0])
                return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
            return a < b;
        };
        std::uint32_t lo = 0, hi = count;
        while (lo < hi) {
            auto mid = lo + (hi - lo) / 2;
            if (less(name(mid), key)) lo = mid + 1;
            else hi = mid;
        }
        if (lo < count && name(lo) == key) return lo;
        return std::nullopt;
    }
};

/// Finds a table's entries and name pool where they lie (names are checked when read).
void read_table(bin_in& in, name_table& table, const block_check& check) {
    table.check = &check;
    table.count = in.count();
    table.entries = in.here();
    in.skip(std::size_t{table.count} * table.entry_size);
    table.pool_size = in.count();
    table.pool = in.here();
    in.skip(table.pool_size);
}

/// Synonyms or slot phrases in place (see write_phrase_table).
struct phrase_table {
    std::uint32_t total = 0;  // phrases, counting those left out of the table
    name_table table{nullptr, 0, phrase_entry};
    const char* records = nullptr;
    std::uint32_t records_size = 0;
};

void read_phrase_table(bin_in& in, phrase_table& t, const block_check& check) {
    t.total = in.count();
    read_table(in, t.table, check);
    t.records_size = in.count();
    t.records = in.here();
    in.skip(t.records_size);
}

/// Calls visit(position, phrase) for the phrases of `t` that start with `stem`, decoding each
/// into `cache` (indexed by position) the first time.
template <class T, class Read, class Visit>
void for_each_phrase(const phrase_table& t, std::string_view stem, std::unordered_map<size_t, std::shared_ptr<const T>>& cache,
                     Read read, Visit visit) {
    auto first = t.table.find(stem);
    if (!first) return;
    for (auto i = *first; i < t.table.count && t.table.name(i) == stem; ++i) {
        auto position = t.table.field<std::uint32_t>(i, 8);
        auto record_at = t.table.field<std::uint32_t>(i, 12);
        if (position >= t.total || record_at >= t.records_size) damaged_index("a phrase lies outside its table");
        auto& slot = cache[position];
        if (!slot) {
            bin_in in(t.records + record_at, t.records + t.records_size, t.table.check);
            try {
                slot = std::make_shared<const T>(read(in));
            } catch (const std::out_of_range&) {
                throw parse_error("index.bin", 0, "a phrase record is cut short (run bi-dump to rebuild it)");
            }
        }
        visit(position, *slot);
    }
}

slot_phrase read_slot_phrase(bin_in& in) {
    slot_phrase p;
    p.stems = in.strs();
    p.slot = in.str();
    p.value = in.str();
    p.weak = in.num<std::int32_t>() != 0;
    return p;
}

router_index::synonym read_synonym(bin_in& in) {
    auto from = in.strs();
    return {std::move(from), in.strs()};
}

}  // namespace

struct router_index::query_records {
    const char* base = nullptr;  // the mapped file
    size_t size = 0;             // its length
    size_t end = 0;              // where the records end (the trailer starts)
    name_table words{nullptr, 0, words_entry}, stems{nullptr, 0, stems_entry};
    name_table english{nullptr, 0, set_entry}, stop_words{nullptr, 0, set_entry}, column_stems{nullptr, 0, set_entry};
    phrase_table synonyms, slot_phrases;
    block_check check;
    ~query_records() {
        if (base) ::munmap(const_cast<char*>(base), size);
    }
    std::uint64_t position(size_t i, int which) const {
        std::uint64_t at = 0;
        check(base + 4 + 16 * i + 8 * static_cast<size_t>(which), 8);
        std::memcpy(&at, base + 4 + 16 * i + 8 * static_cast<size_t>(which), 8);
        if (at >= end) throw parse_error("index.bin", 0, "a record lies outside the file (run bi-dump to rebuild it)");
        return at;
    }
};

namespace {

/// Record `which` (0: the router's view, 1: the catalog entry) of query `i`, decoded into
/// `slot` the first time it is asked for.
template <class T, class Read>
const T& decoded(std::shared_ptr<const T>& slot, const router_index::query_records* records, size_t i, int which,
                 Read read) {
    if (!slot) {  // only an index read from index.bin has records, and empty slots
        bin_in in(records->base + records->position(i, which), records->base + records->end, &records->check);
        try {
            slot = std::make_shared<const T>(read(in));
        } catch (const std::out_of_range&) {
            throw parse_error("index.bin", 0, "a query record is cut short (run bi-dump to rebuild it)");
        }
    }
    return *slot;
}

}  // namespace

router_index::query_entry& router_index::entry(size_t i) const {
    if (i >= size_) throw std::out_of_range("router_index: no query " + std::to_string(i));
    return entries_[i];
}

const indexed_query& router_index::query(size_t i) const {
    return decoded(entry(i).query, records_.get(), i, 0, read_query);
}

const query_def& router_index::def(size_t i) const {
    return decoded(entry(i).def, records_.get(), i, 1, [](bin_in& in) { return read_def(in); });
}

const router_index::query_scoring& router_index::scoring(size_t i) const {
    auto& slot = entry(i).scoring;
    if (!slot) {
        auto& q = query(i);
        query_scoring s;
        for (auto& [t, weight] : q.terms) s.terms.push_back(stem_hash(t));
        std::vector<std::string_view> distinct;
        for (auto& e : q.examples) {
            auto& hashes = s.examples.emplace_back();
            for (auto& t : e) hashes.push_back(stem_hash(t));
            distinct.assign(e.begin(), e.end());
            std::sort(distinct.begin(), distinct.end());
            distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
            double sum = 0;
            for (auto t : distinct) sum += idf_of(t).value_or(max_idf);
            s.example_weights.push_back(sum);
        }
        slot = std::make_shared<const query_scoring>(std::move(s));
    }
    return *slot;
}

std::optional<double> router_index::idf_of(std::string_view stem) const {
    if (records_ && records_->stems.entries) {
        auto i = records_->stems.find(stem);
        if (!i) return std::nullopt;
        return records_->stems.field<double>(*i, 8);
    }
    auto it = idf.find(std::string(stem));
    if (it == idf.end()) return std::nullopt;
    return it->second;
}

std::span<const int> router_index::postings_of(std::string_view stem) const {
    if (records_ && records_->stems.entries) {
        auto i = records_->stems.find(stem);
        if (!i) return {};
        auto& stems = records_->stems;
        auto [from, count] = stems.postings_span(*i);
        if (from > stems.postings_count || count > stems.postings_count - from) damaged_index("postings lie outside their table");
        std::span<const int> out(stems.postings + from, count);
        records_->check(reinterpret_cast<const char*>(out.data()), out.size_bytes());
        for (int q : out)
            if (q < 0 || static_cast<size_t>(q) >= size_) damaged_index("a posting names no query");
        return out;
    }
    auto it = postings.find(std::string(stem));
    if (it == postings.end()) return {};
    return it->second;
}

namespace {

/// Whether `key` is in a set of words: index.bin's sorted table when the index was loaded
/// from it, else the set built or read from index.json.
template <class Set>
bool in_set(const name_table* table, const Set& set, std::string_view key) {
    if (table && table->entries) return table->find(key).has_value();
    return set.count(std::string(key)) > 0;
}

}  // namespace

bool router_index::has_word(std::string_view word) const {
    return in_set(records_ ? &records_->words : nullptr, words, word);
}

bool router_index::is_english(std::string_view word) const {
    return in_set(records_ ? &records_->english : nullptr, english, word);
}

bool router_index::is_column_stem(std::string_view stem) const {
    return in_set(records_ ? &records_->column_stems : nullptr, column_stems, stem);
}

bool router_index::is_vocabulary_stop_word(std::string_view stem) const {
    return in_set(records_ ? &records_->stop_words : nullptr, stop_words, stem);
}

void router_index::for_each_slot_phrase(std::string_view stem,
                                        const std::function<void(size_t, const slot_phrase&)>& visit) const {
    if (records_ && records_->slot_phrases.table.entries)
        return for_each_phrase(records_->slot_phrases, stem, phrases_, read_slot_phrase, visit);
    for_each_starting_with(slot_phrases_by_first, slot_phrases.size(), stem, [&](size_t k) { visit(k, slot_phrases[k]); });
}

void router_index::for_each_synonym(std::string_view stem, const std::function<void(size_t, const synonym&)>& visit) const {
    if (records_ && records_->synonyms.table.entries)
        return for_each_phrase(records_->synonyms, stem, synonyms_, read_synonym, visit);
    for_each_starting_with(synonyms_by_first, synonyms.size(), stem, [&](size_t k) { visit(k, synonyms[k]); });
}

void router_index::for_each_word(const std::function<void(std::string_view, int)>& f) const {
    if (records_ && records_->words.entries) {
        for (std::uint32_t i = 0; i < records_->words.count; ++i)
            f(records_->words.name(i), records_->words.field<std::int32_t>(i, 8));
        return;
    }
    for (auto& [word, count] : words) f(word, count);
}

void router_index::add(indexed_query q, query_def d) {
    entries_[size_++] = {std::make_shared<const indexed_query>(std::move(q)), std::make_shared<const query_def>(std::move(d)),
                         nullptr};
}

void router_index::add_lazily(size_t n, std::shared_ptr<const query_records> records) {
    size_ += n;
    records_ = std::move(records);
}

namespace {

/// Finds the block checksums from the trailer (itself checked); false when it is damaged.
bool read_index_trailer(router_index::query_records& r) {
    if (r.size < binary_index_trailer + binary_index_stamp + 4) return false;
    const char* trailer = r.base + r.size - binary_index_trailer;
    std::uint64_t sums_at = 0, sum = 0;
    std::memcpy(&sums_at, trailer, 8);
    std::memcpy(&sum, trailer + 8, 8);
    if (std::memcmp(trailer + 16, binary_index_end, 8) != 0 || checksum64({trailer, 8}) != sum) return false;
    auto blocks = (sums_at + binary_index_block - 1) / binary_index_block;
    if (sums_at < binary_index_stamp + 4 || sums_at > r.size || (r.size - binary_index_trailer - sums_at) != 8 * blocks)
        return false;
    r.end = sums_at - binary_index_stamp;
    r.check = {r.base, sums_at, std::vector<bool>(static_cast<size_t>(blocks), false)};
    return true;
}

/// The index from index.bin, when it is there and was written with the index.json now at
/// `json_path`; nullopt sends the caller to index.json, which reports what is wrong.
std::optional<router_index> load_binary_index(const std::string& json_path, std::string& damage) {
    auto json_stamp = stamp_of(json_path);
    if (!json_stamp) return std::nullopt;
    auto records = std::make_shared<router_index::query_records>();
    {
        int fd = ::open(binary_index_path(json_path).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // never a FIFO's hang
        if (fd < 0) return std::nullopt;
        struct stat st {};
        void* mapped = MAP_FAILED;
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(binary_index_trailer + binary_index_stamp + 4))
            mapped = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (mapped == MAP_FAILED) return std::nullopt;
        records->base = static_cast<const char*>(mapped);
        records->size = static_cast<size_t>(st.st_size);
    }
    const char* bytes = records->base;
    damage = "index.bin: its trailer is damaged or cut short (run bi-dump to rebuild it)";
    if (!read_index_trailer(*records)) return std::nullopt;
    file_stamp stamp;
    try {
        records->check(bytes + records->end, binary_index_stamp);
    } catch (const parse_error& e) {
        damage = e.what();
        return std::nullopt;
    }
    damage.clear();
    std::memcpy(&stamp.inode, bytes + records->end, 8);
    std::memcpy(&stamp.size, bytes + records->end + 8, 8);
    std::memcpy(&stamp.mtime_ns, bytes + records->end + 16, 8);
    if (!(stamp == *json_stamp)) return std::nullopt;
    auto& check = records->check;
    try {
        bin_in in(bytes, bytes + records->end, &check);
        router_index index;
        auto n = in.count();
        if ((records->end - 4) / 16 < n) return std::nullopt;
        in.skip(16 * std::size_t{n});
        read_phrase_table(in, records->synonyms, check);
        read_phrase_table(in, records->slot_phrases, check);
        read_table(in, records->words, check);
        read_table(in, records->stop_words, check);
        for (auto k = in.count(); k > 0; --k) index.outside.push_back(in.strs());
        read_table(in, records->english, check);
        auto& stems = records->stems;
        read_table(in, stems, check);
        stems.postings_count = in.count();
        in.skip((4 - static_cast<size_t>(in.here() - bytes) % 4) % 4);  // the mapping is page-aligned
        stems.postings = reinterpret_cast<const int*>(in.here());
        in.skip(std::size_t{stems.postings_count} * 4);
        index.max_idf = in.num<double>();
        index.avg_length = in.num<double>();
        read_table(in, records->column_stems, check);
        index.add_lazily(n, std::move(records));
        return index;
    } catch (const std::out_of_range&) {
        damage = "index.bin: a table is cut short (run bi-dump to rebuild it)";
        return std::nullopt;
    } catch (const parse_error& e) {
        damage = e.what();  // a damaged block read while loading: index.json instead
        return std::nullopt;
    }
}

}  // namespace

std::string binary_index_damage(const std::string& json_path) {
    auto path = binary_index_path(json_path);
    struct stat st {};
    if (::lstat(json_path.c_str(), &st) != 0 || ::lstat(path.c_str(), &st) != 0) return {};
    if (!S_ISREG(st.st_mode)) return fmt::format("'{}' is not a regular file", path);
    router_index::query_records r;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fmt::format("'{}': {}", path, std::strerror(errno));
    void* mapped = st.st_size > 0 ? ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    ::close(fd);
    if (mapped == MAP_FAILED) return fmt::format("'{}' is damaged: it is empty or cannot be mapped", path);
    r.base = static_cast<const char*>(mapped);
    r.size = static_cast<size_t>(st.st_size);
    if (!read_index_trailer(r)) return fmt::format("'{}' is damaged: its trailer is damaged or cut short", path);
    try {
        r.check(r.base, static_cast<size_t>(r.check.checked_end));
    } catch (const parse_error& e) {
        return fmt::format("'{}' is damaged: {}", path, e.what());
    }
    return {};  // written with another index.json (a copy) is a cache not used, not damage
}

void write_index(const router_index& index, const std::string& path) {
    rapidjson::StringBuffer b;
    json_writer w(b);
    w.StartObject();
    w.Key("format"); w.Int(index_format);
    w.Key("queries");
    w.StartArray();
    for (size_t i = 0; i < index.size(); ++i) {
        auto& q = index.query(i);
        w.StartObject();
        w.Key("id"); w.String(q.id);
        w.Key("title"); w.String(q.title);
        w.Key("schedule"); w.String(q.schedule);
        w.Key("slots"); write_strings(w, q.slots);
        w.Key("terms");
        w.StartObject();
        for (auto& [s, weight] : q.terms) { w.Key(s.c_str()); w.Double(weight); }
        w.EndObject();
        w.Key("examples");
        w.StartArray();
        for (auto& e : q.examples) write_strings(w, e);
        w.EndArray();
        w.Key("example_texts"); write_strings(w, q.example_texts);
        w.Key("column_stems"); write_strings(w, q.column_stems);
        w.Key("worst_first"); w.Bool(q.worst_first);
        w.EndObject();
    }
    w.EndArray();
    w.Key("defs");
    w.StartArray();
    for (size_t i = 0; i < index.size(); ++i) write_def(w, index.def(i));
    w.EndArray();
    w.Key("synonyms");
    w.StartArray();
    for (auto& [from, to] : index.synonyms) {
        w.StartArray();
        write_strings(w, from);
        write_strings(w, to);
        w.EndArray();
    }
    w.EndArray();
    w.Key("slot_phrases");
    w.StartArray();
    for (auto& p : index.slot_phrases) {
        w.StartObject();
        w.Key("stems"); write_strings(w, p.stems);
        w.Key("slot"); w.String(p.slot);
        w.Key("value"); w.String(p.value);
        w.Key("weak"); w.Bool(p.weak);
        w.EndObject();
    }
    w.EndArray();
    std::map<std::string, int> words(index.words.begin(), index.words.end());
    w.Key("words");
    w.StartObject();
    for (auto& [word, count] : words) { w.Key(word.c_str()); w.Int(count); }
    w.EndObject();
    std::vector<std::string> stops(index.stop_words.begin(), index.stop_words.end());
    std::sort(stops.begin(), stops.end());
    w.Key("stop_words"); write_strings(w, stops);
    w.Key("outside");
    w.StartArray();
    for (auto& phrase : index.outside) write_strings(w, phrase);
    w.EndArray();
    std::vector<std::string> english(index.english.begin(), index.english.end());
    std::sort(english.begin(), english.end());
    w.Key("english"); write_strings(w, english);
    auto sum = checksum64({b.GetString(), b.GetSize()});  // of every byte before the member's comma
    w.Key("checksum"); w.String(checksum_text(sum));
    w.EndObject();
    atomic_file out(path, replace_mode::entry);
    std::fwrite(b.GetString(), 1, b.GetSize(), out.stream());
    std::fputc('\n', out.stream());
    out.commit();
    write_binary_index(index, path);
}

router_index load_index(const std::string& path) {
    std::string damage;
    if (auto index = load_binary_index(path, damage)) return std::move(*index);
    auto index = load_index_json(path);
    if (!damage.empty()) index.note = damage + " (routed from index.json instead)";
    return index;
}

router_index load_index_json(const std::string& path) {
    auto text = read_file(path);
    check_json_checksum(text, path);
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError())
        throw parse_error(path, 0, fmt::format("index is not valid JSON at byte {}: {} (run bi-dump to rebuild it)",
                                               doc.GetErrorOffset(), rapidjson::GetParseError_En(doc.GetParseError())));
    if (!doc.IsObject() || !doc.HasMember("format") || !doc["format"].IsInt() || doc["format"].GetInt() != index_format ||
        !doc.HasMember("queries") || !doc["queries"].IsArray())
        throw parse_error(path, 0, "not a bi index of this version (run bi-dump to rebuild it)");
    router_index index;
    std::vector<indexed_query> queries;
    for (auto& q : doc["queries"].GetArray()) {
        if (!q.IsObject() || !q.HasMember("id") || !q["id"].IsString() || !q.HasMember("terms") || !q["terms"].IsObject())
            throw parse_error(path, 0, "malformed query entry (run bi-dump to rebuild it)");
        indexed_query iq;
        iq.id = q["id"].GetString();
        if (q.HasMember("title") && q["title"].IsString()) iq.title = q["title"].GetString();
        if (q.HasMember("schedule") && q["schedule"].IsString()) iq.schedule = q["schedule"].GetString();
        if (q.HasMember("slots")) iq.slots = read_strings(q["slots"]);
        for (auto& m : q["terms"].GetObject()) {
            double weight = m.value.IsNumber() ? m.value.GetDouble() : 0.0;
            iq.terms.emplace_back(m.name.GetString(), weight);
            iq.length += weight;
        }
        if (q.HasMember("examples") && q["examples"].IsArray())
            for (auto& e : q["examples"].GetArray()) iq.examples.push_back(read_strings(e));
        if (q.HasMember("example_texts")) iq.example_texts = read_strings(q["example_texts"]);
        if (q.HasMember("column_stems")) iq.column_stems = read_strings(q["column_stems"]);
        if (q.HasMember("worst_first") && q["worst_first"].IsBool()) iq.worst_first = q["worst_first"].GetBool();
        queries.push_back(std::move(iq));
    }
    if (!doc.HasMember("defs") || !doc["defs"].IsArray() || doc["defs"].Size() != queries.size())
        throw parse_error(path, 0, "index has no query definitions (run bi-dump to rebuild it)");
    for (size_t i = 0; i < queries.size(); ++i) index.add(std::move(queries[i]), read_def(doc["defs"][static_cast<rapidjson::SizeType>(i)], path));
    if (doc.HasMember("synonyms") && doc["synonyms"].IsArray())
        for (auto& s : doc["synonyms"].GetArray())
            if (s.IsArray() && s.Size() == 2) index.synonyms.emplace_back(read_strings(s[0]), read_strings(s[1]));
    if (doc.HasMember("slot_phrases") && doc["slot_phrases"].IsArray())
        for (auto& p : doc["slot_phrases"].GetArray()) {
            if (!p.IsObject() || !p.HasMember("slot") || !p["slot"].IsString() || !p.HasMember("value") || !p["value"].IsString())
                continue;
            if (!p.HasMember("stems")) continue;
            index.slot_phrases.push_back({read_strings(p["stems"]), p["slot"].GetString(), p["value"].GetString(),
                                          p.HasMember("weak") && p["weak"].IsBool() && p["weak"].GetBool()});
        }
    if (doc.HasMember("words"))
        if (doc["words"].IsObject())
            for (auto& m : doc["words"].GetObject()) index.words[m.name.GetString()] = m.value.IsInt() ? m.value.GetInt() : 1;
    if (doc.HasMember("outside") && doc["outside"].IsArray())
        for (auto& phrase : doc["outside"].GetArray()) index.outside.push_back(read_strings(phrase));
    if (doc.HasMember("english"))
        for (auto& w : read_strings(doc["english"])) index.english.insert(w);
    if (doc.HasMember("stop_words"))
        for (auto& w : read_strings(doc["stop_words"])) index.stop_words.insert(w);
    finish(index);
    return index;
}

}  // namespace bi
