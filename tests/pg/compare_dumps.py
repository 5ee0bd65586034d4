#!/usr/bin/env python3
"""Compares the dumps bi-dump wrote from a SQLite database with those it wrote from the PostgreSQL
copy: the same <category>/<name>.json dumps, the same columns in order, the same rows in the same
order, text cells equal and numbers equal to the digits the SQLite dump shows (12 and 12.0 are
equal; a difference within 1e-11 of the value is SQLite's double rounding noise and is equal too).
Metadata (generated_at, source, duration_ms, chart_config, column types) is not compared.
Prints one line per differing dump with its first difference, then a summary line; exits 1 on
any difference, 0 when all dumps are equal, 2 on a usage error.
Usage: tests/pg/compare_dumps.py SQLITE_DUMPS_DIR PG_DUMPS_DIR"""
import json
import pathlib
import sys
from decimal import Decimal

ME = "compare_dumps"
RELATIVE = Decimal("1e-11")


class Number(str):
    """A JSON number kept as the text the dump shows."""


def dumps(root):
    """The dumps under root by name: <category>/<name>.json (index.json and model.json at the top
    are not dumps)."""
    return {str(p.relative_to(root)): p for p in sorted(root.glob("*/*.json"))}


def same_number(lite, pg):
    a, b = Decimal(lite), Decimal(pg)
    if a == b:
        return True
    digits = lite.lower().split("e")[0]
    exponent = -len(digits.split(".")[1]) if "." in digits else 0
    if "e" in lite.lower():
        exponent += int(lite.lower().split("e")[1])
    return abs(a - b) <= Decimal(5) * Decimal(10) ** (exponent - 1) or abs(a - b) <= abs(a) * RELATIVE


def same_cell(lite, pg):
    if isinstance(lite, Number) and isinstance(pg, Number):
        return same_number(lite, pg)
    return type(lite) is type(pg) and lite == pg


def first_difference(lite, pg):
    lite_columns = [(c.get("name"), c.get("unit")) for c in lite.get("columns", [])]
    pg_columns = [(c.get("name"), c.get("unit")) for c in pg.get("columns", [])]
    if lite_columns != pg_columns:
        return "columns differ: sqlite %s, postgresql %s" % ([n for n, _ in lite_columns], [n for n, _ in pg_columns])
    lite_rows, pg_rows = lite.get("data", []), pg.get("data", [])
    if len(lite_rows) != len(pg_rows):
        return "%d rows in sqlite, %d in postgresql" % (len(lite_rows), len(pg_rows))
    if lite.get("row_count") != pg.get("row_count"):
        return "row_count %s in sqlite, %s in postgresql" % (lite.get("row_count"), pg.get("row_count"))
    for n, (a, b) in enumerate(zip(lite_rows, pg_rows), 1):
        if list(a) != list(b):
            return "row %d: keys %s in sqlite, %s in postgresql" % (n, list(a), list(b))
        for key in a:
            if not same_cell(a[key], b[key]):
                return "row %d, column %s: sqlite %s, postgresql %s" % (n, key, a[key], b[key])
    return None


def load_numbers(path):
    return json.loads(path.read_text(), parse_float=Number, parse_int=Number,
                      parse_constant=Number)


def main(argv):
    if len(argv) != 2 or argv[0] in ("-h", "--help"):
        if argv[:1] in (["-h"], ["--help"]):
            print(__doc__)
            return 0
        print("%s: error: usage: compare_dumps.py SQLITE_DUMPS_DIR PG_DUMPS_DIR" % ME, file=sys.stderr)
        return 2
    roots = [pathlib.Path(a) for a in argv]
    for root in roots:
        if not root.is_dir():
            print("%s: error: '%s': not a directory" % (ME, root), file=sys.stderr)
            return 2
    lite_dumps, pg_dumps = dumps(roots[0]), dumps(roots[1])
    if not lite_dumps:
        print("%s: error: '%s': no dumps" % (ME, roots[0]), file=sys.stderr)
        return 2
    differing = 0
    for name in sorted(set(lite_dumps) | set(pg_dumps)):
        if name not in pg_dumps or name not in lite_dumps:
            print("%s: %s: only in %s" % (ME, name, roots[0] if name in lite_dumps else roots[1]))
            differing += 1
            continue
        try:
            lite, pg = load_numbers(lite_dumps[name]), load_numbers(pg_dumps[name])
        except (OSError, ValueError) as error:
            print("%s: %s: cannot read: %s" % (ME, name, error))
            differing += 1
            continue
        difference = first_difference(lite, pg)
        if difference:
            print("%s: %s: %s" % (ME, name, difference))
            differing += 1
    total = len(set(lite_dumps) | set(pg_dumps))
    print("%s: %d of %d dumps differ" % (ME, differing, total))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
