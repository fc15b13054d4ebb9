#!/bin/bash
# run_faults.sh - `perfrl run` through faults on the local Slurm cluster. Each iteration must end
# COMPLETED with every completion measured exactly once, the unmeasured ones in follow-up jobs:
#   a. only the CPU component of the iteration's het job is cancelled (scancel JOB+1);
#   b. the node of the CPU tasks fails (scontrol update state=down, which is what slurmctld does
#      to a dead node; a killed slurmd alone leaves the tasks running; drained first, so that
#      ReturnToService=2 does not bring it back at once): the follow-up runs on the other node
#      (the node is resumed at the end, whatever happens);
#   c. the CPU component runs past its time limit (1 minute: this one takes 2-3 minutes);
#   d. the orchestrator is SIGKILLed while a follow-up job runs, then restarted;
#   e. the slurmd of the CPU tasks' node is killed while they measure: the tasks finish, Slurm
#      keeps the component COMPLETING, and the iteration is recorded within slurm.done_grace_s
#      of the batch script's end, naming the lingering component;
#   f. the same, and the node is then set DOWN at once (NODE_FAIL while its tasks, which outlive
#      their slurmd, still measure): no follow-up measures a sample beside them (heartbeats in
#      RUN/iter-NNNN/alive).
#   g. the CPU step exits 2 at its start: the iteration is FAILED, and the log says the CPU
#      step failed (not "the GPU step wrote no completions");
#   h. the GPU component is cancelled (scancel JOB+0, which ends the whole job CANCELLED) while
#      the CPU tasks measure: a fault, not a stop (only perfrl cancel stops a run): a follow-up
#      measures what is left and the run goes on to iteration 2.
# PERFRL_FAULTS="a e f" runs only those scenarios (default: all).
# Exit: 0 all passed, 1 a failure, 77 (skip) when no cluster is up and we are not root.
set -eu
. "$(cd "$(dirname "$0")/../lib" && pwd)/run_common.sh"

timings=""
want() { case " ${PERFRL_FAULTS:-a b c d e f g h} " in *" $1 "*) return 0 ;; esac; return 1; }
timing() { timings="$timings $1=${2}s"; }
show() { sed 's/^/#   /' "$1"; }
# Iterations of ~8 s: 7 timed samples of 1 s, one at a time (the timing lock is node-wide and
# both CPU "nodes" are this machine).
medium=(budget_s=1 cv_percent=0)

# A follow-up job ran, and the record says so.
check_retried() { # check_retried CONF LOG
	local r
	r=$(acct_field "$1" 1 Retries)
	check "Retries >= 1 in perfrl acct (got ${r:-none})" test "${r:-0}" -ge 1
	check "the log names the follow-up" grep -q 'unmeasured after job .*follow-up 1' "$2"
	check "retry-1.jsonl lists the samples left" test -s "$(run_dir_of "$1")/iter-0001/retry-1.jsonl"
}

# ---- a. scancel the CPU component only
if want a; then
	echo "# a. scancel JOB+1 (the CPU component) while it measures"
	conf=$(write_conf cpu-cancel "${medium[@]}")
	run=$(run_dir_of "$conf")
	log=$WORK/cpu-cancel.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60) && wait_records "$run/iter-0001" 1 60; then
		echo "# job $job: $(count_records "$run/iter-0001") of 8 samples measured when the CPU component is cancelled"
		check "scancel $job+1" scancel "$job+1"
		wait_exit "$RUN_PID" 150
		show "$log"
		check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
		check_run "$conf" 1
		check_retried "$conf" "$log"
	else
		show "$log"
		not_ok "iteration 1 never ran with a measured sample"
	fi
	timing cpu-cancel "$(elapsed "$t0")"
fi

