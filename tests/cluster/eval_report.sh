#!/bin/bash
# eval_report.sh - perfrl eval and perfrl report on the local Slurm cluster:
#  - `perfrl eval --completions --problems` on known completions, some right and some wrong:
#    pass@k, fast_p, speedup@k, the status mix and technique compliance against values worked
#    out by hand (and speedup@k against brute force over every draw of k), the baselines
#    measured in the same job, the table, bad input;
#  - an evaluation interrupted (perfrl eval killed, its job cancelled) and run again: what was
#    measured is kept, not measured again, and every sample is measured once;
#  - `perfrl report` on a real 2-iteration run with two evaluations, opened in headless
#    Chromium (tests/lib/browser_check.py): every image loads, the page asks for nothing but its
#    own files; a spoilt copy of the page shows the check can fail.
# Exit: 0 all passed, 1 a failure, 77 (skip) when no cluster is up and we are not root.
set -eu
. "$(cd "$(dirname "$0")/../lib" && pwd)/run_common.sh"

conf=$(write_conf evrep iterations=2)
run=$(run_dir_of "$conf")
K=$top_srcdir/examples
py() { python3 -c "$@"; }

# ---- known completions: problem pa (every technique permitted), pb (loop_reorder only)
mkdir -p "$WORK/known"
cat >"$WORK/known/wrong.c" <<'EOF'
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s + (i == 1 && j == 2); /* one element off */
		}
}
EOF
printf 'void dgemm(int m, int n, int k, const double *A, const double *B, double *C)\n{ this is not C; }\n' >"$WORK/known/broken.c"
printf 'I am sorry, I cannot write this kernel.\n' >"$WORK/known/prose.txt"
py '
import json, sys
d, k = sys.argv[1], sys.argv[2]
def text(p): return open(p).read()
probs = [{"problem_id": "pa", "shape": "64x64x64"},
         {"problem_id": "pb", "shape": "61x67x71", "permitted": ["loop_reorder"]}]
samples = [("pa", k + "/naive.c"), ("pa", k + "/reorder.c"), ("pa", d + "/wrong.c"), ("pa", d + "/broken.c"),
           ("pb", k + "/openmp.c"), ("pb", k + "/reorder.c"), ("pb", d + "/prose.txt")]
with open(d + "/problems.jsonl", "w") as f:
    for p in probs: f.write(json.dumps(p) + "\n")
with open(d + "/completions.jsonl", "w") as f:
    for i, (p, path) in enumerate(samples):
        f.write(json.dumps({"sample_id": "s%d" % i, "problem_id": p, "completion": text(path)}) + "\n")
' "$WORK/known" "$K"

ev=$WORK/ev-known
rc=0
"$PERFRL" eval -c "$conf" --completions "$WORK/known/completions.jsonl" --problems "$WORK/known/problems.jsonl" \
	--out "$ev" >"$WORK/known.txt" 2>"$WORK/known.err" || rc=$?
sed 's/^/#   /' "$WORK/known.txt"
check "eval --completions: exit 0 (got $rc; $(tail -1 "$WORK/known.err"))" test "$rc" = 0
check "eval --completions: every sample measured" \
	py 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r["all"]["samples"] == 7 and r["all"]["measured"] == 7))' "$ev/results.json"
res=$ev/results.json
near() { # near EXPR VALUE: the figure EXPR of results.json r is VALUE within 1e-9
	py "import json,sys; r=json.load(open(sys.argv[1])); v=$1; sys.exit(not (v is not None and abs(v - ($2)) < 1e-9))" "$res"
}
fig() { py "import json,sys; r=json.load(open(sys.argv[1])); print($1)" "$res"; }
check "statuses: s0 s1 ok, s2 wrong_answer, s3 compile_error, s4 s6 rejected, s5 ok" \
	test "$(cat "$ev"/results/*.jsonl | py 'import json,sys; print(" ".join(r["sample_id"] + "=" + r["status"] for r in sorted(map(json.loads, sys.stdin), key=lambda r: r["sample_id"])))')" = \
	"s0=ok s1=ok s2=wrong_answer s3=compile_error s4=rejected s5=ok s6=rejected"
