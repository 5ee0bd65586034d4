-- The PostgreSQL text of ceo_weekly_digest.sql, whose headers apply (docs/catalog.md, "Dialects").
WITH week_bounds AS (
    -- The weeks end at the latest sale in the data, never at the clock, so a dump is reproducible.
    SELECT
        MAX(sale_date) AS week_ending,
        MAX(sale_date) - 6 AS current_start,
        MAX(sale_date) - 13 AS prior_start
    FROM sales
),
weekly_sales AS (
    SELECT
        SUM(CASE WHEN s.sale_date >= b.current_start THEN 1 ELSE 0 END) AS units_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN 1 ELSE 0 END) AS units_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start THEN s.price ELSE 0 END) AS revenue_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN s.price ELSE 0 END) AS revenue_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start THEN s.price - s.cost ELSE 0 END) AS gross_profit_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN s.price - s.cost ELSE 0 END) AS gross_profit_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start THEN s.fi_revenue ELSE 0 END) AS fi_revenue_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN s.fi_revenue ELSE 0 END) AS fi_revenue_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start AND s.fi_product IS NOT NULL THEN 1 ELSE 0 END) AS fi_deals_current,
        SUM(CASE WHEN s.sale_date < b.current_start AND s.fi_product IS NOT NULL THEN 1 ELSE 0 END) AS fi_deals_prior
    FROM sales AS s
    JOIN week_bounds AS b ON s.sale_date BETWEEN b.prior_start AND b.week_ending
),
weekly_claims AS (
    SELECT
        SUM(CASE WHEN w.claim_date >= b.current_start THEN 1 ELSE 0 END) AS claims_current,
        SUM(CASE WHEN w.claim_date < b.current_start THEN 1 ELSE 0 END) AS claims_prior,
        SUM(CASE WHEN w.claim_date >= b.current_start THEN w.cost ELSE 0 END) AS claim_cost_current,
        SUM(CASE WHEN w.claim_date < b.current_start THEN w.cost ELSE 0 END) AS claim_cost_prior
    FROM warranty_claims AS w
    JOIN week_bounds AS b ON w.claim_date BETWEEN b.prior_start AND b.week_ending
),
headline_metrics AS (
    SELECT 'Units sold' AS metric, units_current AS last_7_days, units_prior AS prior_7_days
    FROM weekly_sales
    UNION ALL
    SELECT 'Revenue', ROUND(revenue_current, 2), ROUND(revenue_prior, 2)
    FROM weekly_sales
    UNION ALL
    SELECT 'Gross profit', ROUND(gross_profit_current, 2), ROUND(gross_profit_prior, 2)
    FROM weekly_sales
    UNION ALL
    SELECT 'Gross margin %', ROUND(gross_profit_current * 100.0 / revenue_current, 2), ROUND(gross_profit_prior * 100.0 / revenue_prior, 2)
    FROM weekly_sales
    UNION ALL
    SELECT 'Average selling price', ROUND(revenue_current / units_current, 2), ROUND(revenue_prior / units_prior, 2)
    FROM weekly_sales
    UNION ALL
    SELECT 'F&I revenue', ROUND(fi_revenue_current, 2), ROUND(fi_revenue_prior, 2)
    FROM weekly_sales
    UNION ALL
    SELECT 'F&I penetration %', ROUND(fi_deals_current * 100.0 / units_current, 2), ROUND(fi_deals_prior * 100.0 / units_prior, 2)
    FROM weekly_sales
    UNION ALL
    SELECT 'Warranty claims', claims_current, claims_prior
    FROM weekly_claims
    UNION ALL
    SELECT 'Warranty claim cost', ROUND(claim_cost_current, 2), ROUND(claim_cost_prior, 2)
    FROM weekly_claims
)
SELECT
    h.metric,
    h.last_7_days,
    h.prior_7_days,
    ROUND((h.last_7_days - h.prior_7_days) * 100.0 / h.prior_7_days, 2) AS change_pct,
    b.week_ending
FROM headline_metrics AS h
CROSS JOIN week_bounds AS b
ORDER BY h.metric;
