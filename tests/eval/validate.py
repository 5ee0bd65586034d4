#!/usr/bin/env python3
"""validate.py DB questions.jsonl -- checks the shape of a question set and runs every SQL."""
import json, sqlite3, sys

KINDS = {"total", "one_breakdown", "two_breakdowns", "top_n", "bottom_n", "time_series", "comparison",
         "ratio_average", "exclusion", "threshold", "share", "growth", "rank_within_group",
         "cross_fact_ratio", "inventory", "kpi", "informal", "misspelt", "unanswerable"}
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
ids, bad = set(), 0
for n, line in enumerate(open(sys.argv[2]), 1):
    try:
        d = json.loads(line)
    except ValueError as e:
        print(f"line {n}: not JSON: {e}"); bad += 1; continue
    where = f"line {n} ({d.get('id')})"
    if set(d) != {"id", "kind", "question", "sql", "ranked"}:
        print(f"{where}: keys must be exactly id, kind, question, sql, ranked"); bad += 1; continue
    if d["id"] in ids:
        print(f"{where}: duplicate id"); bad += 1
    ids.add(d["id"])
    if d["kind"] not in KINDS:
        print(f"{where}: unknown kind {d['kind']!r}"); bad += 1
    if not isinstance(d["ranked"], bool):
        print(f"{where}: ranked must be true or false"); bad += 1
    if d["kind"] == "unanswerable":
        if d["sql"] is not None:
            print(f"{where}: an unanswerable question has sql null"); bad += 1
        continue
    if not isinstance(d["sql"], str):
        print(f"{where}: sql must be a string"); bad += 1; continue
    try:
        rows = db.execute(d["sql"]).fetchall()
    except sqlite3.Error as e:
        print(f"{where}: SQL error: {e}"); bad += 1; continue
    if not rows:
        print(f"{where}: the SQL returns no rows"); bad += 1
    elif len(rows) > 200:
        print(f"{where}: the SQL returns {len(rows)} rows; keep answers to at most 200 rows"); bad += 1
    elif all(v is None for v in rows[0]):
        print(f"{where}: the SQL returns only NULLs"); bad += 1
print(f"{len(ids)} questions, {bad} problems")
sys.exit(1 if bad else 0)
