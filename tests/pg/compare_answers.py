#!/usr/bin/env python3
"""Compares two files of bi-ask --batch answers (one JSON object a line), line by line: the same
keys and values, numbers equal to 9 significant digits (dumps from SQLite carry doubles such as
1486450.2700000003 where PostgreSQL's numeric gives 1486450.27), ignoring what depends on when
and where the dumps were made (generated_at, age_seconds, stale, source, notes on staleness).
Prints one line per differing answer with the first difference; exits 1 on any difference.
Usage: tests/pg/compare_answers.py QUESTIONS A.jsonl B.jsonl"""
import json
import math
import sys

IGNORED = {"generated_at", "age_seconds", "stale", "stale_reason", "database", "fingerprint", "duration_ms"}


def differ(a, b, path):
    if isinstance(a, bool) or isinstance(b, bool):
        return None if a == b else f"{path}: {a!r} != {b!r}"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        ok = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        return None if ok else f"{path}: {a!r} != {b!r}"
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        keys = (set(a) | set(b)) - IGNORED
        for k in sorted(keys):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'first' if k in a else 'second'}"
            d = differ(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if path.endswith(".notes"):
            a = [n for n in a if "stale" not in n]
            b = [n for n in b if "stale" not in n]
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = differ(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    questions = open(sys.argv[1]).read().splitlines()
    first = open(sys.argv[2]).read().splitlines()
    second = open(sys.argv[3]).read().splitlines()
    if not (len(questions) == len(first) == len(second)):
        print(f"compare_answers: {len(questions)} questions, {len(first)} and {len(second)} answers", file=sys.stderr)
        return 1
    bad = 0
    for q, x, y in zip(questions, first, second):
        d = differ(json.loads(x), json.loads(y), "")
        if d:
            bad += 1
            print(f"differs: {q!r}: {d}")
    print(f"compare_answers: {bad} of {len(questions)} answers differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
