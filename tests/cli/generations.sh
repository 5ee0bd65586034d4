# Whole generations of dumps (generations = N): each run publishes a new one with one rename,
# readers keep the generation they started with, a failed run publishes nothing, and a
# machine that copies the dumps with scripts/sync-dumps answers safely while a copy runs.
source "$(dirname "$0")/lib.sh"

printf 'generations = 3\n' >"$BI_TMP/g.conf"
export BI_CONFIG=$BI_TMP/g.conf
src=(--database "$BI_TEST_DB" --queries-dir "$BI_SOURCE/queries")
d=$BI_TMP/dumps
q="total revenue by region in 2025"

run "$BI_BIN/bi-dump" "${src[@]}" --dumps-dir "$d" --quiet
expect_status "bi-dump publishes the first generation" 0
[ -L "$d" ] && [ "$(ls -d "$d.generations"/*/ | wc -l)" -eq 1 ] && pass "the dumps directory is a link to it" ||
  fail "the dumps directory is a link to it" "$(ls -la "$BI_TMP")"
run "$BI_BIN/bi-ask" --dumps-dir "$d" "$q"
expect_status "bi-ask answers from it" 0
first=$(readlink -f "$d")
expected=$(jq -c .data <<<"$out")

# ask_while PID DIR: asks $q from DIR until process PID ends (20 times at least), counting in
# $answers and writing to $BI_TMP/errors every answer that fails or differs from $expected.
ask_while() {
  answers=0
  while kill -0 "$1" 2>/dev/null || [ $answers -lt 20 ]; do
    if a=$("$BI_BIN/bi-ask" --dumps-dir "$2" "$q" 2>>"$BI_TMP/errors"); then
      [ "$(jq -c .data <<<"$a")" = "$expected" ] || echo "different rows from $2: $a" >>"$BI_TMP/errors"
    else
      echo "bi-ask failed on $2" >>"$BI_TMP/errors"
    fi
    answers=$((answers + 1))
  done
  wait "$1"
}

# Readers while runs publish: every answer is whole and the same.
( for _ in 1 2 3 4; do "$BI_BIN/bi-regen" "${src[@]}" --dumps-dir "$d" --all --quiet || echo "regen failed" >>"$BI_TMP/errors"; done ) &
ask_while $! "$d"
if [ ! -s "$BI_TMP/errors" ]; then pass "$answers answers during 4 publications: all whole, all the same"; else
  fail "answers during publications" "$(head -5 "$BI_TMP/errors")"; fi
[ "$(ls -d "$d.generations"/*/ | wc -l)" -eq 3 ] && pass "the newest 3 generations are kept" ||
  fail "the newest 3 generations are kept" "$(ls "$d.generations")"
[ ! -e "$first" ] && pass "older ones are removed" || fail "older ones are removed"

# A run of one query: the other dumps carry over as hard links, not copies.
before=$(readlink -f "$d")
run "$BI_BIN/bi-regen" "${src[@]}" --dumps-dir "$d" --query kpi_monitoring/health_scores --quiet
after=$(readlink -f "$d")
[ "$before" != "$after" ] && [ "$(stat -c %i "$before/cubes/inventory.json")" = "$(stat -c %i "$after/cubes/inventory.json")" ] &&
  [ "$(stat -c %i "$before/kpi_monitoring/health_scores.json")" != "$(stat -c %i "$after/kpi_monitoring/health_scores.json")" ] &&
  pass "a partial run links what it did not regenerate" || fail "a partial run links what it did not regenerate"

# A run that fails publishes nothing.
gens=$(ls "$d.generations")
run "$BI_BIN/bi-regen" --database "$BI_TMP/missing.db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$d" --all
expect_status "a run against a missing database fails" 5
[ "$(readlink -f "$d")" = "$after" ] && [ "$(ls "$d.generations")" = "$gens" ] &&
  pass "and publishes nothing, leaving no half generation" || fail "a failed run publishes nothing" "$(ls "$d.generations")"

# The writers' lock lives beside the generations, where every run finds the same file.
( exec 9>>"$d.generations/.lock"; flock 9; exec sleep 5 ) &
holder=$!
sleep 0.3
run "$BI_BIN/bi-regen" "${src[@]}" --dumps-dir "$d" --all
expect_status "another run holding the lock: exit 4" 4
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# A plain dumps directory becomes generations on its first run.
cp -r "$BI_TEST_DUMPS" "$BI_TMP/plain"
run "$BI_BIN/bi-regen" "${src[@]}" --dumps-dir "$BI_TMP/plain" --all --quiet
expect_status "a plain dumps directory is regenerated" 0
[ -L "$BI_TMP/plain" ] && pass "and is now a link to a generation" || fail "and is now a link to a generation"
run "$BI_BIN/bi-ask" --dumps-dir "$BI_TMP/plain" "$q"
expect_status "bi-ask answers from it" 0

# Answering machines: a copy by rsync, published by one rename, read while copies run.
r=$BI_TMP/replica
run "$BI_SOURCE/scripts/sync-dumps" "$d" "$r"
expect_status "sync-dumps copies the current generation" 0
[ -L "$r" ] && pass "the copy is published as a generation" || fail "the copy is published as a generation"
run "$BI_BIN/bi-ask" --dumps-dir "$r" "$q"
[ "$status" -eq 0 ] && [ "$(jq -c .data <<<"$out")" = "$expected" ] && pass "the copy answers as the source does" ||
  fail "the copy answers as the source does" "$out"
rm -f "$BI_TMP/errors"
( for _ in 1 2 3; do
    "$BI_BIN/bi-regen" "${src[@]}" --dumps-dir "$d" --all --quiet && "$BI_SOURCE/scripts/sync-dumps" "$d" "$r" 2>/dev/null ||
      echo "sync failed" >>"$BI_TMP/errors"
  done ) &
ask_while $! "$r"
if [ ! -s "$BI_TMP/errors" ]; then pass "$answers answers on the copy during 3 syncs: all whole, all the same"; else
  fail "answers on the copy during syncs" "$(head -5 "$BI_TMP/errors")"; fi
[ "$(ls -d "$r.generations"/*/ | wc -l)" -le 3 ] && pass "the copy keeps the newest 3" || fail "the copy keeps the newest 3"
run "$BI_SOURCE/scripts/sync-dumps" "$BI_TMP/nowhere" "$r"
expect_status "sync-dumps from a missing source fails" 1
expect_one_line "with one line" "$err"
mkdir -p "$BI_TMP/notdumps"
run "$BI_SOURCE/scripts/sync-dumps" "$BI_TMP/notdumps" "$r"
expect_status "sync-dumps refuses a directory that is not dumps" 1
[ "$(jq -c .data <<<"$("$BI_BIN/bi-ask" --dumps-dir "$r" "$q")")" = "$expected" ] &&
  pass "and the copy still answers" || fail "and the copy still answers"

finish
