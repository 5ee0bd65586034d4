#!/usr/bin/env bash
# bi-dump against a real database: 16 valid dumps whose rows match the sqlite3 shell, a
# second run changes nothing but timestamps, ad-hoc SQL is dumped read-only or refused.
source "$(dirname "$0")/lib.sh"
db="$BI_TEST_DB"
dumps="$BI_TMP/dumps"
common=(--database "$db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$dumps")

run "$BI_BIN/bi-dump" "${common[@]}"
expect_status "bi-dump writes the whole catalog" 0
n=$(find "$dumps" -name '*.json' ! -name index.json ! -name model.json | wc -l)
[ "$n" -eq "$catalog_queries" ] && pass "$n dumps written, one per catalog query" || fail "$catalog_queries dumps written" "found $n"
jq -e '.measures and .dimensions and .cubes' "$dumps/model.json" >/dev/null && pass "the semantic model is written" || fail "the semantic model is written"
bad=0
for f in "$dumps"/*/*.json; do jq -e '.data and .columns and .chart_config.type and .chart_config.data.datasets' "$f" >/dev/null || bad=$((bad + 1)); done
[ $bad -eq 0 ] && pass "every dump is valid JSON with data, columns and a chart" || fail "every dump is valid" "$bad invalid"
[ -f "$dumps/index.json" ] && pass "the index is written" || fail "the index is written"

mkdir -p "$BI_TMP/first"
cp -r "$dumps"/. "$BI_TMP/first/"
run "$BI_BIN/bi-dump" "${common[@]}"
changed=0
for f in "$BI_TMP/first"/*/*.json; do
  rel=${f#"$BI_TMP/first/"}
  diff <(jq -S 'del(.generated_at, .duration_ms, .checksum)' "$f") <(jq -S 'del(.generated_at, .duration_ms, .checksum)' "$dumps/$rel") >/dev/null || changed=$((changed + 1))
done
[ $changed -eq 0 ] && pass "a second run changes nothing but timestamps" || fail "a second run changes nothing but timestamps" "$changed dumps differ"
cmp -s "$BI_TMP/first/index.json" "$dumps/index.json" && pass "the index is identical after a second run" || fail "the index is identical after a second run"

run "$BI_BIN/bi-dump" "${common[@]}" --category kpi_monitoring
expect_status "--category dumps one category" 0
run "$BI_BIN/bi-dump" "${common[@]}" --category nosuch
expect_status "an unknown category exits 2" 2
run "$BI_BIN/bi-dump" "${common[@]}" nosuch_query
expect_status "an unknown query exits 2" 2
expect_contains "an unknown query is named" "nosuch_query" "$err"

run "$BI_BIN/bi-dump" --database "$db" --sql "SELECT name, msrp FROM models ORDER BY name" -o -
expect_status "--sql -o - dumps to stdout" 0
[ "$(printf '%s' "$out" | jq '.row_count')" = "12" ] && pass "--sql dump has the 12 models" || fail "--sql dump has the 12 models" "$out"
shell=$(sqlite3 -json "$db" "SELECT name, msrp FROM models ORDER BY name" | jq -c '.')
mine=$(printf '%s' "$out" | jq -c '.data')
[ "$shell" = "$mine" ] && pass "--sql rows equal sqlite3 -json" || fail "--sql rows equal sqlite3 -json" "$mine"

before=$(sha256sum "$db")
run "$BI_BIN/bi-dump" --database "$db" --sql "DELETE FROM sales" -o -
expect_status "--sql refuses a write with 6" 6
expect_contains "the refusal names the rule" "refused: writes are not allowed" "$err"
expect_one_line "the refusal is one line" "$err"
[ -z "$out" ] && pass "nothing on stdout for a refusal" || fail "nothing on stdout for a refusal" "$out"
run "$BI_BIN/bi-dump" --database "$db" --sql "SELECT 1; DROP TABLE sales" -o -
expect_status "--sql refuses two statements with 6" 6
[ "$(sha256sum "$db")" = "$before" ] && pass "the database is unchanged" || fail "the database is unchanged"

# A dump that cannot be written completely (file size limit) leaves the old dump in place.
target="$dumps/sales_analytics/dealer_performance.json"
old=$(sha256sum "$target")
( trap '' XFSZ; ulimit -f 8; "$BI_BIN/bi-dump" "${common[@]}" dealer_performance >"$BI_TMP/out" 2>"$BI_TMP/err" ); status=$?
[ "$status" -ne 0 ] && pass "a write that fails part-way exits non-zero" || fail "a write that fails part-way exits non-zero"
[ "$(sha256sum "$target")" = "$old" ] && pass "the old dump survives a failed write" || fail "the old dump survives a failed write"
left=$(find "$dumps" -name '*.tmp.*' | wc -l)
[ "$left" -eq 0 ] && pass "no temporary file is left behind" || fail "no temporary file is left behind" "$left"

chmod 0555 "$dumps/kpi_monitoring"
if [ "$(id -u)" -ne 0 ]; then
  run "$BI_BIN/bi-dump" "${common[@]}" --category kpi_monitoring
  expect_status "an unwritable dumps dir fails with 1" 1
fi
chmod 0755 "$dumps/kpi_monitoring"

# Output onto what is not a plain file: a device or FIFO is written in place, never replaced
# (`-o /dev/null` as root must not break the machine); a symlink is followed, never replaced.
mknod -m 666 "$BI_TMP/null" c 1 3 2>/dev/null && {
  run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --queries-dir "$BI_SOURCE/queries" kpi_monitoring/health_scores -o "$BI_TMP/null"
  expect_status "-o onto a character device works" 0
  [ -c "$BI_TMP/null" ] && pass "and the device is still a device" || fail "and the device is still a device" "$(ls -l "$BI_TMP/null")"
  [ ! -e "$BI_TMP/null.bin" ] && pass "with no companion beside it" || fail "with no companion beside it"
}
mkfifo "$BI_TMP/fifo"
cat "$BI_TMP/fifo" >"$BI_TMP/from_fifo" &
reader=$!
run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --sql "SELECT 42 AS answer" -o "$BI_TMP/fifo"
wait $reader
expect_status "-o onto a FIFO works" 0
[ -p "$BI_TMP/fifo" ] && jq -e '.data[0].answer == 42' "$BI_TMP/from_fifo" >/dev/null && pass "the FIFO stays and its reader gets the dump" ||
  fail "the FIFO stays and its reader gets the dump"
echo old >"$BI_TMP/real.json"
ln -s real.json "$BI_TMP/link.json"
run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --sql "SELECT 7 AS x" -o "$BI_TMP/link.json"
[ -L "$BI_TMP/link.json" ] && jq -e '.data[0].x == 7' "$BI_TMP/real.json" >/dev/null && pass "-o onto a symlink writes its target, keeps the link" ||
  fail "-o onto a symlink writes its target, keeps the link" "$(ls -l "$BI_TMP")"

# One 100k-character word in a catalog header is read in linear time (it once made bi-dump
# quadratic: 20k characters 5.8 s, 100k 120 s, holding the dumps lock).
mkdir -p "$BI_TMP/longq/misc"
word=$(head -c 100000 /dev/zero | tr '\0' 'x')
{ echo "-- title: Long $word"; echo "-- description: d $word"; echo "-- keywords: a, $word"
  echo "-- example: how many $word"; echo "-- example: how many things"; echo "-- example: how many other things"
  printf -- '-- columns: x\n-- sort: x desc\n-- chart: bar\n-- chart_label: x\n-- chart_values: x\n-- schedule: daily\nSELECT 1 AS x;\n'
} > "$BI_TMP/longq/misc/long.sql"
run timeout 60 "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --queries-dir "$BI_TMP/longq" --dumps-dir "$BI_TMP/longd" --quiet
expect_status "a 100k-character word in a header: bi-dump completes" 0
[ -s "$BI_TMP/longd/index.json" ] && pass "and writes the index" || fail "and writes the index"

# A catalog file bi cannot publish is refused naming the file and line: a header that is not
# UTF-8 (it would be written into dumps and index.json), a vocabulary line that is not either.
bad="$BI_TMP/badq"
while IFS='|' read -r file text wanted; do
  rm -rf "$bad" && cp -r "$BI_SOURCE/queries" "$bad"
  mkdir -p "$(dirname "$bad/$file")" && printf '%b' "$text" > "$bad/$file"
  run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --queries-dir "$bad" --dumps-dir "$BI_TMP/badd" top_models_by_region -o /dev/null
  expect_status "bad catalog ($file) exits 1" 1
  expect_contains "bad catalog ($file) names file:line" "$bad/$file:$wanted" "$err"
  expect_one_line "bad catalog ($file): one line" "$err"
done <<'EOF'
misc/latin1.sql|-- title: Caf\xe9 sales\n-- description: d\n|1: header line is not valid UTF-8 text
misc/latin1b.sql|-- title: Sales\n-- description: from the caf\xe9\n|2: header line is not valid UTF-8 text
vocabulary.conf|synonym: revenue = sales\nsynonym: caf\xe9 = coffee\n|2: line is not valid UTF-8 text
EOF

# Two categories with a query of the same name: the bare name is ambiguous, never the first.
rm -rf "$bad" && cp -r "$BI_SOURCE/queries" "$bad"
mkdir -p "$bad/copies" && cp "$bad/sales_analytics/top_models_by_region.sql" "$bad/copies/"
run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --queries-dir "$bad" --dumps-dir "$BI_TMP/badd" top_models_by_region -o /dev/null
expect_status "a bare name in two categories is a usage error" 2
expect_contains "naming both files" "'$bad/copies/top_models_by_region.sql' and '$bad/sales_analytics/top_models_by_region.sql'" "$err"
expect_one_line "in one line" "$err"
run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --queries-dir "$bad" --dumps-dir "$BI_TMP/badd" copies/top_models_by_region -o /dev/null
expect_status "category/name picks one" 0

finish
