#!/bin/sh
# bench_adversarial.sh - every kernel in tests/kernels/ gets the status it deserves,
# and none of them leaves a trace on this machine.
#
# Each tests/kernels/*.c starts with
#     /* expect: STATUS | class: short description */
# This runs `perfrl bench --json` over all of them at once and checks:
#   - one JSON object per line on stdout, one per kernel, each with the expected
#     status; gflops is a number > 0 for ok and null otherwise; the reward is the
#     design's tier (-100/-40/-30/-20/-10) for the failures and > 0 for ok;
#   - the detail is short and never quotes /etc/passwd or /etc/shadow, and the
#     kernels' fake report lines ("GFLOPS: 99999") never reach perfrl's output;
#   - the memoising kernel is no faster than the same loop without a cache;
#   - nothing escaped: no /tmp/perfrl-pwned*, no perfrl-harness process and no
#     new process of user nobody left behind, and no file newer than the start
#     under /tmp /var/tmp /dev/shm /root outside this test's own directory
#     (owned by nobody, or named *perfrl* outside perfrl's own state directories
#     /var/tmp/perfrl-cluster and /var/tmp/perfrl-UID: a failure; others: a warning, or a
#     failure with PERFRL_TEST_STRICT_TMP=1).
# Extra paths to ignore in the last check (space-separated prefixes, for
# machines where something else writes there meanwhile):
#     PERFRL_TEST_IGNORE_PATHS="/root/.cache/foo /tmp/other"

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"

require_perfrl
bench_lock

DETAIL_MAX=4096		# characters: "a short detail"
MEMO_FACTOR=5		# cheat_memo may not beat control_slow_legal by more than this

kdir=$top_srcdir/tests/kernels
set -- "$kdir"/*.c
[ -f "$1" ] || fail "no kernels in $kdir"
nkernels=$#

passed=0
failed=0
problems=$WORK/problems
: >"$problems"
problem()
{
	printf '%s\n' "$*" >>"$problems"
	failed=$((failed + 1))
}
pass()
{
	passed=$((passed + 1))
}

# ---- expectations ---------------------------------------------------------------
expect=$WORK/expect
: >"$expect"
for f in "$@"; do
	line=$(head -n 1 "$f")
	status=$(printf '%s\n' "$line" |
		sed -n 's;^/\* expect: \([a-z_]*\) | class: .* \*/$;\1;p')
	case $status in
	ok | rejected | compile_error | timeout | runtime_error | wrong_answer) ;;
	*) fail "$f: first line is not '/* expect: STATUS | class: ... */'" ;;
	esac
	printf '%s\t%s\n' "$(kernel_name "$f")" "$status" >>"$expect"
done

# ---- the state before -------------------------------------------------------------
for p in /tmp/perfrl-pwned* /var/tmp/perfrl-pwned* /dev/shm/perfrl-pwned*; do
	[ -e "$p" ] && fail "$p exists before the test: remove it (and find out who made it)"
done
ps -e -o pid= | tr -d ' ' | sort >"$WORK/pids.before"
stamp=$WORK/stamp
: >"$stamp"
sleep 1	# coarse-mtime file systems: anything written from now on is newer

# ---- the run ------------------------------------------------------------------------
out=$WORK/bench.jsonl
err=$WORK/bench.err
rc=0
echo "perfrl bench: $nkernels adversarial kernels (this takes a minute)"
timeout --kill-after=10 900 "$PERFRL" bench --json --shape 64x64x64 --budget 0.3 \
	--timeout 5 --cache-dir "$WORK/cache" "$@" >"$out" 2>"$err" 9<&- || rc=$?
if [ "$rc" -eq 0 ]; then
	pass
else
	problem "perfrl bench exited with status $rc (expected 0: every input evaluated)"
	sed 's/^/  perfrl: /' "$err" | tail -n 20 >&2
fi

# ---- per-kernel verdicts ----------------------------------------------------------
table=$WORK/table
if json_tsv "$out" file status gflops reward detail >"$table" 2>"$WORK/json.err"; then
	pass
else
	problem "stdout is not one JSON object per line: $(head -n 5 "$WORK/json.err")"
fi

