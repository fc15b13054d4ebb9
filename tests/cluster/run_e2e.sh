#!/bin/bash
# run_e2e.sh - `perfrl run` end to end on the local Slurm cluster: three iterations, each one
# heterogeneous job (GPU step + two benchmark tasks); every completion measured exactly once and
# recorded as the shards wrote it; `perfrl acct` in its fixed-width and parsable forms; a second
# `perfrl run` on the finished run does nothing; the jobs carry perfrl's names while they run;
# an empty completions file fails its iteration and the run goes on.
# Exit: 0 all passed, 1 a failure, 77 (skip) when no cluster is up and we are not root.
set -eu
. "$(cd "$(dirname "$0")/../lib" && pwd)/run_common.sh"

conf=$(write_conf e2e iterations=3)
run=$(run_dir_of "$conf")
log=$WORK/e2e-run.log

# ---- the run, watching squeue for the iteration jobs' names and comments
t0=$(date +%s.%N)
start_run "$conf" "$log"
pid=$RUN_PID
: >"$WORK/seen"
deadline=$((SECONDS + 150))
while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
	squeue -h -o '%i|%j|%k' 2>/dev/null | grep -F "run=$run " >>"$WORK/seen" || true
	sleep 0.2
done
wait_exit "$pid" 1
t_run=$(elapsed "$t0")
echo "# perfrl run: 3 iterations in $t_run s (exit $WAIT_RC)"
sed 's/^/#   /' "$log"
check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
check "log: iteration 3 COMPLETED" grep -q '^iteration 3: COMPLETED' "$log"
check_run "$conf" 3
check "iteration records: Retries 0 (got $(acct_field "$conf" 1 Retries) $(acct_field "$conf" 2 Retries) $(acct_field "$conf" 3 Retries))" \
	test "$(acct_field "$conf" 1 Retries)$(acct_field "$conf" 2 Retries)$(acct_field "$conf" 3 Retries)" = 000
ids=$("$PERFRL" acct -c "$conf" -P -n --format=JobID | sort -u | wc -l)
check "three distinct job ids ($ids)" test "$ids" = 3
# the run says what it ran with: every key, as this start read it, and it loads back
check "RUN/state/config.conf holds the effective configuration, and perfrl loads it" sh -c \
	"grep -q '^iterations = 3;' '$run/state/config.conf' && '$PERFRL' acct -c '$run/state/config.conf' -P -n --format=Iter | grep -qx 3"

# The names seen while the jobs ran: PREFIX:RUN:iter-NNNN, comment "perfrl run=RUN iter=N".
names=$(cut -d'|' -f2 "$WORK/seen" | sort -u | tr '\n' ' ')
echo "# job names seen in squeue: ${names:-none}"
if [ -s "$WORK/seen" ]; then
	check "squeue names are perfrl-test:e2e-run:iter-NNNN" \
		test -z "$(cut -d'|' -f2 "$WORK/seen" | grep -Ev '^perfrl-test:e2e-run:iter-000[1-3]$' || true)"
	check "squeue comments are 'perfrl run=$run iter=N'" \
		test -z "$(cut -d'|' -f3 "$WORK/seen" | grep -Ev "^perfrl run=$run iter=[1-3]\$" || true)"
else
	echo "# (no job seen in squeue: too quick to catch; name check skipped)"
fi

# ---- SQD: the plan of stages.lua, compliance, the archive
check_sqd "$conf" 3
check "acct: Stage, Coverage and QDScore recorded for iterations 1..3" \
	test "$("$PERFRL" acct -c "$conf" -P -n --format=Stage,Coverage,QDScore | grep -Ec '^[1-9]\|[0-9.]+\|[0-9.]+$')" = 3
"$PERFRL" archive -c "$conf" -P -n >"$WORK/archive.txt" || not_ok "perfrl archive exits 0"
check "perfrl archive: one row per cell of archive.json" \
	test "$(wc -l <"$WORK/archive.txt")" = "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cells"]))' "$run/state/archive.json")"
cell=$(head -1 "$WORK/archive.txt" | cut -d'|' -f1)
check "perfrl archive --show $cell prints a kernel" \
	grep -q 'dgemm' <("$PERFRL" archive -c "$conf" --show "$cell")
