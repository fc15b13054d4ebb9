#!/bin/bash
# trl_plumbing.sh - the "trl" GPU step end to end on the local Slurm cluster, with a tiny model:
# scripts/setup-trl builds the venv (TRL, transformers, torch CPU), tests/lib/make_tiny_model.py a tiny
# Qwen2 with its own tokenizer (no download), and `perfrl run` runs two iterations whose GPU step is
# jobs/trl_driver.py (TRL's GRPOTrainer). Checks: both iterations COMPLETED and agree with their
# shards; P x G completions each; every reward arrived at the driver and matches the shards; a
# checkpoint per iteration, the second started from the first; the timeline has the driver's events;
# a rerun of a finished step does nothing; a requeued step reuses its completions, and its update
# moves the weights when the rewards in a group differ.
# It proves the plumbing, not learning: a random 200k-parameter model writes no dgemm, so within
# `perfrl run` every kernel is rejected alike (the weight check uses rewritten rewards).
# Exit: 0 all passed, 1 a failure, 77 (skip) only when the venv cannot be installed for want of a
# package index and none exists, or when no cluster is up and we are not root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# by hand, from the source tree: the out-of-tree build of scripts/setup
[ -x "$top_builddir/src/perfrl" ] || [ ! -x "$top_srcdir/_build/src/perfrl" ] || top_builddir=$top_srcdir/_build

# ---- the venv and the tiny model, before the cluster-test lock (they take minutes the first time)
. "$here/../lib/trl_venv.sh"

. "$here/../lib/run_common.sh"

# ---- the run: 2 iterations, 1 prompt x G=2, the GPU step is jobs/trl_driver.py
conf=$WORK/trl.conf
run=$WORK/trl-run
cat >"$conf" <<EOF
# written by $(basename "$0")
run_dir = "$run";
iterations = 2;
seed = 1;
slurm = {
  job_name_prefix = "perfrl-test";
  gpu = { partition = "gpu"; gres = "gpu:1"; cpus_per_task = 1; time_limit_min = 10; };
  cpu = { partition = "cpu"; tasks = 2; cpus_per_task = 1; time_limit_min = 10; exclusive = false; };
  retry_max = 1;
  poll_interval_s = 1;
};
gpu_step = { command = "trl"; python = "$py"; model_path = "$tiny"; group_size = 2;
             prompts_per_iteration = 1; learning_rate = 0.001; };
bench = { shapes = ["64x64x64"]; budget_s = 0.2; timeout_s = 5.0; cv_percent = 5.0; };
EOF
# Driver flags perfrl.conf has no key for: PERFRL_* reaches the job's environment.
export PERFRL_TRL_ARGS="--max-completion-length 384 --temperature 0.7"
t0=$(date +%s.%N)
start_run "$conf" "$WORK/run.log"
wait_exit "$RUN_PID" 600
t_run=$(elapsed "$t0")
echo "# perfrl run: 2 iterations in $t_run s (exit $WAIT_RC)"
sed 's/^/#   /' "$WORK/run.log"
check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
for i in 1 2; do
	d=$run/iter-000$i
	if ! grep -q 'trl-driver: step' "$d"/slurm-*.out 2>/dev/null; then
		echo "# iteration $i: the job's output:"
		tail -40 "$d"/slurm-*.out 2>/dev/null | grep -v '^WARNING: Location' | sed 's/^/#   /' || true
	fi
done
check_run "$conf" 2

# ---- what the driver wrote, per iteration
stat_of() { # stat_of ITER KEY: a field of the iteration's checkpoint/stats.json ("" when absent)
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' \
		"$run/iter-000$1/checkpoint/stats.json" "$2" 2>/dev/null || true
}
for i in 1 2; do
	d=$run/iter-000$i
	check "iteration $i: completions.jsonl has prompts x G = 2 lines, ids PROBLEM/g with group_index g" \
		python3 - "$d" <<'PY'
