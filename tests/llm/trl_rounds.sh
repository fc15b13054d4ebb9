#!/bin/bash
# trl_rounds.sh - the "trl" GPU step's rounds and the state it carries between jobs, without Slurm:
# jobs/trl_driver.py run directly (the venv's python) on the tiny model with LoRA, on prepared
# completions and rewards (every round's results/shard-0.jsonl is written beforehand, so the driver
# never waits; the last round generates its completions, scored by sample id). Checks:
# - 2 jobs x 2 rounds (iter-0001 rounds 1-2, iter-0002 rounds 1-2) end with the same adapter as
#   1 job x 4 rounds (max abs difference < 1e-5), and generate the same completions in the last
#   round (the RNG states carried over);
# - the same 2 x 2 with the optimizer state withheld (optimizer.pt deleted from iter-0001's last
#   checkpoint, as an older driver left it) differs by more than that: the check can fail;
# - a requeued job (iter-0002 again, round 2's checkpoint deleted) redoes round 2 only, and makes the
#   same update (it reuses the completions and the token ids that were sampled);
# - a round whose CPU step ended before any reward arrived: exit 3, no checkpoint for it;
# - --sample-only takes a round's checkpoint as --adapter.
# Exit: 0 all passed, 1 a failure, 77 (skip) only when the venv cannot be installed for want of a
# package index and none exists.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
[ -x "$top_builddir/src/perfrl" ] || [ ! -x "$top_srcdir/_build/src/perfrl" ] || top_builddir=$top_srcdir/_build
. "$here/../lib/trl_venv.sh"
. "$here/../lib/common.sh"
TOL=1e-5
t_all=$(date +%s)

# prep RUN ITER ROUNDS FIRST [GEN]: ROUNDS round directories of RUN/iter-ITER holding the run's rounds
# FIRST.. (its k-th round of all): prompts, completions (except for round GEN of this iteration, which
# generates) and every sample's record with a reward that differs within each group. The samples of a
# group differ in their first tokens (the driver keeps 8): identical ones would sum to a zero gradient.
prep() {
	python3 - "$@" <<'PY'
import json, os, sys
run, it, rounds, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
gen = int(sys.argv[5]) if len(sys.argv) > 5 else 0
pids, G = ["p1", "p2"], 2
for j in range(1, rounds + 1):
    k, rd = first + j - 1, os.path.join(run, "iter-%04d" % it, "round-%02d" % j)
    os.makedirs(os.path.join(rd, "results"), exist_ok=True)
    open(os.path.join(rd, "prompts.jsonl"), "w").write("".join(json.dumps(
        {"problem_id": q, "prompt": "Write dgemm, variant %s." % q}) + "\n" for q in pids))
    if j != gen:
        open(os.path.join(rd, "completions.jsonl"), "w").write("".join(json.dumps(
            {"sample_id": "%s/%d" % (q, g), "problem_id": q, "group_index": g,
             "completion": "%s\n// round %d, sample %d of %s\nvoid dgemm(int n) { }" % (["#include <immintrin.h>", "static int x;", "double *a;", "int k = 4;"][(k + g + len(q)) % 4], k, g, q)})
            + "\n" for q in pids for g in range(G)))
    open(os.path.join(rd, "results", "shard-0.jsonl"), "w").write("".join(json.dumps(
        {"sample_id": "%s/%d" % (q, g), "status": "ok", "gflops": 1.0 + g, "reward": float((7 * k + 3 * g + 5 * i) % 11 - 5)})
        + "\n" for i, q in enumerate(pids) for g in range(G)))
PY
}
# drive LOG ITER_DIR ROUNDS [FLAGS...]: the driver, its status in $rc, its time in $t
drive() {
	local log=$1 dir=$2 rounds=$3 t0
	shift 3
	t0=$(date +%s.%N)
	rc=0
	"$py" "$top_srcdir/jobs/trl_driver.py" --iter-dir "$dir" --model "$tiny" --group-size 2 --rounds "$rounds" \
		--lora --lr 0.01 --max-completion-length 8 --temperature 1.0 --wait 20 --threads 1 "$@" >"$log" 2>&1 || rc=$?
	t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	grep '^trl-driver:' "$log" | sed 's/^/#   /'
	[ "$rc" = 0 ] || [ "${EXPECT_RC:-0}" != 0 ] || tail -30 "$log" | sed 's/^/#   | /'
}
maxdiff() { # maxdiff CKPT CKPT: the largest absolute difference between the two adapters
	"$py" - "$1" "$2" <<'PY' 2>&1
import sys
from safetensors.torch import load_file
a, b = (load_file(p + "/adapter_model.safetensors") for p in sys.argv[1:])
assert a.keys() == b.keys() and a, "different adapters"
print("%.3g" % max(float((a[k].float() - b[k].float()).abs().max()) for k in a))
PY
}
lt() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x + 0 == x && x < y) }'; }  # x a number below y
stat_of() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1/checkpoint/stats.json" "$2" 2>/dev/null || true; }
events() { cut -f1 "$1/timeline.tsv" 2>/dev/null | tr '\n' ' '; }

