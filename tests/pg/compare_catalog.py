#!/usr/bin/env python3
"""Runs every catalog query on a SQLite database and on its PostgreSQL copy (scripts/load-postgresql)
and compares the rows: same columns, same rows in the same order, text equal, numbers equal to the
digits SQLite prints. A query with a sibling <name>.postgresql.sql runs that text on PostgreSQL.
Prints one line per differing query, then a summary; exits 1 on any difference.
Usage: tests/pg/compare_catalog.py SQLITE_DB URI [--queries-dir DIR] [--verbose]"""
import argparse
import csv
import io
import pathlib
import subprocess
import sys
from decimal import Decimal, InvalidOperation

ME = "compare_catalog"


def number(text):
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def same_cell(lite, pg):
    """True when the PostgreSQL cell shows the SQLite cell: text equal, or numbers equal to the
    digits SQLite prints (or within 1e-12 relative: the rounding noise of SQLite's doubles)."""
    if lite == pg:
        return True
    a, b = number(lite), number(pg)
    if a is None or b is None:
        return False
    exponent = a.as_tuple().exponent if "e" not in lite.lower() else 0
    if abs(a - b) <= Decimal(5) * Decimal(10) ** (exponent - 1):
        return True
    return abs(a - b) <= abs(a) * Decimal("1e-12")


def first_difference(lite_rows, pg_rows):
    if lite_rows[:1] != pg_rows[:1]:
        return "columns differ: sqlite %s, postgresql %s" % (lite_rows[:1], pg_rows[:1])
    if len(lite_rows) != len(pg_rows):
        return "%d rows on sqlite, %d on postgresql" % (len(lite_rows) - 1, len(pg_rows) - 1)
    header = lite_rows[0]
    for n, (a, b) in enumerate(zip(lite_rows[1:], pg_rows[1:]), 1):
        for column, x, y in zip(header, a, b):
            if not same_cell(x, y):
                return "row %d, column %s: sqlite %r, postgresql %r" % (n, column, x, y)
    return None


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["exit %d" % done.returncode]
        return None, next((line for line in lines if "ERROR" in line or "Error" in line), lines[-1])
    return list(csv.reader(io.StringIO(done.stdout))), None


def main():
    parser = argparse.ArgumentParser(prog=ME, description=__doc__.splitlines()[0])
    parser.add_argument("sqlite_db")
    parser.add_argument("uri")
    parser.add_argument("--queries-dir", default=str(pathlib.Path(__file__).resolve().parents[2] / "queries"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    files = sorted(p for p in pathlib.Path(args.queries_dir).rglob("*.sql") if not p.name.endswith(".postgresql.sql"))
    if not files:
        print("%s: error: '%s': no queries" % (ME, args.queries_dir), file=sys.stderr)
        return 1
    differing = 0
    for path in files:
        name = path.relative_to(args.queries_dir).with_suffix("")
        pg_path = path.with_name(path.stem + ".postgresql.sql")
        pg_path = pg_path if pg_path.exists() else path
        lite_rows, error = run(["sqlite3", "-bail", "-readonly", "-csv", "-header", args.sqlite_db, ".read '%s'" % path])
        if error:
            print("%s: %s: sqlite failed: %s" % (ME, name, error))
            differing += 1
            continue
        pg_rows, error = run(["psql", args.uri, "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-f", str(pg_path)])
        if error:
            print("%s: %s: postgresql failed: %s" % (ME, name, error))
            differing += 1
            continue
        difference = first_difference(lite_rows, pg_rows)
        if difference:
            print("%s: %s: %s" % (ME, name, difference))
            differing += 1
        elif args.verbose:
            print("%s: %s: %d rows equal%s" % (ME, name, len(lite_rows) - 1,
                                                " (postgresql text)" if pg_path != path else ""))
    print("%s: %d of %d queries differ" % (ME, differing, len(files)))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
