#!/usr/bin/env bash
# bi-status as a monitor sees it: 0 on fresh dumps, 1 when stale (database touched, time
# passed) or a last run failed, 2 when a dump or the database is missing. The ledger under
# 8 concurrent bi-ask processes, and the figures bi-status computes from it.
source "$(dirname "$0")/lib.sh"
w="$BI_TMP/work"
mkdir -p "$w"
cp "$BI_TEST_DB" "$w/demo.db"
cp -r "$BI_TEST_DUMPS" "$w/dumps"
dumps="$w/dumps"
paths=(--database "$w/demo.db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps")
common=("${paths[@]}" --log-dir "$w/logs")
status_json() { run "$BI_BIN/bi-status" "${common[@]}" --json "$@"; }
field() { printf '%s' "$out" | jq -r "$1"; }

# A copy of the database is the same database: the dumps made from the original stay fresh,
# whether the copy keeps the times (cp -a) or not (cp), and any committed write makes them stale.
# What counts as a change is listed in README.md, "Freshness".
status_json
expect_status "dumps of a copied database (cp) are fresh: 0" 0
cp -a "$BI_TEST_DB" "$w/demo.db"
status_json
expect_status "dumps of a copied database (cp -a) are fresh: 0" 0
sqlite3 "$w/demo.db" "INSERT INTO regions(name) VALUES ('Far North')"
status_json
expect_status "a committed insert makes the dumps stale: 1" 1
expect_contains "the reason is the database" "the database changed" "$(field '.problems[0]')"
cp "$BI_TEST_DB" "$w/demo.db"
sqlite3 "$w/demo.db" "PRAGMA journal_mode = WAL" >/dev/null
status_json
expect_status "switching to WAL, no data changed: still stale by its header (conservative): 1" 1

run "$BI_BIN/bi-regen" "${common[@]}" --all
expect_status "regenerate against the scratch database" 0
status_json
expect_status "fresh dumps: 0" 0
[ "$(field .status)" = ok ] && pass "status ok" || fail "status ok" "$(field .status)"
[ "$(field '.dumps | length')" = "$catalog_queries" ] && pass "every catalog query is listed" || fail "every catalog query is listed"
[ "$(field '[.dumps[] | select(.present and (.stale | not) and .last_run.outcome == "ok")] | length')" = "$catalog_queries" ] \
  && pass "each dump is present, fresh, last run ok" || fail "each dump is present, fresh, last run ok" "$out"
[ "$(field '.dumps[0] | [has("rows"), has("bytes"), has("generated_at"), has("age_seconds"), has("schedule"), has("category")] | all')" = true ] \
  && pass "a dump reports rows, bytes, generated_at, age, schedule, category" || fail "a dump reports its figures" "$(field '.dumps[0]')"
[ "$(field .database.reachable)" = true ] && [ "$(field .database.bytes)" = "$(stat -c %s "$w/demo.db")" ] \
  && pass "the database: reachable, its size" || fail "the database: reachable, its size" "$(field .database)"
[ "$(field .database.fingerprint)" = "$(jq -r .source.fingerprint "$dumps/sales_analytics/top_models_by_region.json")" ] \
  && pass "the database fingerprint is the dumps'" || fail "the database fingerprint is the dumps'"
run "$BI_BIN/bi-status" "${common[@]}"
expect_status "JSON without --json when stdout is not a terminal" 0
printf '%s' "$out" | jq -e .status >/dev/null && pass "the default off a terminal is JSON" || fail "the default off a terminal is JSON" "$out"

BI_NOW=2030-01-01T00:00:00Z status_json
expect_status "years later: stale, 1" 1
expect_contains "the reason is the schedule" "schedule allows" "$(field '.problems[0]')"
[ "$(field '[.dumps[] | select(.stale)] | length')" = "$catalog_queries" ] && pass "every dump is stale years later" || fail "every dump is stale years later"

touch "$w/demo.db"
status_json
expect_status "a touched database, same content: fresh, 0" 0
# A lexicon from a bi with other word lists (its fourth header field): bi-ask answers but builds
# the reader for every question, slowly; bi-status says so, and bi-dump mends it.
cp "$dumps/lexicon.txt" "$w/lexicon.keep"
awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { $4 = (substr($4, 1, 1) == "1" ? "2" : "1") substr($4, 2) } { print }' \
  "$w/lexicon.keep" >"$dumps/lexicon.txt"
