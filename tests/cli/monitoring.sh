#!/usr/bin/env bash
# bi-status for monitors: --format prometheus (node_exporter's textfile collector), checked
# line by line against the text exposition format (and by promtool when it is installed),
# written atomically with --output; --nagios, one line with performance data and the same
# exit codes as the other formats.
source "$(dirname "$0")/lib.sh"
# One fixed "now" for every run, so two renderings of the same state are the same text.
export BI_NOW=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)
w="$BI_TMP/work"
mkdir -p "$w"
cp -r "$BI_TEST_DUMPS" "$w/dumps"
common=(--database "$BI_TEST_DB" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$w/dumps" --log-dir "$w/logs")
status() { run "$BI_BIN/bi-status" "${common[@]}" "$@"; }

# A ledger from real answers: two from dumps, one not answered.
for q in "top 5 models in the northeast" "revenue by region" "what's the weather tomorrow"; do
  "$BI_BIN/bi-ask" "${common[@]}" "$q" >/dev/null 2>&1
done
# A job log: one query's last run failed, one succeeded.
mkdir -p "$w/logs/job_logs"
cat >"$w/logs/job_logs/regen.jsonl" <<'EOF'
{"start":"2026-06-14T02:00:00Z","end":"2026-06-14T02:00:01Z","query":"warranty_analysis/claims_by_model","rows":12,"duration_ms":1000,"outcome":"ok","error":null}
{"start":"2026-06-14T02:00:01Z","end":"2026-06-14T02:00:02Z","query":"cubes/sales_by_month","rows":0,"duration_ms":1000,"outcome":"failed","error":"a \"quoted\" error"}
EOF

status --format prometheus
expect_status "prometheus: exit code as the health (a last run failed: 1)" 1
prom=$out
printf '%s\n' "$prom" >"$BI_TMP/metrics.prom"
# The text exposition format, strictly: HELP and TYPE once per family, before its samples;
# each sample a known family's name, quoted labels with escapes, a number.
bad=$(awk '
  /^# HELP bi_[a-z_]+ [^ ]/ { if (help[$3]++) print "HELP twice: " $0; next }
  /^# TYPE bi_[a-z_]+ (gauge|counter)$/ { if (type[$3]++ || !help[$3]) print "TYPE out of order: " $0; fam = $3; kind = $4; next }
  /^bi_[a-z_]+(\{[a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*\})? -?[0-9][0-9.e+-]*$/ {
    name = $0; sub(/[{ ].*/, "", name)
    if (name != fam) print "sample outside its family: " $0
    if (kind == "counter" && name !~ /_total$/) print "counter without _total: " $0
    next }
  { print "not exposition format: " $0 }' "$BI_TMP/metrics.prom")
[ -z "$bad" ] && pass "every line is exposition format" || fail "every line is exposition format" "$bad"
if command -v promtool >/dev/null; then
  promtool check metrics <"$BI_TMP/metrics.prom" >"$BI_TMP/promtool" 2>&1 && pass "promtool check metrics" \
    || fail "promtool check metrics" "$(cat "$BI_TMP/promtool")"
fi
metric() { printf '%s\n' "$prom" | awk -v k="$1" '$1 == k { print $2 }'; }
check() {  # check SAMPLE VALUE
  [ "$(metric "$1")" = "$2" ] && pass "$1 $2" || fail "$1 $2" "got '$(metric "$1")'"
}
check 'bi_status' 1
check 'bi_database_up' 1
check 'bi_dumps{state="fresh"}' "$catalog_queries"
check 'bi_dumps{state="missing"}' 0
check 'bi_dump_present{query="warranty_analysis/claims_by_model",schedule="weekly"}' 1
check 'bi_dump_stale{query="warranty_analysis/claims_by_model",schedule="weekly"}' 0
check 'bi_regen_last_run_success{query="warranty_analysis/claims_by_model",schedule="weekly"}' 1
check 'bi_regen_last_run_timestamp_seconds{query="warranty_analysis/claims_by_model",schedule="weekly"}' 1781402401
check 'bi_regen_last_run_success{query="cubes/sales_by_month",schedule="daily"}' 0
check 'bi_answers_total{source="dump"}' 2
check 'bi_answers_total{source="none"}' 1
check 'bi_tokens_spent_total' 0
check 'bi_hit_ratio' 0.6666666666666666
[ "$(metric 'bi_tokens_saved_total')" -gt 0 ] 2>/dev/null && pass "tokens saved counted" || fail "tokens saved counted" "$(metric bi_tokens_saved_total)"
age=$(metric 'bi_dump_age_seconds{query="warranty_analysis/claims_by_model",schedule="weekly"}')
[[ "$age" =~ ^[0-9]+$ ]] && pass "dump age in seconds" || fail "dump age in seconds" "$age"

# --output: the same text, put in place by a rename (a new inode), no temporary left behind.
textdir="$BI_TMP/textfile"
mkdir -p "$textdir"
echo "old" >"$textdir/bi.prom"
before=$(stat -c %i "$textdir/bi.prom")
status --format prometheus --output "$textdir/bi.prom"
expect_status "--output: exit code as the health" 1
[ -z "$out" ] && pass "--output: nothing on stdout" || fail "--output: nothing on stdout" "${out:0:200}"
[ "$(cat "$textdir/bi.prom")" = "$prom" ] && pass "--output holds the metrics" || fail "--output holds the metrics"
[ "$(stat -c %i "$textdir/bi.prom")" != "$before" ] && pass "--output replaced the file by rename" \
  || fail "--output replaced the file by rename"
[ "$(ls -A "$textdir")" = bi.prom ] && pass "no temporary file left" || fail "no temporary file left" "$(ls -A "$textdir")"
echo "a file" >"$BI_TMP/notadir"
status --format prometheus --output "$BI_TMP/notadir/bi.prom"
expect_status "--output under a file, not a directory: exit 1" 1
expect_one_line "--output failure: one line" "$err"
expect_contains "--output failure names the place" "$BI_TMP/notadir" "$err"
[ -z "$out" ] && pass "--output failure: nothing on stdout" || fail "--output failure: nothing on stdout" "${out:0:200}"

# Nagios: one line, summary then performance data; the exit code is the level.
rm "$w/logs/job_logs/regen.jsonl"
status --nagios
expect_status "nagios OK: 0" 0
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && pass "nagios: one line" || fail "nagios: one line" "$out"
[[ "$out" =~ ^BI\ OK\ -\ $catalog_queries\ dumps\ fresh\ \|\ stale=0\;0\;\;0\ missing=0\;\;0\;0\ failed=0\;0\;\;0\ oldest_age=[0-9]+s\;\;\;0\ hit_rate=66\.7%\;\;\;0\;100$ ]] \
  && pass "nagios OK line and performance data" || fail "nagios OK line and performance data" "$out"
BI_NOW=2099-01-01T00:00:00Z status --format nagios
expect_status "nagios WARNING (stale): 1" 1
[[ "$out" =~ ^BI\ WARNING\ -\ .*\ is\ stale.*\ \|\ stale=$catalog_queries\; ]] && pass "nagios WARNING names a stale dump" \
  || fail "nagios WARNING names a stale dump" "$out"
rm "$w/dumps/warranty_analysis/claims_by_model.json"
status --nagios
expect_status "nagios CRITICAL (missing): 2" 2
[[ "$out" =~ ^BI\ CRITICAL\ -\ \'.*claims_by_model.json\':\ dump\ is\ missing\ \|\ stale=0\;0\;\;0\ missing=1\; ]] \
  && pass "nagios CRITICAL names the missing dump" || fail "nagios CRITICAL names the missing dump" "$out"
status --format xml
expect_status "an unknown format exits 2" 2
expect_one_line "one line" "$err"
finish
