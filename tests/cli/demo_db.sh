#!/usr/bin/env bash
# bi-demo-db as a script sees it: the same options give the same bytes, the schema and row counts
# the catalog relies on, bad values refused with one line and exit 2, and every catalog query
# running unchanged in the sqlite3 shell and returning rows. (--help, --version and unknown
# flags are checked for every tool by tools.sh.)
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "demo_db.sh: sqlite3 is not installed" >&2; exit 1; }

demo_db=$BI_BIN/bi-demo-db
as_of=2026-06-14

expect_equal() {  # expect_equal NAME GOT WANTED
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', wanted '$3'"; fi
}
expect_between() {  # expect_between NAME NUMBER LOW HIGH
  if [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then pass "$1"
  else fail "$1" "'$2' is not in [$3, $4]"; fi
}
query() { sqlite3 -bail "$db" "$1"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

# --- the same options give the same bytes ---
run "$demo_db" --as-of $as_of --scale 0.05 --seed 7 -o "$BI_TMP/a.db"
expect_status "generating at scale 0.05 succeeds" 0
expect_one_line "the summary is one line on stderr" "$err"
expect_contains "... naming the file, the options and the rows" \
  "bi-demo-db: wrote '$BI_TMP/a.db' (as of $as_of, scale 0.05, seed 7): regions 5, dealers 60" "$err"
run "$demo_db" --as-of $as_of --scale 0.05 --seed 7 -o "$BI_TMP/nested/dir/b.db"
expect_status "a missing parent directory is created" 0
expect_equal "same seed, as-of and scale give identical bytes" "$(sum "$BI_TMP/a.db")" "$(sum "$BI_TMP/nested/dir/b.db")"
run "$demo_db" --as-of $as_of --scale 0.05 --seed 8 -o "$BI_TMP/c.db"
if [ "$(sum "$BI_TMP/a.db")" != "$(sum "$BI_TMP/c.db")" ]; then pass "another seed gives other bytes"
else fail "another seed gives other bytes"; fi
run "$demo_db" --as-of $as_of --scale 0.05 --seed 7 -o "$BI_TMP/c.db"
expect_equal "regenerating over an existing file replaces it" "$(sum "$BI_TMP/c.db")" "$(sum "$BI_TMP/a.db")"
expect_equal "no temporary file is left behind" "$(ls "$BI_TMP" | grep -c '\.tmp$')" 0

# --- schema and row counts ---
db=$BI_TMP/a.db
expect_equal "the file is a rollback-journal database, not WAL" "$(query 'PRAGMA journal_mode')" delete
expect_equal "the tables are the contract's" \
  "$(query "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)")" \
  "components dealers inventory kpi_values kpis models plants regions sales warranty_claims"
expect_equal "sales has the contract's columns" "$(query "SELECT group_concat(name, ' ') FROM pragma_table_info('sales')")" \
  "sale_id sale_date dealer_id model_id price cost fi_product fi_revenue"
expect_equal "warranty_claims has the contract's columns" \
  "$(query "SELECT group_concat(name, ' ') FROM pragma_table_info('warranty_claims')")" \
  "claim_id claim_date model_id component_id dealer_id cost repeat_repair"
expect_equal "inventory has the contract's columns" "$(query "SELECT group_concat(name, ' ') FROM pragma_table_info('inventory')")" \
  "plant_id component_id on_hand daily_usage reorder_point lead_time_days"
expect_equal "the five regions" "$(query 'SELECT group_concat(name) FROM (SELECT name FROM regions ORDER BY region_id)')" \
  "Northeast,Southeast,Midwest,Southwest,West"
expect_between "about sixty dealers, uniquely named" "$(query 'SELECT COUNT(DISTINCT name) FROM dealers')" 50 70
expect_equal "every dealer is in a region" "$(query 'SELECT COUNT(*) FROM dealers WHERE region_id NOT IN (SELECT region_id FROM regions)')" 0
expect_equal "twelve models" "$(query 'SELECT COUNT(*) FROM models')" 12
expect_equal "the four plants" "$(query 'SELECT group_concat(name) FROM (SELECT name FROM plants ORDER BY plant_id)')" \
  "Lansing,Louisville,San Antonio,Toluca"
expect_equal "fifteen components" "$(query 'SELECT COUNT(*) FROM components')" 15
expect_equal "inventory holds every plant and component" "$(query 'SELECT COUNT(*) FROM inventory')" 60
expect_between "some stock is below its reorder point" "$(query 'SELECT COUNT(*) FROM inventory WHERE on_hand < reorder_point')" 1 30
expect_equal "the five KPI categories" "$(query 'SELECT group_concat(category) FROM (SELECT DISTINCT category FROM kpis ORDER BY category)')" \
  "customer,finance,operations,sales,service"
# 2024-01 to 2026-06 is 30 months: one value per KPI per month.
expect_equal "one value per KPI per month" "$(query 'SELECT COUNT(*) = 30 * (SELECT COUNT(*) FROM kpis) FROM kpi_values')" 1
expect_equal "KPI periods run to the as-of month" "$(query "SELECT MIN(period) || ' ' || MAX(period) FROM kpi_values")" "2024-01 2026-06"
# Scale 1 is about 250,000 sales over three years, so 0.05 over two and a half is about 10,000.
expect_between "the number of sales fits the scale" "$(query 'SELECT COUNT(*) FROM sales')" 6000 15000
expect_equal "sales run from 2024-01-01 to the as-of date" \
  "$(query "SELECT MIN(sale_date) >= '2024-01-01' AND MAX(sale_date) <= '$as_of' FROM sales")" 1
expect_equal "F&I products are the known five" "$(query "SELECT COUNT(*) FROM sales WHERE fi_product NOT IN
  ('Extended Warranty', 'GAP Insurance', 'Service Contract', 'Tire & Wheel', 'Paint Protection')")" 0
expect_equal "no F&I revenue without a product" "$(query 'SELECT COUNT(*) FROM sales WHERE fi_product IS NULL AND fi_revenue <> 0')" 0
expect_equal "money is rounded to cents" "$(query 'SELECT COUNT(*) FROM sales WHERE ROUND(price, 2) <> price OR ROUND(cost, 2) <> cost')" 0
expect_between "the number of warranty claims fits the scale" "$(query 'SELECT COUNT(*) FROM warranty_claims')" 300 2000
expect_between "some claims are repeat repairs" "$(query 'SELECT SUM(repeat_repair) FROM warranty_claims')" 1 1000
expect_equal "claims fall between the first day and the as-of date" \
  "$(query "SELECT MIN(claim_date) >= '2024-01-01' AND MAX(claim_date) <= '$as_of' FROM warranty_claims")" 1

# --- the default as-of is yesterday in UTC (or the day before, if midnight passed meanwhile) ---
run "$demo_db" --scale 0.01 -o "$BI_TMP/default.db"
expect_status "generating with the default as-of succeeds" 0
db=$BI_TMP/default.db
default_as_of=$(sed -n 's/.*(as of \([0-9-]*\),.*/\1/p' <<<"$err")
case "$default_as_of" in
  "$(date -u -d yesterday +%F)" | "$(date -u -d '2 days ago' +%F)") pass "the default as-of is yesterday, UTC" ;;
  *) fail "the default as-of is yesterday, UTC" "summary: $err" ;;
