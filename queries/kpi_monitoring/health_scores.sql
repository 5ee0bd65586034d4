-- title: KPI health scores
-- description: Latest month's actual and target for every KPI with a status and a variance signed so that negative means worse than target.
-- keywords: kpi, kpis, health, scorecard, metrics, target, targets, status, actual, variance, dashboard, tracking, hitting, meeting, on track, performance, traffic light, rag
-- synonyms: kpi health, kpi scorecard, kpi dashboard, how are we tracking, metrics vs target, balanced scorecard, health check, kpi performance, hitting targets, meeting targets, on track, kpi status, traffic lights, rag status
-- example: How are our KPIs tracking against target?
-- example: Show the KPI scorecard
-- example: What's the health of our customer KPIs?
-- example: KPI status for operations
-- example: Are we on track on our finance metrics this month?
-- example: Give me a health check of all metrics
-- example: Which sales KPIs are on track?
-- example: latest KPI actuals vs targets
-- example: How is the service department doing against its KPIs?
-- slots: kpi_category = category
-- columns: kpi, category, actual, target, variance_pct, status
-- units: variance_pct = percent
-- sort: variance_pct desc
-- chart: horizontal_bar
-- chart_label: kpi
-- chart_values: variance_pct
-- schedule: daily
WITH latest_period AS (
    SELECT MAX(period) AS period
    FROM kpi_values
),
latest_variances AS (
    SELECT
        k.name AS kpi,
        k.category,
        v.actual,
        k.target,
        -- rounded to 6 places first: SQLite's doubles make 19.375 19.3749999…, which would
        -- round down where exact decimals (PostgreSQL's numeric) round up
        ROUND(ROUND((v.actual - k.target) * 100.0 / k.target * (CASE WHEN k.higher_is_better = 1 THEN 1 ELSE -1 END), 6), 2) AS variance_pct
    FROM kpis AS k
    JOIN kpi_values AS v ON v.kpi_id = k.kpi_id
    JOIN latest_period AS p ON p.period = v.period
)
SELECT
    kpi,
    category,
    actual,
    target,
    variance_pct,
    CASE
        WHEN variance_pct >= 0 THEN 'on track'
        WHEN variance_pct >= -5 THEN 'at risk'
        ELSE 'off track'
    END AS status
FROM latest_variances
ORDER BY variance_pct DESC, kpi;
