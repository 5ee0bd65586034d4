-- title: Model risk and opportunity matrix
-- description: For each model a warranty risk measure (claims per 100 units sold) against an opportunity measure (revenue growth of the latest 90 days over the same 90 days a year earlier).
-- keywords: risk, risks, risky, opportunity, opportunities, matrix, quadrant, portfolio, growth, growing, claim rate, model, models, invest, strategic, exposure, double down, worry, bet, bets, upside
-- synonyms: risk opportunity matrix, risk vs opportunity, risk and opportunity, portfolio matrix, growth vs quality, model portfolio, where to invest, where to worry, risk versus reward, risk reward
-- example: Show the risk and opportunity matrix
-- example: Which models are high risk but growing?
-- example: Where should we invest and where should we worry?
-- example: risk vs opportunity by model
-- example: Which models combine high warranty claims with strong growth?
-- example: plot claim rate against revenue growth for each model
-- example: Is the Lumen a risk or an opportunity?
-- example: portfolio view of our models by quality risk and growth
-- example: Which models are growing fastest compared with a year ago?
-- slots: model = model
-- columns: model, units, claims, claims_per_100_units, revenue_last_90_days, revenue_year_ago_90_days, revenue_growth_pct
-- measures: units = sum, claims = sum, revenue_last_90_days = sum, revenue_year_ago_90_days = sum
-- ratio: claims_per_100_units = claims / units * 100
-- ratio: revenue_growth_pct = (revenue_last_90_days - revenue_year_ago_90_days) / revenue_year_ago_90_days * 100
-- units: units = count, claims = count, claims_per_100_units = number, revenue_last_90_days = usd, revenue_year_ago_90_days = usd, revenue_growth_pct = percent
-- sort: claims_per_100_units desc
-- ranking: worst_first
-- chart: bubble
-- chart_label: model
-- chart_values: claims_per_100_units, revenue_growth_pct
-- schedule: weekly
WITH window_bounds AS (
    -- Bubble chart: one bubble per model (chart_label), x = claims_per_100_units (risk),
    -- y = revenue_growth_pct (opportunity); no radius column, so every bubble is the same size.
    -- Windows end at the latest sale in the data, never at the clock, so a dump is reproducible.
    SELECT
        date(MAX(sale_date), '-89 days') AS recent_start,
        MAX(sale_date) AS recent_end,
        date(MAX(sale_date), '-1 year', '-89 days') AS year_ago_start,
        date(MAX(sale_date), '-1 year') AS year_ago_end
    FROM sales
),
monthly_sales_by_dealer_model AS (
    SELECT
        substr(CAST(sale_date AS TEXT), 1, 7) AS month,
        dealer_id,
        model_id,
        COUNT(*) AS units
    FROM sales
    GROUP BY month, dealer_id, model_id
),
units_by_model AS (
    SELECT
        model_id,
        SUM(units) AS units
    FROM monthly_sales_by_dealer_model
    GROUP BY model_id
),
window_revenue_by_model AS (
    SELECT
        s.model_id,
        ROUND(SUM(CASE WHEN s.sale_date >= b.recent_start THEN s.price ELSE 0 END), 2) AS revenue_last_90_days,
        ROUND(SUM(CASE WHEN s.sale_date <= b.year_ago_end THEN s.price ELSE 0 END), 2) AS revenue_year_ago_90_days
    FROM sales AS s
    JOIN window_bounds AS b
        ON s.sale_date BETWEEN b.recent_start AND b.recent_end
        OR s.sale_date BETWEEN b.year_ago_start AND b.year_ago_end
    GROUP BY s.model_id
),
claims_by_model AS (
    SELECT
        model_id,
        COUNT(*) AS claims
    FROM warranty_claims
    GROUP BY model_id
)
SELECT
    m.name AS model,
    u.units,
    COALESCE(c.claims, 0) AS claims,
    ROUND(COALESCE(c.claims, 0) * 100.0 / u.units, 2) AS claims_per_100_units,
    COALESCE(r.revenue_last_90_days, 0) AS revenue_last_90_days,
    COALESCE(r.revenue_year_ago_90_days, 0) AS revenue_year_ago_90_days,
    ROUND((r.revenue_last_90_days - r.revenue_year_ago_90_days) * 100.0 / r.revenue_year_ago_90_days, 2) AS revenue_growth_pct
FROM models AS m
JOIN units_by_model AS u ON u.model_id = m.model_id
LEFT JOIN window_revenue_by_model AS r ON r.model_id = m.model_id
LEFT JOIN claims_by_model AS c ON c.model_id = m.model_id
ORDER BY claims_per_100_units DESC, model;
