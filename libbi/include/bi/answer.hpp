// Answering: route a question, shape the chosen dump into the answer, and render it as the
// JSON bi-ask prints. Dumps are cached so a batch never reloads anything per question.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bi/config.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "bi/router.hpp"

namespace bi {

struct answer {
    exit_code code = exit_code::ok;       ///< ok, no_match (3)
    std::string json;                     ///< the answer object, one line
    std::vector<std::string> notes;       ///< why-lines for stderr (live fallback, stale dump)
    // What the ledger records.
    std::string query;                    ///< category/name, or "" for none
    double score = 0;
    std::string source;                   ///< dump, live, or "" for none
    std::map<std::string, std::string> filters;
};

class answerer {
public:
    answerer(config cfg, router_index index);
    ~answerer();

    /// Answers one question. Throws usage_error for text that is not a question.
    answer ask(std::string_view question, bool explain = false);

    /// Example questions that fit a partial question, best first.
    std::vector<std::string> suggest(std::string_view partial, size_t max = 5) const;

    /// The categories, queries and example questions, as JSON.
    std::string list_json() const;

    /// A one-line JSON object for a question that could not be read (batch mode).
    std::string error_json(std::string_view message) const;

    const router_index& index() const { return index_; }
    const config& settings() const { return config_; }

private:
    const dump* load_dump(int query, std::string& why);

    config config_;
    router_index index_;
    route_options routing_;
    std::map<int, std::unique_ptr<dump>> dumps_;
    std::map<int, std::string> dump_errors_;
    std::unique_ptr<database> live_;
};

}  // namespace bi
