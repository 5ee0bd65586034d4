-- title: Sales by day and region
-- description: Vehicles sold, revenue, cost, gross profit and F&I by day and region.
-- cube: day, region
-- measures: units = sum, revenue = sum, cost = sum, gross_profit = sum, fi_units = sum, fi_revenue = sum
-- schedule: daily
SELECT
    s.sale_date AS day,
    r.name AS region,
    COUNT(*) AS units,
    SUM(s.price) AS revenue,
    SUM(s.cost) AS cost,
    SUM(s.price - s.cost) AS gross_profit,
    COUNT(s.fi_product) AS fi_units,
    SUM(s.fi_revenue) AS fi_revenue
FROM sales AS s
JOIN dealers AS d ON d.dealer_id = s.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
GROUP BY s.sale_date, r.name
ORDER BY day, region;
