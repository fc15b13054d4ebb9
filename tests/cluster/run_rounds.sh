#!/bin/bash
# run_rounds.sh - gpu_step.rounds on the local Slurm cluster: 2 iterations of 3 rounds are 2
# heterogeneous jobs and 6 GRPO updates, each round's samples measured exactly once and recorded
# per round (perfrl acct's N.R rows); the policy goes from round to round and from job to job;
# gpu_step.keep_checkpoints keeps the newest and the best; an orchestrator SIGKILLed mid-job
# resumes and records every round; a GPU step run again redoes only the round without a
# checkpoint; a GPU step killed after round 1 is followed by a heterogeneous job for rounds 2
# and 3; with overlap, round r+1 is drawn before round r's update.
# Exit: 0 all passed, 1 a failure, 77 (skip) when no cluster is up and we are not root.
set -eu
. "$(cd "$(dirname "$0")/../lib" && pwd)/run_common.sh"

# The checks of one iteration of rounds: every round's completions measured exactly once (first
# record per sample wins, across shards, journals and follow-ups), acct's round rows agreeing.
check_rounds() { # check_rounds CONF ITER ROUNDS
	local conf=$1 it=$2 nr=$3 dir k files acct
	dir=$(run_dir_of "$conf")/iter-$(printf '%04d' "$it")
	acct=$("$PERFRL" acct -c "$conf" -P -n --iterations "$it" --format=Iter,Samples,OKCount,Rounds)
	echo "# iteration $it: acct: $(echo "$acct" | tr '\n' ' ')"
	check "iteration $it: one acct row and $nr round rows" \
		test "$(echo "$acct" | wc -l)" = $((nr + 1))
	for k in $(seq 1 "$nr"); do
		files=$(py '
import glob, json, sys
d = sys.argv[1]
try:
    ids = [json.loads(l)["sample_id"] for l in open(d + "/completions.jsonl") if l.strip()]
except OSError:
    ids = []
seen, twice, ok = {}, 0, 0
for p in sorted(glob.glob(d + "/results/*.jsonl*")):
    for l in open(p):
        try: r = json.loads(l)
        except ValueError: continue
        s = r.get("sample_id")
        if s in seen:
            twice += p.endswith(".partial") is False and seen[s] != p
            continue
        seen[s] = p
        ok += r.get("status") == "ok"
print(len(ids), len(set(ids) & set(seen)), len(set(seen) - set(ids)), twice, ok)
' "$dir/round-$(printf '%02d' "$k")")
		set -- $files
		check "iteration $it round $k: all $1 completions measured ($2), none stray ($3), none twice ($4)" \
			test "$1 $3 $4" = "$2 0 0"
		check "iteration $it round $k: acct's row $it.$k says $2 samples, $5 ok" \
			sh -c "echo '$acct' | grep -qx '$it\\.$k|$2|$5|'"
	done
}

# ---- 2 iterations x 3 rounds: 2 jobs, 6 updates, the newest 2 checkpoints and the best kept
conf=$(write_conf rounds iterations=2 rounds=3 keep_checkpoints=2)
run=$(run_dir_of "$conf")
t0=$(date +%s.%N)
start_run "$conf" "$WORK/rounds.log"
wait_exit "$RUN_PID" 240
echo "# perfrl run: 2 iterations x 3 rounds in $(elapsed "$t0") s (exit $WAIT_RC)"
sed 's/^/#   /' "$WORK/rounds.log"
check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
check "log: iteration 2 COMPLETED with 3 of 3 rounds updated" \
	grep -q '^iteration 2: COMPLETED, 3 of 3 rounds updated' "$WORK/rounds.log"
check "two iterations, two heterogeneous jobs" \
	test "$("$PERFRL" acct -c "$conf" -X -P -n --format=JobID | sort -u | wc -l)" = 2
check "acct -X: Rounds 3/3 for both iterations, 24 samples each" \
	test "$("$PERFRL" acct -c "$conf" -X -P -n --format=Iter,State,Samples,Rounds | tr '\n' ' ')" = \
	"1|COMPLETED|24|3/3 2|COMPLETED|24|3/3 "
check_rounds "$conf" 1 3
check_rounds "$conf" 2 3
# The policy is one chain of 6 steps: round 3 of iteration 2 is step 6, from round 2's checkpoint.
check "iteration 2 round 3: step 6, from round 2's checkpoint" py '
import json, sys
j = json.load(open(sys.argv[1] + "/iter-0002/round-03/checkpoint/policy.json"))
sys.exit(not (j["step"] == 6 and j["stats"]["from"] == sys.argv[1] + "/iter-0002/round-02/checkpoint/policy.json"))
' "$run"
check "iteration 2 round 1 started from iteration 1 round 3's checkpoint (its GPU step says so)" \
	grep -q "kernels from $run/iter-0001/round-03/checkpoint/policy.json (step 3)" "$run"/iter-0002/slurm-*.out
# keep_checkpoints = 2: the newest two, plus the round with the best mean training reward.
kept=$(cd "$run" && ls -d iter-*/round-*/checkpoint 2>/dev/null | tr '\n' ' ')
best=$("$PERFRL" acct -c "$conf" -P -n --format=Iter,Ckpt | awk -F'|' '$2 == "best" { print $1 }')
echo "# checkpoints kept: $kept(best: ${best:-none})"
check "keep_checkpoints 2: iteration 2's rounds 2 and 3 kept" \
	test -f "$run/iter-0002/round-02/checkpoint/policy.json" -a -f "$run/iter-0002/round-03/checkpoint/policy.json"
check "keep_checkpoints 2: 2 or 3 checkpoints left (the best may be an older one), of 6" \
	sh -c "n=\$(echo '$kept' | wc -w); [ \$n -ge 2 ] && [ \$n -le 3 ]"
check "acct Ckpt: the others say pruned, the best is marked" sh -c \
	"[ \$('$PERFRL' acct -c '$conf' -P -n --format=Ckpt | grep -c pruned) = \$((6 - $(echo "$kept" | wc -w))) ] && [ -n '$best' ]"

# ---- a GPU step run again (a requeued job) redoes only the round without a checkpoint, although
# round 1's was pruned
sum3=$(sha256sum <"$run/iter-0002/round-03/completions.jsonl")
mv "$run/iter-0002/round-03/checkpoint" "$WORK/r3-checkpoint"
touch -d '2000-01-01' "$run/iter-0002/round-02/checkpoint/policy.json"
"$PERFRL" gpu-step --builtin --rounds 3 --group-size 4 --wait 5 --iter-dir "$run/iter-0002" \
	>"$WORK/again.log" 2>&1 || true
sed 's/^/#   /' "$WORK/again.log"
check "the step again: rounds 1..2 are kept, round 3 redone from round 2's checkpoint" \
	grep -q 'rounds 1..2 have their checkpoints (a requeued job): from round 3' "$WORK/again.log"
check "the step again: round 2's checkpoint untouched, round 3's rewritten with step 6" py '
import json, os, sys
run = sys.argv[1]
sys.exit(not (os.stat(run + "/iter-0002/round-02/checkpoint/policy.json").st_mtime < 1e9
              and json.load(open(run + "/iter-0002/round-03/checkpoint/policy.json"))["step"] == 6))
' "$run"
check "the step again: it reused round 3's completions (the same file)" \
	test "$(sha256sum <"$run/iter-0002/round-03/completions.jsonl")" = "$sum3"

# ---- the orchestrator SIGKILLed mid-job, started again: it reattaches and records every round
conf=$(write_conf killed iterations=1 rounds=3 budget_s=0.6 keep_checkpoints=0)
run=$(run_dir_of "$conf")
start_run "$conf" "$WORK/killed.log"
pid=$RUN_PID
wait_records "$run/iter-0001/round-01" 1 120 || true
kill -KILL "$pid" 2>/dev/null || true
wait_exit "$pid" 10
job=$("$PERFRL" acct -c "$conf" -P -n -X --format=JobID)
rounds_then=$(ls -d "$run"/iter-0001/round-*/checkpoint 2>/dev/null | wc -l)
echo "# orchestrator killed with $rounds_then of 3 rounds' checkpoints written (job $job)"
start_run "$conf" "$WORK/killed2.log"
wait_exit "$RUN_PID" 240
sed 's/^/#   /' "$WORK/killed2.log"
check "restarted: exit 0 (got $WAIT_RC), reattached to job $job" sh -c \
	"[ $WAIT_RC = 0 ] && grep -q 'resuming iteration 1 (job $job)' '$WORK/killed2.log'"
check "restarted: iteration 1 COMPLETED, 3/3 rounds, still one job" \
	test "$("$PERFRL" acct -c "$conf" -X -P -n --format=State,Rounds,JobID)" = "COMPLETED|3/3|$job"
check_rounds "$conf" 1 3

# ---- the GPU step dies after round 1: a heterogeneous follow-up runs rounds 2 and 3 only
conf=$(write_conf crash iterations=1 rounds=3 budget_s=0.6 keep_checkpoints=0)
run=$(run_dir_of "$conf")
start_run "$conf" "$WORK/crash.log"
for _ in $(seq 600); do
	[ -f "$run/iter-0001/round-01/checkpoint/policy.json" ] && break
	sleep 0.2
done
touch -d '2000-01-01' "$run/iter-0001/round-01/checkpoint/policy.json" 2>/dev/null || true
pkill -KILL -f "gpu-step --builtin .*--iter-dir $run/iter-0001\$" || true
wait_exit "$RUN_PID" 240
sed 's/^/#   /' "$WORK/crash.log"
check "GPU step killed: exit 0 (got $WAIT_RC), COMPLETED with 3/3 rounds, Retries 1" sh -c \
	"[ $WAIT_RC = 0 ] && [ \"\$('$PERFRL' acct -c '$conf' -X -P -n --format=State,Rounds,Retries)\" = 'COMPLETED|3/3|1' ]"
check "GPU step killed: the follow-up was a heterogeneous job for the unfinished rounds" \
	grep -q 'rounds unfinished after job .*; follow-up 1 runs them as a heterogeneous job' "$WORK/crash.log"
check "GPU step killed: the follow-up started after round 1 (its checkpoint untouched), steps 2 and 3 followed" py '
import json, os, sys
d = sys.argv[1] + "/iter-0001"
step = lambda k: json.load(open(d + "/round-%02d/checkpoint/policy.json" % k))["step"]
sys.exit(not (os.stat(d + "/round-01/checkpoint/policy.json").st_mtime < 1e9 and step(2) == 2 and step(3) == 3))
' "$run"
check_rounds "$conf" 1 3

# ---- overlap: round r+1 is drawn before round r's update, and measured meanwhile
conf=$(write_conf overlap iterations=1 rounds=3 overlap=true keep_checkpoints=0)
run=$(run_dir_of "$conf")
start_run "$conf" "$WORK/overlap.log"
wait_exit "$RUN_PID" 240
check "overlap: exit 0 (got $WAIT_RC), COMPLETED with 3/3 rounds" sh -c \
	"[ $WAIT_RC = 0 ] && [ \"\$('$PERFRL' acct -c '$conf' -X -P -n --format=State,Rounds)\" = 'COMPLETED|3/3' ]"
check_rounds "$conf" 1 3
sed 's/^/#   /' "$run"/iter-0001/slurm-*.out | grep 'kernels from' || true
check "overlap: rounds 1 and 2 drawn from the initial policy, round 3 from round 1's checkpoint (one step off)" sh -c \
	"grep -q 'round 2: 8 kernels from the initial policy (step 0)' '$run'/iter-0001/slurm-*.out &&
	 grep -q 'round 3: 8 kernels from $run/iter-0001/round-01/checkpoint/policy.json (step 1)' '$run'/iter-0001/slurm-*.out"
check "overlap: round 2's kernels were on disk before round 1's update" \
	test "$run/iter-0001/round-02/completions.jsonl" -ot "$run/iter-0001/round-01/checkpoint/policy.json"
finish