"$PERFRL" stages -c "$conf" --iterations 1-3 --json >"$WORK/stages.jsonl" || not_ok "perfrl stages exits 0"
check "perfrl stages: iterations 1..3 shown as run, as their prompts say" \
	test "$(json_tsv "$WORK/stages.jsonl" iteration plan problem_id | sort)" = \
	"$(for i in 1 2 3; do json_tsv "$run/iter-000$i/prompts.jsonl" problem_id | sed "s/^/$i\trun\t/"; done | sort)"

# ---- the builtin GPU step: a GRPO step per iteration, each starting from the one before
for i in 1 2 3; do
	ck=$run/iter-000$i/checkpoint/policy.json
	check "iteration $i: a checkpoint with step $i" \
		test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' "$ck" 2>/dev/null)" = "$i"
done
check "iteration 2 started from iteration 1's checkpoint" \
	test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["from"])' "$run/iter-0002/checkpoint/policy.json")" = "$run/iter-0001/checkpoint/policy.json"
check "iteration 1 started from the initial policy" \
	test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["from"])' "$run/iter-0001/checkpoint/policy.json")" = "the initial policy"
check "every completion carries its design and its log-probability per factor" \
	python3 -c 'import json,sys; sys.exit(not all(l["design"].startswith("nest=") and len(l["logp"]) == 9 and all(x <= 0 for x in l["logp"]) for l in map(json.loads, open(sys.argv[1]))))' "$run/iter-0002/completions.jsonl"

# ---- perfrl eval: held-out prompts, a CPU job, OpenBLAS on the same node; resumable
"$PERFRL" eval -c "$conf" --out "$WORK/ev0" --checkpoint none --samples 3 >"$WORK/ev0.txt" 2>"$WORK/ev0.err" ||
	not_ok "perfrl eval (the initial policy) exits 0 ($(tail -2 "$WORK/ev0.err"))"
"$PERFRL" eval -c "$conf" --out "$WORK/ev3" --checkpoint "$run/iter-0003/checkpoint/policy.json" --samples 3 \
	>"$WORK/ev3.txt" 2>"$WORK/ev3.err" || not_ok "perfrl eval (iteration 3) exits 0"
sed 's/^/#   /' "$WORK/ev3.txt"
check "eval: 3 samples measured, the baselines measured on the same shape, pass@k" \
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); a=r["all"]; p=r["problems"]["heldout-64x64x64"]; sys.exit(not (a["samples"] == 3 and p["openblas"] > 0 and p["naive"] > 0 and p["ikj"] > 0 and 0 <= a["ok_share"] <= 1 and "1" in a["pass_at_k"]))' "$WORK/ev3/results.json"
t1=$(date +%s.%N)
"$PERFRL" eval -c "$conf" --out "$WORK/ev3" --checkpoint "$run/iter-0003/checkpoint/policy.json" --samples 3 \
	>"$WORK/ev3b.txt" 2>"$WORK/ev3b.err"
check "eval again: nothing measured again (no new job), the same table" \
	sh -c "! grep -q 'CPU job' '$WORK/ev3b.err' && cmp -s '$WORK/ev3.txt' '$WORK/ev3b.txt'"
check "eval compare: a line per metric" \
	test "$("$PERFRL" eval compare "$WORK/ev0" "$WORK/ev3" | grep -Ec '^(samples|ok_share|mean_gflops|mean_ok_gflops|best_gflops) ')" = 5
rc=0; "$PERFRL" eval -c "$conf" --out "$WORK/evbad" --checkpoint "$WORK/nope.json" >/dev/null 2>"$WORK/evbad.err" || rc=$?
check "eval with a missing checkpoint: exit 1, named" sh -c "test $rc = 1 && grep -q nope.json '$WORK/evbad.err'"

# ---- perfrl acct, fixed width
"$PERFRL" acct -c "$conf" >"$WORK/acct.txt" 2>"$WORK/acct.err" || not_ok "perfrl acct exits 0"
sed 's/^/#   /' "$WORK/acct.txt"
hdr=$(sed -n 1p "$WORK/acct.txt" | tr -s ' ' | sed 's/^ //; s/ $//')
check "acct header is the default format ($hdr)" \
	test "$hdr" = "Iter JobID State Stage Elapsed Samples OK BestGFLOPS MeanReward Coverage QDScore"
