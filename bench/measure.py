#!/usr/bin/env python3
"""Runs commands side by side (A, B, A, B...) and prints, per command, the median wall time
in ms and the peak RSS in KiB as JSON. Each command is a shell-free argv given as a JSON
list, with optional "stdin" and "stdout" files. Usage: measure.py RUNS WARMUP SPEC.json"""
import json
import os
import statistics
import sys
import time


def run_once(spec, rss=False):
    """Wall time of one run in ms, its peak RSS in KiB (when `rss`: measured by /usr/bin/time,
    since a child's ru_maxrss would include the forking Python's memory) and its exit code."""
    argv = spec["argv"]
    out = None
    if rss:
        out = f"/tmp/bi-measure-{os.getpid()}.rss"
        argv = ["/usr/bin/time", "-f", "%M", "-o", out] + argv
    actions = [(os.POSIX_SPAWN_OPEN, 0, spec.get("stdin", "/dev/null"), os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, spec.get("stdout", "/dev/null"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, {**os.environ, **spec.get("env", {})}, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter() - start) * 1000.0
    peak = 0
    if out:
        with open(out) as f:
            peak = int(f.read().split()[-1])
        os.unlink(out)
    return elapsed, peak, os.waitstatus_to_exitcode(status)


def main():
    runs, warmup, specs = int(sys.argv[1]), int(sys.argv[2]), json.load(open(sys.argv[3]))
    times = {name: [] for name in specs}
    rss = {name: 0 for name in specs}
    codes = {name: set() for name in specs}
    for i in range(warmup + runs):
        for name, spec in specs.items():
            t, _, code = run_once(spec)
            if i >= warmup:
                times[name].append(t)
                codes[name].add(code)
    for name, spec in specs.items():
        rss[name] = max(run_once(spec, rss=True)[1] for _ in range(2))
    print(json.dumps({name: {"median_ms": statistics.median(times[name]), "min_ms": min(times[name]),
                             "max_rss_kib": rss[name], "exit_codes": sorted(codes[name])} for name in specs}))


if __name__ == "__main__":
    main()