esac
latest=$(query 'SELECT MAX(sale_date) FROM sales')
if [[ -n "$latest" && ! "$latest" > "$default_as_of" ]]; then pass "no sale is later than the default as-of"
else fail "no sale is later than the default as-of" "latest sale '$latest', as of '$default_as_of'"; fi

# --- bad values: one line, exit 2, nothing written ---
refused() {  # refused NAME ARGS...: bi-demo-db ARGS is refused as a usage error
  local name=$1
  shift
  run "$demo_db" "$@" -o "$BI_TMP/refused.db"
  expect_status "$name exits 2" 2
  expect_one_line "$name: one line" "$err"
  expect_contains "$name: the message names the tool" "bi-demo-db: error: " "$err"
}
refused "an impossible --as-of" --as-of 2026-13-01
expect_contains "... and quotes the value" "'2026-13-01'" "$err"
refused "a non-date --as-of" --as-of yesterday
refused "an --as-of before the data starts" --as-of 2023-12-31
refused "--scale 0" --scale 0
refused "a negative --scale" --scale -1
refused "a non-numeric --scale" --scale lots
refused "a negative --seed" --seed -1
if [ ! -e "$BI_TMP/refused.db" ]; then pass "nothing is written for a bad value"; else fail "nothing is written for a bad value"; fi

run "$demo_db" --as-of $as_of --scale 0.01 -o "$BI_TMP/a.db/x.db"
expect_status "an output path under a regular file exits 1" 1
expect_one_line "... with one line" "$err"

# --- every catalog query runs unchanged in the sqlite3 shell and returns rows ---
db=$BI_TMP/a.db
count=0
for file in "$BI_SOURCE"/queries/*/*.sql; do
  case "$file" in *.*.sql) continue ;; esac  # another dialect's variant
  [ -e "$file" ] || continue
  count=$((count + 1))
  name=${file#"$BI_SOURCE"/queries/}
  run sqlite3 -bail "$db" <"$file"
  if [ "$status" -ne 0 ]; then fail "$name runs in sqlite3" "$err"
  elif [ -z "$out" ]; then fail "$name returns rows"
  else pass "$name runs in sqlite3 and returns $(printf '%s\n' "$out" | wc -l) rows"; fi
done
expect_between "the catalog holds at least the 16 queries" "$count" 16 1000

finish
