-- title: Underperforming KPIs
-- description: KPIs that missed their target in the latest month with the size of the miss and how many of the last six months also missed.
-- keywords: underperforming, underperform, missing, missed, miss, below, behind, short, target, kpi, kpis, metrics, lagging, problem, failing, attention, concern, worrying, red
-- synonyms: off target, below target, missing target, red kpis, kpis at risk, problem areas, lagging metrics, behind plan, missed targets, not hitting target, need attention, failing kpis, kpis in the red, metrics of concern
-- example: Which KPIs are missing target?
-- example: What metrics are underperforming this month?
-- example: Show KPIs below target in operations
-- example: Where are we falling short?
-- example: red KPIs
-- example: Which customer metrics missed their targets?
-- example: What are our biggest problem areas right now
-- example: List the finance KPIs that are behind plan
-- example: Which service metrics have been off target for several months?
-- slots: kpi_category = category
-- columns: kpi, category, actual, target, variance_pct, months_missed
-- units: variance_pct = percent, months_missed = count
-- sort: variance_pct asc
-- ranking: worst_first
-- chart: horizontal_bar
-- chart_label: kpi
-- chart_values: variance_pct
-- schedule: daily
WITH latest_period AS (
    SELECT
        MAX(period) AS period,
        strftime('%Y-%m', MAX(period) || '-01', '-5 months') AS first_of_last_six
    FROM kpi_values
),
monthly_variances AS (
    SELECT
        k.kpi_id,
        k.name AS kpi,
        k.category,
        v.period,
        v.actual,
        k.target,
        -- rounded to 6 places first, as in health_scores.sql (doubles vs exact decimals)
        ROUND(ROUND((v.actual - k.target) * 100.0 / k.target * (CASE WHEN k.higher_is_better = 1 THEN 1 ELSE -1 END), 6), 2) AS variance_pct
    FROM kpis AS k
    JOIN kpi_values AS v ON v.kpi_id = k.kpi_id
    JOIN latest_period AS p ON v.period BETWEEN p.first_of_last_six AND p.period
),
misses_in_last_six AS (
    SELECT
        kpi_id,
        COUNT(*) AS months_missed
    FROM monthly_variances
    WHERE variance_pct < 0
    GROUP BY kpi_id
)
SELECT
    v.kpi,
    v.category,
    v.actual,
    v.target,
    v.variance_pct,
    m.months_missed
FROM monthly_variances AS v
JOIN latest_period AS p ON p.period = v.period
JOIN misses_in_last_six AS m ON m.kpi_id = v.kpi_id
WHERE v.variance_pct < 0
ORDER BY v.variance_pct, v.kpi;
