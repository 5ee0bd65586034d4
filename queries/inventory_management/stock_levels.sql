-- title: Stock levels by plant
-- description: Parts on hand and reorder point and days of supply for each component at each plant.
-- keywords: stock, stocks, inventory, on hand, levels, level, parts, components, plant, plants, supply, quantity
-- synonyms: stock levels, inventory levels, parts on hand, inventory position, stock on hand, days of supply, current inventory
-- example: What are the current stock levels at Lansing?
-- example: How many transmissions do we have on hand?
-- example: inventory by plant
-- example: Show stock of brake pads across all plants
-- example: How many days of supply do we have at Toluca?
-- example: parts inventory at the San Antonio plant
-- example: What's our current inventory position
-- example: Where are we holding the most radiators
-- example: On hand quantities versus reorder points
-- slots: plant = plant, component = component
-- columns: plant, component, on_hand, reorder_point, days_of_supply
-- units: on_hand = count, reorder_point = count, days_of_supply = days
-- sort: days_of_supply asc
-- ranking: worst_first
-- chart: bar
-- chart_label: component
-- chart_values: days_of_supply
-- chart_series: plant
-- schedule: daily
SELECT
    p.name AS plant,
    c.name AS component,
    i.on_hand,
    i.reorder_point,
    ROUND(i.on_hand * 1.0 / i.daily_usage, 1) AS days_of_supply
FROM inventory AS i
JOIN plants AS p ON p.plant_id = i.plant_id
JOIN components AS c ON c.component_id = i.component_id
ORDER BY days_of_supply, plant, component;
