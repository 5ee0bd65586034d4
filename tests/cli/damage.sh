#!/usr/bin/env bash
# Damage to any file in the dumps dir never changes an answer: each kind of file is cut short,
# zeroed, has bytes flipped, or is replaced by a FIFO or a symlink to another file; bi-ask then
# answers exactly as before (the same rows) or refuses in one line, bi-status flags the damage
# (exit 2), and a bi-regen run of one unrelated query repairs it.
source "$(dirname "$0")/lib.sh"
w="$BI_TMP/work"
mkdir -p "$w"
cp "$BI_TEST_DB" "$w/demo.db"
dumps="$w/dumps"
common=(--database "$w/demo.db" --dumps-dir "$dumps" --queries-dir "$BI_SOURCE/queries" --log-dir "$w/logs")
export BI_NOW=2026-06-15T01:00:00Z
"$BI_BIN/bi-regen" "${common[@]}" --all --quiet || fail "the dumps are made" "bi-regen exited $?"

questions=(
  "Top 5 models in the West"              # a report, read filtered from its companion
  "dealer performance scorecard"          # a report, read whole
  "top selling models in the West"        # a cube through the model
  "Which KPIs are underperforming?"       # another cube
)
# answers DIR: each question's rows (or its refusal) as one line, into DIR/<n>.
answers() {
  mkdir -p "$1"
  local i=0
  for q in "${questions[@]}"; do
    "$BI_BIN/bi-ask" "${common[@]}" --format json "$q" >"$1/$i.out" 2>"$1/$i.err"
    echo $? >"$1/$i.status"
    i=$((i + 1))
  done
}
answers "$BI_TMP/good"
for i in "${!questions[@]}"; do
  [ "$(cat "$BI_TMP/good/$i.status")" = 0 ] && pass "baseline: '${questions[$i]}' is answered" \
    || fail "baseline: '${questions[$i]}' is answered" "$(cat "$BI_TMP/good/$i.err")"
done
run "$BI_BIN/bi-status" "${common[@]}" --json
good_status=$status
[ "$good_status" -ne 2 ] && pass "baseline: bi-status is not critical" || fail "baseline: bi-status is not critical" "$out"

# Each kind of file bi-dump writes, and another file of the same kind a symlink may name.
kinds=(
  "sales_analytics/top_models_by_region.json sales_analytics/dealer_performance.json"
  "sales_analytics/top_models_by_region.bin  sales_analytics/dealer_performance.bin"
  "cubes/sales_by_region.json                cubes/inventory.json"
  "cubes/sales_by_region.bin                 cubes/inventory.bin"
  "index.json                                cubes/inventory.json"
  "index.bin                                 cubes/inventory.bin"
  "model.json                                cubes/inventory.json"
  "lexicon.txt                               index.json"
  "model.bin                                 cubes/inventory.bin"
  "lexicon.bin                               cubes/inventory.bin"
)
damages=(truncate zero flip fifo symlink)

damage() {  # damage HOW FILE OTHER
  local f="$dumps/$2"
  case "$1" in
    truncate) truncate -s $(( $(stat -c %s "$f") / 2 )) "$f" ;;
    zero) head -c "$(stat -c %s "$f")" /dev/zero >"$f.new" && mv "$f.new" "$f" ;;
    flip) python3 - "$f" "$2" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
rng = random.Random(sys.argv[2])  # the same bytes on every run
for _ in range(8):
    i = rng.randrange(len(data))
    data[i] ^= 1 << rng.randrange(8)
open(sys.argv[1], "r+b").write(data)
PY
    ;;
    fifo) rm -f "$f" && mkfifo "$f" ;;
    symlink) rm -f "$f" && ln -s "$dumps/$3" "$f" ;;
  esac
}

