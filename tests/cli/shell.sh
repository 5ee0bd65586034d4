#!/usr/bin/env bash
# Shell integration: a man page per tool naming every long option --help lists, and bash, zsh
# and fish completions that offer the options and the catalog's query names and categories.
source "$(dirname "$0")/lib.sh"
build="$BI_BIN/.."
export PATH="$BI_BIN:$PATH" BI_QUERIES_DIR="$BI_SOURCE/queries"

for tool in bi-ask bi-dump bi-demo-db bi-regen bi-status; do
  [ -x "$BI_BIN/$tool" ] || continue
  page="$build/man/$tool.1"
  if [ ! -s "$page" ]; then fail "$tool: man page $page exists"; continue; fi
  pass "$tool: man page exists"
  text=$(sed 's/\\-/-/g' "$page")
  missing=""
  for opt in $("$BI_BIN/$tool" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    case "$text" in *"$opt"*) ;; *) missing="$missing $opt" ;; esac
  done
  [ -z "$missing" ] && pass "$tool: the man page names every option --help lists" || fail "$tool: man page lacks$missing"
  case "$text" in *".SH EXIT STATUS"*) pass "$tool: the man page has the exit codes" ;; *) fail "$tool: exit codes in the man page" ;; esac
  if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww "$page" >/dev/null 2>"$BI_TMP/groff.err" && [ ! -s "$BI_TMP/groff.err" ] \
      && pass "$tool: groff renders the man page without warnings" || fail "$tool: groff warns" "$(cat "$BI_TMP/groff.err")"
  fi

  for f in "$build/completions/bash/$tool" "$build/completions/zsh/_$tool" "$build/completions/fish/$tool.fish"; do
    [ -s "$f" ] && pass "$tool: $(basename "$(dirname "$f")") completion exists" || fail "$tool: completion $f exists"
  done
  bash -n "$build/completions/bash/$tool" && pass "$tool: bash completion parses" || fail "$tool: bash completion parses"
  if command -v zsh >/dev/null; then
    zsh -n "$build/completions/zsh/_$tool" && pass "$tool: zsh completion parses" || fail "$tool: zsh completion parses"
  fi
  if command -v fish >/dev/null; then
    fish -n "$build/completions/fish/$tool.fish" && pass "$tool: fish completion parses" || fail "$tool: fish completion parses"
  fi
done

# bash: COMP_WORDS as bash would set them, then read COMPREPLY.
complete_bash() {  # complete_bash TOOL WORD...: the last word is the one being completed
  local tool=$1; shift
  bash -c 'source "$1"; shift; fn=$1; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); "$fn"; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$build/completions/bash/$tool" "_${tool//-/_}" "$tool" "$@" 2>"$BI_TMP/err"
}
out=$(complete_bash bi-dump top_)
expect_contains "bash: bi-dump top_ offers top_models_by_region" "top_models_by_region" "$out"
out=$(complete_bash bi-dump --category "")
expect_contains "bash: bi-dump --category offers categories" "warranty_analysis" "$out"
out=$(complete_bash bi-dump --queries-dir "$BI_SOURCE/queries" -c sales_)
expect_contains "bash: --queries-dir on the line is used" "sales_analytics" "$out"
out=$(complete_bash bi-ask --form)
expect_contains "bash: bi-ask --form offers --format" "--format" "$out"
out=$(complete_bash bi-ask --format c)
expect_contains "bash: bi-ask --format c offers csv" "csv" "$out"
out=$(complete_bash bi-ask --color "")
expect_contains "bash: bi-ask --color offers never" "never" "$out"
if [ -x "$BI_BIN/bi-regen" ]; then
  out=$(complete_bash bi-regen --query stock)
  expect_contains "bash: bi-regen --query stock offers stock_levels" "stock_levels" "$out"
fi

run "$BI_BIN/bi-dump" --complete queries
[ "$(printf '%s\n' "$out" | wc -l)" -eq "$(find "$BI_SOURCE/queries" -name '*.sql' ! -name '*.*.sql' | wc -l)" ] \
  && pass "--complete queries lists every query" || fail "--complete queries lists every query" "$out"
run "$BI_BIN/bi-dump" --completion tcsh
expect_status "--completion of an unknown shell exits 2" 2

if command -v fish >/dev/null; then
  out=$(fish -c "source $build/completions/fish/bi-dump.fish; complete -C 'bi-dump top_'" 2>&1)
  expect_contains "fish: bi-dump top_ offers top_models_by_region" "top_models_by_region" "$out"
fi
if command -v zsh >/dev/null; then
  grep -q "_bi_dump_catalog queries" "$build/completions/zsh/_bi-dump" \
    && pass "zsh: bi-dump's query argument completes from the catalog" || fail "zsh: query argument completion"
fi

finish
