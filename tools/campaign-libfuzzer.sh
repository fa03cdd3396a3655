#!/usr/bin/env bash
# libFuzzer campaign of one harness: -jobs/-workers, a time bound, an artifacts directory, a crash gate.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: tools/campaign-libfuzzer.sh [options]

Runs build/fuzz/NAME-libfuzzer with -jobs=N -workers=N for a fixed time (-max_total_time),
growing a working corpus seeded from corpora/NAME (the committed seeds are never written to),
with crash, timeout and OOM reproducers in an artifacts directory.

  -H, --harness NAME   harness in fuzz/harness/ (default native)
  -j, --jobs N         parallel jobs and workers (default: number of cores)
  -t, --time SEC       campaign length in seconds (default 600)
  -c, --corpus DIR     working corpus (default out/libfuzzer-NAME/corpus)
  -a, --artifacts DIR  reproducers (default out/libfuzzer-NAME/artifacts)
  -b, --build          run 'make fuzz-libfuzzer' first
  -h, --help           show this help
  -- ARGS...           further libFuzzer flags (e.g. -- -use_value_profile=1)

Exit status: 0 no reproducer saved, 1 crash/timeout/OOM reproducers found (listed; replay one
with build/fuzz/NAME-replay FILE or build/fuzz/NAME-libfuzzer FILE), 2 usage or set-up error.
EOF
}

harness=native
jobs=$(nproc)
secs=600
corpus=
artifacts=
build=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
    -H|--harness) harness=${2:?}; shift 2 ;;
    -j|--jobs) jobs=${2:?}; shift 2 ;;
    -t|--time) secs=${2:?}; shift 2 ;;
    -c|--corpus) corpus=${2:?}; shift 2 ;;
    -a|--artifacts) artifacts=${2:?}; shift 2 ;;
    -b|--build) build=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "campaign-libfuzzer: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case "$jobs$secs" in *[!0-9]*) echo "campaign-libfuzzer: --jobs and --time want numbers" >&2; exit 2 ;; esac
[ "$jobs" -ge 1 ] || { echo "campaign-libfuzzer: --jobs must be at least 1" >&2; exit 2; }

cd "$(dirname "$0")/.."
out=out/libfuzzer-$harness
corpus=${corpus:-$out/corpus}
artifacts=${artifacts:-$out/artifacts}
bin=build/fuzz/$harness-libfuzzer
[ "$build" = 0 ] || make --no-print-directory fuzz-libfuzzer
[ -x "$bin" ] || { echo "campaign-libfuzzer: $bin missing: run 'make fuzz-libfuzzer' or pass --build" >&2; exit 2; }
mkdir -p "$corpus" "$artifacts" "$out/logs"
# -jobs runs from the log directory (below), so every path the fuzzers get is absolute
top=$(pwd)
corpus=$(cd "$corpus" && pwd)
artifacts=$(cd "$artifacts" && pwd)

flags=(-max_total_time="$secs" -artifact_prefix="$artifacts/" -print_final_stats=1)
[ ! -f "fuzz/harness/$harness.dict" ] || flags+=(-dict="$top/fuzz/harness/$harness.dict")
if [ -f "tools/oss-fuzz/$harness.options" ]; then
    # the OSS-Fuzz options file is the one place per harness that says its limits
    while IFS='=' read -r k v; do
        k=${k// /}; v=${v// /}
        case "$k" in ''|\[*|\#*) ;; *) flags+=("-$k=$v") ;; esac
    done <"tools/oss-fuzz/$harness.options"
fi
seeds=()
[ ! -d "corpora/$harness" ] || seeds=("corpora/$harness")

before=$(find "$artifacts" -type f | wc -l)
set +e
if [ "$jobs" -gt 1 ]; then
    # -jobs writes fuzz-N.log into the working directory: run from the log directory
    (cd "$out/logs" && "$top/$bin" "${flags[@]}" -jobs="$jobs" -workers="$jobs" "${extra[@]}" \
        "$corpus" "${seeds[@]/#/$top/}")
    status=$?
else
    "$bin" "${flags[@]}" "${extra[@]}" "$corpus" "${seeds[@]}" 2>&1 | tee "$out/logs/fuzz-0.log"
    status=${PIPESTATUS[0]}
fi
set -e

# the gate: any reproducer in the artifacts directory, and a run that died for another reason
found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
stats=$(grep -h -E '^(#[0-9]+.*(DONE|cov:))|stat::' "$out"/logs/fuzz-*.log 2>/dev/null | tail -n 4 || true)
[ -z "$stats" ] || printf '%s\n' "$stats"
echo "campaign-libfuzzer: corpus $(find "$corpus" -type f | wc -l) files, $found reproducer(s) in $artifacts (was $before)"
if [ "$found" -gt 0 ]; then
    find "$artifacts" -type f | sort
    echo "campaign-libfuzzer: FAILED" >&2
    exit 1
fi
if [ "$status" != 0 ]; then
    echo "campaign-libfuzzer: libFuzzer exited with $status and left no reproducer; see $out/logs" >&2
    exit 2
fi
exit 0