import json, sys
d = sys.argv[1]
pids = [json.loads(l)["problem_id"] for l in open(d + "/prompts.jsonl")]
c = [json.loads(l) for l in open(d + "/completions.jsonl")]
want = sorted("%s/%d" % (p, g) for p in pids for g in range(2))
sys.exit(not (len(c) == 2 and sorted(r["sample_id"] for r in c) == want and
              all(r["sample_id"] == "%s/%d" % (r["problem_id"], r["group_index"]) and isinstance(r["completion"], str) for r in c)))
PY
	check "iteration $i: a complete checkpoint (COMPLETE, weights, tokenizer, stats.json)" \
		test -e "$d/checkpoint/COMPLETE" -a -s "$d/checkpoint/model.safetensors" -a -s "$d/checkpoint/tokenizer.json" \
		-a -s "$d/checkpoint/stats.json"
	check "iteration $i: every reward arrived at the driver (arrived $(stat_of $i rewards_arrived), missing $(stat_of $i rewards_missing))" \
		test "$(stat_of $i rewards_arrived) $(stat_of $i rewards_missing)" = "2 0"
	check "iteration $i: the driver's reward mean ($(stat_of $i reward_mean)) is the shards' and TRL's ($(stat_of $i reward))" \
		trl_reward_mean_agrees "$d"
	check "iteration $i: stats.json has loss, kl, generate_s, wait_s, update_s and step $i" \
		python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (all(isinstance(s.get(k), (int, float)) for k in ("loss","kl","generate_s","wait_s","update_s")) and s["step"] == int(sys.argv[2])))' \
		"$d/checkpoint/stats.json" "$i"
	check "iteration $i: timeline.tsv: generated, rewarded, updated, in that order" \
		test "$(cut -f1 "$d/timeline.tsv" | grep -E '^(generated|rewarded|updated)$' | tr '\n' ' ')" = "generated rewarded updated "
	echo "# iteration $i: from $(stat_of $i from); reward mean $(stat_of $i reward_mean), std $(stat_of $i reward_std);" \
		"generate $(stat_of $i generate_s) s, wait $(stat_of $i wait_s) s, update $(stat_of $i update_s) s"
done
check "iteration 1 started from the model ($(stat_of 1 from))" test "$(stat_of 1 from)" = "$tiny"
check "iteration 2 started from iteration 1's checkpoint ($(stat_of 2 from))" test "$(stat_of 2 from)" = "$run/iter-0001/checkpoint"
changed=$("$py" - "$tiny" "$run/iter-0001/checkpoint" <<'PY' 2>/dev/null || echo "?"
import sys
from safetensors.torch import load_file
a, b = (load_file(p + "/model.safetensors") for p in sys.argv[1:])
print(sum(int(not a[k].equal(b[k])) for k in a), "of", len(a))
PY
)
echo "# iteration 1 changed $changed tensors (GRPO moves the weights only when the rewards in a group differ: std $(stat_of 1 reward_std))"

# ---- idempotence: a finished step does nothing; a requeued step reuses its completions
d=$run/iter-0002
before=$(cat "$d/checkpoint/stats.json")
t0=$(date +%s.%N)
rc=0
"$py" "$top_srcdir/jobs/trl_driver.py" --iter-dir "$d" --model "$tiny" --group-size 2 >"$WORK/again.log" 2>&1 || rc=$?
check "the driver on a finished iteration exits 0 at once ($(elapsed "$t0") s), changing nothing" \
	sh -c "test $rc = 0 && grep -q 'nothing to do' '$WORK/again.log' && test '$(cat "$d/checkpoint/stats.json" | md5sum)' = '$(echo "$before" | md5sum)'"
# A requeued step: its completions are on disk and measured; the CPU step's records say the two
# samples differ (rewritten here: the tiny model's kernels are all rejected alike), so the one GRPO
# step has a gradient and must move the weights.
rq=$WORK/requeue-run/iter-0002
mkdir -p "$WORK/requeue-run"
cp -r "$run/iter-0001" "$WORK/requeue-run/iter-0001"
cp -r "$d" "$rq"
rm -rf "$rq/checkpoint"
python3 - "$rq" <<'PY'
import glob, json, sys
for p in glob.glob(sys.argv[1] + "/results/*.jsonl*"):
    recs = [json.loads(l) for l in open(p)]
    for r in recs:
        if r["sample_id"].endswith("/1"):
            r.update(status="compile_error", reward=-40.0)
    open(p, "w").write("".join(json.dumps(r) + "\n" for r in recs))
