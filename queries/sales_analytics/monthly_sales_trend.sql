-- title: Monthly sales trend
-- description: Units sold and revenue per month with region and model and year available as filters.
-- keywords: monthly, month, trend, trends, trending, over time, sales, units, revenue, seasonality, growth, history, time series, peak, peaks, seasonal, up or down, momentum, by month
-- synonyms: sales trend, monthly sales, sales over time, month by month sales, sales history, seasonality, month over month, sales time series, monthly volume, sales by month, are sales up or down, when do sales peak
-- example: Show the monthly sales trend
-- example: How have sales trended month by month in 2025?
-- example: Monthly units for the Lumen
-- example: sales over time in the West
-- example: Is there seasonality in our sales?
-- example: revenue by month for the Southeast last year
-- example: How did Dunmore sales trend in the Midwest this year?
-- example: month over month sales
-- example: Are sales growing compared with last year?
-- slots: region = region, model = model, year = year
-- columns: month, units, revenue
-- measures: units = sum, revenue = sum
-- units: units = count, revenue = usd
-- sort: month asc
-- chart: line
-- chart_label: month
-- chart_values: units
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
    ms.month,
    CAST(substr(ms.month, 1, 4) AS INTEGER) AS year,
    r.name AS region,
    m.name AS model,
    SUM(ms.units) AS units,
    ROUND(SUM(ms.revenue), 2) AS revenue
FROM monthly_sales_by_dealer_model AS ms
JOIN dealers AS d ON d.dealer_id = ms.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = ms.model_id
GROUP BY ms.month, r.name, m.name
ORDER BY ms.month, region, model;