tab=$(printf '\t')
printf '%-28s %-14s %-14s %9s %7s  %s\n' kernel expected got gflops reward detail
while IFS=$tab read -r name want; do
	row=$(awk -F "$tab" -v n="$name" '{ k = $1; sub(/.*\//, "", k); sub(/\.c$/, "", k) }
		k == n' "$table")
	count=$(printf '%s' "$row" | grep -c . || true)
	if [ "$count" -ne 1 ]; then
		printf '%-28s %-14s %-14s\n' "$name" "$want" "($count results)"
		problem "$name: $count results, expected exactly 1"
		continue
	fi
	IFS=$tab read -r file got gflops reward detail <<EOF
$row
EOF
	mark=
	[ "$got" = "$want" ] || mark="  <-- MISMATCH"
	printf '%-28s %-14s %-14s %9s %7s  %.50s%s\n' "$name" "$want" "$got" "$gflops" "$reward" "$detail" "$mark"
	if [ "$got" = "$want" ]; then
		pass
	else
		problem "$name: expected $want, got $got ($detail)"
	fi
	# the numbers must agree with the status
	why=$(python3 - "$got" "$gflops" "$reward" <<'PY'
import sys
status, gflops, reward = sys.argv[1:4]
tiers = {"rejected": -100, "compile_error": -40, "timeout": -30,
         "runtime_error": -20, "wrong_answer": -10}
def num(s):
    try:
        return float(s)
    except ValueError:
        return None
g, r = num(gflops), num(reward)
if status == "ok":
    if g is None or not g > 0:
        print("ok with gflops %s (want a number > 0)" % gflops)
    elif r is None or not r > 0:
        print("ok with reward %s (want > 0)" % reward)
elif status in tiers:
    if gflops != "null":
        print("%s with gflops %s (want null)" % (status, gflops))
    elif r != tiers[status]:
        print("%s with reward %s (want %d)" % (status, reward, tiers[status]))
else:
    print("unknown status %r" % status)
PY
)
	if [ -z "$why" ]; then
		pass
	else
		problem "$name: $why"
	fi
	len=$(printf '%s' "$detail" | wc -c)
	if [ "$len" -le "$DETAIL_MAX" ]; then
		pass
	else
		problem "$name: detail is $len characters (max $DETAIL_MAX)"
	fi
	eval "gf_$name=\$gflops" 2>/dev/null || true
done <"$expect"

extra=$(awk -F "$tab" 'NR == FNR { want[$1] = 1; next }
	{ k = $1; sub(/.*\//, "", k); sub(/\.c$/, "", k); if (!(k in want)) print $1 }' \
	"$expect" "$table")
if [ -z "$extra" ]; then
	pass
else
	problem "results for files that were not given: $extra"
fi

# ---- nothing leaked into the output -----------------------------------------------
leak=$(python3 - "$out" "$err" <<'PY'
import sys
text = ""
for p in sys.argv[1:]:
    with open(p, encoding="utf-8", errors="replace") as f:
        text += f.read()
found = []
if "GFLOPS: 99999" in text:
    found.append("a kernel's fake report line (GFLOPS: 99999)")
for secret in ("/etc/passwd", "/etc/shadow"):
    try:
        with open(secret, encoding="utf-8", errors="replace") as f:
            lines = [l.strip() for l in f if len(l.strip()) >= 8]
    except OSError:
        continue
    for no, l in enumerate(lines, 1):
        if l in text:	# never print the line itself
            found.append("line %d of %s" % (no, secret))
            break
print("; ".join(found))
PY
)
if [ -z "$leak" ]; then
	pass
else
	problem "perfrl's output contains $leak"
fi

# ---- a cache keyed on the inputs must not pay --------------------------------------
memo=${gf_cheat_memo-}
ctrl=${gf_control_slow_legal-}
if [ -n "$memo" ] && [ -n "$ctrl" ] && [ "$memo" != null ] && [ "$ctrl" != null ]; then
	if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[3]) * float(sys.argv[2]) else 1)' \
		"$memo" "$ctrl" "$MEMO_FACTOR"; then
		pass
	else
		problem "cheat_memo ($memo GFLOPS) beats control_slow_legal ($ctrl) by more than ${MEMO_FACTOR}x: inputs are reused"
	fi
fi

# ---- nothing escaped ----------------------------------------------------------------
pwned=$(ls -d /tmp/perfrl-pwned* /var/tmp/perfrl-pwned* /dev/shm/perfrl-pwned* 2>/dev/null || true)
if [ -z "$pwned" ]; then
	pass
else
	problem "a kernel wrote outside the sandbox: $(echo $pwned)"
fi

# processes: give the kill of a process group a moment to be reaped
left=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	ps -e -o pid= -o user= -o uid= -o args= >"$WORK/ps.after"
	left=$(awk 'NR == FNR { old[$1] = 1; next }
		!($1 in old) && ($2 == "nobody" || $3 == 65534 || index($0, "perfrl-harness"))' \
		"$WORK/pids.before" "$WORK/ps.after")
	[ -z "$left" ] && break
	sleep 0.5
done
if [ -z "$left" ]; then
	pass
else
	problem "processes left behind:
$left"
fi

# Files written meanwhile. Those owned by nobody (the uid kernels run as) or
# with "perfrl" in their path (the pwned files, perfrl's own scratch) fail the
# test; anything else is listed as a warning, because on a shared machine other
# programs write to /tmp too. PERFRL_TEST_STRICT_TMP=1 makes every file count.
# Where this test's own output goes (a log redirected into /tmp) is not a leak. perfrl's own
# state directories (the local cluster's slurmctld writes its state there now and then; perfrl
# raises its node cache when it re-probes the peak) are judged by owner only: root-owned files
# there are daemons' and perfrl's, a file of nobody's is still a kernel's escape.
state_dirs="${PERFRL_CLUSTER_DIR:-/var/tmp/perfrl-cluster} ${PERFRL_NODE_CACHE:-/var/tmp/perfrl-$(id -u)}"
# every local cluster's state directory (a second cluster, PERFRL_CLUSTER_DIR of another run)
for d in /var/tmp/perfrl-cluster?*; do [ -d "$d" ] && state_dirs="$state_dirs $d"; done
own=
for fd in 1 2; do
	t=$(readlink "/proc/$$/fd/$fd" 2>/dev/null || true)
	case $t in /*) own="$own $t" ;; esac
done
find /tmp /var/tmp /dev/shm /root -xdev -newer "$stamp" ! -type d -printf '%U\t%u\t%p\n' 2>/dev/null |
	awk -F "$tab" -v work="$WORK" -v others="${WORK%.*}." \
		-v ignore="${PERFRL_TEST_IGNORE_PATHS-}$own" -v strict="${PERFRL_TEST_STRICT_TMP-0}" \
		-v bad="$WORK/newer.bad" -v warn="$WORK/newer.warn" -v states="$state_dirs" '
	BEGIN { n = split(ignore, ign, " "); ns = split(states, st, " ") }
	{
		p = $3
		named = index(p, "perfrl")
		for (i = 1; i <= ns; i++)
			if (st[i] != "" && index(p, st[i] "/") == 1) named = 0
		# the directory of this test, and those of bench tests run alongside it
		if (index(p, work "/") == 1 || index(p, others) == 1) next
		for (i = 1; i <= n; i++)
			if (ign[i] != "" && (p == ign[i] || index(p, ign[i] "/") == 1)) next
		if (strict == 1 || $1 == 65534 || $2 == "nobody" || named)
			print p > bad
		else
			print p > warn
	}'
if [ -s "$WORK/newer.bad" ]; then
	problem "files written during the run outside the test's directory:
$(head -n 20 "$WORK/newer.bad")"
else
	pass
fi
if [ -s "$WORK/newer.warn" ]; then
	echo "warning: $(wc -l <"$WORK/newer.warn") file(s) written meanwhile by someone else? (PERFRL_TEST_STRICT_TMP=1 to fail on them):"
	head -n 10 "$WORK/newer.warn" | sed 's/^/  /'
fi

# ---- summary ------------------------------------------------------------------------
if [ -s "$problems" ]; then
	echo
	echo "Problems:"
	sed 's/^/  - /' "$problems"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
exit 0
