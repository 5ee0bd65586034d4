// The question router: question text → recognised slots, a ranking direction and limit, and
// the catalog queries ranked by how well they fit. Deterministic: same index, same answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bi/index.hpp"

namespace bi {

struct route_options {
    double threshold = 0.40;   ///< lowest score answered
    double margin = 0.02;      ///< how far the best must beat the runner-up
    std::string today;         ///< YYYY-MM-DD for "this year"/"last year"; "" = the clock or $BI_TODAY
};

/// A slot value found in a question.
struct slot_match {
    std::string slot;
    std::string value;         ///< canonical value; digits for a year
    std::string text;          ///< the words that named it
    bool weak = false;         ///< an ordinary catalog word too: applied only where the query has the slot
};

struct candidate {
    int query = -1;                       ///< position in router_index::queries
    double score = 0;                     ///< 0..1
    double coverage = 0;                  ///< share of the question's term weight the query matches
    std::vector<std::string> matched;     ///< question terms found in the query's text
};

enum class route_outcome { answered, ambiguous, no_match };

struct route_result {
    route_outcome outcome = route_outcome::no_match;
    std::vector<std::string> words;        ///< the normalised words
    std::vector<std::string> corrections;  ///< typo corrections, "nrotheast→northeast"
    std::vector<std::string> terms;        ///< the stems routing used
    std::vector<slot_match> slots;
    std::optional<int> limit;
    bool asks_worst = false;               ///< "worst", "weakest", "poorest"
    bool asks_best = false;                ///< "best", "strongest"
    bool asks_least = false;               ///< "least", "fewest", "lowest", "bottom", "smallest"
    std::vector<candidate> candidates;     ///< best first, at most five
    std::string outside;                   ///< the out-of-scope word that stopped routing, if any
};

/// Routes one question. Throws usage_error for text that is not a question at all
/// (empty, not UTF-8, over 4 KiB).
route_result route(const router_index& index, std::string_view question, const route_options& options);

/// The out-of-scope phrase route() would stop at (its `outside`), or "" — found without
/// scoring the catalog's queries. Throws as route() does.
std::string out_of_scope(const router_index& index, std::string_view question, const route_options& options);

/// Whether the question asks for the opposite of `q`'s default ranking: "worst" on a
/// best-first query, "best" on a worst-first one, "least"/"lowest" on a descending sort.
bool wants_reverse(const route_result& r, const query_def& q);

/// Today as YYYY-MM-DD (UTC); BI_TODAY fixes it, for tests. Throws usage_error when BI_TODAY
/// is not such a date.
std::string today_iso();

}  // namespace bi
