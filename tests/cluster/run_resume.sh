#!/bin/bash
# run_resume.sh - `perfrl run` interrupted and resumed on the local Slurm cluster:
#   1. SIGKILL while iteration 2's job runs; a restart reattaches to that job (no second job)
#      and finishes the run, every completion measured exactly once;
#   2. a second `perfrl run` on the same run directory is refused while the first runs;
#      SIGTERM: exit 0 with a message, and a restart finishes the run;
#   3. `perfrl cancel -c` during iteration 2: the orchestrator cancels the job and stops (0),
#      iteration 2 is CANCELLED with what it measured kept; a later `perfrl run` goes on with
#      iteration 3;
#   4. `perfrl cancel -c` with no orchestrator running (it was SIGKILLed): the same.
# Exit: 0 all passed, 1 a failure, 77 (skip) when no cluster is up and we are not root.
set -eu
. "$(cd "$(dirname "$0")/../lib" && pwd)/run_common.sh"

# Iterations of a few seconds (7 timed samples of 0.5 s, one at a time): long enough to
# interrupt one while it runs.
slow=(budget_s=0.5 cv_percent=0)
timings=""
timing() { timings="$timings $1=${2}s"; }
show() { sed 's/^/#   /' "$1"; }

# ---- 1. SIGKILL during iteration 2, then resume
echo "# 1. SIGKILL during iteration 2"
conf=$(write_conf kill iterations=3 "${slow[@]}")
run=$(run_dir_of "$conf")
t0=$(date +%s.%N)
start_run "$conf" "$WORK/kill-1.log"
if job=$(wait_iter "$conf" 2 'PENDING|RUNNING' 90); then
	kill -KILL "$RUN_PID"
	wait_exit "$RUN_PID" 10
	ok "iteration 2 ($job) live; orchestrator SIGKILLed"
	check "the job goes on without the orchestrator ($(squeue -h -j "$job" -o %T 2>/dev/null | head -1))" \
		test -n "$(squeue -h -j "$job" -o %T 2>/dev/null)"
	show "$WORK/kill-1.log"
	start_run "$conf" "$WORK/kill-2.log"
	wait_exit "$RUN_PID" 120
	show "$WORK/kill-2.log"
	check "restarted perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
	check "it resumed iteration 2 (job $job)" grep -q "resuming iteration 2 (job $job)" "$WORK/kill-2.log"
	check_run "$conf" 3
	check_sqd "$conf" 3
	check "iteration 2 kept its job id ($(acct_field "$conf" 2 JobID))" test "$(acct_field "$conf" 2 JobID)" = "$job"
	n=$(ls "$run"/iter-0002/slurm-*.out 2>/dev/null | wc -l)
	check "iteration 2 ran one job, not two ($n)" test "$n" = 1
else
	show "$WORK/kill-1.log"
	not_ok "iteration 2 never became PENDING/RUNNING"
fi
timing sigkill "$(elapsed "$t0")"

# ---- 2. a second orchestrator is refused; SIGTERM, then resume
echo "# 2. a second perfrl run is refused; SIGTERM during iteration 2"
conf=$(write_conf term iterations=3 "${slow[@]}")
run=$(run_dir_of "$conf")
t0=$(date +%s.%N)
start_run "$conf" "$WORK/term-1.log"
first=$RUN_PID
if job=$(wait_iter "$conf" 2 'PENDING|RUNNING' 90); then
	t1=$(date +%s.%N)
	rc=0
	timeout 20 "$PERFRL" run -c "$conf" >"$WORK/second.out" 2>"$WORK/second.err" 8>&- || rc=$?
	echo "# second perfrl run: exit $rc in $(elapsed "$t1") s"
	show "$WORK/second.err"
	check "a second perfrl run on the same run directory fails (exit $rc)" \
		test "$rc" -ne 0 -a "$rc" -ne 124
	check "... saying another perfrl run holds it" grep -q 'another perfrl run' "$WORK/second.err"
	check "... naming the holder's pid ($first)" grep -q "pid $first" "$WORK/second.err"
	check "... and the first one is still running" kill -0 "$first"
	check "... and nothing was submitted by it" test "$(ls "$run"/iter-0002/slurm-*.out 2>/dev/null | wc -l)" -le 1
	t1=$(date +%s.%N)
	kill -TERM "$first"
	wait_exit "$first" 15
	echo "# SIGTERM to exit: $(elapsed "$t1") s"
	show "$WORK/term-1.log"
	check "SIGTERM: perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
	check "SIGTERM: it says it stopped and how to resume" \
		grep -q 'stopped by SIGTERM during iteration 2.*resumes' "$WORK/term-1.log"
	st=$(acct_field "$conf" 2 State)
	check "SIGTERM: iteration 2 is left PENDING/RUNNING for the resume ($st)" \
		grep -Eqx 'PENDING|RUNNING' <<<"$st"
	start_run "$conf" "$WORK/term-2.log"
	wait_exit "$RUN_PID" 120
	show "$WORK/term-2.log"
	check "restarted perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
	check_run "$conf" 3
	check_sqd "$conf" 3
	check "iteration 2 kept its job id ($(acct_field "$conf" 2 JobID))" test "$(acct_field "$conf" 2 JobID)" = "$job"
else
	show "$WORK/term-1.log"
	not_ok "iteration 2 never became PENDING/RUNNING"
