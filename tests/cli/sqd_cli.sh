#!/bin/bash
# sqd_cli.sh - Staged Quality-Diversity from the command line, without a cluster: perfrl
# stages on the shipped and on broken curricula, a broken stages.lua stopping perfrl run
# before anything is submitted, the compliance rule in perfrl bench (--permit/--require and
# the CPU step's --prompts), perfrl techniques, and perfrl archive on an empty run.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
require_perfrl
bench_lock


fast="--shape 48x40x56 --budget 0.05 --min-reps 2 --timeout 10 --no-lock -q --cache-dir $WORK/cache"
ex=$top_srcdir/examples
cd "$WORK"

conf() { # conf NAME STAGES [ITERATIONS]: a configuration whose run is $WORK/NAME-run
	cat >"$WORK/$1.conf" <<CONF
run_dir = "$WORK/$1-run";
iterations = ${3:-6};
stages = "$2";
gpu_step = { prompts_per_iteration = 4; };
bench = { shapes = ["64x64x64", "61x67x71"]; };
CONF
	echo "$WORK/$1.conf"
}

# ---- perfrl stages on the shipped curriculum -------------------------------------------------
c=$(conf plain "$top_srcdir/stages.lua" 12)
rc=0; "$PERFRL" stages -c "$c" >"$WORK/plan.txt" 2>"$WORK/plan.err" || rc=$?
check "perfrl stages exits 0 (rc=$rc: $(head -c 300 "$WORK/plan.err"))" test "$rc" = 0
check "perfrl stages: a header, then 4 problems x 12 iterations" \
	test "$(grep -Ec '^ +[0-9]+ +[0-9]+ ' "$WORK/plan.txt")" = 48
"$PERFRL" stages -c "$c" --json >"$WORK/plan.jsonl"
python3 - "$WORK/plan.jsonl" >"$WORK/plan.check" 2>&1 <<'PY'
import json, sys
main = {"openmp", "simd", "cache_blocking", "register_blocking"}
rows = [json.loads(l) for l in open(sys.argv[1])]
bad = []
stages = [r["stage"] for r in rows]
if stages != sorted(stages) or stages[0] != 1 or stages[-1] != 3:
    bad.append("stages do not go 1 -> 3 in order: %s" % stages)
for r in rows:
    n = len(main & set(r["permitted"]))
    want = {1: 1, 2: 2, 3: 4}[r["stage"]]
    if n != want:
        bad.append("iteration %d stage %d: %d main techniques %s" % (r["iteration"], r["stage"], n, r["permitted"]))
first = [frozenset(main & set(r["permitted"])) for r in rows if r["stage"] == 1]
if set().union(*first) != main:
    bad.append("stage 1 does not pose every main technique")
if r["shape"] not in ("64x64x64", "61x67x71"):
    bad.append("a shape not from the configuration")
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
check "perfrl stages --json: stage 1 one main technique, 2 pairs, 3 all, in order ($(head -c 300 "$WORK/plan.check"))" \
	test ! -s "$WORK/plan.check"
"$PERFRL" stages -c "$c" --iterations 2-3 --json >"$WORK/plan23.jsonl"
check "perfrl stages --iterations 2-3: only those" \
	test "$(json_tsv "$WORK/plan23.jsonl" iteration | sort -u | tr '\n' ' ')" = "2 3 "
check "perfrl stages twice: the same plan" \
	cmp -s "$WORK/plan.txt" <("$PERFRL" stages -c "$c" 2>/dev/null)
rc=0; "$PERFRL" stages -c "$c" --iterations 5-2 >/dev/null 2>&1 || rc=$?
check "perfrl stages --iterations 5-2: usage error" test "$rc" = 2