# ---- 1 job x 4 rounds
A=$WORK/a
prep "$A" 1 4 1 4
echo "# 1 job x 4 rounds"
drive "$WORK/a.log" "$A/iter-0001" 4
t_a=$t
check "1 x 4: exits 0 (rc $rc, $t s)" test "$rc" = 0
for j in 1 2 3 4; do
	rd=$A/iter-0001/round-0$j
	check "1 x 4: round $j: a complete checkpoint (COMPLETE, adapter, optimizer.pt, scheduler.pt, rng_state.pth, tokenizer, stats.json)" \
		test -e "$rd/checkpoint/COMPLETE" -a -s "$rd/checkpoint/adapter_model.safetensors" -a -s "$rd/checkpoint/optimizer.pt" \
		-a -s "$rd/checkpoint/scheduler.pt" -a -s "$rd/checkpoint/rng_state.pth" -a -s "$rd/checkpoint/tokenizer.json"
	check "1 x 4: round $j: stats.json step $j, round $j (step $(stat_of "$rd" step), round $(stat_of "$rd" round)), every reward arrived" \
		test "$(stat_of "$rd" step) $(stat_of "$rd" round) $(stat_of "$rd" rewards_arrived)" = "$j $j 4"
	check "1 x 4: round $j: timeline generated rewarded updated ($(events "$rd"))" test "$(events "$rd")" = "generated rewarded updated "
done
check "1 x 4: rounds 1-3 reused their completions, round 4 generated 4 (and their token ids)" \
	test "$(stat_of "$A/iter-0001/round-01" reused_completions) $(stat_of "$A/iter-0001/round-03" reused_completions) $(stat_of "$A/iter-0001/round-04" reused_completions) $(wc -l <"$A/iter-0001/round-04/completions.jsonl") $(wc -l <"$A/iter-0001/round-04/completion_ids.jsonl")" = "True True False 4 4"
gn=$(stat_of "$A/iter-0001/round-01" grad_norm)
check "1 x 4: round 1 had a gradient (norm $gn): the prepared samples and rewards teach something" lt 0.01 "$gn"
check "1 x 4: the Trainer's own checkpoint directory is gone" test ! -e "$A/iter-0001/trl"

# ---- 2 jobs x 2 rounds, and the same with the optimizer state withheld from the second job
B=$WORK/b
C=$WORK/c
prep "$B" 1 2 1
prep "$B" 2 2 3 2
echo "# 2 jobs x 2 rounds"
drive "$WORK/b1.log" "$B/iter-0001" 2
t_b1=$t
check "2 x 2: job 1 exits 0 (rc $rc, $t s)" test "$rc" = 0
mkdir -p "$C"
cp -r "$B/iter-0001" "$B/iter-0002" "$C/"
drive "$WORK/b2.log" "$B/iter-0002" 2
t_b2=$t
check "2 x 2: job 2 exits 0 (rc $rc, $t s)" test "$rc" = 0
check "2 x 2: job 2 started from iter-0001's round 2 ($(stat_of "$B/iter-0002/round-01" from)), its optimizer state restored" \
	test "$(stat_of "$B/iter-0002/round-01" from) $(stat_of "$B/iter-0002/round-01" optimizer_state)" = "$B/iter-0001/round-02/checkpoint restored"
check "2 x 2: job 2 logged the AdamW moments it restored, at step 2" grep -q 'AdamW moments of [1-9][0-9]* tensors at their step 2' "$WORK/b2.log"
check "2 x 2: job 2's rounds are steps 3 and 4 ($(stat_of "$B/iter-0002/round-01" step), $(stat_of "$B/iter-0002/round-02" step))" \
	test "$(stat_of "$B/iter-0002/round-01" step) $(stat_of "$B/iter-0002/round-02" step)" = "3 4"
for j in 1 2 3 4; do
	if [ $j -le 2 ]; then b=$B/iter-0001/round-0$j; else b=$B/iter-0002/round-0$((j - 2)); fi
	diff_j=$(maxdiff "$A/iter-0001/round-0$j/checkpoint" "$b/checkpoint")
	echo "# round $j: 1 x 4 vs 2 x 2: max abs adapter difference $diff_j"
done
diff_ab=$diff_j
check "2 x 2 ends with 1 x 4's adapter: max abs difference $diff_ab < $TOL" lt "$diff_ab" "$TOL"
check "2 x 2 generated 1 x 4's completions in the last round (the RNG states carried over)" \
	cmp -s "$A/iter-0001/round-04/completions.jsonl" "$B/iter-0002/round-02/completions.jsonl"

