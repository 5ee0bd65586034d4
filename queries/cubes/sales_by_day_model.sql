-- title: Sales by day and model
-- description: Vehicles sold, revenue, cost, gross profit and F&I by day and model, with each model's segment: periods that start or end inside a month, by model or segment ("year to date against the same days last year, by model").
-- cube: day, model
-- dimensions: segment
-- measures: units = sum, revenue = sum, cost = sum, gross_profit = sum, fi_units = sum, fi_revenue = sum, msrp_value = sum
-- schedule: daily
SELECT
    s.sale_date AS day,
    m.name AS model,
    m.segment,
    COUNT(*) AS units,
    SUM(s.price) AS revenue,
    SUM(s.cost) AS cost,
    SUM(s.price - s.cost) AS gross_profit,
    COUNT(s.fi_product) AS fi_units,
    SUM(s.fi_revenue) AS fi_revenue,
    SUM(m.msrp) AS msrp_value
FROM sales AS s
JOIN models AS m ON m.model_id = s.model_id
GROUP BY s.sale_date, m.name, m.segment
ORDER BY day, model;
