#!/usr/bin/env bash
# bi-demo-db as a script sees it: same options give the same bytes, the schema and row counts
# the catalog relies on, exit codes and messages, and every catalog query returning rows.
# Environment: BI_BIN (directory holding bi-demo-db), BI_TMP (scratch), BI_SOURCE (repository root).
set -euo pipefail

: "${BI_BIN:?set BI_BIN to the directory holding bi-demo-db}"
BI_SOURCE=${BI_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
BI_TMP=${BI_TMP:-$(mktemp -d)}
demo_db=$BI_BIN/bi-demo-db
work=$BI_TMP/demo_db.work
rm -rf "$work"
mkdir -p "$work"
command -v sqlite3 >/dev/null || { echo "demo_db.sh: sqlite3 is not installed" >&2; exit 1; }

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, counts the outcome
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what" >&2
    fi
}
equals() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'" >&2; return 1; }; }
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] || { echo "  $1 is not in [$2, $3]" >&2; return 1; }; }
one_error_line() {  # FILE: exactly one line, in the toolchain's error format
    [ "$(wc -l <"$1")" -eq 1 ] && grep -q '^bi-demo-db: error: ' "$1" || { cat "$1" >&2; return 1; }
}
query() { sqlite3 -bail "$db" "$1"; }

as_of=2026-06-14
run() { "$demo_db" --as-of "$as_of" --scale 0.05 "$@" 2>"$work/stderr"; }

# --- determinism ---
run --seed 7 -o "$work/a.db"
run --seed 7 -o "$work/nested/dir/b.db"
cp "$work/stderr" "$work/summary"
run --seed 8 -o "$work/c.db"
sum() { sha256sum "$1" | cut -d' ' -f1; }
check "same seed, as-of and scale give identical bytes" equals "$(sum "$work/a.db")" "$(sum "$work/nested/dir/b.db")"
check "a different seed gives different bytes" test "$(sum "$work/a.db")" != "$(sum "$work/c.db")"
check "the summary is one line on stderr" equals "$(wc -l <"$work/summary")" 1
check "... naming the file, options and row counts" grep -q "^bi-demo-db: wrote '.*b.db' (as of $as_of, scale 0.05, seed 7): .*sales [0-9]" "$work/summary"
check "no temporary file is left behind" test ! -e "$work/a.db.tmp"
run --seed 7 -o "$work/a.db"
check "regenerating over an existing file gives the same bytes" equals "$(sum "$work/a.db")" "$(sum "$work/nested/dir/b.db")"

# --- schema and row counts ---
db=$work/a.db
check "the file is a rollback-journal database" equals "$(query 'PRAGMA journal_mode')" delete
check "tables are the contract's" equals "$(query "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)")" \
    "components dealers inventory kpi_values kpis models plants regions sales warranty_claims"
check "sales has the contract's columns" equals "$(query "SELECT group_concat(name, ' ') FROM pragma_table_info('sales')")" \
    "sale_id sale_date dealer_id model_id price cost fi_product fi_revenue"
check "warranty_claims has the contract's columns" equals "$(query "SELECT group_concat(name, ' ') FROM pragma_table_info('warranty_claims')")" \
    "claim_id claim_date model_id component_id dealer_id cost repeat_repair"
check "five regions" equals "$(query 'SELECT group_concat(name) FROM regions ORDER BY region_id')" "Northeast,Southeast,Midwest,Southwest,West"
check "about sixty dealers with unique names" between "$(query 'SELECT COUNT(DISTINCT name) FROM dealers')" 50 70
check "every dealer is in a region" equals "$(query 'SELECT COUNT(*) FROM dealers WHERE region_id NOT IN (SELECT region_id FROM regions)')" 0
check "twelve models" equals "$(query 'SELECT COUNT(*) FROM models')" 12
check "four plants" equals "$(query 'SELECT group_concat(name) FROM plants ORDER BY plant_id')" "Lansing,Louisville,San Antonio,Toluca"
check "fifteen components" equals "$(query 'SELECT COUNT(*) FROM components')" 15
check "inventory has every plant and component" equals "$(query 'SELECT COUNT(*) FROM inventory')" 60
check "some stock is at risk" between "$(query 'SELECT COUNT(*) FROM inventory WHERE on_hand < reorder_point')" 1 30
check "KPI categories are the five" equals "$(query 'SELECT group_concat(category) FROM (SELECT DISTINCT category FROM kpis ORDER BY category)')" \
    "customer,finance,operations,sales,service"
