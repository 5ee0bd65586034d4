#!/usr/bin/env bash
# bi-regen as cron sees it: --due picks exactly its queries, the lock keeps two runs apart, a
# failing query keeps its old dump and sets exit 1, --test and --list, the job log, codes 2/4/5.
source "$(dirname "$0")/lib.sh"
w="$BI_TMP/work"
mkdir -p "$w"
cp "$BI_TEST_DB" "$w/demo.db"
cp -r "$BI_TEST_DUMPS" "$w/dumps"
dumps="$w/dumps"
log="$w/logs/job_logs/regen.jsonl"
base=(--database "$w/demo.db" --dumps-dir "$dumps")
common=("${base[@]}" --queries-dir "$BI_SOURCE/queries" --log-dir "$w/logs")
broken_catalog=("${base[@]}" --queries-dir "$w/queries" --log-dir "$w/logs")
regen() { run "$BI_BIN/bi-regen" "${common[@]}" "$@"; }

# sums DIR: "category/name.json sha256" for every dump, sorted.
sums() { (cd "$1" && find . -name '*.json' ! -name index.json | sort | xargs sha256sum); }
# changed A B: the dumps whose bytes differ between two sums listings.
changed() { join -j 2 <(awk '{print $1, $2}' "$1" | sort -k2) <(awk '{print $1, $2}' "$2" | sort -k2) | awk '$2 != $3 {print $1}' | sed 's|^\./||; s|\.json$||' | sort; }
# scheduled WHEN: the catalog's queries with that schedule, as category/name.
scheduled() { grep -l -- "^-- schedule: $1\$" "$BI_SOURCE"/queries/*/*.sql | sed "s|^$BI_SOURCE/queries/||; s|\.sql\$||" | sort; }

BI_NOW=2026-06-15T01:00:00Z regen --all
expect_status "--all regenerates everything" 0
[ -z "$err" ] && pass "quiet on stderr when it is not a terminal" || fail "quiet on stderr when it is not a terminal" "$err"
sums "$dumps" >"$BI_TMP/before"

BI_NOW=2026-06-15T02:00:00Z regen --due daily
expect_status "--due daily exits 0" 0
sums "$dumps" >"$BI_TMP/after"
want=$(scheduled daily)
got=$(changed "$BI_TMP/before" "$BI_TMP/after")
[ -n "$want" ] && [ "$got" = "$want" ] && pass "--due daily rewrites exactly the daily dumps" || fail "--due daily rewrites exactly the daily dumps" "changed: $got"
[ "$(scheduled weekly | wc -l)" -gt 0 ] && pass "the catalog has weekly queries left alone" || fail "the catalog has weekly queries left alone"
n_daily=$(printf '%s\n' "$want" | wc -l)
[ "$(wc -l <"$log")" -eq $((catalog_queries + n_daily)) ] && pass "one job-log record per query and run" || fail "one job-log record per query and run" "$(wc -l <"$log") lines"
tail -n "$n_daily" "$log" | jq -e 'select((.start | test("^2026-06-15T02:00:00Z$")) and .end and (.query | test("/")) and (.rows | type == "number") and (.duration_ms | type == "number") and .outcome == "ok" and .error == null) | true' >/dev/null \
  && [ "$(tail -n "$n_daily" "$log" | jq -s 'map(select(.outcome == "ok")) | length')" -eq "$n_daily" ] \
  && pass "job-log records carry start, end, query, rows, duration_ms, outcome, error" || fail "job-log records have every field" "$(tail -n 1 "$log")"
[ "$(tail -n "$n_daily" "$log" | jq -r .query | sort)" = "$want" ] && pass "the job log names the daily queries" || fail "the job log names the daily queries"

BI_NOW=2026-06-15T03:00:00Z regen --category warranty_analysis --query kpi_monitoring/health_scores
expect_status "--category and --query together" 0
sums "$dumps" >"$BI_TMP/cat"
got=$(changed "$BI_TMP/after" "$BI_TMP/cat")
want=$( (grep -l . "$BI_SOURCE"/queries/warranty_analysis/*.sql | sed "s|^$BI_SOURCE/queries/||; s|\.sql\$||"; echo kpi_monitoring/health_scores) | sort)
[ "$got" = "$want" ] && pass "--category and --query rewrite exactly those" || fail "--category and --query rewrite exactly those" "$got"

# The lock: held by flock(1) from the shell, exactly as a concurrent run would hold it. The
# holder execs into sleep, so killing it releases the lock.
hold() { ( exec 9>>"$dumps/.lock"; flock 9; exec sleep "$1" ) & holder=$!; }
wait_held() { for _ in $(seq 50); do flock -n "$dumps/.lock" true || return 0; sleep 0.1; done; return 1; }
hold 3
wait_held
sums "$dumps" >"$BI_TMP/locked-before"
BI_NOW=2026-06-15T04:00:00Z regen --due daily
expect_status "a held lock exits 4" 4
[ "$err" = "bi-regen: error: another run holds the lock on '$dumps' (waited 0 s)" ] && pass "the lock message names the dumps dir" || fail "the lock message names the dumps dir" "$err"
sums "$dumps" >"$BI_TMP/locked-after"
cmp -s "$BI_TMP/locked-before" "$BI_TMP/locked-after" && pass "a run without the lock writes nothing" || fail "a run without the lock writes nothing"
run "$BI_BIN/bi-dump" --database "$w/demo.db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps" kpi_monitoring/health_scores
expect_status "bi-dump takes the same lock: exits 4" 4
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

hold 1
wait_held
BI_NOW=2026-06-15T05:00:00Z regen --due daily --wait 5
expect_status "--wait 5 gets the lock once the holder lets go" 0
wait "$holder" 2>/dev/null
sums "$dumps" >"$BI_TMP/waited"
[ "$(changed "$BI_TMP/locked-after" "$BI_TMP/waited")" = "$(scheduled daily)" ] && pass "the waiting run wrote its dumps" || fail "the waiting run wrote its dumps"

hold 4
wait_held
regen --due daily --wait 1
expect_status "--wait 1 with the lock held longer exits 4" 4
expect_contains "the message says how long it waited" "(waited 1 s)" "$err"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# Symlinks at .lock and at the job log are refused, never followed to create files.
ln -s "$w/lock-target" "$dumps/.lock.new" && mv -T "$dumps/.lock.new" "$dumps/.lock"
regen --query health_scores
expect_status "a symlinked .lock is an error: 1" 1
expect_contains "naming the lock file" "'$dumps/.lock': is a symbolic link" "$err"
[ ! -e "$w/lock-target" ] && pass "no file at the lock link's target" || fail "no file at the lock link's target"
rm "$dumps/.lock"
mv "$log" "$log.real" && ln -s "$w/log-target" "$log"
regen --query health_scores
expect_status "a symlinked job log: the run still succeeds" 0
expect_contains "with a warning naming it" "is a symbolic link; refusing to write through it" "$err"
[ ! -e "$w/log-target" ] && pass "no file at the job log link's target" || fail "no file at the job log link's target"
rm "$log" && mv "$log.real" "$log"

# A query that fails keeps its old dump byte for byte; the others are rewritten; exit 1.
cp -r "$BI_SOURCE/queries" "$w/queries"
broken=sales_analytics/dealer_performance
sed -i -E '0,/^FROM [a-z_]+/s//FROM no_such_table/' "$w/queries/$broken.sql"
grep -q 'FROM no_such_table' "$w/queries/$broken.sql" && pass "the scratch catalog has one broken query" || fail "the scratch catalog has one broken query"
sums "$dumps" >"$BI_TMP/good"
BI_NOW=2026-06-15T06:00:00Z run "$BI_BIN/bi-regen" "${broken_catalog[@]}" --all
expect_status "a failing query exits 1" 1
expect_contains "the failure names the query" "bi-regen: error: $broken:" "$err"
expect_contains "the failure says why" "no_such_table" "$err"
sums "$dumps" >"$BI_TMP/partly"
grep " ./$broken.json\$" "$BI_TMP/good" >"$BI_TMP/a"; grep " ./$broken.json\$" "$BI_TMP/partly" >"$BI_TMP/b"
[ -s "$BI_TMP/a" ] && cmp -s "$BI_TMP/a" "$BI_TMP/b" && pass "the failed query's old dump is byte-identical" || fail "the failed query's old dump is byte-identical"
[ "$(changed "$BI_TMP/good" "$BI_TMP/partly" | wc -l)" -eq $((catalog_queries - 1)) ] && pass "the other dumps are rewritten" || fail "the other dumps are rewritten" "$(changed "$BI_TMP/good" "$BI_TMP/partly" | wc -l)"
[ "$(jq -r "select(.query == \"$broken\") | .outcome" "$log" | tail -n 1)" = failed ] && pass "the job log records the failure" || fail "the job log records the failure"
[ "$(jq -r "select(.query == \"$broken\") | .error" "$log" | tail -n 1 | grep -c no_such_table)" -eq 1 ] && pass "the job log keeps the error" || fail "the job log keeps the error"

run "$BI_BIN/bi-regen" "${broken_catalog[@]}" --test
[ "$status" -ne 0 ] && pass "--test on a broken catalog exits non-zero" || fail "--test on a broken catalog exits non-zero"
expect_contains "--test names the broken file" "'$w/queries/$broken.sql'" "$err"
[ "$(printf '%s\n' "$err" | grep -c 'error:')" -eq 1 ] && pass "--test reports only the broken query" || fail "--test reports only the broken query" "$err"
regen --test
expect_status "--test on the real catalog exits 0" 0
printf -- '-- title: broken header\n-- titel: typo\nSELECT 1;\n' >"$w/queries/sales_analytics/typo.sql"
run "$BI_BIN/bi-regen" "${broken_catalog[@]}" --test
[ "$status" -ne 0 ] && pass "--test on an unparsable query file exits non-zero" || fail "--test on an unparsable query file exits non-zero"
expect_contains "--test names the unparsable file" "typo.sql" "$err"

regen --list
expect_status "--list exits 0" 0
[ "$(printf '%s\n' "$out" | grep -c -E '^(sales_analytics|kpi_monitoring|inventory_management|executive_reports|warranty_analysis)/')" -eq 16 ] && pass "--list has one line per query" || fail "--list has one line per query" "$out"
expect_contains "--list shows the last run's outcome" "FAILED 2026-06-15T06:00:00Z" "$(printf '%s\n' "$out" | grep "^$broken ")"
expect_contains "--list shows schedule and rows" "weekly" "$out"

# Exit codes for the things cron cannot fix by itself.
run "$BI_BIN/bi-regen" --database "$w/missing.db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps" --log-dir "$w/logs" --due daily
expect_status "a missing database exits 5" 5
expect_contains "the missing database is named" "missing.db" "$err"
[ "$(tail -n 1 "$log" | jq -r .outcome)" = failed ] && pass "an unreachable database is logged as failed" || fail "an unreachable database is logged as failed"
regen
expect_status "nothing selected exits 2" 2
regen --due hourly
expect_status "--due hourly exits 2" 2
regen --all --list
expect_status "--all with --list exits 2" 2
regen --query no_such_query
expect_status "an unknown query exits 2" 2
regen --all --wait -1
expect_status "a negative --wait exits 2" 2

# Shell patterns for --query and --category, and tags (a copy of the catalog with a 'tags'
# header on two reports): each selects exactly the queries the job log then names.
cp -r "$BI_SOURCE/queries" "$w/tagged"
sed -i '1i -- tags: finance, monthly_close' "$w/tagged/executive_reports/margin_analysis.sql" "$w/tagged/sales_analytics/fi_conversion.sql"
tagged=("${base[@]}" --queries-dir "$w/tagged" --log-dir "$w/logs")
while IFS='|' read -r flag value want; do
  lines=$(wc -l <"$log")
  run "$BI_BIN/bi-regen" "${tagged[@]}" "$flag" "$value"
  expect_status "$flag '$value' exits 0" 0
  got=$(tail -n +$((lines + 1)) "$log" | jq -r .query | sort | tr '\n' ' ')
  [ "$got" = "$want" ] && pass "$flag '$value' selects exactly $want" || fail "$flag '$value' selects exactly $want" "got: $got"
done <<'EOF'
--query|claims_*|cubes/claims_by_component cubes/claims_by_day cubes/claims_by_dealer warranty_analysis/claims_by_model 
--query|warranty_analysis/*|warranty_analysis/claims_by_model warranty_analysis/failure_patterns warranty_analysis/repeat_repairs 
--query|*_by_???|cubes/claims_by_day cubes/sales_by_day 
--category|exec*|executive_reports/ceo_weekly_digest executive_reports/margin_analysis executive_reports/risk_opportunity_matrix 
--tag|finance|executive_reports/margin_analysis sales_analytics/fi_conversion 
--tag|monthly_close|executive_reports/margin_analysis sales_analytics/fi_conversion 
EOF
while IFS='|' read -r flag value wanted; do
  run "$BI_BIN/bi-regen" "${tagged[@]}" "$flag" "$value"
  expect_status "$flag '$value' matching nothing exits 2" 2
  expect_contains "$flag '$value': the message says so" "bi-regen: error: $wanted" "$err"
  expect_one_line "$flag '$value': one line" "$err"
done <<'EOF'
--query|zzz_*|no query matches 'zzz_*'
--category|nope*|no category matches 'nope*'
--category|nope|no category named 'nope'
--tag|payroll|no query has the tag 'payroll'
EOF
sed -i '1i -- tags: not a tag!' "$w/tagged/kpi_monitoring/health_scores.sql"
run "$BI_BIN/bi-regen" "${tagged[@]}" --tag finance
expect_status "a malformed tag is a catalog error: 1" 1
expect_contains "named as file:line" "health_scores.sql:1:" "$err"

# A log dir that cannot be written: one warning, the run still works.
echo "a file" >"$w/not-a-dir"
run "$BI_BIN/bi-regen" "${base[@]}" --queries-dir "$BI_SOURCE/queries" --log-dir "$w/not-a-dir/logs" --due weekly
expect_status "an unwritable log dir still regenerates" 0
expect_one_line "an unwritable log dir is one warning line" "$err"
expect_contains "the warning names the job log" "bi-regen: warning: cannot write the job log" "$err"

# On a terminal: a progress line per query.
if command -v script >/dev/null; then
  script -qec "$(printf '%q ' "$BI_BIN/bi-regen" "${common[@]}" --due weekly)" /dev/null >"$BI_TMP/tty" 2>&1
  status=$?
  expect_status "a terminal run exits 0" 0
  [ "$(grep -c ' rows ' "$BI_TMP/tty")" -eq "$(scheduled weekly | wc -l)" ] && pass "a progress line per query on a terminal" || fail "a progress line per query on a terminal" "$(cat "$BI_TMP/tty")"
fi

finish
