-- title: Sales by month, region and model
-- description: Vehicles sold, revenue, cost, gross profit and F&I by month, region and model, with each model's segment: the roll-up most sales questions need, a twelfth of the dealer cube.
-- cube: month, region, model
-- dimensions: segment
-- measures: units = sum, revenue = sum, cost = sum, gross_profit = sum, fi_units = sum, fi_revenue = sum
-- schedule: daily
WITH monthly_sales AS (
    SELECT
        substr(CAST(sale_date AS TEXT), 1, 7) AS month,
        dealer_id,
        model_id,
        COUNT(*) AS units,
        SUM(price) AS revenue,
        SUM(cost) AS cost,
        SUM(price - cost) AS gross_profit,
        COUNT(fi_product) AS fi_units,
        SUM(fi_revenue) AS fi_revenue
    FROM sales
    GROUP BY month, dealer_id, model_id
)
SELECT
    ms.month,
    r.name AS region,
    m.name AS model,
    m.segment,
    SUM(ms.units) AS units,
    SUM(ms.revenue) AS revenue,
    SUM(ms.cost) AS cost,
    SUM(ms.gross_profit) AS gross_profit,
    SUM(ms.fi_units) AS fi_units,
    SUM(ms.fi_revenue) AS fi_revenue
FROM monthly_sales AS ms
JOIN dealers AS d ON d.dealer_id = ms.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = ms.model_id
GROUP BY ms.month, r.name, m.name, m.segment
ORDER BY ms.month, region, model;
