-- title: KPI actuals and targets by month
-- description: Each KPI's monthly actual against its target, with its category, whether the month missed the target, and whether the actual was under or over the target number.
-- cube: month, kpi
-- dimensions: kpi_category
-- measures: actual = avg, target = avg, performance_pct = avg, missed = sum, under_target = sum, over_target = sum, kpi_months = sum
-- schedule: daily
SELECT
    v.period AS month,
    k.name AS kpi,
    k.category AS kpi_category,
    v.actual,
    k.target,
    (v.actual - k.target) * 100.0 / k.target * (CASE WHEN k.higher_is_better = 1 THEN 1 ELSE -1 END) AS performance_pct,
    CASE WHEN (k.higher_is_better = 1 AND v.actual < k.target)
           OR (k.higher_is_better = 0 AND v.actual > k.target) THEN 1 ELSE 0 END AS missed,
    CASE WHEN v.actual < k.target THEN 1 ELSE 0 END AS under_target,
    CASE WHEN v.actual > k.target THEN 1 ELSE 0 END AS over_target,
    1 AS kpi_months
FROM kpi_values AS v
JOIN kpis AS k ON k.kpi_id = v.kpi_id
ORDER BY month, kpi;
