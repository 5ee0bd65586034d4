-- title: Warranty claims by model
-- description: Number of warranty claims and their cost for each model by claim year.
-- keywords: warranty, claims, claim, model, models, cost, costs, vehicles, quality, count, reliability, reliable, warranty cases
-- synonyms: claims by model, warranty claims, warranty cost by model, claim volume, warranty spend by model
-- example: How many warranty claims has each model had?
-- example: Which model has the most warranty claims?
-- example: warranty cost by model in 2025
-- example: Granite warranty claims this year
-- example: What did warranty cost us on the Ironwood last year?
-- example: claims per model
-- example: Which vehicles are costing us the most in warranty?
-- example: Show warranty claim counts and cost for the Lumen
-- example: rank our models by claim volume
-- slots: model = model, year = year
-- columns: model, claims, claim_cost
-- measures: claims = sum, claim_cost = sum
-- units: claims = count, claim_cost = usd
-- sort: claims desc
-- ranking: worst_first
-- chart: bar
-- chart_label: model
-- chart_values: claims
-- schedule: weekly
SELECT
    CAST(substr(CAST(w.claim_date AS TEXT), 1, 4) AS INTEGER) AS year,
    m.name AS model,
    COUNT(*) AS claims,
    ROUND(SUM(w.cost), 2) AS claim_cost
FROM warranty_claims AS w
JOIN models AS m ON m.model_id = w.model_id
GROUP BY year, m.name
ORDER BY claims DESC, year, model;