fi
timing sigterm "$(elapsed "$t0")"

# ---- 3. perfrl cancel while the orchestrator runs
# check_cancelled CONF: iteration 2 CANCELLED, measured records kept and counted; no iteration 3.
check_cancelled() {
	local conf=$1 run
	run=$(run_dir_of "$conf")
	check "iteration 1 COMPLETED" test "$(acct_field "$conf" 1 State)" = COMPLETED
	check "iteration 2 CANCELLED ($(acct_field "$conf" 2 State))" test "$(acct_field "$conf" 2 State)" = CANCELLED
	check "no iteration 3 yet" test -z "$(acct_field "$conf" 3 State)"
	local st t deadline=$((SECONDS + 30))
	st=$(squeue -h -j "$job" -o %T 2>/dev/null | sort -u | tr '\n' ' ')
	t=$(date +%s.%N)
	while [ -n "$(squeue -h -j "$job" -o %T 2>/dev/null)" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.2
	done
	echo "# job $job in squeue after the cancel: ${st:-gone}; gone $(elapsed "$t") s later"
	check "iteration 2's job leaves the queue" test -z "$(squeue -h -j "$job" -o %T 2>/dev/null)"
	n=$(count_records "$run/iter-0002")
	check "iteration 2's measured results are kept ($n records on disk, $before before the cancel)" \
		test "${n:-0}" -ge "$before"
	check_iter "$conf" 2
}
# resume_after_cancel CONF LOG: the next perfrl run does iteration 3 (and only that).
resume_after_cancel() {
	local conf=$1 log=$2
	start_run "$conf" "$log"
	wait_exit "$RUN_PID" 120
	show "$log"
	check "perfrl run after the cancel exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
	check "it goes on with iteration 3" grep -q 'iterations 3\.\.3' "$log"
	check "iteration 2 stays CANCELLED" test "$(acct_field "$conf" 2 State)" = CANCELLED
	check "iteration 3 COMPLETED ($(acct_field "$conf" 3 State))" test "$(acct_field "$conf" 3 State)" = COMPLETED
	check_iter "$conf" 1 all
	check_iter "$conf" 3 all
}

echo "# 3. perfrl cancel during iteration 2 (orchestrator running)"
conf=$(write_conf cancel iterations=3 budget_s=1 cv_percent=0)
run=$(run_dir_of "$conf")
t0=$(date +%s.%N)
start_run "$conf" "$WORK/cancel-1.log"
orch=$RUN_PID
if job=$(wait_iter "$conf" 2 'PENDING|RUNNING' 90) && wait_records "$run/iter-0002" 1 60; then
	before=$(count_records "$run/iter-0002")
	t1=$(date +%s.%N)
	rc=0
	"$PERFRL" cancel -c "$conf" >"$WORK/cancel.out" 2>&1 8>&- || rc=$?
	show "$WORK/cancel.out"
	check "perfrl cancel exits 0 (got $rc)" test "$rc" = 0
	check "perfrl cancel says the orchestrator will stop" grep -q 'orchestrator.* will cancel' "$WORK/cancel.out"
	check "perfrl cancel prints no error about a second run" \
		test -z "$(grep -i 'refusing\|error' "$WORK/cancel.out" || true)"
	wait_exit "$orch" 20
	echo "# cancel to orchestrator exit: $(elapsed "$t1") s"
	show "$WORK/cancel-1.log"
	check "the orchestrator stops, exit 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
	check "the log says iteration 2 was cancelled" grep -q 'iteration 2: cancel requested' "$WORK/cancel-1.log"
	check "the cancel request is consumed" test ! -e "$run/state/cancel-requested"
	check_cancelled "$conf"
	resume_after_cancel "$conf" "$WORK/cancel-2.log"
else
	show "$WORK/cancel-1.log"
	not_ok "iteration 2 never ran with a measured sample"
fi
timing cancel "$(elapsed "$t0")"

# ---- 4. perfrl cancel with no orchestrator
echo "# 4. perfrl cancel during iteration 2 (orchestrator SIGKILLed)"
conf=$(write_conf cancel2 iterations=3 budget_s=1 cv_percent=0)
run=$(run_dir_of "$conf")
t0=$(date +%s.%N)
start_run "$conf" "$WORK/cancel2-1.log"
if job=$(wait_iter "$conf" 2 'PENDING|RUNNING' 90) && wait_records "$run/iter-0002" 1 60; then
	kill -KILL "$RUN_PID"
	wait_exit "$RUN_PID" 10
	before=$(count_records "$run/iter-0002")
	rc=0
	"$PERFRL" cancel -c "$conf" >"$WORK/cancel2.out" 2>&1 8>&- || rc=$?
	show "$WORK/cancel2.out"
	check "perfrl cancel exits 0 (got $rc)" test "$rc" = 0
	check "perfrl cancel says iteration 2 is cancelled" grep -q 'iteration 2 .*cancelled' "$WORK/cancel2.out"
	sleep 2 # the job's tasks are being killed
	check_cancelled "$conf"
	resume_after_cancel "$conf" "$WORK/cancel2-2.log"
else
	show "$WORK/cancel2-1.log"
	not_ok "iteration 2 never ran with a measured sample"
fi
timing cancel-no-orchestrator "$(elapsed "$t0")"

echo "# timings:$timings"
finish
