// The dump index: everything bi-ask needs to route a question, prepared by bi-dump/bi-regen
// so that answering never re-reads the catalog or parses every dump.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bi/catalog.hpp"

namespace bi {

/// A catalog query as the router sees it: weighted stems and example stems.
struct indexed_query {
    std::string id;                                  ///< category/name
    std::string title;
    std::string schedule;
    std::vector<std::string> slots;                  ///< slot names it can filter on
    std::vector<std::pair<std::string, double>> terms;  ///< stem → field-weighted frequency
    double length = 0;                               ///< sum of the weights, for BM25's length norm
    std::vector<std::vector<std::string>> examples;  ///< stems of each example question
    std::vector<std::string> example_texts;          ///< the example questions as written
    std::vector<std::string> column_stems;           ///< stems of its columns: "by dealer" needs dealer
    bool worst_first = false;                        ///< lists the bad end of a ranking first
};

/// A way a slot value is written in questions: its words, or an alias's words.
struct slot_phrase {
    std::vector<std::string> stems;   ///< stems of its words, so plurals and inflections match
    std::string slot;
    std::string value;                ///< canonical value as in the data
    bool weak = false;                ///< also an ordinary catalog word ("sales"): applied only where the query has the slot
};

struct router_index {
    /// Where the queries of an index loaded from index.bin are decoded from, each on first use.
    struct query_records;

    size_t size() const { return size_; }
    /// Query `i` as the router sees it, and its catalog entry. From index.bin they are decoded
    /// when first asked for: answering a question touches only its candidates.
    const indexed_query& query(size_t i) const;
    const query_def& def(size_t i) const;
    /// What scoring needs of query `i` beyond the query itself, worked out on first use.
    struct query_scoring {
        std::vector<std::uint64_t> terms;                  ///< stem_hash of each term, as in indexed_query::terms
        std::vector<std::vector<std::uint64_t>> examples;  ///< stem_hash of each example stem
        std::vector<double> example_weights;               ///< per example: summed weight (idf, or max_idf
                                                           ///< for a stem no query uses) of its distinct stems
    };
    const query_scoring& scoring(size_t i) const;
    /// Appends a query and its catalog entry (building, or reading index.json).
    void add(indexed_query q, query_def d);
    /// Sets up `n` queries to be decoded from `records` (reading index.bin).
    void add_lazily(size_t n, std::shared_ptr<const query_records> records);

    /// A synonym: the stems of a phrase, and the canonical stems it stands for.
    using synonym = std::pair<std::vector<std::string>, std::vector<std::string>>;

    // Built, or read from index.json. An index read from index.bin leaves idf, postings, words,
    // english, stop_words, column_stems, synonyms and slot_phrases empty and answers the
    // lookups below from the file's sorted tables, where they lie.
    std::unordered_map<std::string, double> idf;       ///< stem → inverse document frequency
    std::vector<synonym> synonyms;
    std::vector<slot_phrase> slot_phrases;
    std::unordered_map<std::string, int> words;        ///< every catalog and value word and how often it is used, for typos and abbreviations
    std::unordered_set<std::string> stop_words;        ///< stems of the vocabulary's extra stop words
    std::vector<std::vector<std::string>> outside;     ///< stems of phrases that put a question out of scope
    std::unordered_set<std::string> english;           ///< English words one edit from a catalog word: never "typos"
    std::unordered_map<std::string, std::vector<int>> postings;  ///< stem → queries using it
    // Derived once per index so that routing a question never walks the whole catalog.
    double max_idf = 0;                                ///< the largest idf: the weight of a word the catalog never uses
    double avg_length = 1;                             ///< mean query length, for BM25's length norm
    std::unordered_set<std::string> column_stems;      ///< stems of every query's columns ("by dealer" → dealer)
    /// Positions in `synonyms` and `slot_phrases` by their first stem, in order, so that
    /// matching a question looks only at phrases that can start at each word.
    struct first_stem_lookup {
        std::unordered_map<std::string, std::vector<int>> positions;
        size_t built_for = 0;                          ///< the vector's size when built; else unused
    };
    first_stem_lookup synonyms_by_first, slot_phrases_by_first;

