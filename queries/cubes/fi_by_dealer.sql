-- title: F&I contracts by month, dealer and product
-- description: Finance and insurance contracts sold with vehicles and their revenue, by month, dealer and F&I product, with each dealer's region, state and city.
-- cube: month, dealer, fi_product
-- dimensions: region, state, city
-- measures: fi_units = sum, fi_revenue = sum
-- schedule: daily
SELECT
    substr(CAST(s.sale_date AS TEXT), 1, 7) AS month,
    d.name AS dealer,
    s.fi_product,
    r.name AS region,
    d.state,
    d.city,
    COUNT(*) AS fi_units,
    SUM(s.fi_revenue) AS fi_revenue
FROM sales AS s
JOIN dealers AS d ON d.dealer_id = s.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
WHERE s.fi_product IS NOT NULL
GROUP BY month, d.dealer_id, d.name, s.fi_product, r.name, d.state, d.city
ORDER BY month, dealer, s.fi_product;
