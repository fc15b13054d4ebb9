#!/bin/sh
# bench_cli.sh - perfrl bench as a user drives it: exit codes, stdin, JSON records, the
# CPU step's sharded batch form, resuming a killed shard, the cache, rewards and the peak.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
require_perfrl
bench_lock


fast="--shape 48x40x56 --budget 0.05 --min-reps 2 --timeout 10 --no-lock -q --cache-dir $WORK/cache"
ex=$top_srcdir/examples
comp=$top_srcdir/tests/completions

# ---- usage errors: exit 2 and a one-line message ----------------------------------------
usage_case() { # usage_case DESCRIPTION ARGS...
	_d=$1; shift
	rc=0; "$PERFRL" bench "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
	if [ "$rc" = 2 ] && [ -s "$WORK/err" ] && [ ! -s "$WORK/out" ]; then ok; else bad "$_d (rc=$rc)"; fi
}
usage_case "missing file" $fast "$WORK/nope.c"
usage_case "bad shape" --shape 12x0x3 "$ex/naive.c"
usage_case "shape too large" --shape 65536x65536x65536 "$ex/naive.c"
usage_case "no input" $fast
usage_case "--out without --completions" --out "$WORK/x.jsonl" "$ex/naive.c"
usage_case "bad --reward" --reward speed "$ex/naive.c"
usage_case "bad --shard" --completions /dev/null --out "$WORK/o" --shard 3/3
usage_case "unknown option" --frobnicate "$ex/naive.c"
grep -q "perfrl bench: .*nope.c" "$WORK/err" 2>/dev/null || "$PERFRL" bench $fast "$WORK/nope.c" 2>&1 | grep -q "nope.c" && ok || bad "missing file is named"
check "--help exits 0 and documents --completions" sh -c "'$PERFRL' bench --help | grep -q -- --completions"
check "perfrl --help lists bench" sh -c "'$PERFRL' --help | grep -q bench"

# ---- one JSON record per input, with the documented fields -------------------------------
"$PERFRL" bench $fast --json "$ex/reorder.c" "$comp/only_prose.txt" >"$WORK/r.jsonl"
check "two records for two inputs" test "$(wc -l <"$WORK/r.jsonl")" = 2
check "record fields" py "
import json
for l in open('$WORK/r.jsonl'):
    r = json.loads(l)
    for f in ('file','status','gflops','cv','reward','detail','shape','techniques','build','node','sandbox'):
        assert f in r, f
rs = [json.loads(l) for l in open('$WORK/r.jsonl')]
assert rs[0]['status'] == 'ok' and rs[0]['gflops'] > 0 and rs[0]['reward'] == rs[0]['gflops']
assert rs[0]['shape'] == '48x40x56' and rs[0]['build']['flags'].startswith('-std=c11')
assert rs[1]['status'] == 'rejected' and rs[1]['gflops'] is None and rs[1]['reward'] == -100
assert 'no code' in rs[1]['detail'] or 'no C code' in rs[1]['detail'], rs[1]['detail']
"
# The table: a header, a line of dashes, a row per input.
"$PERFRL" bench $fast "$ex/reorder.c" >"$WORK/table"
check "table header and row" py "
lines = open('$WORK/table').read().splitlines()
assert lines[0].split()[:3] == ['File', 'Status', 'GFLOPS'], lines[0]
assert set(lines[1].replace(' ', '')) == {'-'}
assert lines[2].split()[1] == 'ok'
"

# ---- a raw completion on stdin --------------------------------------------------------------
"$PERFRL" bench $fast --json - <"$comp/naive_then_final.txt" >"$WORK/stdin.jsonl"
check "stdin completion is extracted and ok" py "
import json; r = json.loads(open('$WORK/stdin.jsonl').read())
assert r['file'] == '-' and r['status'] == 'ok', r['status'] + ': ' + r['detail']"

# ---- the cache: the second build of a source is a lookup ----------------------------------
"$PERFRL" bench $fast --json "$ex/reorder.c" >"$WORK/c2.jsonl"
check "repeated source is cached" py "
import json; r = json.loads(open('$WORK/c2.jsonl').read()); assert r['build']['cached'] is True"
"$PERFRL" bench $fast --json --no-cache "$ex/reorder.c" >"$WORK/c3.jsonl"
check "--no-cache rebuilds" py "
import json; r = json.loads(open('$WORK/c3.jsonl').read()); assert r['build']['cached'] is False"

# ---- rewards, peak, several shapes ----------------------------------------------------------
"$PERFRL" bench $fast --json --reward log "$ex/reorder.c" >"$WORK/log.jsonl"
check "log reward is log2(1+GFLOPS)" py "
import json, math; r = json.loads(open('$WORK/log.jsonl').read())
assert abs(r['reward'] - math.log2(1 + r['gflops'])) < 1e-9 and r['reward_mode'] == 'log'"
"$PERFRL" bench $fast --json --reward ratio "$ex/reorder.c" >"$WORK/ratio.jsonl"
check "ratio reward is against a reference measured here" py "
import json; r = json.loads(open('$WORK/ratio.jsonl').read())
assert r['reference_gflops'] > 0 and abs(r['reward'] - r['gflops'] / r['reference_gflops']) < 1e-9"
"$PERFRL" bench $fast --json --peak 0.01 "$ex/reorder.c" >"$WORK/peak.jsonl"
check "above the peak is a defect, not a reward" py "
import json; r = json.loads(open('$WORK/peak.jsonl').read())
assert r['status'] == 'rejected' and 'peak' in r['detail'] and r['reward'] == -100"
"$PERFRL" bench --shape 33x17x9 --shape 20x30x40 --budget 0.05 --min-reps 2 --no-lock -q \
	--cache-dir "$WORK/cache" --json "$ex/simd.c" >"$WORK/shapes.jsonl"
