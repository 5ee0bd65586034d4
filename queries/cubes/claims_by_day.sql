-- title: Warranty claims by day, model and component
-- description: Warranty claims, their repair cost, and the count and cost of repeat repairs by day, model and component, with each model's segment and each component's system: periods that start or end inside a month ("year to date against the same days last year").
-- cube: day, model, component
-- dimensions: segment, system
-- measures: claims = sum, claim_cost = sum, repeat_repairs = sum, repeat_cost = sum
-- schedule: daily
SELECT
    CAST(w.claim_date AS TEXT) AS day,
    m.name AS model,
    c.name AS component,
    m.segment,
    c.system,
    COUNT(*) AS claims,
    SUM(w.cost) AS claim_cost,
    SUM(w.repeat_repair) AS repeat_repairs,
    SUM(w.cost * w.repeat_repair) AS repeat_cost
FROM warranty_claims AS w
JOIN models AS m ON m.model_id = w.model_id
JOIN components AS c ON c.component_id = w.component_id
GROUP BY w.claim_date, m.name, c.name, m.segment, c.system
ORDER BY day, model, component;
