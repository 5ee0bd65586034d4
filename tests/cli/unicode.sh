#!/usr/bin/env bash
# Names with accents, ß and other cases match however they are typed (libutf8proc's NFKC case
# folding and accent stripping, in bi-dump's index and lexicon and in the question alike);
# the table counts CJK and emoji as two columns.
source "$(dirname "$0")/lib.sh"
db="$BI_TMP/unicode.db"
cp "$BI_TEST_DB" "$db"
sqlite3 "$db" "UPDATE dealers SET name = 'Café Noir' WHERE dealer_id = 1;
               UPDATE dealers SET name = 'Straße Bücher' WHERE dealer_id = 2;
               UPDATE dealers SET name = '東京モーターズ' WHERE dealer_id = 3;"
common=(--database "$db" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TMP/dumps")
run "$BI_BIN/bi-dump" "${common[@]}" --quiet
expect_status "bi-dump the renamed dealers" 0

# question | the dealer it must be filtered to
while IFS='|' read -r question dealer; do
  run "$BI_BIN/bi-ask" "${common[@]}" --format json "$question"
  got=$(jq -r '.filters.dealer // .reason' <<<"$out")
  [ "$status" -eq 0 ] && [ "$got" = "$dealer" ] && pass "'$question' finds $dealer" \
    || fail "'$question' finds $dealer" "exit $status: $got"
done <<'TABLE'
revenue for cafe noir in 2025|Café Noir
revenue for CAFÉ NOIR in 2025|Café Noir
units sold by Cafe Noir|Café Noir
revenue for STRASSE BÜCHER in 2025|Straße Bücher
revenue for strasse bucher in 2025|Straße Bücher
revenue for Straße Bücher in 2025|Straße Bücher
dealer performance for cafe noir|Café Noir
TABLE

run "$BI_BIN/bi-ask" "${common[@]}" --format table "revenue by dealer in the northeast in 2025"
expect_status "a table of dealers with CJK names" 0
# Each row of the table: the revenue column ends at the same display column whatever the name.
ends=$(printf '%s\n' "$out" | grep -E '^(Café Noir|Straße Bücher|東京モーターズ) +\$[0-9,]+$' | python3 -c '
import sys, unicodedata
width = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)
lines = sys.stdin.readlines()
print(len(lines), sorted({width(line.rstrip("\n")) for line in lines}))')
[[ "$ends" =~ ^3\ \[[0-9]+\]$ ]] && pass "CJK cells align with the others ($ends)" \
  || fail "CJK cells align with the others" "line widths $ends: $out"

finish
