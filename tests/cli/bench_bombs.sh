#!/bin/sh
# bench_bombs.sh - compiler bombs in a batch: each is its own compile_error, compiled once,
# and every other sample is still measured; a shard with a bomb in the middle finishes,
# and so does its rerun.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
require_perfrl
bench_lock


fast="--shape 48x40x56 --budget 0.05 --min-reps 2 --timeout 5 --no-lock"
ex=$top_srcdir/examples
kdir=$top_srcdir/tests/kernels

# s1 runs cc1 out of memory, s3 past the file-size limit; the others are honest.
py "
import json
def fenced(path):
    return 'Here it is:\n\`\`\`c\n' + open(path).read() + '\n\`\`\`\n'
samples = [('s0', '$ex/naive.c'), ('s1', '$kdir/compile_error_bomb_memory.c'),
           ('s2', '$ex/reorder.c'), ('s3', '$kdir/compile_error_bomb_fsize.c'),
           ('s4', '$ex/simd.c')]
with open('$WORK/comp.jsonl', 'w') as f:
    for sid, path in samples:
        f.write(json.dumps({'sample_id': sid, 'completion': fenced(path)}) + '\n')
"
want="{'s0': 'ok', 's1': 'compile_error', 's2': 'ok', 's3': 'compile_error', 's4': 'ok'}"

# ---- the CPU step's batch form ------------------------------------------------------------
rc=0
timeout --kill-after=10 600 "$PERFRL" bench $fast --cache-dir "$WORK/cache" \
	--completions "$WORK/comp.jsonl" --out "$WORK/res.jsonl" 2>"$WORK/err" || rc=$?
check "a batch with bombs exits 0 (rc=$rc: $(tail -n 2 "$WORK/err" | tr '\n' ' '))" test "$rc" = 0
check "one record per sample, bombs compile_error, the rest measured" py "
import json
rs = [json.loads(l) for l in open('$WORK/res.jsonl')]
assert [r['sample_id'] for r in rs] == ['s0', 's1', 's2', 's3', 's4'], rs
st = {r['sample_id']: r['status'] for r in rs}
assert st == $want, st
d = {r['sample_id']: r['detail'] for r in rs}
assert 'memory' in d['s1'] and 'file-size' in d['s3'], d
assert all(len(x) < 200 for x in d.values()), d
assert all(r['gflops'] > 0 for r in rs if r['status'] == 'ok')"
# prebuild compiled each bomb; the timed phase found its verdict in the cache.
check "each bomb is compiled once per evaluation" py "
import json
rs = [json.loads(l) for l in open('$WORK/res.jsonl')]
assert all(r['build']['cached'] for r in rs if r['status'] == 'compile_error'), rs"
check "no journal left behind" test ! -e "$WORK/res.jsonl.partial"

# ---- a rerun of a shard killed after its first sample, on a node with a cold cache --------
py "
import json
r = json.loads(open('$WORK/res.jsonl').readline()); r['detail'] = 'from the journal'
open('$WORK/rerun.jsonl.partial', 'w').write(json.dumps(r) + '\n')"
rc=0
timeout --kill-after=10 600 "$PERFRL" bench $fast --cache-dir "$WORK/cache2" \
	--completions "$WORK/comp.jsonl" --out "$WORK/rerun.jsonl" 2>"$WORK/err2" || rc=$?
check "the rerun finishes (rc=$rc: $(tail -n 2 "$WORK/err2" | tr '\n' ' '))" test "$rc" = 0
check "the rerun keeps the journal and records every sample once" py "
import json
rs = [json.loads(l) for l in open('$WORK/rerun.jsonl')]
assert [r['sample_id'] for r in rs] == ['s0', 's1', 's2', 's3', 's4'], rs
assert rs[0]['detail'] == 'from the journal'
st = {r['sample_id']: r['status'] for r in rs}
assert st == $want, st"

# ---- files: a bomb between two kernels, one record each -----------------------------------
rc=0
timeout --kill-after=10 600 "$PERFRL" bench $fast -q --json --cache-dir "$WORK/cache" "$ex/naive.c" \
	"$kdir/compile_error_bomb_memory.c" "$ex/reorder.c" >"$WORK/files.jsonl" 2>"$WORK/err3" || rc=$?
check "files: exit 0 and three records (rc=$rc)" py "
import json
rs = [json.loads(l) for l in open('$WORK/files.jsonl')]
assert $rc == 0 and [r['status'] for r in rs] == ['ok', 'compile_error', 'ok'], rs"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
