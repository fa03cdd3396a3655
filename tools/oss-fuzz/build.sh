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

# The tree: OSS-Fuzz and ClusterFuzzLite run $SRC/build.sh (a copy, outside the tree) from the
# Dockerfile's WORKDIR, $SRC/hvfuzz; run from the tree itself, the script finds it beside itself.
istree() { [ -f "$1/fuzz/harness/native.c" ] && [ -f "$1/include/hvfuzz/prog.h" ]; }
here=$(cd "$(dirname "$0")" && pwd)
if istree "$PWD"; then top=$PWD
elif istree "$here/../.."; then top=$(cd "$here/../.." && pwd)
elif [ -n "${SRC:-}" ] && istree "$SRC/hvfuzz"; then top=$SRC/hvfuzz
else
    echo "build.sh: cannot find the hvfuzz tree (run from it, or keep it at \$SRC/hvfuzz)" >&2
    exit 1
fi
cd "$top"
work=${WORK:-$(mktemp -d)}/hvfuzz-obj
mkdir -p "$work" "$OUT"

# The audit, the native target's reset and the way from input to monitor calls give the engines
# no signal of their own (fuzz/harness/nocov.txt, native.c): compiled without coverage where the
# flags instrument with clang's sanitizer coverage (libFuzzer, honggfuzz), and listed by name for
# afl-clang-fast.
nocov=()
case "$CFLAGS" in
*fuzzer-no-link*|*sanitize-coverage*) nocov=(-fsanitize-coverage-ignorelist="$top/fuzz/harness/nocov.txt") ;;
esac
sed -n 's/^src:\*//p' fuzz/harness/nocov.txt | while read -r pat; do
    for f in $pat; do [ ! -f "$f" ] || echo "$f"; done
done >"$work/afl-denylist.txt"
export AFL_LLVM_DENYLIST="$work/afl-denylist.txt"
# Comparison hooks that give libFuzzer's mutator nothing (fuzz/harness/nocmp.txt): off for the
# files listed, where the flags trace comparisons.
nocmp=" $(grep -v '^#' fuzz/harness/nocmp.txt | tr '\n' ' ')"
cmpflags() {   # SRC -> the extra flag, if any
    case "$CFLAGS" in *fuzzer-no-link*|*trace-cmp*) ;; *) return 0 ;; esac
    case "$nocmp" in *" $1 "*) echo -fno-sanitize-coverage=trace-cmp ;; esac
}

# the library (the Makefile's MON_SRCS folders; the unicorn target, which needs libunicorn, only
# for its harness), every object instrumented by $CFLAGS; compiled a few at a time, and any
# failure fails the build
objs=()
pids=()
par=$(nproc 2>/dev/null || echo 1)
for src in ir/*.c monitor/*.c hypercalls/*.c gen/*.c targets/*.c targets/*/*.c fuzz/*.c bench/*.c \
           conformance/record/*.c; do
    case "$src" in targets/unicorn/*) continue ;; esac
    obj=$work/$(echo "${src%.c}" | tr / _).o
    $CC $CFLAGS ${nocov[@]+"${nocov[@]}"} $(cmpflags "$src") -std=gnu11 -Iinclude -I. -c "$src" -o "$obj" &
    pids+=($!)
    objs+=("$obj")
    if [ "${#pids[@]}" -ge "$par" ]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
    fi
done
for p in ${pids[@]+"${pids[@]}"}; do wait "$p"; done
rm -f "$work/libhvmon.a"
ar rcs "$work/libhvmon.a" "${objs[@]}"

# The unicorn harness needs Unicorn 2 as a static library (Debian 12's libunicorn-dev; the bots
# keep only $OUT). OSS-Fuzz's base image has none, and its Ubuntu offers Unicorn 1 only.
unicorn_libs=(-Wl,-Bstatic -lunicorn -Wl,-Bdynamic -lpthread -lm)
have_unicorn() {
    printf '#include <unicorn/unicorn.h>\n#if UC_API_MAJOR < 2\n#error Unicorn 1\n#endif\nint main(void) { return uc_version(0, 0) == 0; }\n' |
        $CC -x c - -o "$work/unicorn-probe" "${unicorn_libs[@]}" >/dev/null 2>&1
}

for h in fuzz/harness/*.c; do
    name=$(basename "$h" .c)
    [ "$name" != replay_main ] || continue
    target=hvfuzz_$name
    # what a harness links beyond the library (the Makefile says the same for its flavours)
    extra=()
    case "$name" in
    codec)
        # its code under test is ir/, which nocov.txt leaves uncovered for the program
        # harnesses: its own fully instrumented copy, linked before the library
        for src in ir/*.c; do
            obj=$work/codec_$(echo "${src%.c}" | tr / _).o
            env -u AFL_LLVM_DENYLIST $CC $CFLAGS -std=gnu11 -Iinclude -I. -c "$src" -o "$obj"
            extra+=("$obj")
        done
        ;;
    decoder)
        $CC $CFLAGS -std=gnu11 -Iinclude -I. -Itests -c tests/x86_capstone_diff.c -o "$work/capstone_diff.o"
        # static: the bots run the targets without the builder's packages (only $OUT is kept)
        extra=("$work/capstone_diff.o" -Wl,-Bstatic -lcapstone -Wl,-Bdynamic)
        ;;
    unicorn)
        if ! have_unicorn; then
            echo "build.sh: no $target: no static Unicorn 2 library here (libunicorn-dev 2.x)"
            continue
        fi
        for src in targets/unicorn/*.c; do
            obj=$work/$(echo "${src%.c}" | tr / _).o
            $CC $CFLAGS ${nocov[@]+"${nocov[@]}"} -std=gnu11 -Iinclude -I. -c "$src" -o "$obj"
            extra+=("$obj")
        done
        extra+=("${unicorn_libs[@]}")
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