mv "$dumps/lexicon.bin" "$w/lexicon.bin.keep"
status_json
expect_status "a lexicon from another bi: a warning, 1" 1
expect_contains "it names the lexicon and the cure" "lexicon.txt' was written by another version of bi" "$(field '.problems | join(" ")')"
expect_contains "… run bi-dump" "run bi-dump" "$(field '.problems | join(" ")')"
run "$BI_BIN/bi-ask" "${paths[@]}" --log-dir "$w/other-logs" -- "units by region last year"
expect_status "bi-ask still answers with it" 0
cp "$w/lexicon.keep" "$dumps/lexicon.txt"
mv "$w/lexicon.bin.keep" "$dumps/lexicon.bin"
status_json
expect_status "the lexicon put back: fresh, 0" 0
# In WAL mode a commit stays in the -wal file until a checkpoint; a writer kept open shows it.
mkfifo "$w/writer.fifo"
sqlite3 "$w/demo.db" <"$w/writer.fifo" & writer=$!
exec 3>"$w/writer.fifo"
printf "INSERT INTO regions(name) VALUES ('Far South');\n" >&3
for _ in $(seq 100); do [ -s "$w/demo.db-wal" ] && break; sleep 0.1; done
[ -s "$w/demo.db-wal" ] && pass "the commit sits in the WAL" || fail "the commit sits in the WAL"
status_json
expect_status "a commit in the WAL makes the dumps stale: 1" 1
expect_contains "the WAL commit is the reason" "the database changed" "$(field '.dumps[0].stale_reason')"
exec 3>&-
wait "$writer"

run "$BI_BIN/bi-regen" "${common[@]}" --all
status_json
expect_status "regenerated: 0 again" 0

# A last run that failed: a catalog copy with one query broken.
cp -r "$BI_SOURCE/queries" "$w/queries"
sed -i -E '0,/^FROM [a-z_]+/s//FROM no_such_table/' "$w/queries/kpi_monitoring/health_scores.sql"
run "$BI_BIN/bi-regen" --database "$w/demo.db" --queries-dir "$w/queries" --dumps-dir "$dumps" --log-dir "$w/logs" --query health_scores
expect_status "the broken query fails" 1
status_json
expect_status "a failed last run: 1" 1
[ "$(field '.dumps[] | select(.query == "kpi_monitoring/health_scores") | .last_run.outcome')" = failed ] \
  && pass "the failed run is reported" || fail "the failed run is reported"
run "$BI_BIN/bi-regen" "${common[@]}" --query health_scores
status_json
expect_status "a good run clears it: 0" 0

mv "$dumps/warranty_analysis/claims_by_model.json" "$w/claims.json"
status_json
expect_status "a missing dump: 2" 2
[ "$(field .status)" = critical ] && pass "status critical" || fail "status critical"
expect_contains "the missing dump is named" "claims_by_model.json" "$(field '.problems | join(" ")')"
mv "$w/claims.json" "$dumps/warranty_analysis/claims_by_model.json"
run "$BI_BIN/bi-status" --database "$w/nope.db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps" --log-dir "$w/logs" --json
expect_status "a missing database: 2" 2
[ "$(field .database.reachable)" = false ] && pass "the database is unreachable" || fail "the database is unreachable"

# The ledger under 8 concurrent bi-ask processes, 500 questions each.
questions=("top selling models in the northeast" "show dealer performance by region" "kpi health scores"
           "what's the weather tomorrow" "stockout risk analysis" "asdf qwerty" "warranty claims by model"
           "CEO weekly summary" "What's the  Weather tomorrow" "failure pattern analysis")
for i in $(seq 0 499); do printf '%s\n' "${questions[$((i % 10))]}"; done >"$BI_TMP/batch.txt"
pids=()
for p in $(seq 8); do
  "$BI_BIN/bi-ask" "${common[@]}" --quiet --batch <"$BI_TMP/batch.txt" >"$BI_TMP/answers.$p" 2>"$BI_TMP/err.$p" & pids+=($!)
