# run_common.sh - sourced by the tests of tests/cluster and tests/llm (tests of `perfrl run` against the
# local Slurm cluster of jobs/local-cluster); not a test itself.
#
# Sourcing it: sources tests/common.sh ($PERFRL, $WORK, fail, json helpers; set -eu), takes
# the cluster-test lock (one cluster test at a time), brings the local cluster up unless one
# already answers (and then takes it down again at exit, only then), exports SLURM_CONF.
# Not root and no cluster: exit 77 (skip).
#
# Provides:
#   ok MSG / not_ok MSG / check MSG CMD...   count results; finish prints "N passed, M failed"
#   bail MSG                     not_ok MSG, then finish (for a failure nothing else can follow)
#   on_exit CMD                  run CMD (eval'd) at exit, before the cluster goes down
#   write_conf NAME [key=value...]  $WORK/NAME.conf, run_dir $WORK/NAME-run (absolute); keys:
#                                iterations budget_s cv_percent timeout_s retry_max
#                                cpu_time_limit_min gpu_time_limit_min group_size prompts
#                                shapes (a libconfig list body, e.g. '"64x64x64"')
#                                done_grace_s task_stale_s status_interval_s interleave
#                                rounds keep_checkpoints overlap
#   run_dir_of CONF              the run_dir of CONF
#   start_run CONF LOG           `perfrl run -c CONF` in the background; sets RUN_PID
#   wait_exit PID SECONDS        wait for PID (our child); status in WAIT_RC (124: still alive)
#   acct_field CONF ITER FIELD   one acct field of one iteration ("" when not recorded)
#   wait_iter CONF ITER STATES SECONDS   until iteration ITER's State is one of STATES
#                                (a |-separated list); echo the job id; status 1 on timeout
#   count_records DIR            result records on disk in DIR/results (distinct samples)
#   wait_records DIR N SECONDS   until count_records DIR >= N; status 1 on timeout
#   check_run CONF NITER         iterations 1..NITER COMPLETED, each checked by check_iter
#   check_iter CONF ITER [all]   the record of ITER agrees with the files of RUN/iter-NNNN:
#                                no sample measured twice, no stray sample, Samples/OKCount/
#                                shares/BestGFLOPS as computed from the shard files (first
#                                record per sample wins); with "all", every completion measured
#   check_sqd CONF NITER         prompts, compliance verdicts and the archive of 1..NITER agree
#   elapsed T0                   seconds since T0 (date +%s.%N), one decimal
#   our_jobs                     ids of the live Slurm jobs of this test's run directories
#   node_of_component JOB OFF    the nodes (hostlist) of component OFF of het job JOB
#   restore_node NODE            resume NODE if it is down/drained; restart its slurmd if dead

set -eu
. "$(cd "$(dirname "$0")/../lib" && pwd)/common.sh"

# An out-of-tree build (scripts/setup: _build/) when no perfrl was named.
if [ ! -x "$PERFRL" ] && [ -x "$top_srcdir/_build/src/perfrl" ]; then
	PERFRL=$top_srcdir/_build/src/perfrl
	export PERFRL
fi
chmod 755 "$WORK" # the jobs' steps write into it

LC=$top_srcdir/jobs/local-cluster
RC_PASS=0
RC_FAIL=0
RC_STARTED=0
RC_EXIT_HOOKS=()
RC_PIDS=()

