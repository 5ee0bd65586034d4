// Running catalog queries into dumps: the selection by name, category or schedule, one
// failure never stopping the others, and the index rebuilt afterwards.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bi/catalog.hpp"
#include "bi/config.hpp"

namespace bi {

struct selection {
    std::vector<std::string> queries;      ///< names or category/name
    std::vector<std::string> categories;
    std::optional<schedule> due;           ///< queries whose schedule is this
};

/// The queries `s` names (all of them when `s` is empty); usage_error for an unknown name.
std::vector<const query_def*> select_queries(const catalog& c, const selection& s);

/// What happened to one query in a run.
struct dump_outcome {
    std::string query;          ///< category/name
    bool ok = false;
    std::int64_t rows = 0;
    double duration_ms = 0;
    std::string started_at;     ///< UTC ISO 8601
    std::string ended_at;
    std::string error;          ///< the message when !ok
};

/// Dumps each query into cfg.dumps_dir (its previous dump stays when it fails), calling
/// `progress` after each, then rebuilds the index. Throws unreachable_error when the
/// database cannot be opened at all.
std::vector<dump_outcome> dump_queries(const config& cfg, const catalog& c, const std::vector<const query_def*>& queries,
                                       const std::function<void(const dump_outcome&)>& progress = {});

}  // namespace bi
