// Question text → words → stems: the normaliser, tokeniser, stemmer and stop words the router
// and the index share, so the catalog and questions are read the same way.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bi {

/// The longest question, in bytes, that bi reads (longer ones are a usage error).
inline constexpr std::size_t max_question_bytes = 4096;

/// `text` as matching compares it: NFKC, case folded ("Straße" → "strasse"), accents stripped
/// ("Café" → "cafe"), typographic quotes, dashes and spaces as ASCII. Text that is not UTF-8 is
/// only ASCII-lower-cased.
std::string fold_text(std::string_view text);

/// Words of `text` folded by fold_text: "&" read as "and",
/// hyphenated words split, possessives dropped, numbers written as words turned into digits
/// ("twenty five" → "25"), "%" read as "percent".
std::vector<std::string> words_of(std::string_view text);

/// The Snowball English stem of a lower-case word (numbers are returned unchanged).
std::string stem(std::string_view word);

/// True for the built-in stop words (articles, pronouns, question words, BI filler such as
/// "show", "me", "list").
bool is_stop_word(std::string_view word);

/// True for the stem of a built-in stop word ("does" → "doe"), for text already stemmed.
bool is_stop_stem(std::string_view stem);

/// The built-in stop words and their stems, each sorted.
std::span<const std::string_view> stop_words_list();
std::span<const std::string_view> stop_stems_list();

/// Damerau–Levenshtein distance (adjacent transpositions count one), capped at `limit + 1`.
int edit_distance(std::string_view a, std::string_view b, int limit);

/// True when `s` is valid UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace bi
