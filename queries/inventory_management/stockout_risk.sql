-- title: Stockout risk
-- description: Components whose days of supply is below their replenishment lead time or whose stock is below the reorder point with the most exposed first.
-- keywords: stockout, stockouts, risk, shortage, shortages, short, running, low, reorder, lead, supply, parts, critical, expedite, run out, exposure, urgent, reorder alerts
-- synonyms: stockout risk, parts shortage, running low, running out, at risk components, below reorder point, supply risk, line stoppage risk
-- example: Which parts are at risk of stocking out?
-- example: What components are running low?
-- example: Stockout risk at Lansing
-- example: Are we going to run out of battery packs anywhere?
-- example: Which parts should we expedite?
-- example: components below reorder point
-- example: Where could a parts shortage stop the line
-- example: supply risks at the Toluca plant
-- example: Is the San Antonio plant short on any components?
-- slots: plant = plant, component = component
-- columns: plant, component, on_hand, reorder_point, days_of_supply, lead_time_days, coverage_pct, risk
-- units: on_hand = count, reorder_point = count, days_of_supply = days, lead_time_days = days, coverage_pct = percent
-- sort: coverage_pct asc
-- ranking: worst_first
-- chart: horizontal_bar
-- chart_label: component
-- chart_values: days_of_supply, lead_time_days
-- schedule: daily
WITH stock_cover AS (
    SELECT
        p.name AS plant,
        c.name AS component,
        i.on_hand,
        i.reorder_point,
        i.lead_time_days,
        ROUND(i.on_hand * 1.0 / i.daily_usage, 1) AS days_of_supply,
        -- coverage_pct: stock as a share of what the plant uses while a new order is on its way
        ROUND(i.on_hand * 100.0 / (i.daily_usage * i.lead_time_days), 1) AS coverage_pct
    FROM inventory AS i
    JOIN plants AS p ON p.plant_id = i.plant_id
    JOIN components AS c ON c.component_id = i.component_id
)
SELECT
    plant,
    component,
    on_hand,
    reorder_point,
    days_of_supply,
    lead_time_days,
    coverage_pct,
    CASE
        WHEN days_of_supply < lead_time_days THEN 'stockout before resupply'
        ELSE 'below reorder point'
    END AS risk
FROM stock_cover
WHERE days_of_supply < lead_time_days
    OR on_hand < reorder_point
ORDER BY coverage_pct, plant, component;
