#!/usr/bin/env bash
# bi-ask --format: JSON stays the default in a pipe, a table on a terminal; CSV read back by
# Python's csv module (and TSV by its escapes) gives the JSON's rows; Markdown is a GitHub
# table; tables fit $COLUMNS; colour only when asked; every batch block names its question.
source "$(dirname "$0")/lib.sh"
common=(--database "$BI_TEST_DB" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TEST_DUMPS")
ask() { run "$BI_BIN/bi-ask" "${common[@]}" "$@"; }

ask "top 5 models in the northeast"
expect_status "a pipe gets JSON by default" 0
printf '%s' "$out" | jq -e '.matched' >/dev/null && pass "the default output is JSON" || fail "the default output is JSON" "${out:0:200}"

# CSV parsed back by a real CSV parser equals the JSON data, for every kind of answer.
for q in "top 5 models in the northeast" "Show me KPI health scores" "Risk and opportunity matrix" \
         "Stockout risk analysis" "worst 3 dealers in the midwest" "monthly sales trend in 2025"; do
  ask --format json "$q"; printf '%s' "$out" > "$BI_TMP/answer.json"
  "$BI_BIN/bi-ask" "${common[@]}" --format csv "$q" > "$BI_TMP/answer.csv" 2>"$BI_TMP/err"
  if python3 - "$BI_TMP/answer.json" "$BI_TMP/answer.csv" <<'PY'
import csv, json, math, sys
answer = json.load(open(sys.argv[1], encoding="utf-8"))
raw = open(sys.argv[2], "rb").read()
assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), "every line ends in CRLF"
rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
names = [c["name"] for c in answer["columns"]]
assert rows[0] == names, f"header {rows[0]} != {names}"
assert len(rows) - 1 == len(answer["data"]), f"{len(rows) - 1} rows != {len(answer['data'])}"
for got, want in zip(rows[1:], answer["data"]):
    for name, cell in zip(names, got):
        value = want[name]
        if value is None:
            assert cell == "", f"{name}: NULL became {cell!r}"
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            assert math.isclose(float(cell), value, rel_tol=1e-15), f"{name}: {cell} != {value}"
            if isinstance(value, int): assert cell == str(value), f"{name}: {cell} != {value}"
        else:
            assert cell == value, f"{name}: {cell!r} != {value!r}"
PY
  then pass "CSV reads back as the JSON rows: $q"; else fail "CSV reads back as the JSON rows: $q"; fi
done

ask --format table "top 5 models in the northeast"
expect_status "--format table" 0
expect_contains "the table has the title" "Top selling models by region" "$out"
expect_contains "the table names the filter" "Filters: region = Northeast" "$out"
printf '%s' "$out" | grep -Eq '\$[0-9]{1,3}(,[0-9]{3})+( |$)' && pass "money reads \$1,234,567" || fail "money reads \$1,234,567" "$out"
expect_contains "the bar chart is drawn" "█" "$out"
case "$out" in *$'\e'*) fail "NO_COLOR: no escape codes" ;; *) pass "NO_COLOR: no escape codes" ;; esac
ask --format table --color always "top 5 models in the northeast"
expect_contains "--color always colours the headers" $'\e[1m' "$out"
NO_COLOR= run "$BI_BIN/bi-ask" "${common[@]}" --format table --color auto "top 5 models in the northeast"
case "$out" in *$'\e'*) fail "--color auto: no colour in a pipe" ;; *) pass "--color auto: no colour in a pipe" ;; esac
ask --format csv --color always "top 5 models in the northeast"
case "$out" in *$'\e'*) fail "never colour inside CSV" ;; *) pass "never colour inside CSV" ;; esac

for width in 40 120; do
  COLUMNS=$width run "$BI_BIN/bi-ask" "${common[@]}" --format table "Stockout risk analysis"
  widest=$(printf '%s\n' "$out" | python3 -c 'import sys, unicodedata
print(max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in line.rstrip("\n")) for line in sys.stdin))')
  [ "$widest" -le "$width" ] && pass "COLUMNS=$width: no line wider ($widest)" || fail "COLUMNS=$width: no line wider" "widest $widest"
done

