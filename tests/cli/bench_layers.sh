#!/bin/sh
# bench_layers.sh - the text policy is only the cheap first line. With it switched off
# (PERFRL_UNSAFE_SKIP_POLICY=1), the object audit and the sandbox must still give every
# hostile kernel a failing status, and leave nothing behind.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
require_perfrl
bench_lock

k=$top_srcdir/tests/kernels
rm -f /tmp/perfrl-pwned*
PERFRL_UNSAFE_SKIP_POLICY=1 "$PERFRL" bench --json -q --no-lock --shape 64x64x64 --budget 0.1 \
	--timeout 5 --cache-dir "$WORK/cache" \
	"$k/hostile_asm_syscall.c" "$k/hostile_libc_gadget.c" "$k/hostile_asm_exit.c" \
	"$k/cheat_token_paste.c" "$k/hostile_fork_bomb.c" "$k/hostile_file_write.c" \
	"$k/hostile_network.c" "$k/cheat_constructor.c" "$k/cheat_dlopen.c" "$k/cheat_cblas.c" \
	"$k/cheat_timer.c" "$k/hostile_include_passwd.c" >"$WORK/r.jsonl" 2>"$WORK/err"

python3 - "$WORK/r.jsonl" <<'PY'
import json, os, sys
want = {  # kernel: (status, a word the detail must hold) - the layer that must catch it
    "hostile_asm_syscall": ("rejected", "seccomp"),      # openat from inline asm
    "hostile_libc_gadget": ("rejected", "seccomp"),      # libc's syscall stub found by bytes
    "hostile_asm_exit": ("runtime_error", "exited"),     # exit is allowed; leaving is not
    "cheat_token_paste": ("rejected", "allowlist"),      # the audit sees system()
    "hostile_fork_bomb": ("rejected", "allowlist"),
    "hostile_file_write": ("rejected", "allowlist"),
    "hostile_network": ("rejected", "allowlist"),
    "cheat_constructor": ("rejected", "init_array"),
    "cheat_dlopen": ("rejected", "allowlist"),
    "cheat_cblas": ("rejected", "allowlist"),
    "cheat_timer": ("rejected", "external symbol"),
    "hostile_include_passwd": ("compile_error", "No such file"),  # not in the build's view
}
bad = 0
seen = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    name = os.path.basename(r["file"])[:-2]
    seen.add(name)
    st, word = want[name]
    if r["status"] != st or word not in r["detail"]:
        print("not ok: %s: %s (%s), want %s with '%s'" % (name, r["status"], r["detail"], st, word))
        bad += 1
    if "root:" in r["detail"]:
        print("not ok: %s: the detail quotes a file" % name)
        bad += 1
missing = set(want) - seen
for m in missing:
    print("not ok: no record for " + m)
print("%d passed, %d failed" % (len(want) - bad - len(missing), bad + len(missing)))
sys.exit(1 if bad or missing else 0)
PY
grep -q "PERFRL_UNSAFE_SKIP_POLICY=1" "$WORK/err" || fail "the switch was not announced"
ls /tmp/perfrl-pwned* >/dev/null 2>&1 && fail "a kernel wrote outside the sandbox: $(ls /tmp/perfrl-pwned*)"
exit 0
