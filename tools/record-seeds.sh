#!/usr/bin/env bash
# Regenerate corpora/conformance/, corpora/native/ and corpora/codec/ from one recording of the conformance cases.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: tools/record-seeds.sh [--conformance-only] [--keep DIR] [-h]

Records every passing conformance case as a program with the results the case saw (hvfuzz
conform --record). corpora/conformance/ gets the text form of every program that replays with
those results on the native target (AREA.CASE.txt): the suite `make check` replays. The ones that
add coverage to the native harness (libFuzzer -merge=1) replace corpora/native/ under their case
names (AREA.CASE.bin); corpora/codec/ gets the same merge over the binary and text forms for the
codec harness. The merges need clang (make fuzz-libfuzzer).

  --conformance-only  only regenerate corpora/conformance/ (no clang needed)
  --keep DIR          also leave the full recording (binary and text of every case) in DIR
  -h, --help          show this help
USAGE
}

keep=
only_conf=
while [ $# -gt 0 ]; do
    case "$1" in
    --conformance-only) only_conf=1; shift ;;
    --keep) keep=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "record-seeds: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
if [ -n "$only_conf" ]; then
    make --no-print-directory build/hvfuzz >/dev/null
else
    make --no-print-directory build/hvfuzz build/fuzz/native-libfuzzer build/fuzz/codec-libfuzzer >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rec=${keep:-$tmp/rec}
mkdir -p "$rec" "$tmp/bin" "$tmp/native" "$tmp/codec"
build/hvfuzz conform --record "$rec" | grep '^record:'

# the text form only: one readable file per case, the same program as its .bin
rm -rf corpora/conformance
mkdir -p corpora/conformance
cp "$rec"/*.txt corpora/conformance/
echo "record-seeds: corpora/conformance $(ls corpora/conformance | wc -l) programs"
[ -z "$only_conf" ] || exit 0

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
