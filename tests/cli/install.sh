#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, then the installed tools run from another directory
# (cd /) with nothing of the source tree or the test environment: they find the installed
# bi.conf, catalog and Chart.js next to themselves, answer the README's question, and still do
# after the whole prefix is moved. A config file named but missing is exit 2, never a default.
source "$(dirname "$0")/lib.sh"
prefix="$BI_TMP/opt/bi"
run cmake --install "$BI_BIN/.." --prefix "$prefix"
expect_status "cmake --install --prefix <scratch>" 0

# The installed config names no build-time absolute path.
conf="$prefix/etc/bi/bi.conf"
[ -f "$conf" ] && pass "bi.conf installed in etc/bi" || fail "bi.conf installed in etc/bi" "$(ls -R "$prefix" | head)"
grep -Eq '^[a-z_]+ *= */' "$conf" && fail "the installed bi.conf has only relative paths" "$(cat "$conf")" \
  || pass "the installed bi.conf has only relative paths"

# Every script the README tells a user to run is installed and runs.
for s in bi-install-schedule bi-sync-dumps bi-fallback-openai; do
  [ -x "$prefix/bin/$s" ] && pass "$s installed" || fail "$s installed"
done
run "$prefix/bin/bi-install-schedule" --cron --user --crontab-file "$BI_TMP/crontab" --dry-run
expect_status "the installed bi-install-schedule runs" 0
expect_contains "it schedules the installed bi-regen for the installed catalog and dumps" \
  "'$prefix/bin/bi-regen' --queries-dir '$prefix/share/bi/queries' --dumps-dir '$prefix/var/lib/bi/dumps' --due daily" "$out"
expect_contains "in the installed config's directory" "cd '$prefix/etc/bi'" "$out"

# installed TOOL ARGS...: runs an installed tool from / with a clean environment (plus the
# NAME=VALUE words in $extra_env).
extra_env=()
installed() {
  local tool=$1
  shift
  run env -i PATH=/usr/bin:/bin HOME="$BI_TMP/home" BI_TODAY=2026-06-15 ${extra_env[@]+"${extra_env[@]}"} \
    bash -c 'cd / && exec "$0" "$@"' "$prefix/bin/$tool" "$@"
}
mkdir -p "$BI_TMP/home" "$prefix/var/lib/bi"
cp "$BI_TEST_DB" "$prefix/var/lib/bi/demo.db"

installed bi-status --json
[ "$(printf '%s' "$out" | jq -r .config.file)" = "$conf" ] && pass "bi-status names the installed config" \
  || fail "bi-status names the installed config" "$(printf '%s' "$out" | jq -c .config)"
[ "$(printf '%s' "$out" | jq -r .config.source)" = "installed, next to the executable" ] \
  && pass "and says why" || fail "and says why" "$(printf '%s' "$out" | jq -c .config)"
[ "$(printf '%s' "$out" | jq -r .config.queries_dir)" = "$prefix/share/bi/queries" ] \
  && pass "the catalog is the installed one" || fail "the catalog is the installed one" "$(printf '%s' "$out" | jq -c .config)"

installed bi-dump --quiet
expect_status "the installed bi-dump dumps the installed catalog" 0
[ -f "$prefix/var/lib/bi/dumps/index.json" ] && pass "into <prefix>/var/lib/bi/dumps" || fail "into <prefix>/var/lib/bi/dumps" "$err"

question="What were the top selling models in the Northeast?"
installed bi-ask --verbose "$question"
expect_status "the README's question, answered from /" 0
[ "$(printf '%s' "$out" | jq -r '.matched and .source == "dump"')" = true ] && pass "matched, from a dump" \
  || fail "matched, from a dump" "${out:0:300}"
expect_contains "--verbose names the config and why" "bi-ask: config: '$conf' (installed, next to the executable)" "$err"

if [ -f "$BI_SOURCE/node_modules/chart.js/dist/chart.umd.js" ]; then
  [ -f "$prefix/share/bi/chart.umd.js" ] && pass "Chart.js installed in share/bi" || fail "Chart.js installed in share/bi"
  installed bi-ask --format html "$question"
  expect_status "--format html from / finds the installed Chart.js" 0
  expect_contains "the page inlines Chart.js" "Chart.js v4" "$out"
else
  fail "node_modules/chart.js is there to install" "run scripts/install-deps"
fi

# A config file named by flag or environment but missing: exit 2, one line naming it.
installed bi-ask --config "$BI_TMP/nowhere.conf" "$question"
expect_status "--config of a missing file exits 2" 2
expect_one_line "one line" "$err"
expect_contains "naming the file" "bi-ask: error: '$BI_TMP/nowhere.conf': config file not found" "$err"
extra_env=(BI_CONFIG="$BI_TMP/nowhere.conf")
installed bi-status
extra_env=()
[ "$status" -eq 2 ] && [ -z "$out" ] && pass "BI_CONFIG of a missing file exits 2, prints nothing" \
  || fail "BI_CONFIG of a missing file exits 2" "exit $status: $err"
expect_contains "naming the file" "'$BI_TMP/nowhere.conf': config file not found" "$err"

# A ./bi.conf in the working directory wins, and bi-status says so.
mkdir -p "$BI_TMP/site"
printf 'queries_dir = %s\n' "$prefix/share/bi/queries" >"$BI_TMP/site/bi.conf"
(cd "$BI_TMP/site" && env -i PATH=/usr/bin:/bin HOME="$BI_TMP/home" "$prefix/bin/bi-status" --json >"$BI_TMP/out" 2>/dev/null)
[ "$(jq -r .config.source "$BI_TMP/out")" = "./bi.conf in the working directory" ] \
  && pass "bi-status names ./bi.conf when it is read" || fail "bi-status names ./bi.conf" "$(jq -c .config "$BI_TMP/out")"

# The whole prefix moved elsewhere still works: nothing was found by a compiled-in path.
mv "$prefix" "$BI_TMP/moved"
prefix="$BI_TMP/moved"
conf="$prefix/etc/bi/bi.conf"
installed bi-ask --verbose "$question"
expect_status "after moving the prefix, the question is still answered" 0
expect_contains "from the moved config" "'$conf'" "$err"
finish
