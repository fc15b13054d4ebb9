#!/bin/sh
# bench_baselines.sh - the baselines tell the truth: OpenBLAS on its best verified core (the
# user's OPENBLAS_CORETYPE winning), BLIS beside it, each record naming the kernels that ran,
# and the node's measured peak in every kernel record, below the nominal one.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
require_perfrl
bench_lock


# A private node cache: this test watches the first probe, whatever ran before it.
PERFRL_NODE_CACHE=$WORK/node
export PERFRL_NODE_CACHE
unset OPENBLAS_CORETYPE PERFRL_OPENBLAS_CHOSEN || true
shape=96x80x112

# ---- OpenBLAS's own choice, as an independent program sees it --------------------------
cat >"$WORK/core.c" <<'EOF'
#include <stdio.h>
char *openblas_get_corename(void);
int main(void) { puts(openblas_get_corename()); return 0; }
EOF
cc -o "$WORK/core" "$WORK/core.c" -lopenblas || fail "cannot build the core probe against libopenblas"
default_core=$("$WORK/core")
avx512=0; grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && avx512=1
avx2=0; grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && avx2=1
echo "OpenBLAS's default core here: $default_core (avx512 $avx512, avx2 $avx2)"

# ---- perfrl's choice: probed once, said once, cached ------------------------------------
"$PERFRL" bench --json --openblas --blis --mkl --budget 0.2 -s $shape >"$WORK/libs" 2>"$WORK/err1" ||
	fail "perfrl bench --openblas --blis --mkl failed: $(cat "$WORK/err1")"
json_tsv "$WORK/libs" kernel gflops core core_how version detail >"$WORK/libs.tsv" || fail "bad JSON"
cat "$WORK/libs.tsv"
core=$(awk -F'\t' '$1 == "openblas" {print $3}' "$WORK/libs.tsv")
how=$(awk -F'\t' '$1 == "openblas" {print $4}' "$WORK/libs.tsv")
[ -n "$core" ] && [ "$core" != null ] && ok || bad "the openblas record names its core"
awk -F'\t' '$1 == "openblas" && $2 > 0 && $5 ~ /^OpenBLAS [0-9]/' "$WORK/libs.tsv" | grep -q . && ok ||
	bad "the openblas record has GFLOPS and the library's version"
case $default_core in
SkylakeX | Cooperlake | SapphireRapids) tier=2 ;;
Haswell | Zen | Excavator) tier=1 ;;
*) tier=0 ;;
esac
if { [ $avx512 = 1 ] && [ $tier -lt 2 ]; } || { [ $avx2 = 1 ] && [ $tier -lt 1 ]; }; then
	# The generic fallback on a wide-vector CPU: a better core must have been chosen, and said.
	[ "$how" = chosen ] && [ "$core" != "$default_core" ] && ok ||
		bad "a generic $default_core core on this CPU was not replaced (core $core, $how)"
	grep -q "OpenBLAS runs its generic $default_core core" "$WORK/err1" && ok ||
		bad "the choice is said on stderr: $(cat "$WORK/err1")"
	[ -s "$PERFRL_NODE_CACHE/openblas-core-$(hostname -s 2>/dev/null || hostname).json" ] && ok ||
		bad "the verdict is cached: $(ls "$PERFRL_NODE_CACHE")"
else
	[ "$how" = default ] && [ "$core" = "$default_core" ] && ok ||
		bad "OpenBLAS's own $default_core core already fits this CPU, yet $core ($how) ran"
fi
# said once: the second run reads the cache and says nothing
"$PERFRL" bench --json --openblas --budget 0.1 -s $shape >"$WORK/libs2" 2>"$WORK/err2" || fail "second run failed"
[ ! -s "$WORK/err2" ] && ok || bad "the second run is silent: $(cat "$WORK/err2")"
[ "$(json_field "$WORK/libs2" core)" = "$core" ] && ok || bad "the second run uses the cached core"

# ---- the user's OPENBLAS_CORETYPE wins ----------------------------------------------------
if [ $avx2 = 1 ]; then
	OPENBLAS_CORETYPE=Haswell "$PERFRL" bench --json --openblas --budget 0.1 -s $shape >"$WORK/user" 2>"$WORK/err3" ||
		fail "OPENBLAS_CORETYPE=Haswell run failed"
	[ "$(json_tsv "$WORK/user" core core_how)" = "$(printf 'Haswell\tuser')" ] && ok ||
		bad "OPENBLAS_CORETYPE=Haswell: $(cat "$WORK/user")"
fi

# ---- BLIS beside it, MKL said to be absent (or measured) ---------------------------------
awk -F'\t' '$1 == "blis" && $2 > 0 && $3 != "null" && $5 ~ /^BLIS /' "$WORK/libs.tsv" | grep -q . && ok ||
	bad "a BLIS record with GFLOPS, configuration and version"
awk -F'\t' '$1 == "mkl" && (($2 == "null" && $6 ~ /not installed/) || $2 > 0)' "$WORK/libs.tsv" | grep -q . && ok ||
	bad "an MKL record: measured, or saying it is not installed"

# ---- the measured peak in every kernel record --------------------------------------------
"$PERFRL" bench --json -q --budget 0.1 --min-reps 2 --no-lock -s 64x64x64 --cache-dir "$WORK/cache" \
	"$top_srcdir/examples/naive.c" >"$WORK/k" || fail "bench of examples/naive.c failed"
json_tsv "$WORK/k" status peak_gflops nominal_peak_gflops peak_how >"$WORK/k.tsv" || fail "bad JSON"
cat "$WORK/k.tsv"
awk -F'\t' '$1 == "ok" && $2 > 0 && $3 > 0 && $2 <= $3 && $4 ~ /^measured/' "$WORK/k.tsv" | grep -q . && ok ||
	bad "a kernel record carries the measured peak, at most the nominal one"
[ -s "$PERFRL_NODE_CACHE/peak-$(hostname -s 2>/dev/null || hostname).json" ] && ok || bad "the peak is cached per node"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
