-- title: Component stock by plant
-- description: The current stock position of each component at each plant: on hand, daily usage, reorder point and supplier lead time.
-- cube: plant, component
-- dimensions: system
-- measures: on_hand = sum, daily_usage = sum, reorder_point = sum, lead_time_days = max, below_reorder = sum, stock_positions = sum, lead_time_total = sum, out_within_lead_time = sum
-- schedule: daily
SELECT
    p.name AS plant,
    c.name AS component,
    c.system,
    i.on_hand,
    i.daily_usage,
    i.reorder_point,
    i.lead_time_days,
    CASE WHEN i.on_hand < i.reorder_point THEN 1 ELSE 0 END AS below_reorder,
    1 AS stock_positions,
    i.lead_time_days AS lead_time_total,
    CASE WHEN i.daily_usage > 0 AND i.on_hand < i.daily_usage * i.lead_time_days THEN 1 ELSE 0 END AS out_within_lead_time
FROM inventory AS i
JOIN plants AS p ON p.plant_id = i.plant_id
JOIN components AS c ON c.component_id = i.component_id
ORDER BY plant, component;
