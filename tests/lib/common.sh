# common.sh - sourced by every shell test (tests/cli, tests/cluster through run_common.sh,
# tests/llm); not a test itself.
#
# Provides:
#   $top_srcdir, $top_builddir   from `make check` (TESTS_ENVIRONMENT) or guessed
#   $PERFRL                      the perfrl binary (default $top_builddir/src/perfrl)
#   $WORK                        a private temporary directory, removed on exit
#   fail MSG...                  print "FAIL: MSG" on stderr and exit 1
#   require_perfrl               fail loudly unless $PERFRL is an executable file
#   bench_lock                   serialise the bench tests (they time kernels:
#                                two at once on the same cores would spoil both)
#   json_field FILE FIELD        FIELD of every JSON object in FILE (one object
#                                per line, as `perfrl bench --json` prints them),
#                                one value per line; null prints as "null",
#                                strings raw with \t, \n and \\ escaped; a line
#                                that is not a JSON object is reported on stderr,
#                                skipped, and makes the status 1
#   json_tsv FILE FIELD...       the same for several fields, tab-separated
#   kernel_name PATH             basename without .c
#   ok, bad MSG, check DESC CMD...  count a passed or failed check in $passed and $failed
#                                (bad and a failed check print "not ok: MSG")
#   py CODE ARGS...              python3 -c CODE ARGS...

set -eu
LC_ALL=C
export LC_ALL
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

# The test's own directory is tests/KIND/; this file is in tests/lib/.
_common_here=$(cd "$(dirname "$0")/../lib" && pwd)
: "${top_srcdir:=$(cd "$_common_here/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PERFRL:=$top_builddir/src/perfrl}"
export top_srcdir top_builddir PERFRL

WORK=$(mktemp -d "${TMPDIR:-/tmp}/perfrl-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fail()
{
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

require_perfrl()
{
	[ -e "$PERFRL" ] || fail "perfrl not found at $PERFRL (build it first: make)"
	[ -f "$PERFRL" ] && [ -x "$PERFRL" ] || fail "$PERFRL is not an executable file"
	command -v python3 >/dev/null 2>&1 || fail "python3 is needed to read perfrl's JSON"
}

bench_lock()
{
	# Lock this very file (opened read-only): it exists in every tree, even a
	# read-only distcheck source tree, and nothing new is left behind.
	if command -v flock >/dev/null 2>&1; then
		exec 9<"$_common_here/common.sh"
		flock 9 || fail "cannot lock $_common_here/common.sh"
	fi
}

json_tsv()
{
	python3 - "$@" <<'EOF'
import json, sys
path, fields = sys.argv[1], sys.argv[2:]
def show(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        v = json.dumps(v, sort_keys=True)
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
bad = 0
with open(path, encoding="utf-8", errors="replace") as f:
    for no, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            obj = e
        if not isinstance(obj, dict):
            # report, never quote: the line may hold what a kernel printed
            print("%s:%d: not a JSON object" % (path, no), file=sys.stderr)
            bad += 1
            continue
        print("\t".join(show(obj.get(k)) for k in fields))
sys.exit(1 if bad else 0)
EOF
}

json_field()
{
	[ $# -eq 2 ] || fail "usage: json_field FILE FIELD"
	json_tsv "$1" "$2"
}

kernel_name()
{
	_k=${1##*/}
	printf '%s\n' "${_k%.c}"
}

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); printf 'not ok: %s\n' "$*"; }
check() { # check DESCRIPTION COMMAND...
	_d=$1; shift
	if "$@"; then ok; else bad "$_d"; fi
}
py() { python3 -c "$@"; }
