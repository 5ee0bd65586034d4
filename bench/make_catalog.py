#!/usr/bin/env python3
"""Writes a benchmark catalog: the real catalog copied unchanged, plus (optionally) N
synthetic queries (variations of names, keywords and example questions) and the large
"daily sales detail" query. The same arguments always give the same files."""
import argparse
import random
import shutil
import sys
from pathlib import Path

SYLLABLES = ["zor", "vex", "pla", "kin", "dro", "mur", "tel", "quo", "fin", "bra", "sel", "gor",
             "nix", "lum", "pra", "tov", "wen", "yas", "cud", "hel"]
MEASURES = ["throughput", "backlog", "scrap", "overtime", "headcount", "energy", "freight",
            "emissions", "downtime", "turnover", "absenteeism", "tooling", "calibration", "audit",
            "rework", "spoilage", "uptime", "cycle time", "changeover", "yield loss"]
FACETS = ["shift", "station", "crew", "lane", "dock", "bay", "cell", "line", "zone", "team"]
OPENERS = ["What is the {m} of {s} by {f}?", "Show {s} {m} per {f}", "{s} {m} breakdown",
           "How much {m} did {s} have by {f}", "Which {f} has the highest {s} {m}?",
           "{m} trend for {s}", "compare {s} {m} across each {f}"]

BIG_QUERY = """-- title: Daily sales detail by dealer and model
-- description: Units sold, revenue, cost, gross profit and F&I for every day, dealer and model.
-- keywords: daily, day, detail, granular, sales, dealer, model, units, revenue, gross, profit
-- synonyms: daily sales detail, sales by day, day by day sales
-- example: daily sales detail by dealer and model
-- example: day by day sales for the Cordova in 2025
-- example: daily units and revenue at each dealer
-- slots: region = region, dealer = dealer, model = model, year = year
-- columns: day, dealer, model, units, revenue, gross_profit
-- measures: units = sum, revenue = sum, cost = sum, gross_profit = sum, fi_deals = sum, fi_revenue = sum
-- units: units = count, revenue = usd, cost = usd, gross_profit = usd, fi_revenue = usd
-- sort: revenue desc
-- limit: 20
-- chart: bar
-- chart_label: day
-- chart_values: revenue
-- schedule: daily
SELECT
    s.sale_date AS day,
    CAST(substr(s.sale_date, 1, 4) AS INTEGER) AS year,
    r.name AS region,
    d.name AS dealer,
    m.name AS model,
    COUNT(*) AS units,
    ROUND(SUM(s.price), 2) AS revenue,
    ROUND(SUM(s.cost), 2) AS cost,
    ROUND(SUM(s.price - s.cost), 2) AS gross_profit,
    SUM(CASE WHEN s.fi_product IS NOT NULL THEN 1 ELSE 0 END) AS fi_deals,
    ROUND(SUM(s.fi_revenue), 2) AS fi_revenue
FROM sales AS s
JOIN dealers AS d ON d.dealer_id = s.dealer_id
JOIN regions AS r ON r.region_id = d.region_id
JOIN models AS m ON m.model_id = s.model_id
GROUP BY s.sale_date, d.name, m.name
ORDER BY day, dealer, model;
"""


def word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def synthetic(rng, i):
    subject = word(rng)
    measure = rng.choice(MEASURES)
    facet = rng.choice(FACETS)
    extra = [word(rng) for _ in range(3)]
    fill = {"s": subject, "m": measure, "f": facet}
    examples = sorted({t.format(**fill) for t in rng.sample(OPENERS, 4)})
    lines = [
        f"-- title: {subject.capitalize()} {measure} by {facet}",
        f"-- description: The {measure} of the {subject} programme for each {facet}, with {extra[0]} and {extra[1]} detail.",
        f"-- keywords: {subject}, {measure}, {facet}, {', '.join(extra)}",
        f"-- synonyms: {subject} {measure}, {measure} per {facet}, {extra[2]} {measure}",
    ]
    lines += [f"-- example: {e}" for e in examples]
    lines += [
        "-- columns: label, amount",
        "-- sort: amount desc",
        "-- chart: bar",
        "-- chart_label: label",
        "-- chart_values: amount",
        "-- schedule: monthly",
        "SELECT",
        "    name AS label,",
        "    msrp AS amount",
        "FROM models",
        "ORDER BY amount DESC;",
        "",
    ]
    return f"{subject}_{measure.replace(' ', '_')}_{i:05d}", "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--queries", required=True, help="the real catalog to copy")
    ap.add_argument("--count", type=int, default=0, help="synthetic queries to add")
    ap.add_argument("--big", action="store_true", help="add the daily sales detail query")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    out = Path(a.output)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(a.queries, out)
    rng = random.Random(a.seed)
    per_category = 100
    for i in range(a.count):
        name, text = synthetic(rng, i)
        category = out / f"synthetic_{i // per_category:03d}"
        category.mkdir(exist_ok=True)
        (category / f"{name}.sql").write_text(text)
    if a.big:
        (out / "bench_big").mkdir(exist_ok=True)
        (out / "bench_big" / "daily_sales_detail.sql").write_text(BIG_QUERY)
    print(f"make_catalog: wrote '{out}' ({a.count} synthetic queries{', the big query' if a.big else ''})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
