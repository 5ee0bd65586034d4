-- title: CEO weekly digest
-- description: Headline sales and F&I and warranty figures for the latest seven days of data against the seven days before.
-- keywords: ceo, weekly, week, digest, summary, headline, headlines, executive, overview, brief, briefing, snapshot, highlights, past week, last 7 days, this week, last week
-- synonyms: weekly digest, ceo digest, executive summary, weekly summary, week in review, business snapshot, weekly update, week over week, this week vs last week, last 7 days vs prior 7 days, what happened this week
-- example: Give me the CEO weekly digest
-- example: How did we do this week?
-- example: weekly executive summary
-- example: What are the headline numbers for the last seven days?
-- example: Summarize the business for the board this week
-- example: week over week performance snapshot
-- example: How did this week compare with last week?
-- example: Quick overview of sales and warranty for the week
-- example: What should the CEO know this week
-- columns: metric, last_7_days, prior_7_days, change_pct, week_ending
-- units: change_pct = percent
-- sort: metric asc
-- chart: bar
-- chart_label: metric
-- chart_values: change_pct
-- schedule: weekly
WITH week_bounds AS (
    -- The weeks end at the latest sale in the data, never at the clock, so a dump is reproducible.
    SELECT
        MAX(sale_date) AS week_ending,
        date(MAX(sale_date), '-6 days') AS current_start,
        date(MAX(sale_date), '-13 days') AS prior_start
    FROM sales
),
weekly_sales AS (
    SELECT
        SUM(s.sale_date >= b.current_start) AS units_current,
        SUM(s.sale_date < b.current_start) AS units_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start THEN s.price ELSE 0 END) AS revenue_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN s.price ELSE 0 END) AS revenue_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start THEN s.price - s.cost ELSE 0 END) AS gross_profit_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN s.price - s.cost ELSE 0 END) AS gross_profit_prior,
        SUM(CASE WHEN s.sale_date >= b.current_start THEN s.fi_revenue ELSE 0 END) AS fi_revenue_current,
        SUM(CASE WHEN s.sale_date < b.current_start THEN s.fi_revenue ELSE 0 END) AS fi_revenue_prior,
        SUM(s.sale_date >= b.current_start AND s.fi_product IS NOT NULL) AS fi_deals_current,
        SUM(s.sale_date < b.current_start AND s.fi_product IS NOT NULL) AS fi_deals_prior
    FROM sales AS s
    JOIN week_bounds AS b ON s.sale_date BETWEEN b.prior_start AND b.week_ending
),
weekly_claims AS (
    SELECT
        SUM(w.claim_date >= b.current_start) AS claims_current,
        SUM(w.claim_date < b.current_start) AS claims_prior,
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