done
ok=0
for pid in "${pids[@]}"; do wait "$pid" && ok=$((ok + 1)); done
[ $ok -eq 8 ] && pass "8 concurrent batches exit 0" || fail "8 concurrent batches exit 0" "$(cat "$BI_TMP"/err.*)"
ledger="$w/logs/ledger.jsonl"
[ "$(wc -l <"$ledger")" -eq 4000 ] && pass "the ledger has exactly 4000 lines" || fail "the ledger has exactly 4000 lines" "$(wc -l <"$ledger")"
[ "$(jq -c . "$ledger" | wc -l)" -eq 4000 ] && pass "every ledger line is valid JSON" || fail "every ledger line is valid JSON"
[ "$(jq -e 'select(has("time") and has("question") and (.matched | type == "boolean") and has("query") and has("score") and (.filters | type == "object") and has("source") and (.tokens | type == "number") and (.latency_ms | type == "number"))' "$ledger" | jq -s length)" -eq 4000 ] \
  && pass "every ledger line has every field" || fail "every ledger line has every field" "$(head -n 1 "$ledger")"
[ "$(jq -r .question "$ledger" | sort | uniq -c | awk '{print $1}' | sort -u)" = 400 ] && pass "each question is recorded 400 times" || fail "each question is recorded 400 times"
[ "$(cat "$BI_TMP"/answers.* | wc -l)" -eq 4000 ] && pass "4000 answers on stdout" || fail "4000 answers on stdout"

