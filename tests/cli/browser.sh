#!/usr/bin/env bash
# Every chart bi makes, drawn by the real Chart.js in headless Chromium (Debian's chromium,
# driven by playwright-core from node_modules): each dump's chart_config, a filtered answer's
# chart and a --format html page. PNGs land in $BI_ARTIFACTS/charts.
source "$(dirname "$0")/lib.sh"
common=(--database "$BI_TEST_DB" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TEST_DUMPS")
artifacts="${BI_ARTIFACTS:-$BI_TMP/artifacts}/charts"
chromium="${BI_CHROMIUM:-/usr/bin/chromium}"

missing=""
command -v node >/dev/null || missing="$missing node"
[ -x "$chromium" ] || missing="$missing $chromium"
[ -f "$BI_SOURCE/node_modules/playwright-core/package.json" ] || missing="$missing node_modules/playwright-core"
[ -f "$BI_SOURCE/node_modules/chart.js/dist/chart.umd.js" ] || missing="$missing node_modules/chart.js"
if [ -n "$missing" ]; then
  fail "the browser test has what it needs" "missing:$missing (run scripts/install-deps)"
  finish
  exit 1
fi

run "$BI_BIN/bi-ask" "${common[@]}" --format json "top 5 models in the northeast"
expect_status "the filtered answer" 0
printf '%s\n' "$out" > "$BI_TMP/answer.json"
run "$BI_BIN/bi-ask" "${common[@]}" --format html "top 5 models in the northeast"
expect_status "--format html" 0
printf '%s\n' "$out" > "$BI_TMP/answer.html"

rm -rf "$artifacts"
node "$BI_SOURCE/tests/browser/render_charts.mjs" "$BI_TEST_DUMPS" "$BI_TMP/answer.json" "$BI_TMP/answer.html" \
  "$artifacts" >"$BI_TMP/browser.out" 2>"$BI_TMP/browser.err"
status=$?
while IFS= read -r line; do
  case "$line" in
    "ok   "*) pass "${line#ok   }" ;;
    "FAIL "*) failed=$((failed + 1)); echo "$line" ;;
    *) echo "$line" ;;
  esac
done < "$BI_TMP/browser.out"
if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' "$BI_TMP/browser.out"; then
  fail "render_charts.mjs ran" "exit $status: $(head -c 2000 "$BI_TMP/browser.err")"
fi
shots=$(find "$artifacts" -name '*.png' 2>/dev/null | wc -l)
# one a dump (the catalog's queries, a dialect's variant not counted) and two answers
dumps=$(find "$BI_SOURCE/queries" -name '*.sql' ! -name '*.*.sql' | wc -l)
[ "$shots" -eq $((dumps + 2)) ] && pass "$shots screenshots in $artifacts ($dumps dumps, 2 answers)" ||
  fail "$((dumps + 2)) screenshots" "found $shots"

finish
