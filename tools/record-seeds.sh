#!/usr/bin/env bash
# Regenerate corpora/native/ and corpora/codec/ from the conformance cases (hvfuzz conform --record + merge).
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/record-seeds.sh [--keep DIR] [-h]

Records every passing conformance case as a program (hvfuzz conform --record), keeps the ones
that add coverage to the native harness (libFuzzer -merge=1), and replaces corpora/native/ with
them under their case names (AREA.CASE.bin). corpora/codec/ gets the same merge over the binary
and text forms for the codec harness. Needs clang (make fuzz-libfuzzer).

  --keep DIR   also leave the full recording (binary and text of every case) in DIR
  -h, --help   show this help
USAGE
}

keep=
while [ $# -gt 0 ]; do
    case "$1" in
    --keep) keep=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "record-seeds: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
make --no-print-directory build/hvfuzz build/fuzz/native-libfuzzer build/fuzz/codec-libfuzzer >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rec=${keep:-$tmp/rec}
mkdir -p "$rec" "$tmp/bin" "$tmp/native" "$tmp/codec"
build/hvfuzz conform --record "$rec" | grep '^record:'
cp "$rec"/*.bin "$tmp/bin/"

# merge names its output by content hash: map them back to the case names
merge() {
    local bin=$1 out=$2
    shift 2
    "$bin" -merge=1 "$out" "$@" >"$tmp/merge.log" 2>&1 || { cat "$tmp/merge.log" >&2; exit 1; }
}
rename_by_content() {
    local dir=$1 src=$2 f h
    for f in "$src"/*; do
        h=$(sha1sum "$f" | cut -c1-40)
        [ ! -f "$dir/$h" ] || mv "$dir/$h" "$dir/$(basename "$f")"
    done
}
merge build/fuzz/native-libfuzzer "$tmp/native" "$tmp/bin"
rename_by_content "$tmp/native" "$tmp/bin"
merge build/fuzz/codec-libfuzzer "$tmp/codec" "$rec"
rename_by_content "$tmp/codec" "$rec"

rm -rf corpora/native corpora/codec
mkdir -p corpora
cp -r "$tmp/native" corpora/native
cp -r "$tmp/codec" corpora/codec
echo "record-seeds: corpora/native $(ls corpora/native | wc -l) files, corpora/codec $(ls corpora/codec | wc -l) files"