check "pass@1 of pa (n 4, c 2) = 1/2 ($(fig 'r["problems"]["pa"]["pass_at_k"]["1"]'))" near 'r["problems"]["pa"]["pass_at_k"]["1"]' 0.5
check "pass@2 of pa = 1 - C(2,2)/C(4,2) = 5/6" near 'r["problems"]["pa"]["pass_at_k"]["2"]' 5/6
check "pass@3 of pa = 1 (n - c < k)" near 'r["problems"]["pa"]["pass_at_k"]["3"]' 1
check "pass@1 of pb (n 3, c 1) = 1/3" near 'r["problems"]["pb"]["pass_at_k"]["1"]' 1/3
check "pass@2 of pb = 1 - C(2,2)/C(3,2) = 2/3" near 'r["problems"]["pb"]["pass_at_k"]["2"]' 2/3
check "pass@3 of pb = n = k with a correct one = 1" near 'r["problems"]["pb"]["pass_at_k"]["3"]' 1
check "k: 1, 2, then the fewest samples of a problem (3)" test "$(fig 'r["ks"]')" = "[1, 2, 3]"
check "overall pass@1 = mean over problems = 5/12" near 'r["all"]["pass_at_k"]["1"]' 5/12
check "overall pass@2 = (5/6 + 2/3)/2 = 3/4" near 'r["all"]["pass_at_k"]["2"]' 0.75
check "fast_0 against i-k-j = the share correct: pa 1/2" near 'r["problems"]["pa"]["fast_p"]["ikj"]["0"]' 0.5
check "fast_0 against OpenBLAS, overall = 5/12" near 'r["all"]["fast_p"]["openblas"]["0"]' 5/12
check "status mix: ok 3/7, rejected 2/7, wrong_answer 1/7, compile_error 1/7" \
	py 'import json,sys; s=json.load(open(sys.argv[1]))["all"]["status"]; sys.exit(not all(abs(s[k] - v / 7) < 1e-9 for k, v in {"ok": 3, "rejected": 2, "wrong_answer": 1, "compile_error": 1, "timeout": 0, "runtime_error": 0, "unmeasured": 0}.items()))' "$res"
check "compliance: 5 of the 6 judged samples (openmp where only loop_reorder is permitted breaks it; prose is not judged)" \
	near 'r["all"]["compliance"]' 5/6
check "compliance of pb: 1 of 2 judged" near 'r["problems"]["pb"]["compliance"]' 0.5

# the baselines: measured in the same job, per shape, and plausible
check "baselines for both shapes: naive, i-k-j, OpenBLAS, BLIS, the best library and the peak, all > 0, none above the peak, the cores named" \
	py 'import json,sys; b=json.load(open(sys.argv[1]))["baselines"]; sys.exit(not (set(b) == {"64x64x64", "61x67x71"} and all(0 < b[s][k] <= b[s]["peak"] for s in b for k in ("naive", "ikj", "openblas", "blis", "library")) and all(b[s]["library"] == max(b[s]["openblas"], b[s]["blis"]) and b[s]["openblas_core"] and b[s]["blis_core"] and b[s]["peak"] < b[s]["nominal_peak"] for s in b)))' "$res"
check "baselines.jsonl: the two kernels, OpenBLAS, BLIS and MKL (or why not) per shape, on one node" \
	py 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; k=sorted(l.get("kernel") or l["file"].rsplit("/",1)[-1] for l in L); sys.exit(not (len(L) == 10 and len({l["node"] for l in L}) == 1 and k == sorted(["blis", "ikj.c", "mkl", "naive.c", "openblas"] * 2)))' "$ev/baseline.jsonl"

# speedup@k, efficiency@k and fast_p from the raw records, by brute force over every draw of k
check "speedup@k, efficiency@k (ParEval) and fast_p (KernelBench) agree with brute force from the records" py '
import itertools, json, sys, glob
ev = sys.argv[1]
r = json.load(open(ev + "/results.json"))
recs = {}
for f in sorted(glob.glob(ev + "/results/*.jsonl")):
    for l in open(f):
        x = json.loads(l); recs.setdefault(x["sample_id"], x)
