// Chart.js 4 configurations built from rows, so a web page can hand them to `new Chart()`.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "bi/catalog.hpp"
#include "bi/table.hpp"

namespace bi {

/// The chart a query's header declares, drawn from `rows` (already shaped); JSON text.
std::string chart_config(const chart_spec& spec, const table& rows, std::string_view title,
                         const std::map<std::string, std::string>& units = {});

/// A chart guessed from the rows' shape, for ad-hoc SQL: a month/date label → line, else a
/// text label and numeric columns → bar.
std::string chart_config_for_shape(const table& rows, std::string_view title);

/// "claim_cost" → "Claim cost", "kpi" → "KPI".
std::string humanize(std::string_view column);

/// The axis or dataset title of a measure column: "change_pct" (percent) → "Change (%)",
/// "lead_time_days" (days) → "Lead time (days)", "revenue" (usd) → "Revenue ($)".
std::string measure_title(std::string_view column, const std::map<std::string, std::string>& units);

}  // namespace bi
