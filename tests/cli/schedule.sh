#!/usr/bin/env bash
# scripts/install-schedule: --dry-run prints and changes nothing; the crontab lines have five
# time fields and the right commands; the units pass systemd-analyze verify and score at most
# 3.0 in systemd-analyze security, with the network only for a PostgreSQL server; install and
# uninstall of the crontab block leave every other line alone. Nothing here touches the real
# system.
source "$(dirname "$0")/lib.sh"
install="$BI_SOURCE/scripts/install-schedule"
wd="$BI_TMP/workdir"
mkdir -p "$wd"
crontab="$BI_TMP/crontab"
units="$BI_TMP/units"
queries="$BI_SOURCE/queries"
dumps="$wd/dumps"
sched() { run "$install" --bin "$BI_BIN" --workdir "$wd" --queries-dir "$queries" --dumps-dir "$dumps" "$@"; }

# Crontab, dry run.
sched --cron --user --crontab-file "$crontab" --dry-run
expect_status "cron --dry-run exits 0" 0
[ ! -e "$crontab" ] && pass "cron --dry-run writes nothing" || fail "cron --dry-run writes nothing"
expect_contains "cron --dry-run says where" "would write $crontab:" "$out"
jobs=$(printf '%s\n' "$out" | grep -v '^#' | grep -v '^[[:space:]]*$')
[ "$(printf '%s\n' "$jobs" | wc -l)" -eq 3 ] && pass "three cron lines" || fail "three cron lines" "$jobs"
bad=0
while read -r m h dom mon dow cmd; do
  for f in "$m" "$h" "$dom" "$mon" "$dow"; do [[ "$f" =~ ^[0-9*,/-]+$ ]] || bad=$((bad + 1)); done
  [[ "$cmd" == "cd '$wd' && '$BI_BIN/bi-regen' --queries-dir '$queries' --dumps-dir '$dumps' "* ]] || bad=$((bad + 1))
done <<<"$jobs"
[ $bad -eq 0 ] && pass "each line: five time fields, then cd to the workdir and absolute bi-regen for this catalog and dumps" || fail "cron line shape" "$jobs"
line() { printf '%s\n' "$jobs" | grep -- "$1" | awk '{print $1, $2, $3, $4, $5}'; }
[ "$(line '--due daily')" = "0 2 * * *" ] && pass "daily at 02:00: --due daily" || fail "daily at 02:00" "$(line '--due daily')"
[ "$(line '--due weekly')" = "0 3 * * 0" ] && pass "Sunday 03:00: --due weekly" || fail "Sunday 03:00" "$(line '--due weekly')"
[ "$(line '--all')" = "0 4 1 * *" ] && pass "the 1st at 04:00: --all" || fail "the 1st at 04:00" "$(line '--all')"

sched --cron --system --crontab-file "$crontab" --run-as nobody --dry-run
expect_status "cron --system --dry-run exits 0" 0
sys=$(printf '%s\n' "$out" | grep -v '^#' | grep -v '^[[:space:]]*$')
[ "$(printf '%s\n' "$sys" | awk '$6 == "nobody"' | wc -l)" -eq 3 ] && pass "system cron lines name the user after the time fields" || fail "system cron lines name the user" "$sys"

# Crontab, install and uninstall around other lines.
printf 'MAILTO=ops@example.com\n# my own job\n*/5 * * * * /usr/local/bin/backup --quick\n' >"$crontab"
cp "$crontab" "$BI_TMP/crontab.orig"
sched --cron --user --crontab-file "$crontab"
expect_status "cron install exits 0" 0
[ "$(grep -c '^# >>> bi-regen schedule' "$crontab")" -eq 1 ] && pass "the block is installed once" || fail "the block is installed once"
[ "$(head -n 3 "$crontab")" = "$(cat "$BI_TMP/crontab.orig")" ] && pass "the other lines are kept" || fail "the other lines are kept" "$(cat "$crontab")"
[ "$(grep -c "bi-regen' --" "$crontab")" -eq 3 ] && pass "three jobs in the crontab" || fail "three jobs in the crontab"
cp "$crontab" "$BI_TMP/crontab.once"
sched --cron --user --crontab-file "$crontab"
cmp -s "$crontab" "$BI_TMP/crontab.once" && pass "installing twice changes nothing" || fail "installing twice changes nothing" "$(diff "$BI_TMP/crontab.once" "$crontab")"
printf '0 1 * * * /usr/bin/true\n' >>"$crontab"
sched --cron --user --crontab-file "$crontab" --uninstall
expect_status "cron uninstall exits 0" 0
grep -q 'bi-regen' "$crontab" && fail "the block is removed" "$(cat "$crontab")" || pass "the block is removed"
[ "$(cat "$crontab")" = "$(cat "$BI_TMP/crontab.orig"; echo; echo '0 1 * * * /usr/bin/true')" ] && pass "a line added after the block survives uninstall" || fail "a line added after the block survives uninstall" "$(cat "$crontab")"

# systemd, dry run.
sched --systemd --user --unit-dir "$units" --dry-run
expect_status "systemd --dry-run exits 0" 0
[ ! -e "$units" ] && pass "systemd --dry-run writes nothing" || fail "systemd --dry-run writes nothing"
n=0
for k in daily weekly monthly; do
  for t in service timer; do case "$out" in *"would write $units/bi-regen-$k.$t:"*) n=$((n + 1)) ;; esac; done
