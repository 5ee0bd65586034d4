-- title: KPI variance by category
-- description: For each KPI category the number of KPIs and how many missed target in the latest month and the average variance to target.
-- keywords: category, categories, variance, area, areas, department, departments, function, rollup, summary, kpi, kpis, target
-- synonyms: variance by category, kpi summary by category, category rollup, performance by department, target variance summary, kpis by area
-- example: Which KPI category is furthest off target?
-- example: Variance to target by KPI category
-- example: How do sales KPIs compare with service KPIs against target?
-- example: Summarise KPI performance by area
-- example: count of KPIs missing target by category
-- example: average variance to target per category
-- example: Which part of the business is missing the most targets?
-- example: Break down KPI misses by department
-- example: category rollup of KPI performance
-- slots: kpi_category = category
-- columns: category, kpis, off_target, off_target_pct, avg_variance_pct, worst_kpi
-- measures: kpis = sum, off_target = sum
-- ratio: off_target_pct = off_target / kpis * 100
-- units: kpis = count, off_target = count, off_target_pct = percent, avg_variance_pct = percent
-- sort: avg_variance_pct asc
-- ranking: worst_first
-- chart: bar
-- chart_label: category
-- chart_values: avg_variance_pct
-- schedule: daily
WITH latest_period AS (
    SELECT MAX(period) AS period
    FROM kpi_values
),
latest_variances AS (
    SELECT
        k.name AS kpi,
        k.category,
        (v.actual - k.target) * 100.0 / k.target * (CASE WHEN k.higher_is_better = 1 THEN 1 ELSE -1 END) AS variance_pct
    FROM kpis AS k
    JOIN kpi_values AS v ON v.kpi_id = k.kpi_id
    JOIN latest_period AS p ON p.period = v.period
),
ranked_variances AS (
    SELECT
        kpi,
        category,
        variance_pct,
        ROW_NUMBER() OVER (PARTITION BY category ORDER BY variance_pct, kpi) AS rank_in_category
    FROM latest_variances
),
category_totals AS (
    SELECT
        category,
        COUNT(*) AS kpis,
        SUM(CASE WHEN variance_pct < 0 THEN 1 ELSE 0 END) AS off_target,
        ROUND(AVG(variance_pct), 2) AS avg_variance_pct,
        MAX(CASE WHEN rank_in_category = 1 THEN kpi END) AS worst_kpi
    FROM ranked_variances
    GROUP BY category
)
SELECT
    category,
    kpis,
    off_target,
    ROUND(off_target * 100.0 / kpis, 2) AS off_target_pct,
    avg_variance_pct,
    worst_kpi
FROM category_totals
ORDER BY avg_variance_pct, category;