ok() { RC_PASS=$((RC_PASS + 1)); echo "ok   - $*"; }
not_ok() { RC_FAIL=$((RC_FAIL + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
finish() {
	echo "$RC_PASS passed, $RC_FAIL failed"
	[ "$RC_FAIL" -eq 0 ] && exit 0
	exit 1
}
bail() {
	not_ok "$*"
	finish
}
on_exit() { RC_EXIT_HOOKS+=("$1"); }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# The live jobs of this test's runs: their comment is "perfrl run=RUN_DIR iter=N".
our_jobs() {
	squeue -h -o '%i %k' 2>/dev/null | awk -v w="run=$WORK/" 'index($0, w) { print $1 }' |
		sed 's/+.*//' | sort -u
}

_rc_cleanup() {
	local rc=$? h p
	set +e
	for p in "${RC_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	for h in "${RC_EXIT_HOOKS[@]}"; do
		eval "$h"
	done
	if [ -n "${SLURM_CONF:-}" ]; then
		for p in $(our_jobs); do
			scancel "$p" 2>/dev/null
		done
	fi
	if [ "$RC_STARTED" = 1 ] && [ "${PERFRL_TEST_KEEP_CLUSTER:-0}" != 1 ]; then
		"$LC" down >/dev/null 2>&1 || echo "warning: '$LC down' failed" >&2
	fi
	if [ "${PERFRL_TEST_KEEP:-0}" = 1 ]; then
		echo "# kept $WORK" >&2
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap _rc_cleanup EXIT

require_perfrl

# ---- one cluster test at a time (they kill nodes and time kernels)
RC_LOCK=${PERFRL_CLUSTER_TEST_LOCK:-/var/tmp/perfrl-cluster-tests.lock}
if command -v flock >/dev/null 2>&1; then
	# fd 8: close it (8>&-) for anything that may outlive this script
	if { exec 8>>"$RC_LOCK"; } 2>/dev/null; then
		if ! flock -n 8; then
			echo "# waiting for the cluster-test lock $RC_LOCK"
			flock -w "${PERFRL_CLUSTER_TEST_LOCK_WAIT:-900}" 8 || fail "cannot take $RC_LOCK"
		fi
	else
		echo "# cannot open $RC_LOCK: running without the cluster-test lock"
	fi
fi

# ---- the cluster
if "$LC" status >/dev/null 2>&1; then
	echo "# reusing the running cluster"
elif [ "$(id -u)" -ne 0 ]; then
	echo "# SKIP: no local cluster is up and starting one needs root ($LC up)"
	exit 77
elif "$LC" up >"$WORK/up.log" 2>&1 8>&-; then # daemons must not hold our lock
	RC_STARTED=1
	echo "# started the local cluster (it goes down again at the end)"
else
	sed 's/^/#   /' "$WORK/up.log"
	bail "jobs/local-cluster up"
fi
eval "$("$LC" env)"
export SLURM_CONF

# ---- configurations and runs

write_conf() { # write_conf NAME [key=value...]
	local name=$1 kv k v
	shift
	local iterations=1 budget_s=0.2 cv_percent=5 timeout_s=5 retry_max=2 \
		cpu_time_limit_min=5 gpu_time_limit_min=5 group_size=4 prompts=2 \
		shapes='"64x64x64"' done_grace_s= task_stale_s= status_interval_s= interleave=true extra= \
		rounds=1 keep_checkpoints=3 overlap=false
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		iterations | budget_s | cv_percent | timeout_s | retry_max | cpu_time_limit_min | \
			gpu_time_limit_min | group_size | prompts | shapes | done_grace_s | task_stale_s | \
			status_interval_s | interleave | rounds | keep_checkpoints | overlap) eval "$k=\$v" ;;
		*) fail "write_conf: unknown key $k" ;;
		esac
	done
	# The fault-handling keys only when asked for (the defaults otherwise).
	for k in done_grace_s task_stale_s status_interval_s; do
		eval "v=\$$k"
		[ -z "$v" ] || extra="$extra
  $k = $v;"
	done
	cat >"$WORK/$name.conf" <<EOF
# written by $(basename "$0")
run_dir = "$WORK/$name-run";
iterations = $iterations;
seed = 1;
slurm = {
  job_name_prefix = "perfrl-test";
  gpu = { partition = "gpu"; gres = "gpu:1"; cpus_per_task = 1; time_limit_min = $gpu_time_limit_min; };
  cpu = { partition = "cpu"; tasks = 2; cpus_per_task = 1; time_limit_min = $cpu_time_limit_min;
          exclusive = false; };
  retry_max = $retry_max;
  poll_interval_s = 1;$extra
};
gpu_step = { command = "builtin"; group_size = $group_size; prompts_per_iteration = $prompts; rounds = $rounds;
             keep_checkpoints = $keep_checkpoints; overlap = $overlap; };
bench = { shapes = [$shapes]; budget_s = $budget_s; timeout_s = $timeout_s; cv_percent = $cv_percent;
          interleave = $interleave; };
EOF
	echo "$WORK/$name.conf"
}

run_dir_of() { sed -n 's/^run_dir *= *"\(.*\)";.*/\1/p' "$1"; }

start_run() { # start_run CONF LOG: sets RUN_PID
	"$PERFRL" run -c "$1" >"$2" 2>&1 8>&- &
	RUN_PID=$!
	RC_PIDS+=("$RUN_PID")
}

wait_exit() { # wait_exit PID SECONDS: WAIT_RC gets its status (124: still running)
	local deadline=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.2
	done
	if kill -0 "$1" 2>/dev/null; then
		WAIT_RC=124
		return 0
	fi
	WAIT_RC=0
	wait "$1" || WAIT_RC=$?
}

acct_field() { # acct_field CONF ITER FIELD
	"$PERFRL" acct -c "$1" -P -n --format="Iter,$3" --iterations "$2" 2>/dev/null |
		awk -F'|' -v i="$2" '$1 == i { print $2 }'
}

wait_iter() { # wait_iter CONF ITER STATES SECONDS: echo the job id
	local deadline=$((SECONDS + $4)) line
	while [ "$SECONDS" -lt "$deadline" ]; do
		line=$("$PERFRL" acct -c "$1" -P -n --format=Iter,State,JobID --iterations "$2" 2>/dev/null |
			awk -F'|' -v i="$2" '$1 == i')
		if [ -n "$line" ] && printf '%s\n' "$line" | awk -F'|' -v s="|$3|" 'index(s, "|" $2 "|") { f = 1 } END { exit !f }'; then
			printf '%s\n' "${line##*|}"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# The results of one iteration directory, as the orchestrator reads them: results/*.jsonl* but
# *.tmp.*, in glob (C) order, first record per sample wins. A shard's journal (OUT.partial) and
# its finished file (OUT) are one shard. Prints one line of space-separated key=value pairs.
iter_summary() {
	python3 - "$1" <<'EOF'
import glob, json, os, sys
d = sys.argv[1]
def records(path):
    out = []
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError:
        return out
    with f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue  # a torn journal line: the orchestrator skips it too
            if isinstance(r, dict) and "sample_id" in r:
                out.append(r)
    return out
key = lambda v: json.dumps(v, separators=(",", ":"))
compl, order = {}, []
for r in records(os.path.join(d, "completions.jsonl")):
    k = key(r["sample_id"])
    if k not in compl:
        compl[k] = r
        order.append(k)
files = sorted(p for p in glob.glob(os.path.join(d, "results", "*.jsonl*")) if ".tmp." not in p)
first, shards_of = {}, {}
for p in files:
    shard = p[:-len(".partial")] if p.endswith(".partial") else p
    for r in records(p):
        k = key(r["sample_id"])
        first.setdefault(k, r)
        shards_of.setdefault(k, set()).add(os.path.basename(shard))
twice = sorted(k for k, s in shards_of.items() if len(s) > 1)
stray = sorted(k for k in first if k not in compl)
res = [first[k] for k in order if k in first]
st = lambda s: sum(1 for r in res if r.get("status") == s)
ok = [r["gflops"] for r in res if r.get("status") == "ok" and isinstance(r.get("gflops"), (int, float)) and r["gflops"] >= 0]
share = lambda n: ("%.1f%%" % (100.0 * n / len(res))) if res else ""
print(" ".join("%s=%s" % kv for kv in [
    ("completions", len(compl)), ("measured", len(res)), ("unmeasured", len(compl) - len(res)),
    ("ok", st("ok")), ("rejected", share(st("rejected"))), ("compile", share(st("compile_error"))),
    ("timeout", share(st("timeout"))), ("runtime", share(st("runtime_error"))),
    ("wrong", share(st("wrong_answer"))), ("best", "%.2f" % max(ok) if ok else ""),
    ("twice", len(twice)), ("stray", len(stray)), ("files", len(files)),
    ("twice_ids", ",".join(twice[:3]) or "-")]))
EOF
}

count_records() { # distinct samples with a record on disk
	iter_summary "$1" 2>/dev/null | tr ' ' '\n' | sed -n 's/^measured=//p'
}

wait_records() { # wait_records DIR N SECONDS
	local deadline=$((SECONDS + $3)) n
	while [ "$SECONDS" -lt "$deadline" ]; do
		n=$(count_records "$1")
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

_kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

trl_reward_mean_agrees() { # trl_reward_mean_agrees ITER_DIR [N]: the trl driver's reward mean
	# (checkpoint/stats.json) is the mean of the shards' first reward per sample, and TRL's own
	# logged reward agrees; with N, exactly N samples have a reward
	python3 - "$1" "${2:-0}" <<'PY'
import glob, json, sys
d, n = sys.argv[1], int(sys.argv[2])
s = json.load(open(d + "/checkpoint/stats.json"))
first = {}
for p in sorted(glob.glob(d + "/results/*.jsonl*")):
    for l in open(p):
        r = json.loads(l)
        first.setdefault(r["sample_id"], r["reward"])
m = sum(first.values()) / len(first)
sys.exit(not ((n == 0 or len(first) == n) and abs(s["reward_mean"] - m) < 1e-6
              and abs(s["reward"] - m) < 1e-3 * max(1, abs(m))))
PY
}

check_iter() { # check_iter CONF ITER [all]
	local conf=$1 it=$2 all=${3:-} dir line sum
	dir=$(run_dir_of "$conf")/iter-$(printf '%04d' "$it")
	line=$("$PERFRL" acct -c "$conf" -P -n --iterations "$it" \
		--format=Iter,State,Samples,OKCount,Rejected,CompileErr,Timeout,RuntimeErr,WrongAns,BestGFLOPS,Retries,JobID 2>&1 |
		awk -F'|' -v i="$it" '$1 == i')
	if [ -z "$line" ]; then
		not_ok "iteration $it: no record in perfrl acct"
		return 0
	fi
	if [ ! -s "$dir/completions.jsonl" ]; then
		not_ok "iteration $it: no $dir/completions.jsonl"
		return 0
	fi
	sum=$(iter_summary "$dir")
	echo "#   iteration $it: acct $line"
	echo "#   iteration $it: files $sum"
	local IFS='|'
	# shellcheck disable=SC2086
	set -- $line
	unset IFS
	check "iteration $it: no sample measured twice ($(_kv "$sum" twice): $(_kv "$sum" twice_ids))" \
		test "$(_kv "$sum" twice)" = 0
	check "iteration $it: no result for a sample not in completions.jsonl" test "$(_kv "$sum" stray)" = 0
	if [ "$all" = all ]; then
		check "iteration $it: every completion measured ($(_kv "$sum" measured) of $(_kv "$sum" completions))" \
			test "$(_kv "$sum" unmeasured)" = 0
		check "iteration $it: Samples ($3) = completions ($(_kv "$sum" completions))" \
			test "$3" = "$(_kv "$sum" completions)"
	fi
	check "iteration $it: Samples ($3) = samples measured on disk ($(_kv "$sum" measured))" \
		test "$3" = "$(_kv "$sum" measured)"
	check "iteration $it: OKCount ($4) = ok records on disk ($(_kv "$sum" ok))" test "$4" = "$(_kv "$sum" ok)"
	check "iteration $it: Rejected/CompileErr/Timeout/RuntimeErr/WrongAns shares match the records" \
		test "$5 $6 $7 $8 $9" = "$(_kv "$sum" rejected) $(_kv "$sum" compile) $(_kv "$sum" timeout) $(_kv "$sum" runtime) $(_kv "$sum" wrong)"
	check "iteration $it: BestGFLOPS (${10}) = best ok record ($(_kv "$sum" best))" test "${10}" = "$(_kv "$sum" best)"
}

check_run() { # check_run CONF NITER
	local conf=$1 n=$2 it st
	for it in $(seq 1 "$n"); do
		st=$(acct_field "$conf" "$it" State)
		check "iteration $it: COMPLETED (State: ${st:-none})" test "$st" = COMPLETED
		check_iter "$conf" "$it" all
	done
}

check_sqd() { # check_sqd CONF NITER: the SQD files of iterations 1..NITER agree with the shards
	# Every prompt names its permitted techniques (described in its text) and its stage; every ok
	# kernel uses only permitted ones and all required ones; a kernel that breaks the rule is
	# rejected; each archive cell holds the fastest ok kernel of its (shape, descriptor
	# techniques) over all the iterations; sqd.json says NITER were applied.
	local out=$WORK/check_sqd.$$
	if python3 - "$(run_dir_of "$1")" "$2" >"$out" 2>&1 <<'PY'
import glob, json, sys
run, niter = sys.argv[1], int(sys.argv[2])
state = json.load(open(run + "/state/sqd.json"))
desc = set(state["descriptor"])
arch = {(c["shape"], c["techs"]): c for c in json.load(open(run + "/state/archive.json"))["cells"]}
best, bad = {}, []
order = ["openmp", "simd", "cache_blocking", "register_blocking", "packing", "unrolling", "prefetch", "loop_reorder"]
for it in range(1, niter + 1):
    d = "%s/iter-%04d" % (run, it)
    prompts = {p["problem_id"]: p for p in map(json.loads, open(d + "/prompts.jsonl"))}
    plan = json.load(open(d + "/plan.json"))
    for p in prompts.values():
        if not p["permitted"] or p["stage"] != plan["stage"] or p["stage"] < 1:
            bad.append("iter %d %s: permitted/stage" % (it, p["problem_id"]))
        if any(("- %s:" % t) not in p["prompt"] for t in p["permitted"]):
            bad.append("iter %d %s: a permitted technique not described" % (it, p["problem_id"]))
    for f in glob.glob(d + "/results/*.jsonl"):
        for r in map(json.loads, open(f)):
            p = prompts[r["problem_id"]]
            used = set(r["techniques"])
            complies = used <= set(p["permitted"]) and set(p["required"]) <= used
            if r["status"] == "ok" and not complies:
                bad.append("iter %d %s: ok but not compliant" % (it, r["sample_id"]))
            if not complies and r["status"] != "rejected":
                bad.append("iter %d %s: not compliant, status %s" % (it, r["sample_id"], r["status"]))
            if r["status"] == "ok":
                key = (p["shape"], "+".join(t for t in order if t in used & desc) or "none")
                best[key] = max(best.get(key, 0), r["gflops"])
if set(best) != set(arch):
    bad.append("archive cells %s, expected %s" % (sorted(arch), sorted(best)))
for k, g in best.items():
    if k in arch and abs(arch[k]["gflops"] - g) > 1e-9:
        bad.append("cell %s: %g, expected %g" % (k, arch[k]["gflops"], g))
if state["last_iter"] != niter:
    bad.append("sqd.json last_iter %s" % state["last_iter"])
print("\n".join(bad) or "%d cells: %s" % (len(arch), sorted(arch)))
sys.exit(1 if bad else 0)
PY
	then
		ok "SQD of iterations 1..$2: prompts, compliance and archive agree with the shards ($(tail -1 "$out" | cut -c1-120))"
	else
		sed 's/^/#   /' "$out"
		not_ok "SQD of iterations 1..$2: prompts, compliance and archive agree with the shards"
	fi
}

node_of_component() { # node_of_component JOB OFFSET
	scontrol show job "$1" 2>/dev/null | awk -v off="$2" '
		/^JobId=/ { cur = -1 }
		{ for (i = 1; i <= NF; i++) {
			if ($i ~ /^HetJobOffset=/) { split($i, a, "="); cur = a[2] }
			if ($i ~ /^NodeList=/ && cur == off) { split($i, a, "="); print a[2]; exit }
		} }'
}

node_state() { sinfo -h -n "$1" -o '%T' 2>/dev/null | head -1; }

wait_idle() { # wait_idle NODE SECONDS: until the node is idle, or the time is up
	local deadline=$((SECONDS + $2))
	until [ "$(node_state "$1")" = idle ] || [ "$SECONDS" -ge "$deadline" ]; do
		sleep 0.5
	done
}

restore_node() { # restore_node NODE: leave it idle (or allocated), not down
	local n=$1 st
	st=$(sinfo -h -n "$n" -o '%T' 2>/dev/null | head -1)
	case $st in
	*down* | *drain* | *fail*)
		scontrol update nodename="$n" state=resume >/dev/null 2>&1 || true
		;;
	esac
	if ! "$LC" status >/dev/null 2>&1; then
		"$LC" restart-node "$n" >/dev/null 2>&1 8>&- || true
	fi
}