# bi-status's figures from that ledger, computed again here from the ledger itself.
status_json
answers=$(field .ledger.answers)
from_dumps=$(jq -s 'map(select(.source == "dump")) | length' "$ledger")
[ "$answers" = 4000 ] && pass "bi-status counts 4000 answers" || fail "bi-status counts 4000 answers" "$answers"
[ "$from_dumps" = 2800 ] && pass "7 of the 10 questions are answered from dumps" || fail "7 of the 10 questions are answered from dumps" "$from_dumps"
[ "$(field .ledger.hit_rate)" = "$(jq -n "$from_dumps / 4000")" ] && pass "the hit rate is dumps / questions" || fail "the hit rate is dumps / questions" "$(field .ledger.hit_rate)"
[ "$(field .ledger.tokens_spent)" = 0 ] && pass "no tokens spent" || fail "no tokens spent"
request=$(field .database.fallback_request_bytes)
schema=$(sqlite3 "$w/demo.db" "SELECT coalesce(sum(length(CAST(sql AS BLOB))), 0) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
[ "$request" -gt "$schema" ] && pass "the fallback request holds at least the schema" || fail "the fallback request holds at least the schema" "$request vs $schema"
saved=$(jq -s --argjson s "$request" 'map(select(.matched and .tokens == 0) | ((($s + (.question | utf8bytelength)) + 3) / 4 | floor)) | add' "$ledger")
[ "$(field .ledger.tokens_saved)" = "$saved" ] && pass "tokens saved: ceil((request + question bytes) / 4) per answer" || fail "tokens saved" "$(field .ledger.tokens_saved) vs $saved"
[ "$(field '.ledger.top_unanswered[0].question')" = "what's the weather tomorrow" ] && [ "$(field '.ledger.top_unanswered[0].count')" = 800 ] \
  && pass "the top unanswered question, normalised, with its count" || fail "the top unanswered question" "$(field .ledger.top_unanswered)"
p50=$(jq -s 'map(.latency_ms) | sort | .[(length * 0.5 | ceil) - 1]' "$ledger")
p95=$(jq -s 'map(.latency_ms) | sort | .[(length * 0.95 | ceil) - 1]' "$ledger")
[ "$(field .ledger.latency_ms.p50)" = "$p50" ] && [ "$(field .ledger.latency_ms.p95)" = "$p95" ] \
  && pass "p50 and p95 latency, nearest rank" || fail "p50 and p95 latency" "$(field .ledger.latency_ms) vs $p50 $p95"

# Rotation under the same load: a 300 KB cap; every line survives across the generations.
printf 'ledger_max_bytes = 300000\n' >"$BI_TMP/rotate.conf"
pids=()
for p in $(seq 8); do
  "$BI_BIN/bi-ask" --config "$BI_TMP/rotate.conf" "${paths[@]}" --log-dir "$w/rot" --quiet --batch <"$BI_TMP/batch.txt" >/dev/null & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
[ -f "$w/rot/ledger.jsonl.1" ] && pass "the ledger rotated past its cap" || fail "the ledger rotated past its cap" "$(ls -l "$w/rot")"
[ ! -e "$w/rot/ledger.jsonl.4" ] && pass "at most 3 generations" || fail "at most 3 generations"
total=$(cat "$w/rot"/ledger.jsonl* | wc -l)
[ "$total" -eq 4000 ] && pass "no line lost across rotations" || fail "no line lost across rotations" "$total"
[ "$(cat "$w/rot"/ledger.jsonl* | jq -c . | wc -l)" -eq 4000 ] && pass "every rotated line is valid JSON" || fail "every rotated line is valid JSON"
run "$BI_BIN/bi-status" "${paths[@]}" --log-dir "$w/rot" --json
[ "$(field .ledger.answers)" = 4000 ] && pass "bi-status reads the rotated generations too" || fail "bi-status reads the rotated generations too" "$(field .ledger.answers)"

# A ledger that cannot be written costs one warning, never the answer.
echo "a file" >"$w/not-a-dir"
run "$BI_BIN/bi-ask" "${paths[@]}" --log-dir "$w/not-a-dir/logs" "top selling models in the northeast"
expect_status "an unwritable ledger still answers" 0
[ "$(field .matched)" = true ] && pass "the answer is printed" || fail "the answer is printed" "$out"
expect_one_line "one warning line" "$err"
expect_contains "the warning names the ledger" "bi-ask: warning: cannot write the ledger '$w/not-a-dir/logs/ledger.jsonl': " "$err"
printf 'kpi health scores\nstock levels\nasdf qwerty\n' | "$BI_BIN/bi-ask" "${paths[@]}" --log-dir "$w/not-a-dir/logs" --batch >"$BI_TMP/out" 2>"$BI_TMP/err"
expect_one_line "one warning line for a whole batch" "$(cat "$BI_TMP/err")"
[ "$(wc -l <"$BI_TMP/out")" -eq 3 ] && pass "the batch is answered" || fail "the batch is answered"

# A symlink where the ledger goes is refused, never written through: one warning, the answer.
mkdir -p "$w/linked"
ln -s "$w/elsewhere.jsonl" "$w/linked/ledger.jsonl"
run "$BI_BIN/bi-ask" "${paths[@]}" --log-dir "$w/linked" "top selling models in the northeast"
expect_status "a symlinked ledger still answers" 0
expect_one_line "one warning line for the symlink" "$err"
expect_contains "the warning says why" "ledger.jsonl': is a symbolic link; refusing to write through it" "$err"
[ ! -e "$w/elsewhere.jsonl" ] && pass "nothing is created at the link's target" || fail "nothing is created at the link's target"

# Answers from dumps say how old they are, and warn when stale, but still answer.
run "$BI_BIN/bi-ask" "${common[@]}" "kpi health scores"
[ "$(field .stale)" = false ] && [ "$(field '.age_seconds | type')" = number ] && pass "an answer carries stale and age_seconds" || fail "an answer carries stale and age_seconds" "$out"
[ -z "$err" ] && pass "no note for a fresh dump" || fail "no note for a fresh dump" "$err"
BI_NOW=2030-01-01T00:00:00Z run "$BI_BIN/bi-ask" "${common[@]}" "kpi health scores"
expect_status "a stale dump still answers" 0
[ "$(field .stale)" = true ] && pass "stale: true years later" || fail "stale: true years later" "$out"
expect_contains "the stale reason is in the answer" "schedule allows" "$(field .stale_reason)"
expect_contains "a note on stderr says the dump is stale" "bi-ask: warning: the dump of kpi_monitoring/health_scores is stale" "$err"

# The schedule: found in the crontab the tests point at, and "installed" only when it
# regenerates this catalog into this dumps dir.
crontab="$BI_TMP/crontab"
printf '5 5 * * * true\n' >"$crontab"
schedule() { "$BI_SOURCE/scripts/install-schedule" --cron --user --crontab-file "$crontab" --bin "$BI_BIN" --workdir "$w" "$@" 2>/dev/null; }
schedule --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps"
BI_CRONTAB_FILE="$crontab" status_json
[ "$(field .schedule.installed)" = true ] && [ "$(field '.schedule.where | index("crontab") != null')" = true ] \
  && pass "an installed crontab block for this catalog and dumps is reported" || fail "an installed crontab block is reported" "$(field .schedule)"
schedule --queries-dir "$BI_SOURCE/queries" --dumps-dir "$w/other-dumps"
BI_CRONTAB_FILE="$crontab" status_json
[ "$(field .schedule.installed)" = false ] && [ "$(field '.schedule.others | index("crontab") != null')" = true ] \
  && pass "a block for another dumps dir is not this schedule" || fail "a block for another dumps dir is not this schedule" "$(field .schedule)"
BI_CRONTAB_FILE="$crontab" run "$BI_BIN/bi-status" "${common[@]}" --format text
expect_contains "the text says so" "not installed for this catalog and dumps dir" "$out"
printf '# >>> bi-regen schedule (managed by scripts/install-schedule; edit there) >>>\n0 2 * * *  cd /x && bi-regen --due daily\n# <<< bi-regen schedule <<<\n' >"$BI_TMP/old-crontab"
BI_CRONTAB_FILE="$BI_TMP/old-crontab" status_json
[ "$(field .schedule.installed)" = false ] && pass "a block naming no catalog or dumps is not this schedule" \
  || fail "a block naming no catalog or dumps is not this schedule" "$(field .schedule)"
units="$BI_TMP/units"
"$BI_SOURCE/scripts/install-schedule" --systemd --user --unit-dir "$units" --bin "$BI_BIN" --workdir "$w" \
  --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps" 2>/dev/null
BI_CRONTAB_FILE=/dev/null BI_SYSTEMD_USER_DIR="$units" status_json
[ "$(field .schedule.where[0])" = "$units/bi-regen-daily.timer" ] && pass "systemd timers for this catalog and dumps are reported" \
  || fail "systemd timers for this catalog and dumps are reported" "$(field .schedule)"
BI_CRONTAB_FILE=/dev/null BI_SYSTEMD_USER_DIR="$units" run "$BI_BIN/bi-status" "${paths[@]:0:4}" --dumps-dir "$w/other-dumps" --json
[ "$(field .schedule.installed)" = false ] && pass "but not for another dumps dir" || fail "but not for another dumps dir" "$(field .schedule)"
schedule --uninstall
BI_CRONTAB_FILE="$crontab" status_json
[ "$(field '.schedule.where + .schedule.others | index("crontab")')" = null ] && pass "an uninstalled block is not reported" || fail "an uninstalled block is not reported" "$(field .schedule)"

# The table fits 100 columns, whatever the names: long ones are cut with "…".
long="$BI_TMP/long-catalog"
cp -r "$BI_SOURCE/queries" "$long"
mkdir -p "$long/a_category_with_a_remarkably_long_name_for_a_category"
cp "$long/kpi_monitoring/health_scores.sql" \
  "$long/a_category_with_a_remarkably_long_name_for_a_category/a_query_whose_name_goes_on_and_on_past_any_column.sql"
run "$BI_BIN/bi-status" --database "$w/demo.db" --queries-dir "$long" --dumps-dir "$dumps" --log-dir "$w/logs" --format text
wide=$(printf '%s\n' "$out" | sed -n '/^QUERY/,/^$/p' | python3 -c 'import sys; [print(len(l.rstrip("\n")), l, end="") for l in sys.stdin if len(l.rstrip("\n")) > 100]')
[ -z "$wide" ] && pass "every table line fits 100 columns" || fail "every table line fits 100 columns" "$wide"
expect_contains "a long name is cut with …" "  a_query_whose_name_goes_on_… " "$out"
expect_contains "a long category too" "a_category_with_a_remarkably_…" "$out"
expect_contains "the dump shows as missing" "MISSING" "$out"

if command -v script >/dev/null; then
  script -qec "$(printf '%q ' "$BI_BIN/bi-status" "${common[@]}")" /dev/null >"$BI_TMP/tty" 2>&1
  expect_contains "a table on a terminal" "QUERY" "$(cat "$BI_TMP/tty")"
  expect_contains "the table shows the hit rate" "hit rate" "$(cat "$BI_TMP/tty")"
fi

finish
