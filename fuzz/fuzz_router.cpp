// Fuzzes the question router and the semantic reader and planner over the repo's catalog: any
// bytes are a question, answered or refused with usage_error, and the results keep the promises
// route(), question_reader::read() and make_plan() document.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bi/analysis.hpp"
#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "bi/model.hpp"
#include "bi/planner.hpp"
#include "bi/router.hpp"

namespace {

const bi::router_index* index_ = nullptr;
const bi::semantic_model* model_ = nullptr;
const bi::question_reader* reader_ = nullptr;

[[noreturn]] void die(const char* why) {
    std::fprintf(stderr, "fuzz_router: %s\n", why);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* dir = std::getenv("BI_FUZZ_QUERIES");
    auto catalog = bi::load_catalog(dir && *dir ? dir : BI_SOURCE_DIR "/queries");
    // No dumps: slot values come only from the vocabulary's aliases.
    index_ = new bi::router_index(bi::build_index(catalog, "/nonexistent/bi-fuzz-dumps"));
    model_ = new bi::semantic_model(bi::build_model(catalog, "/nonexistent/bi-fuzz-dumps"));
    reader_ = new bi::question_reader(*model_);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view question(reinterpret_cast<const char*>(data), size);
    bi::route_options options;
    options.today = "2026-06-15";
    bi::route_result r;
    try {
        r = bi::route(*index_, question, options);
    } catch (const bi::usage_error&) {
        return 0;
    }
    if (r.candidates.size() > 5) die("more than five candidates");
    for (auto& c : r.candidates) {
        if (c.query < 0 || static_cast<std::size_t>(c.query) >= index_->size()) die("candidate out of range");
        if (!std::isfinite(c.score) || c.score < 0 || c.score > 1) die("score outside 0..1");
        bi::wants_reverse(r, index_->def(static_cast<std::size_t>(c.query)));
    }
    if (r.outcome == bi::route_outcome::answered && r.candidates.empty()) die("answered without a candidate");

    // The same bytes read by the semantic model: a reading, then a plan over cubes that exist or
    // a reason; never both, never neither.
    auto q = reader_->read(question, "2026-06-15");  // valid input: route() accepted it above
    if (q.limit && *q.limit <= 0) die("a limit that is not positive");
    for (auto& m : q.measures)
        if (!bi::find_measure(*model_, q, m)) die("a measure the model does not have");
    auto plan = bi::make_plan(*model_, q);
    if (plan.chosen.has_value() == !plan.reason.empty()) die("a plan with a reason, or neither");
    if (plan.chosen)
        for (auto& part : plan.chosen->parts)
            if (std::none_of(model_->cubes.begin(), model_->cubes.end(), [&](auto& c) { return c.id == part.cube; }))
                die("a plan over a cube the model does not have");
    return 0;
}