check "several shapes: geometric mean of their medians" py "
import json, math; r = json.loads(open('$WORK/shapes.jsonl').read())
s = r['shapes']; assert [x['shape'] for x in s] == ['33x17x9', '20x30x40']
assert abs(r['gflops'] - math.sqrt(s[0]['gflops'] * s[1]['gflops'])) < 1e-6 * r['gflops']"

# ---- the CPU step: completions in, sharded results out -----------------------------------
py "
import json
good = open('$ex/reorder.c').read()
wrong = good.replace('c[j] += a * b[j]', 'c[j] += a * b[j] * 0.5') if 'c[j] += a * b[j]' in good else good.replace('+=', '-=', 1)
samples = [('s0', '\`\`\`c\n' + good + '\`\`\`'), ('s1', 'I cannot help with that.'),
           ('s2', 'Here:\n\`\`\`c\n' + wrong + '\n\`\`\`\n'), (3, good), ('s4', good), ('s5', '<think>' + good)]
with open('$WORK/comp.jsonl', 'w') as f:
    for sid, text in samples:
        f.write(json.dumps({'sample_id': sid, 'problem_id': 'p1', 'completion': text}) + '\n')
"
"$PERFRL" bench $fast --completions "$WORK/comp.jsonl" --out "$WORK/res-%t.jsonl" --shard 0/2
SLURM_PROCID=1 SLURM_NTASKS=2 "$PERFRL" bench $fast --completions "$WORK/comp.jsonl" --out "$WORK/res-%t.jsonl"
check "shards partition the samples, %t names the files" py "
import json
a = [json.loads(l) for l in open('$WORK/res-0.jsonl')]
b = [json.loads(l) for l in open('$WORK/res-1.jsonl')]
assert [r['sample_id'] for r in a] == ['s0', 's2', 's4'], a
assert [r['sample_id'] for r in b] == ['s1', 3, 's5'], b
st = {r['sample_id']: r['status'] for r in a + b}
assert st == {'s0': 'ok', 's1': 'rejected', 's2': 'wrong_answer', 3: 'ok', 's4': 'ok', 's5': 'rejected'}, st
assert all(r['problem_id'] == 'p1' for r in a + b)"
check "no journal left behind" test ! -e "$WORK/res-0.jsonl.partial"

# A killed shard: what its journal holds is kept, the rest is measured once.
py "
import json
r = json.loads(open('$WORK/res-0.jsonl').readline()); r['detail'] = 'from the journal'
open('$WORK/resume.jsonl.partial', 'w').write(json.dumps(r) + '\n' + '{\"sample_id\": \"s2\", \"stat')"
"$PERFRL" bench ${fast% -q *} --cache-dir "$WORK/cache" --completions "$WORK/comp.jsonl" --out "$WORK/resume.jsonl" --shard 0/2 2>"$WORK/resume.err"
check "resume reuses journalled records and measures the torn one" py "
import json
rs = [json.loads(l) for l in open('$WORK/resume.jsonl')]
assert [r['sample_id'] for r in rs] == ['s0', 's2', 's4']
assert rs[0]['detail'] == 'from the journal' and rs[1]['status'] == 'wrong_answer'"
check "resume is announced" grep -q "1 already measured" "$WORK/resume.err"

printf '{"sample_id": 1, "completion": "x"}\nnot json\n' >"$WORK/badc.jsonl"
rc=0; "$PERFRL" bench $fast --completions "$WORK/badc.jsonl" --out "$WORK/o.jsonl" 2>"$WORK/err" || rc=$?
check "a malformed completions line is a usage error naming file:line" sh -c "[ $rc = 2 ] && grep -q 'badc.jsonl:2' '$WORK/err'"
check "nothing written for a malformed batch" test ! -e "$WORK/o.jsonl"

# An unprivileged user gets the sandbox too (a user namespace): several inputs in one process,
# each harness started without switching to a user the namespace cannot have.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	nr=$(mktemp -d /tmp/perfrl-nonroot.XXXXXX)
	chmod 755 "$nr"
	cp "$ex/naive.c" "$ex/simd.c" "$top_srcdir/tests/kernels/hostile_asm_syscall.c" "$nr/"
	chmod 644 "$nr"/*.c
	mkdir "$nr/home" && chown 65534:65534 "$nr/home"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$nr/home" PERFRL_NODE_CACHE="$nr/home/node" \
		"$PERFRL" bench ${fast% --cache-dir *} --json --cache-dir "$nr/home/cache" \
		"$nr/naive.c" "$nr/simd.c" "$nr/hostile_asm_syscall.c" >"$WORK/nonroot.jsonl" 2>"$WORK/nonroot.err" || rc=$?
	check "as an unprivileged user: naive and simd ok, the hostile one rejected, in a sandbox (rc=$rc)" py "
import json
rs = [json.loads(l) for l in open('$WORK/nonroot.jsonl')]
assert [r['status'] for r in rs] == ['ok', 'ok', 'rejected'], [(r['status'], r['detail']) for r in rs]
assert rs[0]['sandbox'].startswith('userns') or rs[0]['sandbox'].startswith('namespaces'), rs[0]['sandbox']"
	rm -rf "$nr"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
