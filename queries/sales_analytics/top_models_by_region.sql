-- title: Top selling models by region
-- description: Units sold and revenue for each model in each region by year.
-- keywords: top, best, selling, models, model, units, sold, popular, region, volume, vehicles, ranking, sellers, moving
-- synonyms: best sellers, top sellers, most popular models, best selling models, model mix, sales by model
-- example: What were the top selling models in the Northeast?
-- example: Which models sold the most units in 2025?
-- example: Top 5 models in the West
-- example: best sellers by region
-- example: How many Cordovas did we sell in the Midwest last year?
-- example: Which vehicle is most popular with Southeast buyers
-- example: model sales volume by region
-- example: Give me the unit sales leaderboard for our models
-- example: What's moving off the lots fastest in the Southwest?
-- example: Show units and revenue by model and region for 2024
-- slots: region = region, model = model, year = year
-- columns: region, model, units, revenue
-- measures: units = sum, revenue = sum
-- units: units = count, revenue = usd
-- sort: units desc
-- limit: 10
-- chart: bar
-- chart_label: model
-- chart_values: units
-- chart_series: region
-- schedule: daily
WITH monthly_sales_by_dealer_model AS (
    SELECT
        substr(CAST(sale_date AS TEXT), 1, 7) AS month,
        dealer_id,
        model_id,
        COUNT(*) AS units,
        SUM(price) AS revenue
    FROM sales
    GROUP BY month, dealer_id, model_id
)
SELECT
    CAST(substr(ms.month, 1, 4) AS INTEGER) AS year,
    r.name AS region,
    m.name AS model,
    SUM(ms.units) AS units,
    ROUND(SUM(ms.revenue), 2) AS revenue
FROM monthly_sales_by_dealer_model AS ms
JOIN dealers AS d ON d.dealer_id = ms.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = ms.model_id
GROUP BY year, r.name, m.name
ORDER BY units DESC, year, region, model;
