#!/usr/bin/env bash
# The benchmark's generators are deterministic: the same arguments give the same catalog, a
# different seed a different one, and the catalog they write loads in the real tools.
source "$(dirname "$0")/lib.sh"
gen="$BI_SOURCE/bench/make_catalog.py"
tree_sum() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1); }

run python3 "$gen" --queries "$BI_SOURCE/queries" --count 250 --big --seed 3 -o "$BI_TMP/a"
expect_status "make_catalog.py writes a catalog" 0
run python3 "$gen" --queries "$BI_SOURCE/queries" --count 250 --big --seed 3 -o "$BI_TMP/b"
[ "$(tree_sum "$BI_TMP/a")" = "$(tree_sum "$BI_TMP/b")" ] && pass "the same arguments give identical files" \
  || fail "the same arguments give identical files"
run python3 "$gen" --queries "$BI_SOURCE/queries" --count 250 --big --seed 4 -o "$BI_TMP/c"
[ "$(tree_sum "$BI_TMP/a")" != "$(tree_sum "$BI_TMP/c")" ] && pass "another seed gives another catalog" \
  || fail "another seed gives another catalog"
n=$(find "$BI_TMP/a" -name '*.sql' ! -name '*.*.sql' | wc -l)
real=$(find "$BI_SOURCE/queries" -name '*.sql' ! -name '*.*.sql' | wc -l)  # not dialect variants
[ "$n" -eq $((real + 251)) ] && pass "the catalog has the real queries, 250 synthetic ones and the big one" \
  || fail "query count" "found $n, wanted $((real + 251))"
cmp -s "$BI_SOURCE/queries/vocabulary.conf" "$BI_TMP/a/vocabulary.conf" && pass "the vocabulary is copied unchanged" \
  || fail "the vocabulary is copied unchanged"

# The generated catalog is valid: bi-dump indexes it and bi-ask routes a synthetic example.
dumps="$BI_TMP/dumps"
mkdir -p "$dumps"
cp -r "$BI_TEST_DUMPS"/. "$dumps/"
run "$BI_BIN/bi-dump" --database "$BI_TEST_DB" --queries-dir "$BI_TMP/a" --dumps-dir "$dumps" --category kpi_monitoring
expect_status "bi-dump indexes the generated catalog" 0
example=$(grep -h -m1 '^-- example:' "$BI_TMP/a/synthetic_000/"*.sql | head -1 | sed 's/^-- example: //')
run "$BI_BIN/bi-ask" --database "$BI_TEST_DB" --queries-dir "$BI_TMP/a" --dumps-dir "$dumps" "$example"
expect_status "bi-ask answers a synthetic example question" 0
expect_contains "... from a synthetic query" '"query":"synthetic_000/' "$out"
finish
