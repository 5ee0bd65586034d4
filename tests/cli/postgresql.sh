# PostgreSQL end to end, against a real throw-away server (scripts/pg-cluster, stopped on exit
# whatever happens): the demo data loaded with proper types, a least-privilege reader, every
# catalog dump equal to SQLite's, every question of the value-graded suite answered alike,
# hostile SQL refused with the data untouched, faults with clear messages and exit codes, and
# freshness from the server's counters.
source "$(dirname "$0")/lib.sh"

pg=$(mktemp -d /tmp/bi-pg.XXXXXX)
cleanup() { "$BI_SOURCE/scripts/pg-cluster" stop "$pg" >/dev/null 2>&1; rm -rf "$pg"; }
trap cleanup EXIT
if ! super=$("$BI_SOURCE/scripts/pg-cluster" start "$pg" 2>"$BI_TMP/cluster.err"); then
  fail "a throw-away cluster starts" "$(cat "$BI_TMP/cluster.err")"
  finish
  exit 1
fi
port=${super##*:}
port=${port%%/*}
psql_super() { psql "$super" -XAtq -v ON_ERROR_STOP=1 "$@"; }

# The reader's password comes from a pgpass file, never a command line or bi.conf.
umask 077
printf 'reader-%s\n' "$RANDOM$RANDOM" >"$BI_TMP/reader.pw"
printf '127.0.0.1:%s:bi:bi_reader:%s\n' "$port" "$(cat "$BI_TMP/reader.pw")" >"$BI_TMP/pgpass"
export PGPASSFILE=$BI_TMP/pgpass
reader="postgresql://bi_reader@127.0.0.1:$port/bi"

run "$BI_SOURCE/scripts/load-postgresql" "$BI_TEST_DB" "$super" --reader bi_reader --reader-password-file "$BI_TMP/reader.pw"
expect_status "load-postgresql loads the demo database" 0
types=$(psql_super -c "SELECT string_agg(column_name || ':' || data_type, ' ' ORDER BY column_name) FROM information_schema.columns
                       WHERE table_name = 'sales' AND column_name IN ('sale_date', 'price', 'dealer_id')")
expect_contains "dates load as date, amounts as numeric, keys as integer" \
  "dealer_id:integer price:numeric sale_date:date" "$types"
expect_contains "the reader is no superuser and reads only" "false|on" \
  "$(psql_super -c "SELECT rolsuper::text || '|' || (SELECT setting FROM unnest(rolconfig) AS c(setting) WHERE setting LIKE 'default_transaction_read_only%')
                    FROM pg_roles WHERE rolname = 'bi_reader'" | sed 's/default_transaction_read_only=//')"

# --- every catalog query and cube, from PostgreSQL, equal to the SQLite dumps of the same data
run "$BI_BIN/bi-dump" --database "$reader" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TMP/pgdumps" --quiet
expect_status "bi-dump dumps the whole catalog from PostgreSQL as the reader" 0
if [ -z "$err" ]; then pass "no superuser warning for the least-privilege reader"; else fail "no warning for the reader" "$err"; fi
run python3 "$BI_SOURCE/tests/pg/compare_dumps.py" "$BI_TEST_DUMPS" "$BI_TMP/pgdumps"
expect_status "every PostgreSQL dump equals the SQLite dump ($(echo "$out" | tail -1))" 0
[ "$status" -eq 0 ] || echo "$out" | head -20

# --- every question of the value-graded suite answered identically from either
cat "$BI_SOURCE"/tests/eval/*.jsonl | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        print(json.loads(line)["question"])' >"$BI_TMP/questions.txt"
"$BI_BIN/bi-ask" --batch --database "$BI_TEST_DB" --dumps-dir "$BI_TEST_DUMPS" <"$BI_TMP/questions.txt" >"$BI_TMP/answers.sqlite" 2>/dev/null
"$BI_BIN/bi-ask" --batch --database "$reader" --dumps-dir "$BI_TMP/pgdumps" <"$BI_TMP/questions.txt" >"$BI_TMP/answers.pg" 2>"$BI_TMP/ask.err"
run python3 "$BI_SOURCE/tests/pg/compare_answers.py" "$BI_TMP/questions.txt" "$BI_TMP/answers.sqlite" "$BI_TMP/answers.pg"
expect_status "bi-ask answers all $(wc -l <"$BI_TMP/questions.txt") suite questions alike from either engine ($(echo "$out" | tail -1))" 0
[ "$status" -eq 0 ] || echo "$out" | head -10

run "$BI_BIN/bi-regen" --all --database "$reader" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TMP/regen" --quiet
expect_status "bi-regen regenerates from PostgreSQL" 0
run "$BI_BIN/bi-regen" --test --database "$reader" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TMP/regen"
expect_status "bi-regen --test prepares every query on the server without running it" 0

run "$BI_BIN/bi-dump" --database "postgresql://bi_reader:$(cat "$BI_TMP/reader.pw")@127.0.0.1:$port/bi" \
  --sql "SELECT 1 AS one" -o "$BI_TMP/pw.json"
expect_status "a password in the URI works" 0
if grep -q "$(cat "$BI_TMP/reader.pw")" "$BI_TMP/pw.json" "$BI_TMP"/pgdumps/*/*.json; then
  fail "a password never reaches a dump"
else
  pass "a password never reaches a dump"
fi
run "$BI_BIN/bi-dump" --database "$super" --sql "SELECT 1 AS one" -o -
expect_contains "a superuser connection is warned about" "warning: connected to PostgreSQL as superuser" "$err"

# --- the fallback's SQL runs on the server, under the same guard, with its dialect named
fake="$BI_SOURCE/tests/fake-fallback"
q="average msrp by vehicle segment"
FAKE_REQUEST_LOG="$BI_TMP/request.json" \
  FAKE_SQL="SELECT segment, COUNT(*) AS models, ROUND(AVG(msrp), 2) AS avg_msrp FROM models GROUP BY segment ORDER BY avg_msrp DESC" \
  run "$BI_BIN/bi-ask" --database "$reader" --dumps-dir "$BI_TMP/pgdumps" --log-dir "$BI_TMP/logs" --fallback "$fake" "$q"
expect_status "the fallback's SQL answers from PostgreSQL" 0
want=$(sqlite3 "$BI_TEST_DB" "SELECT COUNT(*) FROM (SELECT DISTINCT segment FROM models)")
[ "$(jq '.data | length' <<<"$out")" = "$want" ] && pass "with a row per segment" || fail "with a row per segment" "$out"
[ "$(jq -r .dialect "$BI_TMP/request.json")" = postgresql ] && pass "the fallback is told the dialect" ||
  fail "the fallback is told the dialect"
jq -e '.schema[] | select(.table == "models") | .values.segment | length > 0' "$BI_TMP/request.json" >/dev/null &&
  pass "the fallback's schema carries the server's text values" || fail "the fallback's schema carries the server's text values"
FAKE_MODE=delete run "$BI_BIN/bi-ask" --database "$reader" --dumps-dir "$BI_TMP/pgdumps" --log-dir "$BI_TMP/logs" --fallback "$fake" "$q"
expect_status "a fallback's DELETE is refused on the server" 6

# --- hostile SQL against the real server, as the superuser (the worst case): each refused,
# the data and the server's write counters unchanged afterwards
psql_super -c "CREATE FUNCTION bi_writes() RETURNS integer LANGUAGE sql VOLATILE
               AS 'DELETE FROM regions WHERE region_id = 1 RETURNING region_id'"
state() {
  psql_super -c "SELECT pg_stat_force_next_flush()" >/dev/null
  {
    for t in $(psql_super -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"); do
      echo "$t $(psql_super -c "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM $t AS t")"
    done
    psql_super -c "SELECT sum(n_tup_ins), sum(n_tup_upd), sum(n_tup_del) FROM pg_stat_user_tables"
    psql_super -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    psql_super -c "SELECT count(*) FROM pg_largeobject_metadata"
    psql_super -c "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"
  } 2>&1
}
sleep 1
before=$(state)
while IFS='|' read -r name sql; do
  [ -n "$name" ] || continue
  run timeout 60 "$BI_BIN/bi-dump" --database "$super" --sql "$sql" -o "$BI_TMP/attack.json"
  expect_status "refused: $name" 6
done <<'EOF'
two statements|SELECT 1; DROP TABLE sales
DROP|DROP TABLE sales
DELETE|DELETE FROM sales
UPDATE|UPDATE sales SET price = 0
INSERT|INSERT INTO regions VALUES (99, 'Nowhere')
writable CTE|WITH gone AS (DELETE FROM sales RETURNING *) SELECT count(*) FROM gone
SELECT FOR UPDATE|SELECT * FROM sales FOR UPDATE
SELECT FOR SHARE|SELECT * FROM regions FOR KEY SHARE
SELECT INTO|SELECT * INTO stolen FROM sales
CALL|CALL bi_procedure()
DO|DO $$BEGIN DELETE FROM sales; END$$
EXPLAIN ANALYZE of a write|EXPLAIN ANALYZE DELETE FROM sales
EXPLAIN (ANALYSE) of a read|EXPLAIN (ANALYSE, BUFFERS) SELECT bi_writes()
COPY TO PROGRAM|COPY sales TO PROGRAM 'touch /tmp/bi-pwned'
COPY TO FILE|COPY (SELECT 1) TO '/tmp/bi-pwned'
pg_read_file|SELECT pg_read_file('/etc/passwd')
pg_read_file, schema-qualified|SELECT pg_catalog.pg_read_file('/etc/passwd')
pg_read_file, quoted|SELECT "pg_read_file"('/etc/passwd')
pg_read_file, behind a comment|SELECT/**/pg_read_file/* x */('/etc/passwd')
pg_read_binary_file|SELECT pg_read_binary_file('/etc/passwd')
pg_ls_dir|SELECT pg_ls_dir('.')
large-object import|SELECT lo_import('/etc/passwd')
large-object export|SELECT lo_export(1, '/tmp/bi-pwned')
dblink|SELECT * FROM dblink('dbname=bi', 'DELETE FROM sales') AS t(x int)
postgres_fdw|SELECT postgres_fdw_handler()
set_config of the guard|SELECT set_config('default_transaction_read_only', 'off', false)
SET of the guard|SET statement_timeout = 0
RESET|RESET ALL
advisory lock|SELECT pg_advisory_lock(42)
pg_sleep|SELECT pg_sleep(3600)
pg_terminate_backend|SELECT pg_terminate_backend(pid) FROM pg_stat_activity
SQL as text|SELECT query_to_xml('DELETE FROM sales RETURNING 1', true, true, '')
nextval|SELECT nextval('some_sequence')
CREATE|CREATE TABLE bi_junk (a integer)
GRANT|GRANT ALL ON sales TO PUBLIC
a VOLATILE function that writes|SELECT bi_writes()
unterminated comment|SELECT 1 /* DELETE FROM sales
EOF
echo "time_budget_ms = 2000" >"$BI_TMP/short.conf"
run timeout 60 "$BI_BIN/bi-dump" --config "$BI_TMP/short.conf" --database "$super" \
  --sql "SELECT count(*) FROM generate_series(1, 2000000000)" -o "$BI_TMP/attack.json"
expect_status "a statement past its time budget is stopped by the server" 1
expect_contains "and says so" "time budget" "$err"
sleep 1
after=$(state)
if [ "$before" = "$after" ]; then pass "every table's checksum and the server's write counters are unchanged"; else
  fail "every table's checksum and the server's write counters are unchanged" "$(diff <(echo "$before") <(echo "$after"))"; fi
if [ -e /tmp/bi-pwned ]; then fail "no file was written outside the database"; else pass "no file was written outside the database"; fi

while IFS='|' read -r name sql; do
  [ -n "$name" ] || continue
  run "$BI_BIN/bi-dump" --database "$reader" --sql "$sql" -o "$BI_TMP/read.json"
  expect_status "allowed: $name" 0
done <<'EOF'
a count|SELECT count(*) FROM sales
a CTE|WITH m AS (SELECT substr(CAST(sale_date AS TEXT), 1, 7) AS month, count(*) AS n FROM sales GROUP BY 1) SELECT * FROM m ORDER BY month
a recursive CTE|WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n) FROM r
a window function|SELECT name, rank() OVER (ORDER BY name) FROM regions
a join and a limit|SELECT d.name, sum(s.price) FROM sales AS s JOIN dealers AS d USING (dealer_id) GROUP BY d.name ORDER BY 2 DESC LIMIT 5
VALUES|VALUES (1, 'a'), (2, 'b')
TABLE|TABLE regions
EXPLAIN|EXPLAIN SELECT * FROM sales
write words inside strings|SELECT 'it''s -- DELETE; DROP TABLE sales' AS s, $$INSERT$$ AS t, E'\'; DELETE' AS u
a column named like a verb|SELECT 1 AS updated, 2 AS "inserted"
a trailing semicolon|SELECT 1;
EOF

# --- faults: each a clear line and a documented exit code, nothing half-written
run "$BI_BIN/bi-dump" --database "postgresql://bi_reader:wrong@127.0.0.1:$port/bi" --sql "SELECT 1" -o "$BI_TMP/f.json"
expect_status "a bad password: database unreachable" 5
expect_one_line "a bad password: one line" "$err"
expect_contains "a bad password: says why" "password authentication failed" "$err"
case "$err" in *wrong*) fail "a bad password is not echoed" "$err" ;; *) pass "a bad password is not echoed" ;; esac
run "$BI_BIN/bi-dump" --database "postgresql://bi_reader@127.0.0.1:1/bi" --sql "SELECT 1" -o "$BI_TMP/f.json"
expect_status "a closed port: unreachable" 5
# a host that accepts the connection and never answers: connect_timeout bounds the wait
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True); time.sleep(120)' >"$BI_TMP/silent.port" &
silent=$!
sleep 0.5
run timeout 60 "$BI_BIN/bi-dump" --database "postgresql://bi_reader@127.0.0.1:$(cat "$BI_TMP/silent.port")/bi?connect_timeout=2" \
  --sql "SELECT 1" -o "$BI_TMP/f.json"
kill $silent 2>/dev/null
expect_status "a host that never answers: unreachable within connect_timeout" 5
[ ! -e "$BI_TMP/f.json" ] && pass "no output file from a failed connection" || fail "no output file from a failed connection"
run "$BI_BIN/bi-dump" --database "postgresql://[bad" --sql "SELECT 1" -o "$BI_TMP/f.json"
expect_status "an address libpq cannot read: usage" 2

# the server stopped in the middle of a dump: the old dump stays, one line, exit 1
echo '{"old": true}' >"$BI_TMP/mid.json"
cp "$BI_TMP/mid.json" "$BI_TMP/mid.before"
"$BI_BIN/bi-dump" --database "$reader" --sql "SELECT count(*) FROM generate_series(1, 3000000000)" \
  -o "$BI_TMP/mid.json" >"$BI_TMP/mid.out" 2>"$BI_TMP/mid.err" &
dumping=$!
sleep 1
"$BI_SOURCE/scripts/pg-cluster" stop "$pg" >/dev/null
wait $dumping
status=$?
err=$(cat "$BI_TMP/mid.err")
expect_status "the server stopped mid-dump: exit 1" 1
expect_one_line "the server stopped mid-dump: one line" "$err"
cmp -s "$BI_TMP/mid.json" "$BI_TMP/mid.before" && pass "the server stopped mid-dump: the old dump stays" ||
  fail "the server stopped mid-dump: the old dump stays"
run "$BI_BIN/bi-ask" --database "$reader" --dumps-dir "$BI_TMP/pgdumps" "total revenue in 2025"
expect_status "bi-ask answers from the dumps while the server is down" 0
super=$("$BI_SOURCE/scripts/pg-cluster" start "$pg" --port "$port") || fail "the cluster starts again"

# --- freshness from the server: a write makes the dumps stale
run "$BI_BIN/bi-status" --json --database "$reader" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TMP/pgdumps"
expect_status "bi-status: the PostgreSQL dumps are fresh" 0
fp_before=$(echo "$out" | jq -r .database.fingerprint)
psql_super -c "INSERT INTO regions (region_id, name) VALUES (99, 'Offshore'); SELECT pg_stat_force_next_flush()" >/dev/null
run "$BI_BIN/bi-status" --json --database "$reader" --queries-dir "$BI_SOURCE/queries" --dumps-dir "$BI_TMP/pgdumps"
fp_after=$(echo "$out" | jq -r .database.fingerprint)
if [ -n "$fp_before" ] && [ "$fp_before" != "null" ] && [ "$fp_before" != "$fp_after" ]; then
  pass "the server's change counters change the fingerprint"
else
  fail "the server's change counters change the fingerprint" "$fp_before -> $fp_after"
fi
expect_status "bi-status: a write on the server makes the dumps stale (warning)" 1
expect_contains "and says the database changed" "the database changed" "$out"

finish