PY
sum_before=$(md5sum <"$rq/completions.jsonl")
rc=0
"$py" "$top_srcdir/jobs/trl_driver.py" --iter-dir "$rq" --model "$tiny" --group-size 2 --lr 0.001 --wait 30 \
	>"$WORK/requeue.log" 2>&1 || rc=$?
grep '^trl-driver:' "$WORK/requeue.log" | sed 's/^/#   /'
rq_stat() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$rq/checkpoint/stats.json" "$1" 2>/dev/null || true; }
check "a requeued step (no checkpoint yet) exits 0 with a checkpoint (rc $rc)" test "$rc" = 0 -a -e "$rq/checkpoint/COMPLETE"
check "... reusing completions.jsonl ($(rq_stat reused_completions)), unchanged" \
	sh -c "test '$(md5sum <"$rq/completions.jsonl")' = '$sum_before' && test '$(rq_stat reused_completions)' = True"
check "... with the rewards on disk (mean $(rq_stat reward_mean), std $(rq_stat reward_std))" \
	test "$(rq_stat reward_mean)" = -70.0
moved=$("$py" - "$run/iter-0001/checkpoint" "$rq/checkpoint" <<'PY' 2>&1
import sys
from safetensors.torch import load_file
a, b = (load_file(p + "/model.safetensors") for p in sys.argv[1:])
print(sum(int(not a[k].equal(b[k])) for k in a))
PY
)
check "... and its GRPO step moved the weights (grad norm $(rq_stat grad_norm); $moved of 26 tensors changed)" \
	test "${moved:-0}" -gt 0 2>/dev/null

# A step without a signal: every reward of the group equal and no KL term, so every advantage and the
# gradient are 0. AdamW's momentum, carried over from the requeued step's checkpoint (a real update),
# would still move the weights: the driver skips the step and says so.
flat=$WORK/flat-run/iter-0003
cp -r "$WORK/requeue-run" "$WORK/flat-run"
cp -r "$WORK/flat-run/iter-0002" "$flat"
rm -rf "$flat/checkpoint"
python3 - "$flat" <<'PY'
import glob, json, sys
for p in glob.glob(sys.argv[1] + "/results/*.jsonl*"):
    recs = [dict(json.loads(l), status="compile_error", reward=-40.0) for l in open(p)]
    open(p, "w").write("".join(json.dumps(r) + "\n" for r in recs))
PY
rc=0
"$py" "$top_srcdir/jobs/trl_driver.py" --iter-dir "$flat" --model "$tiny" --group-size 2 --lr 0.001 --kl-beta 0 --wait 30 \
	>"$WORK/flat.log" 2>&1 || rc=$?
grep '^trl-driver:' "$WORK/flat.log" | sed 's/^/#   /'
flat_update=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("update"))' "$flat/checkpoint/stats.json" 2>/dev/null || true)
check "a step whose rewards are all equal, without KL, exits 0 with a checkpoint (rc $rc) that says so ($flat_update)" \
	test "$rc $(test -e "$flat/checkpoint/COMPLETE" && echo complete) ${flat_update%%:*}" = "0 complete skipped"
still=$("$py" - "$WORK/flat-run/iter-0002/checkpoint" "$flat/checkpoint" <<'PY' 2>&1
import sys
from safetensors.torch import load_file
a, b = (load_file(p + "/model.safetensors") for p in sys.argv[1:])
print(sum(int(not a[k].equal(b[k])) for k in a))
PY
)
check "... and the weights stayed as they were (AdamW's momentum did not move them: $still tensors changed)" \
	test "$still" = 0

echo "# timings: setup-trl ${t_setup} s, tiny model ${t_tiny} s, perfrl run (2 iterations) ${t_run} s"
finish
