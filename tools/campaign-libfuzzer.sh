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
  -q, --quiet          no status line (else one every second on a terminal, every 30 s in logs)
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
quiet=0
extra=()
# an option's value: present, else a usage error (exit 2, not bash's 1 of ${2:?})
val() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "campaign-libfuzzer: $1 needs a value" >&2; usage >&2; exit 2; }; }
# a whole number in lo..hi, digits only (no sign, no overflow of the shell's arithmetic)
num() {
    case "$2" in ''|*[!0-9]*) ;; *)
        if [ ${#2} -le 9 ] && [ $((10#$2)) -ge "$3" ] && [ $((10#$2)) -le "$4" ]; then return 0; fi ;;
    esac
    echo "campaign-libfuzzer: bad value '$2' for $1 (a whole number, $3..$4)" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
    -H|--harness) val "$@"; harness=$2; shift 2 ;;
    -j|--jobs) val "$@"; jobs=$2; shift 2 ;;
    -t|--time) val "$@"; secs=$2; shift 2 ;;
    -c|--corpus) val "$@"; corpus=$2; shift 2 ;;
    -a|--artifacts) val "$@"; artifacts=$2; shift 2 ;;
    -b|--build) build=1; shift ;;
    -q|--quiet) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "campaign-libfuzzer: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
num --jobs "$jobs" 1 1024
num --time "$secs" 1 31536000
jobs=$((10#$jobs))
secs=$((10#$secs))

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
    (cd "$out/logs" && exec "$top/$bin" "${flags[@]}" -jobs="$jobs" -workers="$jobs" "${extra[@]}" \
        "$corpus" "${seeds[@]/#/$top/}") &
    lf=$!
    trap 'kill "$lf" 2>/dev/null' INT TERM
    # the status line: -jobs keeps the fuzzers' own lines in their logs
    if [ "$quiet" = 0 ]; then
        if [ -t 2 ]; then every=1; else every=30; fi
        t0=$(date +%s)
        while kill -0 "$lf" 2>/dev/null; do
            sleep "$every"
            runs=0
            for l in "$out"/logs/fuzz-*.log; do
                [ -f "$l" ] || continue
                n=$(grep -a -o -E '^#[0-9]+' "$l" | tail -n 1 | tr -d '#')
                runs=$((runs + ${n:-0}))
            done
            el=$(( $(date +%s) - t0 ))
            line="campaign-libfuzzer: [${el}s/${secs}s] runs $runs ($(( runs / (el > 0 ? el : 1) ))/s), corpus $(find "$corpus" -type f | wc -l), reproducers $(( $(find "$artifacts" -type f | wc -l) - before ))"
            if [ -t 2 ]; then printf '\r\033[K%s' "$line" >&2; else echo "$line" >&2; fi
        done
        [ ! -t 2 ] || printf '\r\033[K' >&2
    fi
    wait "$lf"
    status=$?
    trap - INT TERM
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
