# Shared by the shell tests (tests/shell/*.sh, run by 'make check-shell'): HVFUZZ, a scratch
# directory removed at exit, and fail/skip that say what went wrong.
set -u
HVFUZZ=${HVFUZZ:-build/hvfuzz}
case "$HVFUZZ" in /*) ;; *) HVFUZZ=$(pwd)/$HVFUZZ ;; esac
T=$(mktemp -d /tmp/hvfuzz-shtest.XXXXXX)
O=$T/stdout.txt
E=$T/stderr.txt
cleanup_hooks=""
trap 'eval "$cleanup_hooks"; rm -rf "$T"' EXIT
fail() { echo "FAIL: $(basename "$0"): $*" >&2; exit 1; }
skip() { echo "SKIP: $(basename "$0"): $*"; exit 0; }
# expect_rc WANT CMD...: run CMD, its stdout in $O and stderr in $E, and check its exit status
expect_rc() {
    want=$1; shift
    "$@" >"$O" 2>"$E"
    rc=$?
    [ "$rc" = "$want" ] || { cat "$E" >&2; fail "'$*' exited $rc, expected $want"; }
}
# a process that is gone or a zombie (its parent has not reaped it) no longer runs
gone() { st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null); [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]; }
# a tmpfs of the given size at $T/$1 (root only), unmounted at exit
small_fs() {
    [ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
    mkdir -p "$T/$1"
    mount -t tmpfs -o "size=$2" tmpfs "$T/$1" 2>/dev/null || skip "cannot mount a tmpfs here"
    cleanup_hooks="$cleanup_hooks umount '$T/$1' 2>/dev/null;"
}
