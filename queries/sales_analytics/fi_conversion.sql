-- title: F&I conversion by dealer
-- description: Deals and deals carrying a finance and insurance product and the conversion rate for each dealer by year.
-- keywords: fi, f&i, finance, insurance, conversion, convert, penetration, attach, products, deals, dealer, dealers, backend, gap, extended warranty, extended warranties, service contract, paint protection, tire and wheel, add-on, add-ons, take rate
-- synonyms: f&i penetration, f&i conversion, finance and insurance penetration, product attach rate, back end penetration, fi take rate, add-on products, gap insurance, extended warranty sales, service contract sales, protection products
-- example: What is the F&I conversion rate by dealer?
-- example: Which dealers sell the most finance and insurance products?
-- example: F&I penetration in the West for 2025
-- example: dealers with the lowest F&I conversion
-- example: How many deals included an F&I product at Peachtree Auto Group?
-- example: What share of deals in the Northeast carried an F&I product last year
-- example: fi attach rate by store
-- example: Are our dealers converting on finance and insurance?
-- example: Which stores have the best back end penetration in the Southwest
-- slots: region = region, dealer = dealer, year = year
-- columns: dealer, region, deals, fi_deals, conversion_rate
-- measures: deals = sum, fi_deals = sum
-- ratio: conversion_rate = fi_deals / deals * 100
-- units: deals = count, fi_deals = count, conversion_rate = percent
-- sort: conversion_rate desc
-- limit: 10
-- chart: horizontal_bar
-- chart_label: dealer
-- chart_values: conversion_rate
-- schedule: daily
WITH monthly_sales_by_dealer AS (
    SELECT
        substr(CAST(sale_date AS TEXT), 1, 7) AS month,
        dealer_id,
        COUNT(*) AS deals,
        COUNT(fi_product) AS fi_deals
    FROM sales
    GROUP BY month, dealer_id
),
deals_by_dealer AS (
    SELECT
        CAST(substr(ms.month, 1, 4) AS INTEGER) AS year,
        d.name AS dealer,
        r.name AS region,
        -- (PostgreSQL's SUM of a count is numeric: cast, so both engines give an integer)
        CAST(SUM(ms.deals) AS INTEGER) AS deals,
        CAST(SUM(ms.fi_deals) AS INTEGER) AS fi_deals
    FROM monthly_sales_by_dealer AS ms
    JOIN dealers AS d ON d.dealer_id = ms.dealer_id
    JOIN regions AS r ON r.region_id = d.region_id
    GROUP BY year, d.name, r.name
)
SELECT
    year,
    dealer,
    region,
    deals,
    fi_deals,
    ROUND(fi_deals * 100.0 / deals, 2) AS conversion_rate
FROM deals_by_dealer
ORDER BY conversion_rate DESC, year, dealer;
