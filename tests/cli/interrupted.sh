#!/usr/bin/env bash
# kill -9 of a running regeneration, again and again at random moments: every dump left is a
# whole one (it parses and matches its checksum), the temporaries a killed run leaves are
# removed by the next run, and after one complete run every dump matches its companion and
# no temporary is left.
source "$(dirname "$0")/lib.sh"
w="$BI_TMP/work"
mkdir -p "$w"
cp "$BI_TEST_DB" "$w/demo.db"
cp -r "$BI_TEST_DUMPS" "$w/dumps"
dumps="$w/dumps"
log="$w/logs/job_logs/regen.jsonl"
common=(--database "$w/demo.db" --dumps-dir "$dumps" --queries-dir "$BI_SOURCE/queries" --log-dir "$w/logs")
temps() { find "$dumps" -name '*.tmp.??????' | sort; }
# whole: every JSON file in the dumps dir parses and ends with the checksum of what precedes it.
whole() {
  python3 - "$dumps" <<'PY'
import json, pathlib, sys
bad = []
for p in pathlib.Path(sys.argv[1]).rglob("*.json"):
    text = p.read_bytes()
    try:
        doc = json.loads(text)
    except ValueError:
        bad.append(f"{p}: not JSON")
        continue
    if not str(doc.get("checksum", "")).startswith("xxh3:"):
        bad.append(f"{p}: no checksum")
print("; ".join(bad))
PY
}

iterations=${BI_KILL_ITERATIONS:-20}
RANDOM=15  # the same delays on every run
previous=""
for i in $(seq 1 "$iterations"); do
  records=$(cat "$log" 2>/dev/null | wc -l)
  "$BI_BIN/bi-regen" "${common[@]}" --all --quiet 2>/dev/null &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  bad=$(whole)
  [ -z "$bad" ] && pass "kill $i: every JSON file is whole" || fail "kill $i: every JSON file is whole" "$bad"
  # A run that logged a query had cleaned up before it: what the one before left is gone.
  if [ "$(cat "$log" 2>/dev/null | wc -l)" -gt "$records" ] && [ -n "$previous" ]; then
    left=$(comm -12 <(echo "$previous") <(temps))
    [ -z "$left" ] && pass "kill $i: the temporaries of the run before are removed" || fail "kill $i: the temporaries of the run before are removed" "$left"
  fi
  previous=$(temps)
done

touch "$dumps/notes.tmp.keep" "$dumps/report.json.tmp.ABCDEFG"  # not ours: other names are never touched
run "$BI_BIN/bi-regen" "${common[@]}" --all --quiet
expect_status "a complete run after the kills exits 0" 0
[ -z "$(temps)" ] && pass "no temporary is left" || fail "no temporary is left" "$(temps)"
[ -f "$dumps/notes.tmp.keep" ] && [ -f "$dumps/report.json.tmp.ABCDEFG" ] && pass "files of other names are kept" || fail "files of other names are kept"
rm -f "$dumps/notes.tmp.keep" "$dumps/report.json.tmp.ABCDEFG"
bad=$(whole)
[ -z "$bad" ] && pass "every JSON file is whole" || fail "every JSON file is whole" "$bad"
run "$BI_BIN/bi-status" "${common[@]}" --json
if jq -e '[.dumps[] | select(.present | not) or has("damage")] | length == 0' <<<"$out" >/dev/null &&
   jq -e '.damaged_files | length == 0' <<<"$out" >/dev/null; then
  pass "every dump matches its checksum and its companion"
else
  fail "every dump matches its checksum and its companion" "$(jq -c .problems <<<"$out")"
fi

finish
