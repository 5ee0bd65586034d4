// bi-status's report in the formats operators' monitors already read: the Prometheus
// node_exporter textfile collector, and a Nagios plugin's one line with performance data.
#pragma once

#include <string>

#include "bi/freshness.hpp"
#include "bi/status.hpp"

namespace bi {

/// The report as Prometheus text exposition (version 0.0.4): `# HELP`/`# TYPE` lines, then
/// `bi_…` samples labelled by query, schedule and source.
std::string status_prometheus(const status_report& r);

/// One Nagios plugin line: `BI OK - 24 dumps fresh | stale=0;0;;0 missing=0;;0;0 …`.
std::string status_nagios(const status_report& r);

}  // namespace bi