for kind in "${kinds[@]}"; do
  read -r file other <<<"$kind"
  for how in "${damages[@]}"; do
    name="$how $file"
    other_sum=$(sha256sum <"$dumps/$other")
    damage "$how" "$file" "$other"
    answers "$BI_TMP/now"
    bad=""
    for i in "${!questions[@]}"; do
      s=$(cat "$BI_TMP/now/$i.status")
      if [ "$s" = 0 ]; then
        # The same rows as before: never a different number.
        cmp -s <(jq -cS '.data' "$BI_TMP/good/$i.out") <(jq -cS '.data' "$BI_TMP/now/$i.out") ||
          bad+="'${questions[$i]}' answered differently; "
      else
        [ "$(grep -c '' "$BI_TMP/now/$i.err")" -eq 1 ] || bad+="'${questions[$i]}' refused in more than one line: $(cat "$BI_TMP/now/$i.err"); "
      fi
    done
    [ -z "$bad" ] && pass "$name: every answer is the same or a one-line refusal" || fail "$name: answers" "$bad"
    run "$BI_BIN/bi-status" "${common[@]}" --json
    if [ "$status" -eq 2 ] && jq -e --arg f "$(basename "$file")" '.problems | any(contains($f))' <<<"$out" >/dev/null; then
      pass "$name: bi-status flags it (exit 2)"
    else
      fail "$name: bi-status flags it (exit 2)" "exit $status: $(jq -c .problems <<<"$out")"
    fi
    run "$BI_BIN/bi-regen" "${common[@]}" --query kpi_monitoring/health_scores --quiet
    expect_status "$name: bi-regen of another query exits 0" 0
    [ -f "$dumps/$file" ] && [ ! -L "$dumps/$file" ] && pass "$name: repaired as a regular file" \
      || fail "$name: repaired as a regular file" "$(ls -l "$dumps/$file")"
    [ "$(sha256sum <"$dumps/$other")" = "$other_sum" ] && pass "$name: the file a link named is untouched" \
      || fail "$name: the file a link named is untouched"
    answers "$BI_TMP/now"
    same=1
    for i in "${!questions[@]}"; do
      [ "$(cat "$BI_TMP/now/$i.status")" = 0 ] && [ -z "$(cat "$BI_TMP/now/$i.err")" ] &&
        cmp -s <(jq -cS '.data' "$BI_TMP/good/$i.out") <(jq -cS '.data' "$BI_TMP/now/$i.out") || same=0
    done
    [ $same = 1 ] && pass "$name: answers are back to normal, without notes" || fail "$name: answers are back to normal" "$(cat "$BI_TMP"/now/*.err)"
    run "$BI_BIN/bi-status" "${common[@]}" --json
    [ "$status" -eq "$good_status" ] && pass "$name: bi-status is as before" || fail "$name: bi-status is as before" "$(jq -c .problems <<<"$out")"
  done
done

# A damaged cube dump (and no companion) is answered live from the cube's own SQL: the same
# rows, with a note, exit 0.
cube_q="top selling models in the West"
damage flip cubes/sales_by_region.json cubes/inventory.json
rm -f "$dumps/cubes/sales_by_region.bin"
run "$BI_BIN/bi-ask" "${common[@]}" --format json "$cube_q"
expect_status "damaged cube dump: answered" 0
cmp -s <(jq -cS '.data' "$BI_TMP/good/2.out") <(jq -cS '.data' <<<"$out") &&  # questions[2]
  pass "damaged cube dump: the same rows as from the dump" || fail "damaged cube dump: the same rows" "$out"
grep -q "answered live" <<<"$err" && pass "damaged cube dump: the note says it was answered live" \
  || fail "damaged cube dump: the note says it was answered live" "$err"
run "$BI_BIN/bi-regen" "${common[@]}" --query kpi_monitoring/health_scores --quiet
expect_status "damaged cube dump: bi-regen repairs it" 0

# One unparsable .sql: reported with file:line, skipped, every other query regenerated, exit 1.
cp -r "$BI_SOURCE/queries" "$w/queries"
broken=sales_analytics/fi_conversion
sed -i '2i -- titel: a typo' "$w/queries/$broken.sql"
stamp() { jq -r .generated_at "$dumps/$1.json"; }
kept=$(stamp $broken)
BI_NOW=2026-06-15T09:00:00Z run "$BI_BIN/bi-regen" --database "$w/demo.db" --dumps-dir "$dumps" --queries-dir "$w/queries" --log-dir "$w/logs" --all --quiet
expect_status "an unparsable .sql: bi-regen exits 1" 1
expect_contains "the error names the file and line" "bi-regen: error: $w/queries/$broken.sql:2: unknown header key 'titel'" "$err"
[ "$(stamp $broken)" = "$kept" ] && pass "its dump is kept" || fail "its dump is kept"
others=$(cd "$w/queries" && ls */*.sql | grep -v -e "^$broken.sql" -e '\..*\.sql$' | sed 's/\.sql$//')
stale=0
for q in $others; do [ "$(stamp "$q")" = 2026-06-15T09:00:00Z ] || stale=$((stale + 1)); done
[ $stale -eq 0 ] && pass "every other query is regenerated" || fail "every other query is regenerated" "$stale not"
BI_NOW=2026-06-15T09:30:00Z run "$BI_BIN/bi-dump" --database "$w/demo.db" --dumps-dir "$dumps" --queries-dir "$w/queries" --log-dir "$w/logs" --quiet
expect_status "an unparsable .sql: bi-dump exits 1" 1
expect_contains "bi-dump names the file and line" "bi-dump: error: $w/queries/$broken.sql:2:" "$err"

finish