done
[ $n -eq 6 ] && pass "systemd --dry-run names the six unit files" || fail "systemd --dry-run names the six unit files" "$out"
expect_contains "the service runs bi-regen by absolute path, for this catalog and dumps" \
  "ExecStart=$BI_BIN/bi-regen --queries-dir $queries --dumps-dir $dumps --due daily" "$out"
expect_contains "the service runs in the workdir" "WorkingDirectory=$wd" "$out"
sched --systemd --system --dry-run
expect_status "systemd --system --dry-run exits 0" 0
expect_contains "system units go to /etc/systemd/system" "would write /etc/systemd/system/bi-regen-weekly.timer:" "$out"
expect_contains "and would be enabled" "would run: systemctl enable --now bi-regen-daily.timer" "$out"
expect_contains "system services name their user" "User=" "$out"

# systemd, installed into a scratch directory and checked by systemd itself.
sched --systemd --user --unit-dir "$units"
expect_status "systemd install into a directory exits 0" 0
[ "$(ls "$units" | wc -l)" -eq 6 ] && pass "six unit files written" || fail "six unit files written" "$(ls "$units")"
for k in daily weekly monthly; do
  grep -qx 'Type=oneshot' "$units/bi-regen-$k.service" && grep -qx 'Persistent=true' "$units/bi-regen-$k.timer" \
    && pass "bi-regen-$k: oneshot service, persistent timer" || fail "bi-regen-$k: oneshot service, persistent timer"
done
[ "$(sed -n 's/^OnCalendar=//p' "$units/bi-regen-daily.timer")" = "*-*-* 02:00:00" ] && pass "daily OnCalendar" || fail "daily OnCalendar"
[ "$(sed -n 's/^OnCalendar=//p' "$units/bi-regen-weekly.timer")" = "Sun *-*-* 03:00:00" ] && pass "weekly OnCalendar" || fail "weekly OnCalendar"
[ "$(sed -n 's/^OnCalendar=//p' "$units/bi-regen-monthly.timer")" = "*-*-01 04:00:00" ] && pass "monthly OnCalendar" || fail "monthly OnCalendar"

