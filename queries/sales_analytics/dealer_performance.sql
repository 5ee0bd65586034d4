-- title: Dealer performance
-- description: Units sold and revenue and gross profit for each dealer by year.
-- keywords: dealer, dealers, dealership, dealerships, store, stores, performance, revenue, gross, profit, units, ranking, profitable, profitability, results, underperforming, sold
-- synonyms: dealer ranking, dealer leaderboard, top dealers, best dealers, dealer scorecard, dealership performance, store performance, dealer profit, dealer gross profit, dealer results, dealer revenue, most profitable dealers
-- example: Which dealers sold the most in 2025?
-- example: Top 10 dealers by revenue
-- example: How is Harbor Point Motors doing?
-- example: dealer leaderboard for the Southeast
-- example: Which dealership made the most gross profit last year
-- example: Show me revenue and units for every dealer in the Midwest
-- example: Who are our weakest dealers?
-- example: How much gross profit did Summit Auto Group make in 2024?
-- example: rank the stores by sales
-- slots: region = region, dealer = dealer, year = year
-- columns: dealer, region, units, revenue, gross_profit
-- measures: units = sum, revenue = sum, gross_profit = sum
-- units: units = count, revenue = usd, gross_profit = usd
-- sort: revenue desc
-- limit: 10
-- chart: horizontal_bar
-- chart_label: dealer
-- chart_values: revenue
-- schedule: daily
WITH monthly_sales_by_dealer AS (
    SELECT
        substr(CAST(sale_date AS TEXT), 1, 7) AS month,
        dealer_id,
        COUNT(*) AS units,
        SUM(price) AS revenue,
        SUM(price - cost) AS gross_profit
    FROM sales
    GROUP BY month, dealer_id
)
SELECT
    CAST(substr(ms.month, 1, 4) AS INTEGER) AS year,
    d.name AS dealer,
    r.name AS region,
    SUM(ms.units) AS units,
    ROUND(SUM(ms.revenue), 2) AS revenue,
    ROUND(SUM(ms.gross_profit), 2) AS gross_profit
FROM monthly_sales_by_dealer AS ms
JOIN dealers AS d ON d.dealer_id = ms.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
GROUP BY year, d.name, r.name
ORDER BY revenue DESC, year, dealer;