if command -v script >/dev/null; then
  script -qec "COLUMNS=100 $BI_BIN/bi-ask ${common[*]} 'top 5 models in the northeast'" /dev/null > "$BI_TMP/tty" 2>&1
  tty_out=$(cat "$BI_TMP/tty")
  case "$tty_out" in "{"*) fail "a terminal gets a table by default" "${tty_out:0:200}" ;;
                     *"Top selling models"*"█"*) pass "a terminal gets a table by default" ;;
                     *) fail "a terminal gets a table by default" "${tty_out:0:200}" ;; esac
fi

ask --format jsonl "top 5 models in the northeast"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && pass "jsonl is one line" || fail "jsonl is one line"
printf 'top 5 models\nweather\nwarranty claims by model\n' > "$BI_TMP/batch.txt"
"$BI_BIN/bi-ask" "${common[@]}" --batch --format jsonl < "$BI_TMP/batch.txt" > "$BI_TMP/batch.jsonl" 2>/dev/null
[ "$(jq -c . "$BI_TMP/batch.jsonl" | wc -l)" -eq 3 ] && pass "--batch jsonl: one answer a line" || fail "--batch jsonl: one answer a line"
"$BI_BIN/bi-ask" "${common[@]}" --batch --format csv < "$BI_TMP/batch.txt" > "$BI_TMP/batch.csv" 2>/dev/null
blocks=$(python3 -c 'import sys; print(len(open(sys.argv[1], newline="").read().split("\r\n\r\n")))' "$BI_TMP/batch.csv")
[ "$blocks" -eq 3 ] && pass "--batch csv: three blocks, blank-line separated" || fail "--batch csv: three blocks" "$blocks"
grep -q '^question,suggestion' "$BI_TMP/batch.csv" && pass "--batch csv: a no-match block lists suggestions" || fail "--batch csv: no-match block"
# Every block of a batch says which question it answers: CSV and TSV rows start with it.
for fmt in csv tsv; do
  "$BI_BIN/bi-ask" "${common[@]}" --batch --format $fmt < "$BI_TMP/batch.txt" > "$BI_TMP/batch.$fmt" 2>/dev/null
  if python3 - "$BI_TMP/batch.$fmt" $fmt <<'PY'
import csv, io, sys
text = open(sys.argv[1], newline="", encoding="utf-8").read()
sep, blank = ("\r\n\r\n", ",") if sys.argv[2] == "csv" else ("\n\n", "\t")
blocks = text.split(sep)
questions = ["top 5 models", "weather", "warranty claims by model"]
assert len(blocks) == 3, len(blocks)
for block, question in zip(blocks, questions):
    rows = list(csv.reader(io.StringIO(block), delimiter=blank)) if blank == "," else [l.split("\t") for l in block.strip("\n").split("\n")]
    assert rows[0][0] == "question", rows[0]
    assert len(rows) > 1, block
    assert all(r[0] == question for r in rows[1:]), (question, rows[1:])
PY
  then pass "--batch $fmt: every row names its question"; else fail "--batch $fmt: every row names its question"; fi
done
"$BI_BIN/bi-ask" "${common[@]}" --batch --format table < "$BI_TMP/batch.txt" > "$BI_TMP/batch.table" 2>/dev/null
[ "$(grep -c '^No answer' "$BI_TMP/batch.table")" -eq 1 ] && [ "$(grep -c '^Filters:' "$BI_TMP/batch.table")" -eq 2 ] \
  && pass "--batch table: each answer rendered" || fail "--batch table: each answer rendered"
[ "$(grep -c '^Question: ' "$BI_TMP/batch.table")" -eq 3 ] && grep -A1 '^Question: weather$' "$BI_TMP/batch.table" | grep -q '^No answer' \
  && pass "--batch table: each block opens with its question, a no-answer block too" \
  || fail "--batch table: each block opens with its question" "$(head -c 400 "$BI_TMP/batch.table")"
ask --format table "top 5 models in the northeast"
case "$out" in "Question: "*) fail "one question's table does not repeat it" ;; *) pass "one question's table does not repeat it" ;; esac

