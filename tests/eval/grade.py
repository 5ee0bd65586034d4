#!/usr/bin/env python3
"""The value-graded question suite: asks bi-ask every question of the suite files (written by
an analyst from the schema alone, never from the catalog) and compares its numbers with the
reference SQL's, run on the same database.

A question is
  right    - bi answered and its rows hold the reference's rows (same count; every reference
             cell is in the matching answer row, numbers to 0.01 or to the reference's own
             ROUND(x, n); in order when ranked), or bi
             refused a question the data cannot answer (a comparison's columns per period may
             stand for a reference's rows per period, named by the period or, for a total, in
             words of the reference's own; answer rows of zeros only may stand for
             rows a reference leaves out);
  wrong    - bi answered with other numbers, or answered a question the data cannot answer;
  refused  - bi said it cannot answer exactly (exit 3) a question the data can answer.

Usage: grade.py --bin DIR --db FILE --dumps DIR [--report FILE] [--max-wrong PCT] [--min-right PCT]
                [--today YYYY-MM-DD] SUITE.jsonl...
Exits 1 when the wrong share is above --max-wrong or the right share below --min-right.
"""
import argparse
import concurrent.futures
import json
import os
import re
import sqlite3
import subprocess
import sys


def numeric(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


TOLERANCE = 0.0101  # numbers to 0.01; set per case by rounded_to()


def rounded_to(sql):
    """The tolerance a reference's own rounding allows: ROUND(x, 1) is good to 0.05."""
    places = []
    i = sql.upper().find("ROUND(")
    while i >= 0:
        depth, j = 0, i + 5
        while j < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            if depth == 0:
                break
            j += 1
        inner = sql[i + 6:j]
        comma = inner.rfind(",")
        if comma >= 0 and inner[comma + 1:].strip().isdigit():
            places.append(int(inner[comma + 1:].strip()))
        i = sql.upper().find("ROUND(", i + 1)
    return max(0.0101, 0.5 * 10 ** -min(places) + 1e-9) if places else 0.0101


def cell_matches(ref, got):
    if ref is None:
        return got is None
    r, g = numeric(ref), numeric(got)
    if r is not None and g is not None and not isinstance(ref, str):
        return abs(r - g) <= max(TOLERANCE, 1e-6 * abs(r))
    if isinstance(ref, str) and isinstance(got, str):
        r, g = ref.strip().lower(), got.strip().lower()
        # a quarter or half named without its year ("Q1" of a question about 2025) is the
        # answer's "2025-Q1"
        return r == g or (re.fullmatch(r"[qh][1-4]", r) is not None and re.fullmatch(r"\d{4}-" + r, g) is not None)
    if isinstance(ref, str) and g is not None and r is not None:
        return abs(r - g) < 1e-9
    return False


def row_holds(ref_row, got_row):
    """Every reference cell is some distinct cell of the answer row."""
    free = list(got_row)
    for ref in ref_row:
        for i, got in enumerate(free):
            if cell_matches(ref, got):
                del free[i]
                break
        else:
            return False
    return True


def grade_rows(ref_rows, got_rows, ranked):
    # A row of zeros only ("repeat repairs by component": a component with none) says what a
    # reference that counts only the rows present leaves out.
    if len(got_rows) > len(ref_rows):
        nonzero = [g for g in got_rows
                   if any(numeric(v) not in (None, 0.0) for v in g if not isinstance(v, str)) or
                   not any(not isinstance(v, str) and numeric(v) is not None for v in g)]
        if len(nonzero) == len(ref_rows):
            got_rows = nonzero
    if len(ref_rows) != len(got_rows):
        return False, f"{len(got_rows)} rows, expected {len(ref_rows)}"
    if ranked:
        # In order; rows that tie on every number of the reference may come in either order.
        numbers = lambda row: tuple(round(float(v), 2) for v in row if numeric(v) is not None and not isinstance(v, str))
        for i, (r, g) in enumerate(zip(ref_rows, got_rows)):
            if row_holds(r, g):
                continue
            tied = [other for other in ref_rows if other is not r and numbers(other) == numbers(r)]
            if not any(row_holds(other, g) for other in tied):
                return False, f"row {i + 1}: {list(g)} does not hold {list(r)}"
        return grade_rows(ref_rows, got_rows, False)
    unused = list(range(len(got_rows)))
    for r in ref_rows:
        for k in unused:
            if row_holds(r, got_rows[k]):
                unused.remove(k)
                break
        else:
            return False, f"no answer row holds {list(r)}"
    return True, ""


def period_keys(p):
    """The names a period goes by in a reference: its label and, for a whole month, quarter or
    year, "2025-05", "2025-Q2", "2025"."""
    keys = [p["label"]]
    f, t = p["from"], p["to"]
    if f[5:] == "01-01" and t[5:] == "12-31" and f[:4] == t[:4]:
        keys.append(f[:4])
    elif f[:7] == t[:7] and f[8:] == "01":
        keys.append(f[:7])
    elif f[:4] == t[:4] and f[8:] == "01" and f[5:7] in ("01", "04", "07", "10") and t[5:7] == f"{int(f[5:7]) + 2:02d}":
        q = (int(f[5:7]) + 2) // 3
        keys += [f"{f[:4]}-Q{q}", f"Q{q} {f[:4]}"]
    elif f[:4] == t[:4] and f[5:] in ("01-01", "07-01") and t[5:] in ("06-30", "12-31"):
        h = 1 if f[5:7] == "01" else 2
        keys += [f"{f[:4]}-H{h}", f"H{h} {f[:4]}"]
    return keys


def long_form(ans):
    """A comparison's answer has one column per period ("units 2025-Q1", "units 2026-Q1", the
    change): the same numbers one row per period, for a reference written that way."""
    periods = (ans.get("interpretation") or {}).get("compare") or []
    data = ans.get("data", [])
    if len(periods) < 2 or not data:
        return None
    rows = []
    for row in data:
        of_period = {c: v for c, v in row.items() if any(c.endswith(" " + p["label"]) for p in periods)}
        rest = [v for c, v in row.items() if c not in of_period and not c.startswith("change")]
        for p in periods:
            values = [v for c, v in of_period.items() if c.endswith(" " + p["label"])]
            rows.append(tuple(rest + period_keys(p) + values))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--dumps", required=True)
    ap.add_argument("--today", default="2026-06-15")
    ap.add_argument("--report")
    ap.add_argument("--max-wrong", type=float, default=2.0)
    ap.add_argument("--min-right", type=float, default=90.0)
    ap.add_argument("suites", nargs="+")
    a = ap.parse_args()

    cases = []
    for path in a.suites:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    cases.append(json.loads(line))

    env = dict(os.environ, BI_TODAY=a.today, NO_COLOR="1")
    env.pop("BI_FALLBACK_CMD", None)
    questions = "".join(c["question"].replace("\n", " ") + "\n" for c in cases)
    out = subprocess.run(
        [os.path.join(a.bin, "bi-ask"), "--batch", "--format", "jsonl", "--quiet", "--database", a.db,
         "--dumps-dir", a.dumps, "--log-dir", os.path.join(a.dumps, ".eval-logs")],
        input=questions, capture_output=True, text=True, env=env, check=False)
    answers = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    if len(answers) != len(cases):
        print(f"grade: bi-ask --batch gave {len(answers)} answers for {len(cases)} questions", file=sys.stderr)
        print(out.stderr, file=sys.stderr)
        return 2

    # A question asked alone takes another path (it reads only the rows its filters keep, where
    # a batch keeps whole cubes): both must give the same answer, so each is asked alone too.
    def alone(c):
        one = subprocess.run(
            [os.path.join(a.bin, "bi-ask"), "--format", "json", "--quiet", "--database", a.db,
             "--dumps-dir", a.dumps, "--log-dir", os.path.join(a.dumps, ".eval-logs"), "--", c["question"]],
            capture_output=True, text=True, env=env, check=False)
        try:
            return json.loads(one.stdout)
        except ValueError:
            return {"error": one.stderr.strip()}

    # one process a core: the questions are independent
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        single = list(pool.map(alone, cases))

    db = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    totals = {"right": 0, "wrong": 0, "refused": 0}
    by_kind = {}
    lines = []
    for case, ans, alone in zip(cases, answers, single):
        matched = bool(ans.get("matched"))
        if case["sql"] is None:
            verdict, why = ("wrong", "answered a question the data cannot answer") if matched else ("right", "")
        elif not matched:
            verdict, why = "refused", ans.get("reason") or ans.get("error") or ""
        else:
            ref = [tuple(r) for r in db.execute(case["sql"]).fetchall()]
            global TOLERANCE
            TOLERANCE = rounded_to(case["sql"])
            got = [tuple(row.values()) for row in ans.get("data", [])]
            ok, why = grade_rows(ref, got, case.get("ranked", False))
            longer = long_form(ans)
            if not ok and longer is not None and grade_rows(ref, longer, case.get("ranked", False))[0]:
                ok, why = True, ""
            # a total compared across periods that the reference names in words of its own
            # ("this quarter", "same period last year"): its numbers, one row per period
            if (not ok and longer is not None and len(got) == 1 and len(ref) == len(longer) and
                    all(sum(isinstance(v, str) for v in r) == 1 for r in ref) and
                    grade_rows([tuple(v for v in r if not isinstance(v, str)) for r in ref], longer, False)[0]):
                ok, why = True, ""
            verdict = "right" if ok else "wrong"
        if bool(alone.get("matched")) != matched or (matched and alone.get("data") != ans.get("data")):
            verdict, why = "wrong", "asked alone, bi-ask answers differently than in a batch"
        totals[verdict] += 1
        k = by_kind.setdefault(case["kind"], {"right": 0, "wrong": 0, "refused": 0})
        k[verdict] += 1
        lines.append(f"{verdict:7} {case['id']} [{case['kind']}] {case['question']}\n"
                     f"        read: {ans.get('title') or ans.get('restatement') or '-'} ({ans.get('query')})\n"
                     + (f"        why:  {why}\n" if why else ""))
    n = len(cases)
    pct = {v: 100.0 * c / n for v, c in totals.items()}
    summary = (f"value-graded suite: {n} questions: right {totals['right']} ({pct['right']:.1f}%), "
               f"wrong {totals['wrong']} ({pct['wrong']:.1f}%), refused {totals['refused']} ({pct['refused']:.1f}%)")
    kinds = "\n".join(f"  {k:22} right {v['right']:3}  wrong {v['wrong']:3}  refused {v['refused']:3}"
                      for k, v in sorted(by_kind.items()))
    report = summary + "\n" + kinds + "\n\n" + "".join(sorted(lines, key=lambda l: ("wrong", "refused", "right").index(l.split()[0])))
    if a.report:
        os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
        with open(a.report, "w", encoding="utf-8") as f:
            f.write(report)
    print(summary)
    print(kinds)
    for l in lines:
        if l.startswith("wrong"):
            print(l, end="")
    failed = pct["wrong"] > a.max_wrong or pct["right"] < a.min_right
    if failed:
        print(f"grade: FAIL: wrong {pct['wrong']:.1f}% (at most {a.max_wrong}%), right {pct['right']:.1f}% "
              f"(at least {a.min_right}%)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
