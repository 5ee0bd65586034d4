-- title: Warranty claims by month, dealer, model and component
-- description: Warranty claims, their repair cost, and the count and cost of repeat repairs by month, dealer, model and component, with the dealer's region, state and city, the model's segment and the component's system.
-- cube: month, dealer, model, component
-- dimensions: region, state, city, segment, system
-- measures: claims = sum, claim_cost = sum, repeat_repairs = sum, repeat_cost = sum
-- schedule: daily
SELECT
    substr(CAST(w.claim_date AS TEXT), 1, 7) AS month,
    d.name AS dealer,
    m.name AS model,
    c.name AS component,
    r.name AS region,
    d.state,
    d.city,
    m.segment,
    c.system,
    COUNT(*) AS claims,
    SUM(w.cost) AS claim_cost,
    SUM(w.repeat_repair) AS repeat_repairs,
    SUM(w.cost * w.repeat_repair) AS repeat_cost
FROM warranty_claims AS w
JOIN dealers AS d ON d.dealer_id = w.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = w.model_id
JOIN components AS c ON c.component_id = w.component_id
GROUP BY month, d.name, m.name, c.name, r.name, d.state, d.city, m.segment, c.system
ORDER BY month, dealer, model, component;
