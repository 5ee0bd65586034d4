-- title: Failure patterns by component
-- description: Warranty claims and their cost for each failing component with model and claim year available as filters.
-- keywords: failure, failures, fail, fails, failing, breaks, breaking, broken, defects, components, parts, patterns, common, system, component, problems, issues, goes wrong, reliability, field, field failures
-- synonyms: failure patterns, failure modes, common failures, top failing parts, defect patterns, what breaks, most common failures, claims by component, warranty cost by component, failure rate by component, field failures, what goes wrong
-- example: What are the most common failures?
-- example: Which components fail most often?
-- example: failure patterns for the Lumen
-- example: What breaks most on the Granite in 2025?
-- example: top failing parts by claim cost
-- example: Which vehicle systems are driving warranty claims?
-- example: most expensive component failures this year
-- example: How often do turbochargers fail?
-- example: failure modes across the fleet
-- slots: component = component, model = model, year = year
-- columns: component, system, claims, claim_cost, avg_claim_cost
-- measures: claims = sum, claim_cost = sum
-- ratio: avg_claim_cost = claim_cost / claims
-- units: claims = count, claim_cost = usd, avg_claim_cost = usd
-- sort: claims desc
-- ranking: worst_first
-- chart: doughnut
-- chart_label: component
-- chart_values: claims
-- schedule: weekly
WITH claims_by_component AS (
    SELECT
        CAST(substr(CAST(w.claim_date AS TEXT), 1, 4) AS INTEGER) AS year,
        m.name AS model,
        c.name AS component,
        c.system,
        COUNT(*) AS claims,
        ROUND(SUM(w.cost), 2) AS claim_cost
    FROM warranty_claims AS w
    JOIN components AS c ON c.component_id = w.component_id
    JOIN models AS m ON m.model_id = w.model_id
    GROUP BY year, m.name, c.name, c.system
)
SELECT
    year,
    model,
    component,
    system,
    claims,
    claim_cost,
    ROUND(claim_cost / claims, 2) AS avg_claim_cost
FROM claims_by_component
ORDER BY claims DESC, year, model, component;
