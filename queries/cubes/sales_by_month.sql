-- title: Sales by month, dealer and model
-- description: Vehicles sold, revenue, cost, gross profit, F&I and the list price (MSRP) of the vehicles sold by month, dealer and model, with each dealer's region, state and city and each model's segment.
-- cube: month, dealer, model
-- dimensions: region, state, city, segment
-- measures: units = sum, revenue = sum, cost = sum, gross_profit = sum, fi_units = sum, fi_revenue = sum, msrp_value = sum
-- schedule: daily
WITH monthly_sales AS (
    SELECT
        substr(CAST(sales.sale_date AS TEXT), 1, 7) AS month,
        sales.dealer_id,
        sales.model_id,
        COUNT(*) AS units,
        SUM(price) AS revenue,
        SUM(cost) AS cost,
        SUM(price - cost) AS gross_profit,
        COUNT(fi_product) AS fi_units,
        SUM(fi_revenue) AS fi_revenue,
        SUM(list.msrp) AS msrp_value
    FROM sales
    JOIN models AS list ON list.model_id = sales.model_id
    GROUP BY month, sales.dealer_id, sales.model_id
)
SELECT
    ms.month,
    d.name AS dealer,
    m.name AS model,
    r.name AS region,
    d.state,
    d.city,
    m.segment,
    ms.units,
    ms.revenue,
    ms.cost,
    ms.gross_profit,
    ms.fi_units,
    ms.fi_revenue,
    ms.msrp_value
FROM monthly_sales AS ms
JOIN dealers AS d ON d.dealer_id = ms.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = ms.model_id
ORDER BY ms.month, dealer, model;