# ---- broken curricula: file and line, and nothing submitted --------------------------------
printf 'function plan(ctx)\n  return {problems = {{shape = "64x64x64", permitted = {"openmp"}}}}\nend\nlocal x = = 1\n' >"$WORK/syntax.lua"
printf 'function plan(ctx)\n  os.execute("touch %s/pwned")\n  return {problems = {}}\nend\n' "$WORK" >"$WORK/escape.lua"
printf 'function plan(ctx)\n  return {problems = {{shape = "64x64x64", permitted = {"openmpp"}}}}\nend\n' >"$WORK/unknown.lua"
printf 'function plan(ctx)\n  if ctx.iteration == 5 then error("boom") end\n  return {problems = {{shape = "64x64x64", permitted = {"openmp"}}}}\nend\n' >"$WORK/late.lua"
for case in "syntax:syntax.lua:4:" "escape:escape.lua:2:" "unknown:openmpp" "late:late.lua:2: boom"; do
	name=${case%%:*}
	want=${case#*:}
	c=$(conf "$name" "$WORK/$name.lua")
	rc=0; "$PERFRL" stages -c "$c" >/dev/null 2>"$WORK/err" || rc=$?
	check "stages $name: exit 1 (rc=$rc)" test "$rc" = 1
	check "stages $name: the error says '$want' ($(head -c 200 "$WORK/err"))" grep -qF -- "$want" "$WORK/err"
	rc=0; "$PERFRL" run -c "$c" >/dev/null 2>"$WORK/err" || rc=$?
	check "run $name: exit 1 (rc=$rc)" test "$rc" = 1
	check "run $name: the error says '$want' and nothing was submitted" \
		sh -c "grep -qF -- '$want' '$WORK/err' && grep -q 'nothing was submitted' '$WORK/err' && ! ls -d '$WORK/$name-run'/iter-* >/dev/null 2>&1"
done
check "os.execute ran nothing" test ! -e "$WORK/pwned"

# ---- compliance in perfrl bench ------------------------------------------------------------
"$PERFRL" bench --json $fast --permit openmp "$ex/simd.c" >"$WORK/c1.json"
json_tsv "$WORK/c1.json" status detail >"$WORK/c1.tsv"
check "--permit openmp: simd.c rejected, naming simd ($(cat "$WORK/c1.tsv"))" \
	grep -q "^rejected	uses simd, .*not permitted here (permitted: openmp)\$" "$WORK/c1.tsv"
"$PERFRL" bench --json $fast --require openmp "$ex/naive.c" >"$WORK/c2.json"
check "--require openmp: naive.c rejected" \
	test "$(json_tsv "$WORK/c2.json" status detail)" = "$(printf 'rejected\tdoes not use the required technique openmp')"
"$PERFRL" bench --json $fast --permit none "$ex/naive.c" >"$WORK/c3.json"
check "--permit none: naive.c ok, techniques []" \
	test "$(json_tsv "$WORK/c3.json" status techniques)" = "$(printf 'ok\t[]')"
"$PERFRL" bench --json $fast "$ex/simd.c" >"$WORK/c4.json"
check "no constraint: simd.c ok and its techniques include simd" \
	sh -c "grep -q '\"simd\"' '$WORK/c4.json' && grep -q '\"status\": *\"ok\"' '$WORK/c4.json'"
rc=0; "$PERFRL" bench $fast --permit openmp+simdd "$ex/naive.c" >/dev/null 2>"$WORK/err" || rc=$?
check "--permit with an unknown technique: exit 2, named" sh -c "test $rc = 2 && grep -q simdd '$WORK/err'"

# The CPU step's form: the problem of each sample decides (from the prompts, not the sample).
python3 - "$ex" "$WORK" <<'PY'
import json, sys
ex, work = sys.argv[1], sys.argv[2]
def code(f):
    return "```c\n" + open("%s/%s" % (ex, f)).read() + "```\n"
with open(work + "/prompts.jsonl", "w") as f:
    f.write(json.dumps({"problem_id": "p-omp", "shape": "40x48x56", "permitted": ["openmp", "loop_reorder", "unrolling", "register_blocking"], "required": ["openmp"], "prompt": "x", "stage": 1}) + "\n")
    f.write(json.dumps({"problem_id": "p-simd", "shape": "33x17x9", "permitted": ["simd", "loop_reorder", "unrolling", "register_blocking", "packing"], "required": [], "prompt": "x", "stage": 1}) + "\n")
with open(work + "/completions.jsonl", "w") as f:
    for sid, pid, src in [("a", "p-omp", "openmp.c"), ("b", "p-omp", "simd.c"), ("c", "p-simd", "simd.c"),
                          ("d", "p-simd", "naive.c"), ("e", "p-gone", "naive.c"), ("f", "p-omp", "naive.c")]:
        f.write(json.dumps({"sample_id": sid, "problem_id": pid, "completion": code(src), "shape": "8x8x8"}) + "\n")
PY
rc=0
"$PERFRL" bench --budget 0.05 --min-reps 2 --no-lock -q --cache-dir "$WORK/cache" \
	--completions "$WORK/completions.jsonl" --prompts "$WORK/prompts.jsonl" --out "$WORK/res.jsonl" || rc=$?
check "bench --prompts exits 0 (rc=$rc)" test "$rc" = 0
got=$(json_tsv "$WORK/res.jsonl" sample_id status | tr '\t\n' ': ')
check "bench --prompts: the verdicts by problem ($got)" \
	test "$got" = "a:ok b:rejected c:ok d:ok e:rejected f:rejected "
check "bench --prompts: the shape is the problem's, not the sample's" \
	test "$(json_tsv "$WORK/res.jsonl" sample_id shape | grep '^a' | cut -f2)" = 40x48x56

# ---- perfrl techniques ------------------------------------------------------------------------
check "perfrl techniques: naive.c uses none" \
	test "$("$PERFRL" techniques "$ex/naive.c")" = "$ex/naive.c: none"
check "perfrl techniques --list names the 8 built-ins" \
	test "$("$PERFRL" techniques --list | grep -Ec '^(openmp|simd|cache_blocking|register_blocking|packing|unrolling|prefetch|loop_reorder)\b')" = 8
rc=0; "$PERFRL" techniques "$WORK/nope.c" >/dev/null 2>&1 || rc=$?
check "perfrl techniques on a missing file: exit 2 (rc=$rc)" test "$rc" = 2

# ---- the builtin GPU step under a curriculum with a technique of its own ---------------------
# stages.lua's techniques reach the GPU step in techniques.json: a permitted one is simply not
# used (the design space has only the built-ins); a required one is said to be out of reach.
it=$WORK/ut-run/iter-0001
mkdir -p "$it/results"
echo '[{"name":"tasks","description":"OpenMP tasks","pragmas":["omp task"],"identifiers":[]}]' >"$it/techniques.json"
printf '%s\n' '{"problem_id":"a","shape":"64x64x64","permitted":["openmp","tasks"],"required":[],"prompt":"x","stage":1}' \
	'{"problem_id":"b","shape":"64x64x64","permitted":["openmp","tasks"],"required":["tasks"],"prompt":"x","stage":1}' >"$it/prompts.jsonl"
# No CPU step answers: the kernels are drawn, no reward comes, and no update is made from none.
rc=0; "$PERFRL" gpu-step --builtin --iter-dir "$it" --group-size 3 --wait 0.2 >/dev/null 2>"$WORK/gs.err" || rc=$?
check "gpu-step --builtin with a user technique, no reward: exit 1, no update (rc=$rc: $(tail -c 200 "$WORK/gs.err"))" \
	sh -c "test $rc = 1 && grep -q 'no reward arrived' '$WORK/gs.err' && test ! -e '$it/checkpoint'"
check "... 6 kernels, none using more than openmp" \
	test "$(json_tsv "$it/completions.jsonl" design | grep -Evc 'tile_m=none tile_n=none tile_k=none micro=none omp=[a-z]* simd=none unroll=1 pack=off$')" = 0
check "... and 6 of them" test "$(wc -l <"$it/completions.jsonl")" = 6
check "... says the required one is out of its reach" grep -q 'b requires tasks, which the builtin design space cannot write' "$WORK/gs.err"
# Their rewards arrive (b's kernels rejected, as the compliance rule would): the step again
# reuses the kernels and updates.
py 'import json, sys
d = sys.argv[1]
with open(d + "/results/shard-0.jsonl", "w") as out:
    for l in open(d + "/completions.jsonl"):
        c = json.loads(l)
        ok = c["problem_id"] == "a"
        out.write(json.dumps({"sample_id": c["sample_id"], "problem_id": c["problem_id"],
                              "status": "ok" if ok else "rejected", "gflops": 1.0 if ok else None,
                              "reward": 1.0 if ok else -100.0}) + "\n")' "$it"
rc=0; "$PERFRL" gpu-step --builtin --iter-dir "$it" --group-size 3 --wait 5 >/dev/null 2>"$WORK/gs2.err" || rc=$?
check "gpu-step --builtin with a user technique, rewards in: exit 0, an update from its 6 kernels (rc=$rc: $(tail -c 200 "$WORK/gs2.err"))" \
	sh -c "test $rc = 0 && grep -q 'GRPO step 1 on 6 samples' '$WORK/gs2.err' && test -s '$it/checkpoint/policy.json'"

# ---- perfrl archive before any iteration -------------------------------------------------------
c=$(conf empty "$top_srcdir/stages.lua")
mkdir -p "$WORK/empty-run/state"
rc=0; "$PERFRL" archive -c "$c" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "perfrl archive on an empty run: exit 0, 'no cells yet'" \
	sh -c "test $rc = 0 && grep -q 'no cells yet' '$WORK/err' && test ! -s '$WORK/out'"

echo "$passed passed, $failed failed"
test "$failed" = 0