# TSV read back equals the JSON rows; Markdown is a GitHub table with one line a row.
ask --format json "Stockout risk analysis"; printf '%s' "$out" > "$BI_TMP/answer.json"
"$BI_BIN/bi-ask" "${common[@]}" --format tsv "Stockout risk analysis" > "$BI_TMP/answer.tsv" 2>/dev/null
if python3 - "$BI_TMP/answer.json" "$BI_TMP/answer.tsv" <<'PY'
import json, re, sys
answer = json.load(open(sys.argv[1], encoding="utf-8"))
lines = open(sys.argv[2], encoding="utf-8", newline="").read().split("\n")
assert lines[-1] == "", "ends in LF"
unescape = lambda f: re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[m.group(1)], f)
rows = [[unescape(f) for f in l.split("\t")] for l in lines[:-1]]
names = [c["name"] for c in answer["columns"]]
assert rows[0] == names, rows[0]
assert len(rows) - 1 == len(answer["data"])
for got, want in zip(rows[1:], answer["data"]):
    for name, cell in zip(names, got):
        value = want[name]
        expected = "" if value is None else str(value) if isinstance(value, int) else value
        if isinstance(value, float): assert float(cell) == value, (name, cell, value)
        else: assert cell == expected, (name, cell, expected)
PY
then pass "TSV reads back as the JSON rows"; else fail "TSV reads back as the JSON rows"; fi
ask --format markdown "top 5 models in the northeast"
expect_status "--format markdown" 0
md_rows=$(printf '%s\n' "$out" | grep -c '^| ')
[ "$(printf '%s\n' "$out" | grep -cE '^\|( -{3,}:? \|)+$')" -eq 1 ] && pass "markdown: one rule line" || fail "markdown: one rule line" "$out"
expect_contains "markdown: the title is a heading" "### Top selling models by region" "$out"
expect_contains "markdown: the question is quoted" "> top 5 models in the northeast" "$out"
[ "$md_rows" -eq 7 ] && pass "markdown: a header, the rule and five rows" || fail "markdown: a header, the rule and five rows" "$out"
ask --format markdown "what's the weather tomorrow"
expect_status "a no-match markdown answer exits 3" 3
expect_contains "a no-match markdown answer names the question" "> what's the weather tomorrow" "$out"

ask --format table "what's the weather tomorrow"
expect_status "a no-match table still exits 3" 3
expect_contains "a no-match table lists suggestions" "Try one of:" "$out"

ask --format xml "top models"
expect_status "an unknown format exits 2" 2
expect_one_line "an unknown format is one line" "$err"

# --format html when Chart.js is nowhere: one line naming every place searched, exit 1.
mkdir -p "$BI_TMP/bin" "$BI_TMP/cwd" && cp "$BI_BIN/bi-ask" "$BI_TMP/bin/"
(cd "$BI_TMP/cwd" && BI_CHARTJS="$BI_TMP/none.js" "$BI_TMP/bin/bi-ask" "${common[@]}" --format html "top models" \
   > "$BI_TMP/out" 2> "$BI_TMP/err"); status=$?; err=$(cat "$BI_TMP/err")
expect_status "html without Chart.js exits 1" 1
expect_one_line "html without Chart.js: one line" "$err"
expect_contains "html without Chart.js names \$BI_CHARTJS" "$BI_TMP/none.js" "$err"
expect_contains "html without Chart.js names the cwd's node_modules" "cwd/node_modules/chart.js/dist/chart.umd.js" "$err"
expect_contains "html without Chart.js names <bin>/../share/bi" "$BI_TMP/share/bi/chart.umd.js" "$err"
ask --format html "top 5 models in the northeast"
expect_status "--format html" 0
expect_contains "the page inlines Chart.js" "Chart.js v4" "$out"
"$BI_BIN/bi-ask" "${common[@]}" --batch --format html < "$BI_TMP/batch.txt" > "$BI_TMP/batch.html" 2>/dev/null
[ "$(grep -c '<p class="question">' "$BI_TMP/batch.html")" -eq 3 ] && grep -q '<p class="question">weather</p>' "$BI_TMP/batch.html" \
  && pass "--batch html: every section names its question" || fail "--batch html: every section names its question"
case "$out" in *"<script src"*) fail "the page loads nothing from outside" ;; *) pass "the page loads nothing from outside" ;; esac

finish