comp = [json.loads(l) for l in open(ev + "/completions.jsonl")]
shape = {"pa": "64x64x64", "pb": "61x67x71"}
bad = []
for p in ("pa", "pb"):
    b = r["baselines"][shape[p]]
    sp = [recs[c["sample_id"]]["gflops"] / b["ikj"] if recs[c["sample_id"]]["status"] == "ok" else 0 for c in comp if c["problem_id"] == p]
    ef = [recs[c["sample_id"]]["gflops"] / recs[c["sample_id"]]["threads"] / b["ikj"] if recs[c["sample_id"]]["status"] == "ok" else 0 for c in comp if c["problem_id"] == p]
    for k in (1, 2, 3):
        want = sum(max(d) for d in itertools.combinations(sp, k)) / len(list(itertools.combinations(sp, k)))
        weff = sum(max(d) for d in itertools.combinations(ef, k)) / len(list(itertools.combinations(ef, k)))
        if abs(r["problems"][p]["speedup_at_k"][str(k)] - want) > 1e-9 * max(1, want): bad.append((p, "speedup", k))
        if abs(r["problems"][p]["efficiency_at_k"][str(k)] - weff) > 1e-9 * max(1, weff): bad.append((p, "efficiency", k))
    for base in ("naive", "ikj", "openblas", "blis", "library"):
        for q in (0, 0.5, 1, 1.5, 2):
            ok = [recs[c["sample_id"]]["status"] == "ok" and recs[c["sample_id"]]["gflops"] / b[base] > q for c in comp if c["problem_id"] == p]
            if abs(r["problems"][p]["fast_p"][base]["%g" % q] - sum(ok) / len(ok)) > 1e-12: bad.append((p, base, q))
if bad: print("# mismatches:", bad)
sys.exit(bool(bad))
' "$ev"

# the table: sacct style, a row per problem and one for all
check "table: header, dashes, pa, pb, all" \
	test "$(awk '{ print $1 }' "$WORK/known.txt" | tr '\n' ' ')" = "Problem ------------------------ pa pb all "
check "table: every line as wide as the dashes" test "$(awk '{ print length($0) }' "$WORK/known.txt" | sort -u | wc -l)" = 1
"$PERFRL" eval -c "$conf" --completions "$WORK/known/completions.jsonl" --problems "$WORK/known/problems.jsonl" \
	--out "$ev" -P -n >"$WORK/knownP.txt" 2>"$WORK/knownP.err"
check "eval again: no job (everything measured), -P -n: 3 lines of 15 fields, no trailing |" \
	sh -c "! grep -q 'CPU job' '$WORK/knownP.err' && test \"\$(awk -F'|' 'NF == 15 && !/\\|\$/' '$WORK/knownP.txt' | wc -l)\" = 3"

# bad input: one clear line, no job
printf '{"sample_id": "x", "problem_id": "nope", "completion": "int x;"}\n' >"$WORK/known/stray.jsonl"
rc=0; "$PERFRL" eval -c "$conf" --completions "$WORK/known/stray.jsonl" --problems "$WORK/known/problems.jsonl" \
	--out "$WORK/ev-stray" >/dev/null 2>"$WORK/stray.err" || rc=$?
check "a completion of an unknown problem: exit 1, named ($(head -1 "$WORK/stray.err"))" \
	sh -c "test $rc = 1 && grep -q 'problem \"nope\" is not in' '$WORK/stray.err' && test \$(wc -l <'$WORK/stray.err') = 1"
printf '{"problem_id": "q", "shape": "64x64"}\n' >"$WORK/known/badshape.jsonl"
rc=0; "$PERFRL" eval -c "$conf" --completions "$WORK/known/completions.jsonl" --problems "$WORK/known/badshape.jsonl" \
	--out "$WORK/ev-bad" >/dev/null 2>"$WORK/badshape.err" || rc=$?
check "a problem with a bad shape: exit 1, said ($(head -1 "$WORK/badshape.err"))" \
	sh -c "test $rc = 1 && grep -q \"bad shape '64x64'\" '$WORK/badshape.err'"
