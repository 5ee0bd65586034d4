-- title: Component availability across plants
-- description: For each component the total on hand and daily usage across all plants with network days of supply and how many plants are below reorder point.
-- keywords: availability, available, component, components, parts, total, overall, network, company, across, all, plants, supply, short, shortfall, more than one plant
-- synonyms: component availability, parts availability, network inventory, total stock by component, company wide stock, supply by component
-- example: How available is each component across all plants?
-- example: Total stock of airbag modules company wide
-- example: Which components are in shortest supply overall?
-- example: component availability
-- example: How many plants are below reorder point for transmissions?
-- example: network days of supply by part
-- example: Do we have enough infotainment units across the network?
-- example: parts availability summary
-- example: Total on hand for each component
-- slots: component = component
-- columns: component, on_hand, daily_usage, days_of_supply, plants_below_reorder, lowest_plant_days
-- measures: on_hand = sum, daily_usage = sum, plants_below_reorder = sum, lowest_plant_days = min
-- ratio: days_of_supply = on_hand / daily_usage round 1
-- units: on_hand = count, daily_usage = count, days_of_supply = days, plants_below_reorder = count, lowest_plant_days = days
-- sort: days_of_supply asc
-- ranking: worst_first
-- chart: bar
-- chart_label: component
-- chart_values: days_of_supply
-- schedule: daily
WITH plant_stock AS (
    SELECT
        c.name AS component,
        i.on_hand,
        i.daily_usage,
        i.reorder_point,
        ROUND(i.on_hand * 1.0 / i.daily_usage, 1) AS plant_days
    FROM inventory AS i
    JOIN components AS c ON c.component_id = i.component_id
),
component_totals AS (
    SELECT
        component,
        SUM(on_hand) AS on_hand,
        SUM(daily_usage) AS daily_usage,
        SUM(CASE WHEN on_hand < reorder_point THEN 1 ELSE 0 END) AS plants_below_reorder,
        MIN(plant_days) AS lowest_plant_days
    FROM plant_stock
    GROUP BY component
)
SELECT
    component,
    on_hand,
    daily_usage,
    ROUND(on_hand * 1.0 / daily_usage, 1) AS days_of_supply,
    plants_below_reorder,
    lowest_plant_days
FROM component_totals
ORDER BY days_of_supply, component;