# ---- b. the CPU tasks' node fails
if want b; then
	echo "# b. the CPU tasks' node goes down while they measure"
	conf=$(write_conf node-down "${medium[@]}")
	run=$(run_dir_of "$conf")
	log=$WORK/node-down.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60) && wait_records "$run/iter-0001" 1 60; then
		nodes=$(node_of_component "$job" 1)
		node=$(scontrol show hostnames "$nodes" 2>/dev/null | head -1)
		echo "# job $job: CPU component on $nodes; $(count_records "$run/iter-0001") of 8 measured; downing $node"
		if [ -n "$node" ]; then
			on_exit "restore_node $node"
			# DOWN kills the node's jobs (NODE_FAIL). But its slurmd still answers, and with
			# ReturnToService=2 that returns the node to service at once; drained first, it
			# stays out of service like a dead node until restore_node resumes it.
			check "scontrol update nodename=$node state=drain, then state=down" \
				scontrol update nodename="$node" state=drain reason=perfrl-test
			scontrol update nodename="$node" state=down reason=perfrl-test ||
				not_ok "scontrol update nodename=$node state=down"
			wait_exit "$RUN_PID" 150
			show "$log"
			check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
			check_run "$conf" 1
			check_retried "$conf" "$log"
			used=$(cat "$run"/iter-0001/results/retry-* 2>/dev/null | python3 -c '
import json, sys
print(" ".join(sorted({json.loads(l).get("node", "?") for l in sys.stdin if l.strip()})))')
			check "the follow-up measured on the other node (${used:-none}, not $node)" \
				test -n "$used" -a -z "$(tr ' ' '\n' <<<"$used" | grep -x "$node" || true)"
			restore_node "$node"
			wait_idle "$node" 60
			check "$node is back (idle: $(node_state "$node"))" \
				test "$(node_state "$node")" = idle
		else
			show "$log"
			not_ok "found the CPU component's node (scontrol show job $job)"
		fi
	else
		show "$log"
		not_ok "iteration 1 never ran with a measured sample"
	fi
	timing node-down "$(elapsed "$t0")"
fi

# ---- c. the CPU component runs past its time limit
if want c; then
	# 7 timed samples of ~16 s at 512x512x512, one at a time: ~110 s of work against a 1-minute
	# limit that slurmctld enforces 60-90 s after the start (it looks every 30 s), so the first job
	# is stopped and a follow-up of at most a few samples finishes within its own minute.
	echo "# c. the CPU component runs past its 1-minute time limit"
	conf=$(write_conf time-limit cpu_time_limit_min=1 budget_s=15 cv_percent=0 timeout_s=10 \
		retry_max=3 shapes='"512x512x512"')
	run=$(run_dir_of "$conf")
	log=$WORK/time-limit.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60); then
		wait_exit "$RUN_PID" 330
		show "$log"
		check "perfrl run exits 0 within 330 s (got $WAIT_RC)" test "$WAIT_RC" = 0
		check "the first job ran out of time" grep -Eq "unmeasured after job $job \((TIMEOUT|FAILED)\)" "$log"
		check "the log names the CPU component's TIMEOUT" grep -Eq "job $job: component 1 \(job [0-9]+\) ended TIMEOUT|job $job TIMEOUT" "$log"
		check_run "$conf" 1
		check_retried "$conf" "$log"
	else
		show "$log"
		not_ok "iteration 1 never ran"
	fi
	timing time-limit "$(elapsed "$t0")"
fi

# ---- d. the orchestrator killed during a follow-up job
if want d; then
	echo "# d. SIGKILL to the orchestrator while a follow-up job runs, then a restart"
	conf=$(write_conf follow-up-kill "${medium[@]}")
	run=$(run_dir_of "$conf")
	log=$WORK/follow-up-kill.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60) && wait_records "$run/iter-0001" 1 60 &&
		scancel "$job+1"; then
		deadline=$((SECONDS + 60))
		until squeue -h -o '%j %T' 2>/dev/null | grep -q '^perfrl-test:follow-up-kill-run:iter-0001:retry-1 RUNNING$' ||
			[ "$SECONDS" -ge "$deadline" ]; do
			sleep 0.1
		done
		check "follow-up 1 is running" grep -q 'follow-up 1' "$log"
		kill -KILL "$RUN_PID"
		wait_exit "$RUN_PID" 10
		echo "# orchestrator killed with $(count_records "$run/iter-0001") of 8 measured"
		show "$log"
		start_run "$conf" "$WORK/follow-up-kill-2.log"
		wait_exit "$RUN_PID" 150
		show "$WORK/follow-up-kill-2.log"
		check "restarted perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
		check_run "$conf" 1
		r=$(acct_field "$conf" 1 Retries)
		check "one follow-up job, not a second one beside it (Retries ${r:-none})" test "${r:-0}" = 1
	else
		show "$log"
		not_ok "iteration 1 never ran with a measured sample"
	fi
	timing follow-up-kill "$(elapsed "$t0")"
fi