rc=0; "$PERFRL" eval -c "$conf" --completions "$WORK/known/completions.jsonl" --out "$WORK/ev-bad" >/dev/null 2>&1 || rc=$?
check "--completions without --problems: usage error (2)" test "$rc" = 2
printf '{"version": 1, "step": 3, "factors": {}}\n' >"$WORK/known/old-policy.json"
rc=0; "$PERFRL" eval -c "$conf" --checkpoint "$WORK/known/old-policy.json" --out "$WORK/ev-old" >/dev/null \
	2>"$WORK/old.err" || rc=$?
check "a checkpoint of the old design space: exit 1 before any job ($(head -1 "$WORK/old.err"))" \
	sh -c "test $rc = 1 && grep -q 'older design space' '$WORK/old.err' && test ! -e '$WORK/ev-old/completions.jsonl' && test ! -d '$WORK/ev-old/results'"
head -2 "$WORK/known/completions.jsonl" >"$WORK/known/subset.jsonl"
rc=0; "$PERFRL" eval -c "$conf" --completions "$WORK/known/subset.jsonl" --problems "$WORK/known/problems.jsonl" \
	--out "$ev" >/dev/null 2>"$WORK/other.err" || rc=$?
check "another evaluation's files in --out: refused, exit 1" sh -c "test $rc = 1 && grep -q 'holds another evaluation' '$WORK/other.err'"

# ---- resuming: slow correct kernels, perfrl eval killed and its job cancelled mid-way
cat >"$WORK/known/slow.c" <<'EOF'
/* correct, and slow on purpose: the product computed 20 times over */
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int rep = 0; rep < 20; rep++)
		for (int i = 0; i < m; i++)
			for (int j = 0; j < n; j++) {
				double s = 0;
				for (int p = 0; p < k; p++)
					s += A[(long)i * k + p] * B[(long)p * n + j];
				C[(long)i * n + j] = s;
			}
}
EOF
py '
import json, sys
d = sys.argv[1]
src = open(d + "/slow.c").read()
open(d + "/slow-problems.jsonl", "w").write(json.dumps({"problem_id": "slow", "shape": "200x200x200"}) + "\n")
with open(d + "/slow-completions.jsonl", "w") as f:
    for i in range(8):  # distinct texts: no build is shared, every sample is its own measurement
        f.write(json.dumps({"sample_id": "slow%d" % i, "problem_id": "slow", "completion": src + "/* %d */\n" % i}) + "\n")
' "$WORK/known"
evs=$WORK/ev-slow
# Kernels timed one after another, each record journalled at once: an interrupted evaluation
# keeps every record it finished. (Interleaved, a group's records come when the group is done;
# tests/cli/bench_interleave.sh covers resuming that.)
confs=$(write_conf evslow iterations=2 interleave=false)
"$PERFRL" eval -c "$confs" --completions "$WORK/known/slow-completions.jsonl" --problems "$WORK/known/slow-problems.jsonl" \
	--out "$evs" >"$WORK/slow1.txt" 2>"$WORK/slow1.err" 8>&- &
epid=$!
RC_PIDS+=("$epid")
deadline=$((SECONDS + 120))
while [ "$SECONDS" -lt "$deadline" ] && [ "$(cat "$evs"/results/*.partial 2>/dev/null | wc -l)" -lt 2 ]; do
	sleep 0.2
