#!/usr/bin/env bash
# Minimize a corpus into a fresh directory with libFuzzer -merge=1 or afl-cmin (same coverage, fewer files).
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/corpus-merge.sh [options] OUT_DIR IN_DIR...

Keeps a subset of the files in IN_DIR... that covers the same code, written to OUT_DIR (which
must be empty or absent; files are named by content hash, so merging twice changes nothing).

  -H, --harness NAME   harness in fuzz/harness/ (default native)
  -e, --engine E       libfuzzer (default; build/fuzz/NAME-libfuzzer -merge=1) or
                       afl (afl-cmin on build/fuzz/NAME-afl)
  -h, --help           show this help

Typical: refresh the committed seeds after a campaign:
  tools/corpus-merge.sh /tmp/seeds corpora/native out/libfuzzer-native/corpus
  rm -r corpora/native && mv /tmp/seeds corpora/native
Exit status: 0 merged, 1 the merge failed, 2 usage or set-up error.
USAGE
}

harness=native
engine=libfuzzer
# an option's value: present, else a usage error (exit 2, not bash's 1 of ${2:?})
val() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "corpus-merge: $1 needs a value" >&2; usage >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
    -H|--harness) val "$@"; harness=$2; shift 2 ;;
    -e|--engine) val "$@"; engine=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "corpus-merge: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || { usage >&2; exit 2; }
out=$1
shift
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
    echo "corpus-merge: $out is not empty" >&2
    exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
for d in "$@"; do
    [ -d "$d" ] || { echo "corpus-merge: $d is not a directory" >&2; exit 2; }
done
mkdir -p "$out"
before=$(find "$@" -type f | wc -l)

case "$engine" in
libfuzzer)
    bin=$top/build/fuzz/$harness-libfuzzer
    [ -x "$bin" ] || { echo "corpus-merge: $bin missing (make fuzz-libfuzzer)" >&2; exit 2; }
    # the merge control file lets an interrupted merge resume; it is scratch
    ctl=$(mktemp)
    trap 'rm -f "$ctl"' EXIT
    "$bin" -merge=1 -merge_control_file="$ctl" "$out" "$@" >"$out.merge.log" 2>&1 || {
        echo "corpus-merge: libFuzzer merge failed; see $out.merge.log" >&2
        exit 1
    }
    rm -f "$out.merge.log"
    ;;
afl)
    bin=$top/build/fuzz/$harness-afl
    [ -x "$bin" ] || { echo "corpus-merge: $bin missing (make fuzz-afl)" >&2; exit 2; }
    command -v afl-cmin >/dev/null || { echo "corpus-merge: afl-cmin not found" >&2; exit 2; }
    # afl-cmin takes one input directory: gather them under unique names first
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    n=0
    while IFS= read -r -d '' f; do
        cp "$f" "$tmp/in-$n"
        n=$((n + 1))
    done < <(find "$@" -type f -print0)
    rmdir "$out"
    # the gathering directory is a mktemp scratch directory, which afl-cmin refuses without this
    AFL_ALLOW_TMP=1 AFL_SKIP_CPUFREQ=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
        afl-cmin -i "$tmp" -o "$out" -- "$bin" >"$tmp/cmin.log" 2>&1 || {
        cat "$tmp/cmin.log" >&2
        echo "corpus-merge: afl-cmin failed" >&2
        exit 1
    }
    # content-hash names: stable across merges and free of ':'
    for f in "$out"/*; do
        [ -f "$f" ] || continue
        mv "$f" "$out/$(sha1sum "$f" | cut -c1-40)"
    done
    ;;
*)
    echo "corpus-merge: unknown engine '$engine' (libfuzzer or afl)" >&2
    exit 2
    ;;
esac
echo "corpus-merge: $before file(s) in, $(find "$out" -type f | wc -l) out ($out)"
