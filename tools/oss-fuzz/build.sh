#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every harness in fuzz/harness/ as $OUT/hvfuzz_<name>, with seeds, dict, options.
# Conventions: compile with $CC $CFLAGS, link with $CXX $CXXFLAGS $LIB_FUZZING_ENGINE (a flag string);
# the engine and sanitizer come from those variables, never from here. No target needs /dev/kvm.
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    echo "usage: tools/oss-fuzz/build.sh   (run by OSS-Fuzz/ClusterFuzzLite with \$CC \$CXX \$CFLAGS"
    echo "       \$CXXFLAGS \$LIB_FUZZING_ENGINE \$OUT [\$SRC]; locally e.g.:"
    echo "       CC=clang CXX=clang++ CFLAGS='-fsanitize=address,fuzzer-no-link' CXXFLAGS=\$CFLAGS"
    echo "       LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out tools/oss-fuzz/build.sh)"
    exit 0
fi

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
work=${WORK:-$(mktemp -d)}/hvfuzz-obj
mkdir -p "$work" "$OUT"

# the library (the Makefile's MON_SRCS folders), every object instrumented by $CFLAGS
objs=()
for src in ir/*.c monitor/*.c hypercalls/*.c gen/*.c targets/*.c targets/*/*.c fuzz/*.c bench/*.c \
           conformance/record/*.c; do
    obj=$work/$(echo "${src%.c}" | tr / _).o
    $CC $CFLAGS -std=gnu11 -Iinclude -I. -c "$src" -o "$obj"
    objs+=("$obj")
done
rm -f "$work/libhvmon.a"
ar rcs "$work/libhvmon.a" "${objs[@]}"

for h in fuzz/harness/*.c; do
    name=$(basename "$h" .c)
    [ "$name" != replay_main ] || continue
    target=hvfuzz_$name
    # what a harness links beyond the library (the Makefile says the same for its flavours)
    extra=()
    case "$name" in
    decoder)
        $CC $CFLAGS -std=gnu11 -Iinclude -I. -Itests -c tests/x86_capstone_diff.c -o "$work/capstone_diff.o"
        extra=("$work/capstone_diff.o" -lcapstone)
        ;;
    esac
    $CC $CFLAGS -std=gnu11 -Iinclude -I. -Itests -c "$h" -o "$work/$name.o"
    $CXX $CXXFLAGS "$work/$name.o" "${extra[@]}" "$work/libhvmon.a" $LIB_FUZZING_ENGINE -o "$OUT/$target"
    if [ -d "corpora/$name" ] && [ -n "$(ls -A "corpora/$name")" ]; then
        (cd "corpora/$name" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
    [ ! -f "fuzz/harness/$name.dict" ] || cp "fuzz/harness/$name.dict" "$OUT/$target.dict"
    [ ! -f "tools/oss-fuzz/$name.options" ] || cp "tools/oss-fuzz/$name.options" "$OUT/$target.options"
done