check "acct second line is the dashes" grep -Eq '^(-+ )+$' <(sed -n 2p "$WORK/acct.txt")
check "acct: 2 header lines + 3 rows" test "$(wc -l <"$WORK/acct.txt")" = 5
check "acct: every line as wide as the dashes" \
	test "$(awk '{ print length($0) }' "$WORK/acct.txt" | sort -u | wc -l)" = 1
check "acct: rows 1..3 COMPLETED in the fixed-width form" \
	test "$(awk 'NR > 2 { print $1, $3 }' "$WORK/acct.txt" | tr '\n' ' ')" = "1 COMPLETED 2 COMPLETED 3 COMPLETED "
check "acct: nothing on stderr" test ! -s "$WORK/acct.err"

# ---- perfrl acct -P / -p
"$PERFRL" acct -c "$conf" -P --format=Iter,JobID,State,Elapsed,Samples,OKCount,Retries >"$WORK/acctP.txt"
sed 's/^/#   /' "$WORK/acctP.txt"
check "acct -P header" test "$(sed -n 1p "$WORK/acctP.txt")" = "Iter|JobID|State|Elapsed|Samples|OKCount|Retries"
check "acct -P: 7 fields on every line, no trailing delimiter" \
	test "$(awk -F'|' 'NF != 7 || /\|$/ { bad++ } END { print bad + 0 }' "$WORK/acctP.txt")" = 0
check "acct -P: 4 lines" test "$(wc -l <"$WORK/acctP.txt")" = 4
check "acct -P: Elapsed is HH:MM:SS" \
	test "$(awk -F'|' 'NR > 1 && $4 !~ /^[0-9][0-9]:[0-5][0-9]:[0-5][0-9]$/' "$WORK/acctP.txt" | wc -l)" = 0
check "acct -p: a trailing delimiter" \
	test "$("$PERFRL" acct -c "$conf" -p -n --format=Iter,State | tr '\n' ' ')" = "1|COMPLETED| 2|COMPLETED| 3|COMPLETED| "
check "acct -s CD --iterations 2-3" \
	test "$("$PERFRL" acct -c "$conf" -P -n -s CD --iterations 2-3 --format=Iter | tr '\n' ' ')" = "2 3 "

# ---- a second perfrl run on the finished run: nothing to do
lines_before=$(wc -l <"$run/state/iterations.jsonl")
jobs_before=$(ls "$run"/iter-*/slurm-*.out 2>/dev/null | wc -l)
t1=$(date +%s.%N)
start_run "$conf" "$WORK/again.log"
wait_exit "$RUN_PID" 30
t_again=$(elapsed "$t1")
echo "# perfrl run on the finished run: $t_again s (exit $WAIT_RC)"
sed 's/^/#   /' "$WORK/again.log"
check "perfrl run on a finished run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
check "... within 10 s ($t_again s)" awk -v t="$t_again" 'BEGIN { exit !(t < 10) }'
check "... records nothing" test "$(wc -l <"$run/state/iterations.jsonl")" = "$lines_before"
check "... submits nothing" test "$(ls "$run"/iter-*/slurm-*.out 2>/dev/null | wc -l)" = "$jobs_before"
check "... and makes no iteration 4" test ! -e "$run/iter-0004"

# ---- a GPU step that leaves an empty completions file: the job ends well, but nothing was
# generated, so the iteration is FAILED (not COMPLETED with 0 samples) and the run goes on
conf=$(write_conf empty iterations=2)
run=$(run_dir_of "$conf")
mkdir -p "$run/iter-0001"
: >"$run/iter-0001/completions.jsonl"
start_run "$conf" "$WORK/empty-run.log"
wait_exit "$RUN_PID" 120
sed 's/^/#   /' "$WORK/empty-run.log"
check "empty completions: perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
check "empty completions: iteration 1 FAILED, 0 samples ($(acct_field "$conf" 1 State) $(acct_field "$conf" 1 Samples))" \
	test "$(acct_field "$conf" 1 State) $(acct_field "$conf" 1 Samples)" = "FAILED 0"
check "empty completions: the log says the GPU step wrote none" \
	grep -q 'iteration 1: the GPU step wrote no completions' "$WORK/empty-run.log"
check "empty completions: iteration 2 COMPLETED with 8 samples" \
	test "$(acct_field "$conf" 2 State) $(acct_field "$conf" 2 Samples)" = "COMPLETED 8"

echo "# timings: run ${t_run} s, no-op rerun ${t_again} s"
finish