done
kill -KILL "$epid" 2>/dev/null || true
wait "$epid" 2>/dev/null || true
job=$(squeue -h -o '%i %k' | awk -v c="perfrl eval=$evs" 'index($0, c) { print $1 }')
[ -n "$job" ] && scancel "$job"
for _ in $(seq 50); do [ -z "$(squeue -h -j "${job:-0}" 2>/dev/null)" ] && break; sleep 0.2; done
cat "$evs"/results/*.partial 2>/dev/null >"$WORK/before.jsonl" || true
nbefore=$(wc -l <"$WORK/before.jsonl")
echo "# interrupted: job ${job:-?} cancelled with $nbefore samples in the journals"
check "interrupted mid-way: some samples measured ($nbefore), not all" sh -c "test $nbefore -ge 1 && test $nbefore -lt 8"
rc=0
"$PERFRL" eval -c "$confs" --completions "$WORK/known/slow-completions.jsonl" --problems "$WORK/known/slow-problems.jsonl" \
	--out "$evs" >"$WORK/slow2.txt" 2>"$WORK/slow2.err" || rc=$?
check "resumed: exit 0 (got $rc), all 8 measured" \
	sh -c "test $rc = 0 && python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))[\"all\"]; sys.exit(not (a[\"measured\"] == 8 and a[\"ok\"] == 8))' '$evs/results.json'"
check "resumed: each sample has exactly one record in the results" \
	test "$(cat "$evs"/results/shard-*.jsonl | py 'import json,sys; ids=[json.loads(l)["sample_id"] for l in sys.stdin]; print(len(ids), len(set(ids)))')" = "8 8"
check "resumed: the $nbefore samples measured before the interruption were kept, not measured again (same figures)" py '
import json, sys
before = {}
for l in open(sys.argv[1]):
    try: x = json.loads(l)
    except ValueError: continue
    before.setdefault(x["sample_id"], x)
after = {}
import glob
for f in glob.glob(sys.argv[2] + "/results/shard-*.jsonl"):
    for l in open(f):
        x = json.loads(l); after[x["sample_id"]] = x
sys.exit(not (before and all(after[k]["gflops"] == v["gflops"] and after[k]["cv"] == v["cv"] for k, v in before.items())))
' "$WORK/before.jsonl" "$evs"

# ---- the report of a real short run, with two evaluations, in headless Chromium
log=$WORK/evrep-run.log
start_run "$conf" "$log"
wait_exit "$RUN_PID" 240
check "the 2-iteration run exits 0 (got $WAIT_RC)" test "$WAIT_RC" = 0
"$PERFRL" eval -c "$conf" --out "$WORK/ev-it2" --checkpoint "$run/iter-0002/checkpoint/policy.json" --samples 4 \
	>/dev/null 2>"$WORK/ev-it2.err" || not_ok "perfrl eval of iteration 2 exits 0 ($(tail -1 "$WORK/ev-it2.err"))"
check "eval of a checkpoint: the GPU step of a heterogeneous job drew the kernels, from the policy copied to DIR/policy.json" \
	sh -c "grep -q 'the GPU step draws the kernels' '$WORK/ev-it2.err' && python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' '$WORK/ev-it2/policy.json' '$run/iter-0002/checkpoint/policy.json'"
check "eval of a checkpoint: 4 samples measured" \
	py 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["all"]["measured"] != 4)' "$WORK/ev-it2/results.json"
"$PERFRL" eval compare "$ev" "$WORK/ev-it2" >"$WORK/compare.txt"
sed 's/^/#   /' "$WORK/compare.txt"
check "eval compare: pass@1, pass@2 (the largest k both have), fast_1, speedup@2, compliance" \
	test "$(grep -Ec '^(pass@1|pass@2|fast_1|speedup@2|compliance) ' "$WORK/compare.txt")" = 5
rc=0
"$PERFRL" report -c "$conf" --eval "$WORK/ev-it2" --eval "$ev" >"$WORK/report.out" 2>"$WORK/report.err" || rc=$?
check "perfrl report: exit 0 (got $rc; $(tail -1 "$WORK/report.err")), prints the page's path" \
	sh -c "test $rc = 0 && test \"\$(cat '$WORK/report.out')\" = '$run/report/index.html'"
page=$run/report/index.html
for img in reward status time archive heatmap baselines passk fastp; do
	check "report: $img.png is a PNG" py 'import sys; sys.exit(open(sys.argv[1], "rb").read(8) != b"\x89PNG\r\n\x1a\n")' "$run/report/$img.png"
done
check "report: the page names no other origin (no scheme in src/href, no url())" \
	sh -c "! grep -Eiq '(src|href)=\"[a-z][a-z0-9+.-]*:|url\\(' '$page'"
check "report: the best kernel's source is on the page" grep -q 'void dgemm' "$page"
# a relative output directory, as scripts/demo's relative run_dir gives (gnuplot runs inside it)
rc=0
(cd "$(dirname "$run")" && "$PERFRL" report -c "$conf" --out "$(basename "$run")/report-rel") \
	>/dev/null 2>"$WORK/report-rel.err" || rc=$?
check "perfrl report --out RELATIVE: exit 0 (got $rc; $(tail -1 "$WORK/report-rel.err")), plots drawn" \
	sh -c "test $rc = 0 && test -s '$run/report-rel/reward.png' && test -s '$run/report-rel/gnuplot.log' -o -f '$run/report-rel/gnuplot.log'"

command -v chromium >/dev/null || bail "chromium is not installed: scripts/setup --check installs it (Debian's chromium)"
python3 "$top_srcdir/tests/lib/browser_check.py" "$page" >"$WORK/browser.json" 2>"$WORK/browser.err" ||
	bail "headless Chromium could not open the report: $(cat "$WORK/browser.err")"
sed 's/^/#   /' "$WORK/browser.json" | cut -c1-400
check "chromium: 8 images, every one loaded (naturalWidth > 0)" \
	py 'import json,sys; b=json.load(open(sys.argv[1])); sys.exit(not (len(b["images"]) == 8 and all(i["complete"] and i["width"] > 0 and i["height"] > 0 for i in b["images"])))' "$WORK/browser.json"
check "chromium: the page asked for its own files only (file://$run/report/), nothing on the network" \
	py 'import json,sys; b=json.load(open(sys.argv[1])); sys.exit(not (b["requests"] and all(u.startswith("file://" + sys.argv[2] + "/") for u in b["requests"])))' "$WORK/browser.json" "$run/report"

# the check can fail: a copy of the page with a missing image and one from the network
sed 's|</body>|<img src="missing.png" alt="x"><img src="http://127.0.0.1:9/x.png" alt="y"></body>|' "$page" >"$run/report/spoilt.html"
python3 "$top_srcdir/tests/lib/browser_check.py" "$run/report/spoilt.html" >"$WORK/spoilt.json" 2>/dev/null ||
	bail "headless Chromium could not open the spoilt page"
check "chromium on a spoilt page: sees the missing image (width 0) and the network request" \
	py 'import json,sys; b=json.load(open(sys.argv[1])); sys.exit(not (any(i["src"] == "missing.png" and i["width"] == 0 for i in b["images"]) and any(u.startswith("http://127.0.0.1:9/") for u in b["requests"])))' "$WORK/spoilt.json"

# a run where nothing was correct (records written as the orchestrator writes them): the plots
# say so instead of failing (gnuplot refuses to autoscale no points)
conf1=$(write_conf allbad)
bad=$(run_dir_of "$conf1")
mkdir -p "$bad/state" "$bad/iter-0001/results"
cat >"$bad/state/iterations.jsonl" <<'EOF'
{"iter":1,"job_id":"9","state":"COMPLETED","stage":0,"submit":1795316234,"start":1795316235,"end":1795316237,"samples":2,"ok":0,"rejected":2,"compile_error":0,"timeout":0,"runtime_error":0,"wrong_answer":0,"best_gflops":null,"median_gflops":null,"mean_reward":-100,"coverage":null,"qd_score":null,"retries":0}
{"iter":2,"job_id":"10","state":"FAILED","stage":0,"submit":1795316238,"start":null,"end":null,"samples":0,"ok":0,"rejected":0,"compile_error":0,"timeout":0,"runtime_error":0,"wrong_answer":0,"best_gflops":null,"median_gflops":null,"mean_reward":null,"coverage":null,"qd_score":null,"retries":0}
EOF
printf '{"sample_id":"x/0","status":"rejected","gflops":null,"reward":-100}\n{"sample_id":"x/1","status":"rejected","gflops":null,"reward":-100}\n' \
	>"$bad/iter-0001/results/shard-0.jsonl"
rc=0; "$PERFRL" report -c "$conf1" >/dev/null 2>"$WORK/allbad.err" || rc=$?
check "report of a run where nothing was correct: exit 0 (got $rc; $(head -c 300 "$WORK/allbad.err")), its plots drawn" \
	sh -c "test $rc = 0 && test -s '$bad/report/reward.png' && test -s '$bad/report/baselines.png' && test -s '$bad/report/archive.png'"

# a run with no iterations: nothing to report, said in one line
conf0=$(write_conf empty)
rc=0; "$PERFRL" report -c "$conf0" >/dev/null 2>"$WORK/empty.err" || rc=$?
check "report of a run with no iterations: exit 1, one line ($(cat "$WORK/empty.err"))" \
	sh -c "test $rc = 1 && test \$(wc -l <'$WORK/empty.err') = 1"
finish
