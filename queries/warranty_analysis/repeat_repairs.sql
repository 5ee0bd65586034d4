-- title: Repeat repairs by component and model
-- description: Warranty claims and repeat repairs and the repeat repair rate for each component on each model.
-- keywords: repeat, repeats, repairs, repair, comeback, comebacks, again, recurring, rework, fix, fixed, first time, component, model, repeat rate, returned
-- synonyms: repeat repairs, repeat repair rate, comebacks, repeat visits, fixed right first time, recurring failures, rework rate
-- example: Which components have the most repeat repairs?
-- example: repeat repair rate by component
-- example: Which parts keep coming back for the same fix?
-- example: comebacks on the Granite
-- example: What is the repeat repair rate for infotainment units?
-- example: Which model and component pairs have the highest fix-it-again rate?
-- example: fixed right first time problems
-- example: Show repeat visits for transmission repairs by model
-- example: Are we fixing AC compressors right the first time?
-- slots: component = component, model = model
-- columns: component, model, claims, repeat_claims, repeat_rate
-- measures: claims = sum, repeat_claims = sum
-- ratio: repeat_rate = repeat_claims / claims * 100
-- units: claims = count, repeat_claims = count, repeat_rate = percent
-- sort: repeat_claims desc
-- ranking: worst_first
-- limit: 20
-- chart: stacked_bar
-- chart_label: component
-- chart_values: repeat_claims
-- chart_series: model
-- schedule: weekly
WITH claims_by_component_model AS (
    SELECT
        c.name AS component,
        m.name AS model,
        COUNT(*) AS claims,
        SUM(w.repeat_repair) AS repeat_claims
    FROM warranty_claims AS w
    JOIN components AS c ON c.component_id = w.component_id
    JOIN models AS m ON m.model_id = w.model_id
    GROUP BY c.name, m.name
)
SELECT
    component,
    model,
    claims,
    repeat_claims,
    ROUND(repeat_claims * 100.0 / claims, 2) AS repeat_rate
FROM claims_by_component_model
ORDER BY repeat_claims DESC, component, model;
