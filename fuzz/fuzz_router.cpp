// Fuzzes the question router over the repo's catalog: any bytes are a question, answered or
// refused with usage_error, and the result keeps the promises route() documents.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bi/catalog.hpp"
#include "bi/error.hpp"
#include "bi/index.hpp"
#include "bi/router.hpp"

namespace {

const bi::router_index* index_ = nullptr;

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
    return 0;
}
