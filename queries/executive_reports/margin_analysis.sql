-- title: Margin analysis by model
-- description: Revenue and dealer cost and gross margin percentage for each model with region and year available as filters.
-- keywords: margin, margins, profitability, profitable, profit, gross, cost, costs, revenue, model, models, percentage
-- synonyms: margin analysis, gross margin by model, profitability by model, most profitable models, model profitability, margin by vehicle, p&l by model, profit and loss by model, model margins
-- example: What are our margins by model?
-- example: Which models are the most profitable?
-- example: gross margin percentage for the Lumen
-- example: margin analysis for the West in 2025
-- example: Which vehicles have the thinnest margins?
-- example: How profitable is the Dunmore in the Southwest?
-- example: Compare revenue and cost by model
-- example: Where are we making money and where are we losing it
-- example: model profitability last year
-- slots: region = region, model = model, year = year
-- columns: model, revenue, cost, margin_pct
-- measures: revenue = sum, cost = sum
-- ratio: margin_pct = (revenue - cost) / revenue * 100
-- units: revenue = usd, cost = usd, margin_pct = percent
-- sort: margin_pct desc
-- chart: bar
-- chart_label: model
-- chart_values: margin_pct
-- schedule: weekly
WITH monthly_sales_by_dealer_model AS (
    SELECT
        substr(CAST(sale_date AS TEXT), 1, 7) AS month,
        dealer_id,
        model_id,
        SUM(price) AS revenue,
        SUM(cost) AS cost
    FROM sales
    GROUP BY month, dealer_id, model_id
),
revenue_and_cost AS (
    SELECT
        CAST(substr(ms.month, 1, 4) AS INTEGER) AS year,
        r.name AS region,
        m.name AS model,
        ROUND(SUM(ms.revenue), 2) AS revenue,
        ROUND(SUM(ms.cost), 2) AS cost
    FROM monthly_sales_by_dealer_model AS ms
    JOIN dealers AS d ON d.dealer_id = ms.dealer_id
    JOIN regions AS r ON r.region_id = d.region_id
    JOIN models AS m ON m.model_id = ms.model_id
    GROUP BY year, r.name, m.name
)
SELECT
    year,
    region,
    model,
    revenue,
    cost,
    ROUND((revenue - cost) * 100.0 / revenue, 2) AS margin_pct
FROM revenue_and_cost
ORDER BY margin_pct DESC, year, region, model;