    /// Set when index.bin was found damaged while loading and index.json read instead.
    std::string note;

    /// Position of the query `id` (category/name or name), or -1.
    int find(std::string_view id) const;

    // Lookups that work on either form: the members above (built, or read from index.json) or
    // the sorted tables of index.bin, used where they lie.
    std::optional<double> idf_of(std::string_view stem) const;
    std::span<const int> postings_of(std::string_view stem) const;
    bool has_word(std::string_view word) const;
    /// Calls f(word, count) for every catalog and value word.
    void for_each_word(const std::function<void(std::string_view, int)>& f) const;
    bool is_english(std::string_view word) const;
    bool is_column_stem(std::string_view stem) const;
    bool is_vocabulary_stop_word(std::string_view stem) const;
    /// Calls visit(position, phrase) for each slot phrase, or synonym, whose first stem is
    /// `stem`, in position order. A phrase stays where it is for the index's lifetime.
    void for_each_slot_phrase(std::string_view stem, const std::function<void(size_t, const slot_phrase&)>& visit) const;
    void for_each_synonym(std::string_view stem, const std::function<void(size_t, const synonym&)>& visit) const;

private:
    // What is known of query i: built, or decoded from index.bin on first use. Maps, not
    // vectors: a question over a catalog of 10,000 queries decodes a few dozen of them.
    struct query_entry {
        std::shared_ptr<const indexed_query> query;
        std::shared_ptr<const query_def> def;
        std::shared_ptr<const query_scoring> scoring;
    };
    size_t size_ = 0;
    mutable std::unordered_map<size_t, query_entry> entries_;
    mutable std::unordered_map<size_t, std::shared_ptr<const slot_phrase>> phrases_;  // index.bin's, by position
    mutable std::unordered_map<size_t, std::shared_ptr<const synonym>> synonyms_;
    query_entry& entry(size_t i) const;
    std::shared_ptr<const query_records> records_;
};

/// A stem's hash, compared before the stems themselves when scoring.
inline std::uint64_t stem_hash(std::string_view stem) { return std::hash<std::string_view>{}(stem); }

/// Builds the index from the catalog, reading slot values from the dumps in `dumps_dir`.
router_index build_index(const catalog& c, const std::string& dumps_dir);

/// A slot phrase found in a sequence of stems.
struct phrase_match {
    size_t start = 0;
    size_t length = 0;
    const slot_phrase* phrase = nullptr;
};

/// Finds slot phrases in `stems`, longest first, never overlapping.
std::vector<phrase_match> match_slot_phrases(const router_index& index, const std::vector<std::string>& stems);

/// Words that rank rather than name a topic (top, best, worst, least...): the router reads
/// them as direction and limit, never as routing terms.
bool is_rank_word(std::string_view word);

/// Applies the vocabulary's synonyms to a stem sequence (longest phrase first).
std::vector<std::string> apply_synonyms(const router_index& index, const std::vector<std::string>& stems);

/// Where the index lives in a dumps directory.
std::string index_path(const std::string& dumps_dir);
void write_index(const router_index& index, const std::string& path);
/// What is wrong with the index.bin beside the index.json at `json_path`, every block checked:
/// empty when it is sound or either file is missing.
std::string binary_index_damage(const std::string& json_path);
/// Loads an index; throws parse_error naming the file when it is unreadable.
router_index load_index(const std::string& path);
/// The same from index.json alone, never its binary companion (which load_index trusts only
/// while its stamp matches, and decodes lazily: damage inside it surfaces as a parse_error
/// naming index.bin while a question is routed).
router_index load_index_json(const std::string& path);

}  // namespace bi
