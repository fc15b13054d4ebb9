#!/bin/sh
# bench_interleave.sh - a group's kernels timed interleaved (perfrl bench --interleave).
#
# FILEs as one group: naive, reorder, simd, blocked and two kernels that fail inside the
# interleaved timed loop (a wrong answer, a crash, both after 20 correct calls). Each gets
# its own status and record, the failures do not stop the others, and naive stays 5x or
# more below the rest (the only order a shared machine cannot close). Then --completions:
# two problems, grouped by problem_id, one record per sample in input order with its
# problem's shape; and a resumed shard keeps its journalled records without re-measuring.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"

require_perfrl
bench_lock

ex=$top_srcdir/examples
k=$WORK/k
mkdir "$k"
cp "$ex/naive.c" "$ex/reorder.c" "$ex/simd.c" "$ex/blocked.c" "$k/"
# Correct for the fixed and drawn checks, the warm-up and a few timed calls, then not.
cat >"$k/wrong_later.c" <<'EOF'
static int calls;
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	if (++calls > 20)
		C[0] += 1;
}
EOF
cat >"$k/crash_later.c" <<'EOF'
static int calls;
void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;
			for (int p = 0; p < k; p++)
				s += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = s;
		}
	if (++calls > 20)
		*(volatile int *)0 = 1;
}
EOF

bench()
{
	timeout --kill-after=10 600 "$PERFRL" bench --cache-dir "$WORK/cache" "$@" 9<&-
}

# ---- FILEs, one group ----------------------------------------------------------------------
out=$WORK/files.jsonl
bench --json --interleave --shape 256x256x256 --budget 0.5 --min-reps 30 "$k"/*.c \
	>"$out" 2>"$WORK/files.err" || { sed 's/^/  perfrl: /' "$WORK/files.err" >&2; fail "perfrl bench --interleave failed"; }
grep -q "timing 6 kernels interleaved" "$WORK/files.err" || fail "the FILEs were not timed as one group"
python3 - "$out" <<'PY' || fail "--interleave: wrong records (above)"
import json, os, sys
rs = {os.path.basename(r["file"])[:-2]: r for r in map(json.loads, open(sys.argv[1]))}
want = {"naive": "ok", "reorder": "ok", "simd": "ok", "blocked": "ok",
        "wrong_later": "wrong_answer", "crash_later": "runtime_error"}
bad = 0
for name, status in sorted(want.items()):
    r = rs.get(name)
    print("%-12s %-14s %8s  %s" % (name, r and r["status"], r and r["gflops"], r and r["detail"][:60]))
    if not r or r["status"] != status:
        print("  -> %s: want %s" % (name, status)); bad += 1
    elif status == "ok" and not (r["gflops"] > 0 and r["shapes"][0]["reps"] >= 30):
        print("  -> %s: want gflops > 0 and 30 timed calls at least" % name); bad += 1
    elif status != "ok" and "shape 256x256x256" not in r["detail"] and "256x256x256" not in r["detail"]:
        print("  -> %s: want it to fail in the timed loop (256x256x256)" % name); bad += 1
if len(rs) != len(want):
    print("  -> %d records for %d files" % (len(rs), len(want))); bad += 1
for name in ("reorder", "simd", "blocked"):
    if name in rs and rs["naive"]["status"] == rs[name]["status"] == "ok" and \
            not rs["naive"]["gflops"] * 5 < rs[name]["gflops"]:
        print("  -> naive (%.2f) is not 5x below %s (%.2f)" % (rs["naive"]["gflops"], name, rs[name]["gflops"]))
        bad += 1
sys.exit(1 if bad else 0)
PY

# ---- --completions: grouped by problem, journalled, resumed --------------------------------
python3 - "$k" "$WORK/completions.jsonl" <<'PY'
import json, sys
k, comp = sys.argv[1:]
src = lambda n: "```c\n" + open("%s/%s.c" % (k, n)).read() + "```\n"
shape = {"p1": "128x128x128", "p2": "96x80x112"}
samples = [("s0", "p1", "naive"), ("s1", "p2", "simd"), ("s2", "p1", "blocked"),
           ("s3", "p1", "wrong_later"), ("s4", "p2", "naive"), ("s5", "p1", "reorder")]
with open(comp, "w") as f:
    for sid, pid, name in samples:
        f.write(json.dumps({"sample_id": sid, "problem_id": pid, "shape": shape[pid],
                            "completion": src(name)}) + "\n")
PY
res=$WORK/res.jsonl
bench --completions "$WORK/completions.jsonl" --out "$res" \
	--shard 0/1 --budget 0.2 --min-reps 10 2>"$WORK/comp.err" ||
	{ sed 's/^/  perfrl: /' "$WORK/comp.err" >&2; fail "perfrl bench --completions failed"; }
grep -q "timing a group of 4 samples interleaved" "$WORK/comp.err" || fail "problem p1 was not one group"
grep -q "timing a group of 2 samples interleaved" "$WORK/comp.err" || fail "problem p2 was not one group"
[ ! -e "$res.partial" ] || fail "the journal outlived a finished shard"
python3 - "$res" <<'PY' || fail "--completions: wrong records (above)"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
want = [("s0", "128x128x128", "ok"), ("s1", "96x80x112", "ok"), ("s2", "128x128x128", "ok"),
        ("s3", "128x128x128", "wrong_answer"), ("s4", "96x80x112", "ok"), ("s5", "128x128x128", "ok")]
got = [(r["sample_id"], r["shape"], r["status"]) for r in rs]
print("\n".join("%s %s %s %s" % (g + (r["gflops"],)) for g, r in zip(got, rs)))
sys.exit(0 if got == want else 1)
PY

# A killed shard: its journal holds three records (two of p1's group, one of p2's), marked so
# that a re-measurement would show. The rerun keeps them and measures the other three.
python3 - "$res" "$WORK/res2.jsonl.partial" <<'PY'
import json, sys
rs = {r["sample_id"]: r for r in map(json.loads, open(sys.argv[1]))}
with open(sys.argv[2], "w") as f:
    for sid in ("s0", "s2", "s1"):
        r = rs[sid]; r["gflops"] = 4242.0; r["detail"] = "journalled"
        f.write(json.dumps(r) + "\n")
PY
bench --completions "$WORK/completions.jsonl" \
	--out "$WORK/res2.jsonl" --shard 0/1 --budget 0.2 --min-reps 10 2>"$WORK/resume.err" ||
	{ sed 's/^/  perfrl: /' "$WORK/resume.err" >&2; fail "the resumed shard failed"; }
grep -q "6 samples, 3 already measured" "$WORK/resume.err" || fail "the journal was not read"
grep -q "timing a group of 2 samples interleaved" "$WORK/resume.err" ||
	fail "the rest of p1's group (s3, s5) was not timed as a group"
python3 - "$WORK/res2.jsonl" <<'PY' || fail "resume: wrong records (above)"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
ids = [r["sample_id"] for r in rs]
kept = {r["sample_id"] for r in rs if r.get("detail") == "journalled" and r["gflops"] == 4242.0}
new = {r["sample_id"] for r in rs if r.get("detail") != "journalled"}
print(ids, sorted(kept), sorted(new))
sys.exit(0 if ids == ["s0", "s1", "s2", "s3", "s4", "s5"] and kept == {"s0", "s1", "s2"}
         and new == {"s3", "s4", "s5"} else 1)
PY
echo "interleaved groups: ok"
