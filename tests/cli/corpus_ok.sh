#!/bin/sh
# corpus_ok.sh - perfrl corpus: its usage errors, a deterministic corpus of the design space,
# and every kernel of it built, checked and timed ok by perfrl bench on irregular shapes;
# then (reported, never failed on) how well the technique detector agrees with the labels.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
require_perfrl


# ---- usage: exit 2 and a one-line message; --help -------------------------------------
usage_case() { # usage_case DESCRIPTION ARGS...
	_d=$1; shift
	rc=0; "$PERFRL" corpus "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	if [ "$rc" = 2 ] && [ -s "$WORK/err" ] && [ ! -s "$WORK/out" ]; then ok; else bad "$_d (rc=$rc)"; fi
}
usage_case "no --out"
usage_case "bad --count" --out "$WORK/u" --count 0
usage_case "--count not a number" --out "$WORK/u" --count 12x
usage_case "bad --seed" --out "$WORK/u" --seed -3
usage_case "unknown option" --out "$WORK/u" --frobnicate
usage_case "stray argument" --out "$WORK/u" extra
check "--help exits 0 and documents --seed" sh -c "'$PERFRL' corpus --help | grep -q -- --seed"
: >"$WORK/file"
rc=0; "$PERFRL" corpus --out "$WORK/file/sub" --count 3 >/dev/null 2>"$WORK/err" || rc=$?
check "an unwritable --out exits 1" test "$rc" = 1
check "... with a message" test -s "$WORK/err"

# ---- a corpus: deterministic, labelled, covering ----------------------------------------
"$PERFRL" corpus --out "$WORK/c" --count 40 --seed 7 >/dev/null || fail "perfrl corpus failed"
"$PERFRL" corpus --out "$WORK/c2" --count 40 --seed 7 >/dev/null || fail "perfrl corpus failed"
check "the same seed gives the same corpus" diff -r "$WORK/c" "$WORK/c2"
"$PERFRL" corpus --out "$WORK/c3" --count 40 --seed 8 >/dev/null || fail "perfrl corpus failed"
check "another seed gives another corpus" sh -c "! diff -r '$WORK/c' '$WORK/c3' >/dev/null"
check "40 kernels" test "$(ls "$WORK/c"/[0-9][0-9][0-9]-*.c | wc -l)" = 40
check "40 lines in corpus.jsonl" test "$(wc -l <"$WORK/c/corpus.jsonl")" = 40
check "labels, designs, coverage" python3 - "$WORK/c" <<'EOF'
import json, os, sys
d = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(d, "corpus.jsonl"))]
designs, seen, techsets = set(), {}, set()
for r in rows:
    lines = open(os.path.join(d, r["file"])).read().split("\n")
    label = " ".join(r["techniques"]) or "none"
    assert lines[0] == "/* techniques: %s */" % label, (r["file"], lines[0])
    assert lines[1] == "/* design: %s */" % r["design"], (r["file"], lines[1])
    designs.add(r["design"])
    for kv in r["design"].split():
        k, v = kv.split("=")
        seen.setdefault(k, set()).add(v)
    techsets.add(frozenset(r["techniques"]))
assert len(designs) == len(rows), "designs repeat"
want = {"nest": 4, "tile_m": 5, "tile_n": 5, "tile_k": 5, "micro": 5, "omp": 3, "simd": 3,
        "unroll": 3, "pack": 2}
for k, n in want.items():
    assert len(seen.get(k, ())) == n, (k, seen.get(k))
space = ["openmp", "simd", "cache_blocking", "register_blocking", "packing", "unrolling",
         "loop_reorder"]
assert frozenset() in techsets
for t in space:
    assert frozenset([t]) in techsets, t
EOF

# ---- every kernel is ok on irregular shapes ----------------------------------------------
bench_lock
"$PERFRL" bench --json --shape 61x67x71 --shape 64x48x100 --budget 0.05 --min-reps 2 -q \
	--cache-dir "$WORK/cache" "$WORK/c"/[0-9][0-9][0-9]-*.c >"$WORK/bench.jsonl" ||
	fail "perfrl bench failed"
check "a record per kernel" test "$(wc -l <"$WORK/bench.jsonl")" = 40
json_tsv "$WORK/bench.jsonl" status file detail | while IFS='	' read -r st f det; do
	[ "$st" = ok ] || printf '%s: %s %s\n' "${f##*/}" "$st" "$det"
done >"$WORK/notok"
if [ -s "$WORK/notok" ]; then
	bad "kernels not ok:"
	cat "$WORK/notok"
else
	ok
fi

# ---- the detector against the construction labels: reported only -------------------------
if "$PERFRL" techniques --help 2>/dev/null | grep -q -- --labels; then
	"$PERFRL" techniques --labels "$WORK/c"/[0-9][0-9][0-9]-*.c >"$WORK/labels" 2>&1 || :
	echo "technique detector on the corpus (not a failure):"
	sed -n '/^technique /,$p' "$WORK/labels"
	grep ': expected ' "$WORK/labels" | sed 's/^/  /' | head -20
fi

echo "corpus_ok: $passed passed, $failed failed"
[ "$failed" = 0 ]
