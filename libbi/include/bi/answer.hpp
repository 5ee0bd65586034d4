// Answering: route a question and shape the chosen dump into the typed answer the renderers
// (format.hpp) print. Dumps are cached so a batch never reloads anything per question.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bi/answer_types.hpp"
#include "bi/config.hpp"
#include "bi/dump.hpp"
#include "bi/error.hpp"
#include "bi/freshness.hpp"
#include "bi/analysis.hpp"
#include "bi/index.hpp"
#include "bi/model.hpp"
#include "bi/router.hpp"
#include "bi/shape.hpp"

namespace bi {

/// How one question is to be answered.
struct ask_options {
    bool explain = false;          ///< add why: terms, slots, candidates
    bool use_cache = false;        ///< reuse fallback SQL stored for the same normalised question
    std::string save_as;           ///< category/name: save a fallback answer as a catalog query
};

class answerer {
public:
    answerer(config cfg, router_index index);
    ~answerer();

    /// Answers one question: from the semantic model's cubes when it names a measure, else
    /// from the closest report's dump (live when the dump is unusable), or, with a fallback
    /// command configured and no exact answer, from the SQL the command writes. Throws
    /// usage_error for text that is not a question, fallback_error, refused_error.
    answer ask(std::string_view question, const ask_options& options = {});

    /// Answers a semantic query given directly (bi-ask --measure, or the JSON form on stdin).
    answer ask(const semantic_query& query, std::string_view question, const ask_options& options = {});

    /// The semantic model bi-dump wrote, or nullptr when there is none.
    const semantic_model* model();

    /// Example questions that fit a partial question, best first.
    std::vector<std::string> suggest(std::string_view partial, size_t max = 5) const;

    /// The categories, queries and example questions, as JSON.
    std::string list_json() const;

    /// The answer to a batch line that could not be read as a question.
    static answer error_answer(std::string_view question, std::string_view message);

    /// Whether small dumps are read whole and kept for later questions (the default, for a
    /// batch), or each question reads only the rows its filters keep (one question a process).
    void keep_dumps(bool keep) { keep_dumps_ = keep; }

    const router_index& index() const { return index_; }
    const config& settings() const { return config_; }

private:
    /// The answer from the model's cubes, or nullopt when the question names no measure and a
    /// report may answer it instead.
    std::optional<answer> ask_semantic(const semantic_query& q, std::string_view question, const ask_options& options,
                                       bool from_text);
    /// A cube's rows, read once (a batch) or filtered to one question's rows.
    /// The cube's rows from its own SQL, run live, when its dump is damaged (`damage` says how).
    std::unique_ptr<dump> cube_live(const std::string& cube, const std::string& damage);
    const table& cube_rows(const std::string& cube, const semantic_query& q, std::string& generated_at,
                           std::optional<freshness>& fresh,
                           std::vector<std::string>& notes);
    /// The answer of the model (or of a report the question names), a refusal, or nullopt when
    /// the question names no measure and the closest report may answer it.
    std::optional<answer> ask_model(const semantic_query& q, std::string_view question, const ask_options& options);
    /// ask() without the batch's memory of answers.
    answer answer_afresh(std::string_view question, const ask_options& options);
    /// answer_afresh, once more from index.json (or the catalog) when index.bin proves damaged.
    answer answer_recovering(std::string_view question, const ask_options& options);
    /// Why the report path must not answer a question the model did not, or "" when it may.
    std::string report_refusal(const semantic_query& q) const;
    /// Whether a question the model could not answer names a curated report closely enough for
    /// the report to answer it as asked.
    /// `whole`: every routing term of the question is in the report's text.
    bool names_a_report(const semantic_query& q, std::string_view question, bool whole);
    /// The closest curated report, filtered by the question's slots.
    answer ask_report(std::string_view question, const ask_options& options, const semantic_query* reading);
    answer no_answer(std::string_view question, const std::string& reason, const semantic_query* q,
                     const route_result* r, bool explain);

    /// The query's dump: a small one is read whole once and kept; a large one is streamed
    /// from its binary companion per question, keeping only the rows `filters` match.
    const dump* load_dump(int query, const std::vector<std::pair<std::string, value>>& filters, std::string& why);
    database& live_database();
    answer ask_fallback(std::string_view question, const route_result& routed, const ask_options& options);
    /// The database's fingerprint, computed once: freshness is judged against it.
    const std::string& database_fingerprint();

    /// The question routed: worked out once per distinct text (routing depends on nothing else
    /// the answerer does not hold fixed).
    const route_result& routed(std::string_view question);
    /// routed(question).outside, found without scoring the catalog's queries.
    std::string outside_scope(std::string_view question) const;

    /// An answer's rows and chart, shaped from a kept dump, for the next question that asks for
    /// the same query, filters, order and limit (a batch: most questions repeat).
    struct shaped_rows {
        std::shared_ptr<const table> rows;
        sort_spec sort;
        std::optional<int> limit;
        size_t rows_total = 0;
        std::string chart;
    };

    /// A report's rows shaped to the request, with their chart.
    static shaped_rows shape_rows(const query_def& q, const table& rows, const shape_request& request,
                                  const std::string& chart_title);
    /// Keeps shaped rows for the next question that asks for the same (a bound on cells held).
    void remember_rows(std::string key, const shaped_rows& rows);

    config config_;
    router_index index_;
    bool index_from_json_ = false;     ///< index.bin was found damaged and dropped
    route_options routing_;
    std::unordered_map<std::string, route_result> routes_;
    std::unordered_map<std::string, shaped_rows> shaped_;
    bool keep_dumps_ = true;
    size_t shaped_cells_ = 0;          ///< cells held in shaped_, which is emptied past a bound
    std::map<int, std::unique_ptr<dump>> dumps_;
    std::map<int, std::string> dump_errors_;
    std::unique_ptr<dump> filtered_;   ///< the rows of a large dump this question's filters kept
    std::unique_ptr<database> live_;
    std::optional<std::string> fingerprint_;
    bool model_loaded_ = false;
    std::unique_ptr<semantic_model> model_;
    std::unique_ptr<question_reader> reader_;
    std::map<std::string, std::unique_ptr<dump>> cubes_;
    std::unordered_map<std::string, answer> answers_;  ///< a batch's answers by options and question text
    std::unique_ptr<dump> cube_filtered_;
};

}  // namespace bi