rm "$C/iter-0001/round-02/checkpoint/optimizer.pt"
echo "# 2 jobs x 2 rounds, iter-0001's optimizer.pt deleted"
drive "$WORK/c2.log" "$C/iter-0002" 2
t_c2=$t
check "no optimizer state: job 2 exits 0 (rc $rc), saying it loads the weights only" \
	sh -c "test $rc = 0 && grep -q 'holds no optimizer state' '$WORK/c2.log' && test '$(stat_of "$C/iter-0002/round-01" optimizer_state)' = none"
diff_ac=$(maxdiff "$A/iter-0001/round-04/checkpoint" "$C/iter-0002/round-02/checkpoint")
echo "# round 4: 1 x 4 vs 2 x 2 without optimizer state: max abs adapter difference $diff_ac"
check "no optimizer state: the adapter differs from 1 x 4's by more than $TOL (max abs difference $diff_ac)" \
	lt "$TOL" "$diff_ac"

# ---- a requeued job redoes only the unfinished round
r1=$B/iter-0002/round-01
before=$(md5sum <"$r1/checkpoint/stats.json")
rm -rf "$B/iter-0002/round-02/checkpoint"
echo "# iter-0002 again, round 2's checkpoint deleted (a requeued job)"
drive "$WORK/b2again.log" "$B/iter-0002" 2
check "requeued: exits 0 (rc $rc, $t s) with round 2's checkpoint again" test "$rc" = 0 -a -e "$B/iter-0002/round-02/checkpoint/COMPLETE"
check "requeued: round 1 untouched (its checkpoint, its timeline: $(events "$r1"))" \
	sh -c "test '$(md5sum <"$r1/checkpoint/stats.json")' = '$before' && test '$(events "$r1")' = 'generated rewarded updated '"
check "requeued: round 2 redone from round 1's checkpoint, as step 4, reusing its completions and their 4 sampled token ids" \
	test "$(stat_of "$B/iter-0002/round-02" from) $(stat_of "$B/iter-0002/round-02" step) $(stat_of "$B/iter-0002/round-02" reused_completions) $(stat_of "$B/iter-0002/round-02" reused_token_ids)" = "$r1/checkpoint 4 True 4"
check "requeued: the driver said it runs round 2 only" grep -q 'iteration 2: round 2 of 2,' "$WORK/b2again.log"
diff_rq=$(maxdiff "$B/iter-0002/round-02/checkpoint" "$A/iter-0001/round-04/checkpoint")
echo "# requeued round 2 vs 1 x 4's round 4: max abs adapter difference $diff_rq"
check "requeued: round 2 made the update of its first try (max abs difference from 1 x 4's round 4: $diff_rq < $TOL)" \
	lt "$diff_rq" "$TOL"
drive "$WORK/b2done.log" "$B/iter-0002" 2
check "a finished iteration: exits 0 at once, nothing to do ($t s)" sh -c "test $rc = 0 && grep -q 'nothing to do' '$WORK/b2done.log'"

# ---- the CPU step over before any reward of a round: no update, no checkpoint, exit 3
D=$WORK/d
prep "$D" 1 2 1
rm "$D/iter-0001/round-02/results/shard-0.jsonl"
printf 'cpu_step_end\t%s\n' "$(date +%s)" >"$D/iter-0001/timeline.tsv"
echo "# rewards of round 2 never arrive; cpu_step_end in the iteration's timeline"
EXPECT_RC=3 drive "$WORK/d.log" "$D/iter-0001" 2
check "no rewards: exit 3 (rc $rc), round 1 complete, round 2 without checkpoint, saying why" \
	sh -c "test $rc = 3 && test -e '$D/iter-0001/round-01/checkpoint/COMPLETE' && test ! -e '$D/iter-0001/round-02/checkpoint' && grep -q 'the CPU step ended before any of its 4 rewards arrived' '$WORK/d.log'"

# ---- the held-out evaluation from a round's checkpoint
E=$WORK/eval
mkdir -p "$E"
cp "$A/iter-0001/round-01/prompts.jsonl" "$E/"
t0=$(date +%s.%N)
rc=0
"$py" "$top_srcdir/jobs/trl_driver.py" --sample-only --iter-dir "$E" --model "$tiny" --adapter "$A/iter-0001/round-04/checkpoint" \
	-g 3 --max-completion-length 8 --threads 1 >"$WORK/e.log" 2>&1 || rc=$?
check "--sample-only --adapter ROUND/checkpoint: exits 0 (rc $rc) with 2 x 3 completions" \
	test "$rc" = 0 -a "$(wc -l <"$E/completions.jsonl" 2>/dev/null)" = 6
[ "$rc" = 0 ] || tail -20 "$WORK/e.log" | sed 's/^/#   | /'

echo "# timings: driver runs 1 x 4 ${t_a} s, 2 x 2 ${t_b1} + ${t_b2} s, no optimizer state ${t_c2} s; the test $(($(date +%s) - t_all)) s"
echo "$passed passed, $failed failed"
test "$failed" = 0
