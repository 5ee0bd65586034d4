#!/usr/bin/env bash
# The contract every tool keeps: --help and --version exit 0 on stdout, an unknown flag or a
# bad value exits 2 with one line on stderr, a missing file is named.
source "$(dirname "$0")/lib.sh"

for tool in bi-dump bi-ask bi-demo-db bi-regen bi-status; do
  run "$BI_BIN/$tool" --help
  expect_status "$tool --help exits 0" 0
  expect_contains "$tool --help prints usage on stdout" "Usage" "$out"
  run "$BI_BIN/$tool" --version
  expect_status "$tool --version exits 0" 0
  expect_contains "$tool --version names the tool" "$tool" "$out"
  run "$BI_BIN/$tool" --no-such-flag
  expect_status "$tool rejects an unknown flag with 2" 2
  expect_one_line "$tool: one line for an unknown flag" "$err"
  expect_contains "$tool: message names the tool" "$tool: error:" "$err"
done

run "$BI_BIN/bi-dump" --database "$BI_TMP/missing.db" --dumps-dir "$BI_TMP/d" --queries-dir "$BI_SOURCE/queries"
expect_status "bi-dump: missing database exits 5" 5
expect_contains "bi-dump: missing database is named" "missing.db" "$err"
expect_one_line "bi-dump: one line for a missing database" "$err"

run "$BI_BIN/bi-dump" --config "$BI_TMP/nope.conf"
expect_status "a missing --config file exits 2" 2
expect_contains "a missing --config file is named" "nope.conf" "$err"

printf 'database = x.db\ncolour = blue\n' > "$BI_TMP/bad.conf"
run "$BI_BIN/bi-ask" --config "$BI_TMP/bad.conf" "top models"
expect_status "a bad config file exits 1" 1
expect_contains "a bad config file is reported as file:line" "bad.conf:2: unknown key 'colour'" "$err"

# Config values out of range (NaN and infinity among them) are refused by name, never used.
while IFS='|' read -r line wanted; do
  printf '%s\n' "$line" > "$BI_TMP/range.conf"
  run "$BI_BIN/bi-ask" --config "$BI_TMP/range.conf" --dumps-dir "$BI_TEST_DUMPS" "top models"
  expect_status "config '$line' is a usage error" 2
  expect_contains "config '$line' is named" "$wanted" "$err"
  expect_one_line "config '$line': one line" "$err"
done <<'EOF'
match_threshold = nan|match_threshold must be between 0 and 1
match_threshold = inf|match_threshold must be between 0 and 1
match_threshold = -inf|match_threshold must be between 0 and 1
match_threshold = 1.5|match_threshold must be between 0 and 1
match_margin = nan|match_margin must be between 0 and 1
match_margin = -0.5|match_margin must be between 0 and 1
answer_max_rows = 0|answer_max_rows must be positive
answer_max_bytes = -1|answer_max_bytes must be positive
EOF

# Time overrides are checked in one place: a bad one is a usage error, never written anywhere.
BI_TODAY=garbage run "$BI_BIN/bi-ask" --dumps-dir "$BI_TEST_DUMPS" "revenue last year"
expect_status "a malformed BI_TODAY is a usage error" 2
expect_contains "naming the variable" "BI_TODAY='garbage' is not a date" "$err"
BI_NOW=garbage run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --sql "SELECT 1 AS x" -o "$BI_TMP/now.json"
expect_status "a malformed BI_NOW is a usage error" 2
[ ! -e "$BI_TMP/now.json" ] && pass "and nothing is written" || fail "and nothing is written" "$(cat "$BI_TMP/now.json")"

finish