# 2024-01 to 2026-06 is 30 months: one value per KPI per month.
check "one KPI value per KPI per month" equals "$(query 'SELECT COUNT(*) = 30 * (SELECT COUNT(*) FROM kpis) FROM kpi_values')" 1
check "KPI periods run to the as-of month" equals "$(query 'SELECT MIN(period) || " " || MAX(period) FROM kpi_values')" "2024-01 2026-06"
# Scale 1 is about 250,000 sales over three years; 0.05 over 2.45 years is about 10,000.
check "sales count is plausible for the scale" between "$(query 'SELECT COUNT(*) FROM sales')" 6000 15000
check "sales run from 2024-01-01 to the as-of date" equals "$(query 'SELECT MIN(sale_date) >= "2024-01-01" AND MAX(sale_date) <= "2026-06-14" FROM sales')" 1
check "F&I products are the known five" equals "$(query "SELECT COUNT(*) FROM sales WHERE fi_product NOT IN ('Extended Warranty', 'GAP Insurance', 'Service Contract', 'Tire & Wheel', 'Paint Protection')")" 0
check "no F&I revenue without a product" equals "$(query 'SELECT COUNT(*) FROM sales WHERE fi_product IS NULL AND fi_revenue <> 0')" 0
check "warranty claims are plausible for the scale" between "$(query 'SELECT COUNT(*) FROM warranty_claims')" 300 2000
check "some claims are repeat repairs" between "$(query 'SELECT SUM(repeat_repair) FROM warranty_claims')" 1 1000
check "claims fall inside the data's dates" equals "$(query 'SELECT MIN(claim_date) >= "2024-01-01" AND MAX(claim_date) <= "2026-06-14" FROM warranty_claims')" 1
check "money is rounded to cents" equals "$(query 'SELECT COUNT(*) FROM sales WHERE ROUND(price, 2) <> price OR ROUND(cost, 2) <> cost')" 0

# --- the default as-of is yesterday, UTC ---
"$demo_db" --scale 0.01 -o "$work/default.db" 2>"$work/stderr"
db=$work/default.db
check "the default as-of is no later than yesterday (UTC)" equals "$(query "SELECT MAX(sale_date) <= '$(date -u -d yesterday +%F)' FROM sales")" 1
check "the default as-of is mentioned in the summary" grep -q "as of $(date -u -d yesterday +%F)\|as of $(date -u -d '2 days ago' +%F)" "$work/stderr"

# --- exit codes and messages ---
expect_exit() {  # CODE ARGS...: bi-demo-db ARGS exits with CODE
    local want=$1 got=0
    shift
    "$demo_db" "$@" >"$work/stdout" 2>"$work/stderr" || got=$?
    [ "$got" -eq "$want" ] || { echo "  bi-demo-db $* exited $got, expected $want" >&2; cat "$work/stderr" >&2; return 1; }
}
check "a malformed --as-of exits 2" expect_exit 2 --as-of 2026-13-01 -o "$work/bad.db"
check "... with one error line" one_error_line "$work/stderr"
check "... naming the value" grep -q "2026-13-01" "$work/stderr"
check "a non-date --as-of exits 2" expect_exit 2 --as-of yesterday -o "$work/bad.db"
check "... with one error line" one_error_line "$work/stderr"
check "an --as-of before the data starts exits 2" expect_exit 2 --as-of 2023-12-31 -o "$work/bad.db"
check "... with one error line" one_error_line "$work/stderr"
check "--scale 0 exits 2" expect_exit 2 --scale 0 -o "$work/bad.db"
check "... with one error line" one_error_line "$work/stderr"
check "a negative --scale exits 2" expect_exit 2 --scale -1 -o "$work/bad.db"
check "a non-numeric --scale exits 2" expect_exit 2 --scale lots -o "$work/bad.db"
check "... with one error line" one_error_line "$work/stderr"
check "an unknown flag exits 2" expect_exit 2 --no-such-flag
check "... with one error line" one_error_line "$work/stderr"
check "nothing is written on a bad value" test ! -e "$work/bad.db"
check "--help exits 0" expect_exit 0 --help
check "... and prints usage on stdout" grep -q -- "--as-of" "$work/stdout"
check "--version exits 0" expect_exit 0 --version
check "... and prints the version on stdout" grep -q "^bi-demo-db " "$work/stdout"
check "an output under a regular file exits 1" expect_exit 1 --as-of "$as_of" --scale 0.01 -o "$work/a.db/x.db"
check "... with one error line" one_error_line "$work/stderr"

# --- every catalog query runs unchanged in the sqlite3 shell and returns rows ---
db=$work/a.db
queries=("$BI_SOURCE"/queries/*/*.sql)
check "the catalog has queries" test -f "${queries[0]}"
for file in "${queries[@]}"; do
    name=${file#"$BI_SOURCE"/queries/}
    rows=0
    if output=$(sqlite3 -bail "$db" <"$file" 2>"$work/stderr"); then
        rows=$(printf '%s' "$output" | grep -c . || true)
    else
        cat "$work/stderr" >&2
    fi
    check "$name returns rows" between "$rows" 1 1000000
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