if command -v systemd-analyze >/dev/null; then
  systemd-analyze calendar 'not a time' >/dev/null 2>&1 && fail "systemd-analyze calendar rejects nonsense" || pass "systemd-analyze calendar rejects nonsense"
  for k in daily weekly monthly; do
    spec=$(sed -n 's/^OnCalendar=//p' "$units/bi-regen-$k.timer")
    if systemd-analyze calendar "$spec" >"$BI_TMP/cal" 2>&1; then pass "OnCalendar=$spec parses"; else fail "OnCalendar=$spec parses" "$(cat "$BI_TMP/cal")"; fi
  done
  # verify needs a working systemd setup; probe it with a unit known to be good.
  mkdir -p "$BI_TMP/probe"
  printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$BI_TMP/probe/probe.service"
  if (cd "$BI_TMP/probe" && systemd-analyze verify probe.service) >/dev/null 2>&1; then
    if (cd "$units" && systemd-analyze verify ./*.service ./*.timer) >"$BI_TMP/verify" 2>&1 && [ ! -s "$BI_TMP/verify" ]; then
      pass "systemd-analyze verify accepts the units"
    else
      fail "systemd-analyze verify accepts the units" "$(cat "$BI_TMP/verify")"
    fi
  else
    echo "skip systemd-analyze verify cannot run here"
  fi
else
  fail "systemd-analyze is installed (scripts/install-deps installs systemd)"
fi

# Hardening, per database kind: the sandbox's score, its paths and its sockets.
if command -v systemd-analyze >/dev/null && systemd-analyze security --help 2>&1 | grep -q -- --offline; then
  printf 'database = postgresql://bi_reader@127.0.0.1:1/sales\n' >"$wd/postgresql.conf"
  printf 'database = %s\n' "$BI_TEST_DB" >"$wd/sqlite.conf"
  # config  scope+user                   sockets                             the network
  while read -r conf scope families network; do
    u="$BI_TMP/hardened-$conf"
    sched --systemd $scope --unit-dir "$u" --config "$wd/$conf.conf" --prometheus "$BI_TMP/textfile"
    expect_status "$conf $scope: units written" 0
    for f in "$u"/*.service; do
      score=$(systemd-analyze security --offline=yes "$f" 2>&1 | sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
      awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 3.0) }' && pass "$conf $scope: $(basename "$f") scores $score <= 3.0" \
        || fail "$conf $scope: $(basename "$f") scores <= 3.0" "score '$score'"
    done
    svc="$u/bi-regen-daily.service"
    [ "$(sed -n 's/^RestrictAddressFamilies=//p' "$svc")" = "${families//,/ }" ] && pass "$conf: sockets ${families//,/ }" \
      || fail "$conf: sockets ${families//,/ }" "$(grep Address "$svc")"
    [ "$(grep -c '^PrivateNetwork=yes' "$svc")" = "$network" ] && pass "$conf: PrivateNetwork $network" || fail "$conf: PrivateNetwork $network"
    grep -qx "ReadWritePaths=$wd $wd/logs" "$svc" && pass "$conf: writes the dumps' directory and the logs only" \
      || fail "$conf: writes the dumps' directory and the logs only" "$(grep ReadWrite "$svc")"
    grep -qx "ReadWritePaths=$BI_TMP/textfile" "$u/bi-status-prometheus.service" && pass "$conf: the metrics job writes the textfile dir only" \
      || fail "$conf: the metrics job writes the textfile dir only" "$(grep ReadWrite "$u/bi-status-prometheus.service")"
    grep -q "^ExecStart=$BI_BIN/bi-status --config $wd/$conf.conf --queries-dir $queries --dumps-dir $dumps --format prometheus --output $BI_TMP/textfile/bi.prom\$" \
      "$u/bi-status-prometheus.service" && pass "$conf: --prometheus adds the metrics job" || fail "$conf: --prometheus adds the metrics job" "$(grep ExecStart "$u"/*.service)"
    if (cd "$u" && systemd-analyze verify ./*.service ./*.timer) >"$BI_TMP/verify" 2>&1 && ! grep -v "Special user nobody" "$BI_TMP/verify" | grep -q .; then
      pass "$conf $scope: systemd-analyze verify accepts the hardened units"
    else
      fail "$conf $scope: systemd-analyze verify accepts the hardened units" "$(cat "$BI_TMP/verify")"
    fi
  done <<EOF
sqlite      --user                       AF_UNIX                 1
postgresql  --system                     AF_UNIX,AF_INET,AF_INET6  0
EOF
  [ -d "$BI_TMP/textfile" ] && pass "the textfile directory is made" || fail "the textfile directory is made"
else
  fail "systemd-analyze security --offline is available (systemd 250 or later)"
fi

touch "$units/other.timer"
sched --systemd --user --unit-dir "$units" --uninstall
expect_status "systemd uninstall exits 0" 0
[ "$(ls "$units")" = other.timer ] && pass "uninstall removes the six units and nothing else" || fail "uninstall removes the six units and nothing else" "$(ls "$units")"

# Usage.
sched --dry-run
expect_status "neither --cron nor --systemd exits 2" 2
sched --cron --bogus
expect_status "an unknown option exits 2" 2
expect_contains "the message names the option" "install-schedule: error: unknown option '--bogus'" "$err"
run "$install" --cron --user --bin "$BI_TMP/with space" --crontab-file "$crontab" --dry-run
expect_status "a path with a space is refused with 2" 2
sched --cron --user --run-as nobody --crontab-file "$crontab" --dry-run
expect_status "--run-as with --user exits 2" 2
sched --cron --user --crontab-file "$crontab" --config "$BI_TMP/nowhere.conf" --dry-run
expect_status "a missing --config exits 2" 2
expect_contains "naming it" "'$BI_TMP/nowhere.conf': config file not found" "$err"
run "$install" --help
expect_status "--help exits 0" 0
expect_contains "--help prints usage" "Usage: scripts/install-schedule" "$out"

finish
