# trl_venv.sh - sourced by the tests of the "trl" GPU step (tests/llm/trl_plumbing.sh, trl_rounds.sh);
# not a test itself. Needs $top_srcdir and $top_builddir.
#
# scripts/setup-trl builds (or finds up to date) the venv: $PERFRL_TRL_VENV, else TOP/.venv-trl, else
# BUILD/.venv-trl; tests/lib/make_tiny_model.py builds (or finds cached) the tiny Qwen2 in
# BUILD/tiny-qwen2. Sets py (the venv's python), tiny (the model), t_setup and t_tiny (seconds).
# Exits 77 (skip) only when the venv cannot be installed for want of a package index and none
# exists; 1 on any other failure.
venv=${PERFRL_TRL_VENV:-$top_srcdir/.venv-trl}
[ -w "$(dirname "$venv")" ] || [ -x "$venv/bin/python" ] || venv=$top_builddir/.venv-trl
had_venv=no
[ -x "$venv/bin/python" ] && had_venv=yes
setup_log=$(mktemp "${TMPDIR:-/tmp}/trl-setup.XXXXXX")
t0=$(date +%s)
if ! "$top_srcdir/scripts/setup-trl" "$venv" >"$setup_log" 2>&1; then
	grep -v '^WARNING: Location' "$setup_log" | tail -15 | sed 's/^/#   /'
	if [ "$had_venv" = no ] && grep -Eqi 'Failed to establish a new connection|Temporary failure in name resolution|Network is unreachable|No matching distribution found|Could not find a version that satisfies|ConnectTimeout|ReadTimeout' "$setup_log"; then
		rm -f "$setup_log"
		echo "# SKIP: scripts/setup-trl cannot reach a package index and no venv exists at $venv"
		exit 77
	fi
	rm -f "$setup_log"
	echo "FAIL - scripts/setup-trl $venv"
	echo "0 passed, 1 failed"
	exit 1
fi
py=$(tail -1 "$setup_log")
t_setup=$(($(date +%s) - t0))
grep '^setup-trl:' "$setup_log" | sed 's/^/# /'
rm -f "$setup_log"
tiny=$top_builddir/tiny-qwen2
t0=$(date +%s)
"$py" "$top_srcdir/tests/lib/make_tiny_model.py" "$tiny" >/dev/null 2>"$top_builddir/tiny-qwen2.log" ||
	{ sed 's/^/#   /' "$top_builddir/tiny-qwen2.log"; echo "FAIL - make_tiny_model.py"; echo "0 passed, 1 failed"; exit 1; }
t_tiny=$(($(date +%s) - t0))
echo "# venv $venv (setup ${t_setup} s, $(du -sh "$venv" | cut -f1)); tiny model $tiny (${t_tiny} s)"