# ---- e. the CPU node's slurmd is killed
if want e; then
	echo "# e. the slurmd of the CPU tasks' node is killed while they measure"
	conf=$(write_conf slurmd-kill "${medium[@]}" done_grace_s=3)
	run=$(run_dir_of "$conf")
	log=$WORK/slurmd-kill.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60) && wait_records "$run/iter-0001" 1 60; then
		nodes=$(node_of_component "$job" 1)
		node=$(scontrol show hostnames "$nodes" 2>/dev/null | head -1)
		echo "# job $job: CPU component on $nodes; killing the slurmd of $node"
		if [ -n "$node" ]; then
			on_exit "restore_node $node"
			# slurmstepd outlives its slurmd: the tasks go on, and slurmctld notices the node
			# only at SlurmdTimeout. Whatever the job's end, every sample is measured once.
			check "local-cluster kill-node $node" "$LC" kill-node "$node"
			wait_exit "$RUN_PID" 200
			show "$log"
			check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
			check_run "$conf" 1
			# Work done is work done: recorded within the grace of the batch script's end
			# (+ polls and the archive update), whatever Slurm still shows.
			lag=$(awk -F'\t' '$1 == "job_end" { e = $2 } $1 == "recorded" { r = $2 }
				END { if (e && r) printf "%.0f", r - e; else print "none" }' "$run/iter-0001/timeline.tsv")
			check "recorded ${lag} s after the batch script's end (at most 3 + 12)" \
				test "$lag" != none -a "${lag:-99}" -le 15
			if grep -q 'left to Slurm' "$log"; then
				check "the lingering component is named with its state and node" \
					grep -Eq "component 1 \(job [0-9]+\) COMPLETING on $node" "$log"
			else
				echo "# (slurmctld ended the job before the grace: NODE_FAIL or COMPLETED)"
			fi
			"$LC" restart-node "$node" >/dev/null 2>&1 8>&- || true
			restore_node "$node"
			wait_idle "$node" 90
			check "$node is back after restart-node (idle: $(node_state "$node"))" \
				test "$(node_state "$node")" = idle
		else
			show "$log"
			not_ok "found the CPU component's node (scontrol show job $job)"
		fi
	else
		show "$log"
		not_ok "iteration 1 never ran with a measured sample"
	fi
	timing slurmd-kill "$(elapsed "$t0")"
fi

# ---- f. NODE_FAIL while the CPU tasks, alive without their slurmd, still measure
if want f; then
	echo "# f. the slurmd of the CPU tasks' node is killed and the node set DOWN while they measure"
	conf=$(write_conf node-fail-alive budget_s=2 cv_percent=0)
	run=$(run_dir_of "$conf")
	log=$WORK/node-fail-alive.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60) && wait_records "$run/iter-0001" 1 60; then
		nodes=$(node_of_component "$job" 1)
		node=$(scontrol show hostnames "$nodes" 2>/dev/null | head -1)
		echo "# job $job: CPU component on $nodes; killing the slurmd of $node, then DOWN"
		if [ -n "$node" ]; then
			on_exit "restore_node $node"
			check "local-cluster kill-node $node" "$LC" kill-node "$node"
			# slurmctld now ends the job NODE_FAIL; the node's tasks live on (no slurmd
			# to kill them) and finish their shards.
			check "scontrol update nodename=$node state=down" \
				scontrol update nodename="$node" state=down reason=perfrl-test
			wait_exit "$RUN_PID" 200
			show "$log"
			check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
			check "it waited for the tasks still measuring" grep -q 'CPU task(s) may still measure' "$log"
			check_run "$conf" 1
			"$LC" restart-node "$node" >/dev/null 2>&1 8>&- || true
			restore_node "$node"
			wait_idle "$node" 90
			check "$node is back after restart-node (idle: $(node_state "$node"))" \
				test "$(node_state "$node")" = idle
		else
			show "$log"
			not_ok "found the CPU component's node (scontrol show job $job)"
		fi
	else
		show "$log"
		not_ok "iteration 1 never ran with a measured sample"
	fi
	timing node-fail-alive "$(elapsed "$t0")"
fi

# ---- g. the CPU step exits 2 (a usage error: here, a catalogue it cannot read)
if want g; then
	echo "# g. the CPU step exits 2 at its start"
	conf=$(write_conf cpu-exit-2 retry_max=1)
	run=$(run_dir_of "$conf")
	log=$WORK/cpu-exit-2.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	# The orchestrator writes techniques.json just before it submits; spoilt at once, the
	# CPU step (which reads it at its start) exits 2.
	deadline=$((SECONDS + 30))
	until [ -s "$run/iter-0001/techniques.json" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.01; done
	echo 'not json' >"$run/iter-0001/techniques.json"
	wait_exit "$RUN_PID" 120
	show "$log"
	check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
	st=$(acct_field "$conf" 1 State)
	n=$(acct_field "$conf" 1 Samples)
	check "iteration 1 is FAILED with 0 samples, not COMPLETED (State $st, Samples $n)" \
		test "$st $n" = "FAILED 0"
	check "the log blames the CPU step and its exit status" grep -q 'the CPU step .*exit' "$log"
	timing cpu-exit-2 "$(elapsed "$t0")"
fi

# ---- h. scancel the GPU component: the whole job ends CANCELLED, and the run goes on
if want h; then
	echo "# h. scancel JOB+0 (the GPU component) while the CPU tasks measure"
	conf=$(write_conf gpu-cancel iterations=2 "${medium[@]}")
	run=$(run_dir_of "$conf")
	log=$WORK/gpu-cancel.log
	t0=$(date +%s.%N)
	start_run "$conf" "$log"
	if job=$(wait_iter "$conf" 1 RUNNING 60) && wait_records "$run/iter-0001" 1 60; then
		echo "# job $job: $(count_records "$run/iter-0001") of 8 samples measured when the GPU component is cancelled"
		check "scancel $job+0" scancel "$job+0"
		wait_exit "$RUN_PID" 150
		show "$log"
		check "perfrl run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
		check "the log calls it a cancel from outside, not a stop" grep -q 'cancelled outside perfrl' "$log"
		check_run "$conf" 2
		check_retried "$conf" "$log"
	else
		show "$log"
		not_ok "iteration 1 never ran with a measured sample"
	fi
	timing gpu-cancel "$(elapsed "$t0")"
fi

echo "# timings:$timings"
finish
