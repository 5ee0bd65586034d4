-- The PostgreSQL text of underperforming_metrics.sql, whose headers apply (docs/catalog.md, "Dialects").
WITH latest_period AS (
    SELECT
        MAX(period) AS period,
        to_char(CAST(MAX(period) || '-01' AS DATE) - INTERVAL '5 months', 'YYYY-MM') AS first_of_last_six
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
