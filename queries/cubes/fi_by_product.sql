-- title: F&I contracts by month, region, model and product
-- description: Finance and insurance contracts sold with vehicles and their revenue, by month, region, model and F&I product.
-- cube: month, region, model, fi_product
-- dimensions: segment
-- measures: fi_units = sum, fi_revenue = sum
-- schedule: daily
SELECT
    substr(CAST(s.sale_date AS TEXT), 1, 7) AS month,
    r.name AS region,
    m.name AS model,
    s.fi_product,
    m.segment,
    COUNT(*) AS fi_units,
    SUM(s.fi_revenue) AS fi_revenue
FROM sales AS s
JOIN dealers AS d ON d.dealer_id = s.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = s.model_id
WHERE s.fi_product IS NOT NULL
GROUP BY month, r.name, m.name, s.fi_product, m.segment
ORDER BY month, region, model, s.fi_product;
