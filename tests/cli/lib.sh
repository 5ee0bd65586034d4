# Shared helpers for the tests of the built tools. Each check prints a line; the script
# ends with "N passed, N failed" and a non-zero status when anything failed.
set -uo pipefail
: "${BI_BIN:?}" "${BI_SOURCE:?}" "${BI_TMP:?}"
rm -rf "$BI_TMP" && mkdir -p "$BI_TMP"
export NO_COLOR=1
# the catalog's queries, one dump each (a dialect's variant, name.postgresql.sql, is not one)
catalog_queries=$(find "$BI_SOURCE/queries" -name '*.sql' ! -name '*.*.sql' | wc -l)
# A memory ceiling for a test of bounded memory (ulimit -v KiB), or none under AddressSanitizer,
# whose shadow memory alone is terabytes of address space.
memory_ceiling() {
  if grep -q __asan_init "$BI_BIN/bi-ask" 2>/dev/null; then echo unlimited; else echo "$1"; fi
}
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "     $2"; }

# run CMD...: runs a command, keeping stdout, stderr and status in $out, $err, $status.
run() {
  "$@" >"$BI_TMP/out" 2>"$BI_TMP/err"
  status=$?
  out=$(cat "$BI_TMP/out")
  err=$(cat "$BI_TMP/err")
}

expect_status() {  # expect_status NAME CODE
  if [ "$status" -eq "$2" ]; then pass "$1"; else fail "$1" "exit $status, wanted $2; stderr: $err"; fi
}

expect_contains() {  # expect_contains NAME TEXT HAYSTACK
  case "$3" in *"$2"*) pass "$1" ;; *) fail "$1" "'$2' not in: ${3:0:400}" ;; esac
}

expect_one_line() {  # expect_one_line NAME TEXT: stderr is one line
  local n
  n=$(printf '%s' "$2" | grep -c '')
  if [ "$n" -eq 1 ]; then pass "$1"; else fail "$1" "stderr has $n lines: $2"; fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
