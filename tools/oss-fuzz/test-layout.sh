#!/usr/bin/env bash
# The OSS-Fuzz build in the layout its Dockerfile makes ($SRC/hvfuzz, $SRC/build.sh), then -runs=4 per target.
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    cat <<'USAGE'
usage: tools/oss-fuzz/test-layout.sh     (make check-oss-fuzz; part of make check)

Does what tools/oss-fuzz/Dockerfile and OSS-Fuzz's compile step do, without Docker: copies the
tree to $SRC/hvfuzz (COPY . $SRC/hvfuzz, minus .dockerignore), build.sh to $SRC/build.sh
(COPY tools/oss-fuzz/build.sh $SRC/), and runs `bash -eux $SRC/build.sh` from $SRC/hvfuzz with
the variables of an ASan libFuzzer build (CC=clang CXX=clang++, CFLAGS and CXXFLAGS with
-fsanitize=address,fuzzer-no-link, LIB_FUZZING_ENGINE=-fsanitize=fuzzer, OUT, SRC, WORK). Then
each target in $OUT runs -runs=4 with no seeds, as the bots' build check does, and must need no
shared library beyond the system's (the bots have only $OUT). Skipped with one line without clang.
Exit status: 0 passed or skipped, 1 failed.
USAGE
    exit 0
fi

cd "$(dirname "$0")/../.."
for c in clang clang++; do
    command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c not found, so no OSS-Fuzz layout build ('make deps')"; exit 0; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/oss-fuzz-layout.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export SRC=$tmp/src OUT=$tmp/out WORK=$tmp/work
mkdir -p "$SRC/hvfuzz" "$OUT" "$WORK"

# COPY . $SRC/hvfuzz: the working tree (committed or not), without what .dockerignore leaves out
excl=()
while read -r pat; do
    [ -n "$pat" ] && [ "${pat#\#}" = "$pat" ] && excl+=(--exclude="./${pat%/}")
done <.dockerignore
tar ${excl[@]+"${excl[@]}"} --exclude=./.git -cf - . | tar -xf - -C "$SRC/hvfuzz"
cp tools/oss-fuzz/build.sh "$SRC/build.sh"

export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer
export ARCHITECTURE=x86_64
if ! (cd "$SRC/hvfuzz" && bash -eux "$SRC/build.sh") >"$tmp/build.log" 2>&1; then
    tail -n 30 "$tmp/build.log"
    echo "oss-fuzz layout: FAIL: \$SRC/build.sh failed in the Dockerfile's layout (log above)"
    exit 1
fi

fail=0
targets=()
for t in "$OUT"/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$(basename "$t")
    targets+=("$name")
    if ! [[ "$name" =~ ^[A-Za-z0-9_-]+$ ]]; then
        echo "oss-fuzz layout: FAIL: target name '$name' is not [A-Za-z0-9_-]"
        fail=1
    fi
    if ldd "$t" 2>/dev/null | grep -v -E 'linux-vdso|ld-linux|/libc\.so|/libm\.so|/libpthread|/libdl|/librt|/libgcc_s|/libstdc\+\+' |
        grep -q '=>'; then
        echo "oss-fuzz layout: FAIL: $name needs shared libraries the bots lack:"
        ldd "$t" | sed 's/^/    /'
        fail=1
    fi
    if ! (cd "$tmp" && "$t" -runs=4) >"$tmp/$name.log" 2>&1; then
        tail -n 30 "$tmp/$name.log"
        echo "oss-fuzz layout: FAIL: $name -runs=4 with no seeds"
        fail=1
    fi
done
if [ "${#targets[@]}" = 0 ]; then
    echo "oss-fuzz layout: FAIL: build.sh left no target in \$OUT"
    exit 1
fi
[ "$fail" = 0 ] || exit 1
echo "oss-fuzz layout: build.sh at \$SRC/build.sh built ${targets[*]}; each passed -runs=4 with no seeds"
