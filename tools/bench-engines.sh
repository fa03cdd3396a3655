#!/usr/bin/env bash
# Runs per CPU-second of the random loop, libFuzzer and AFL++ on one harness, in one run, as JSON.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: tools/bench-engines.sh [options]      (make bench-engines BENCH_ENGINES_ARGS="...")

Measures, in one run, how many programs per CPU-second each engine executes on the native
target: the random loop (hvfuzz fuzz --runs N), libFuzzer (-runs=N) and AFL++ (afl-fuzz -V S)
on the native harness. The engine binaries are build/fuzz/bench/native-{libfuzzer,afl}, built
without sanitizers as the random loop is (make builds them here). CPU seconds are user+system
of the whole process tree (build/tools/cpurun: getrusage as a child subreaper, so AFL++'s
target counts too), so the figures hold on a loaded machine. Each engine runs --trials times;
the JSON gives every trial and the median. An engine whose tools are missing is skipped with
one line on stderr and "skipped" in the JSON.

  --trials N        runs per engine, median reported (default 3)
  --runs N          programs for the random loop and for libFuzzer (default 200000). A seeded
                    libFuzzer starts slowly: its pass over the seeds (0.3 CPU-s) and its first
                    10,000 runs (600 new inputs saved, 8k runs per CPU-s against 19-21k after)
                    were half its time at the former default of 40000, a seventh at 200000
  --afl-secs S      afl-fuzz -V per trial (default 8)
  --seeds DIR       seed corpus for libFuzzer and AFL++ (default corpora/native; the random
                    loop generates its own programs)
  --no-seeds        start libFuzzer from nothing and AFL++ from one empty-ish input
  -h, --help        this help

Output: JSON on stdout; progress on stderr. Exit status: 0 measured, 2 usage or set-up error.
EOF
}

trials=3
runs=200000
afl_secs=8
seeds=corpora/native
while [ $# -gt 0 ]; do
    case "$1" in
    --trials) trials=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --afl-secs) afl_secs=${2:?}; shift 2 ;;
    --seeds) seeds=${2:?}; shift 2 ;;
    --no-seeds) seeds=; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-engines: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
for v in "$trials" "$runs" "$afl_secs"; do
    case "$v" in ''|*[!0-9]*) echo "bench-engines: --trials, --runs and --afl-secs want positive numbers" >&2; exit 2 ;; esac
    [ "$v" -ge 1 ] || { echo "bench-engines: --trials, --runs and --afl-secs must be at least 1" >&2; exit 2; }
done

cd "$(dirname "$0")/.."
[ -z "$seeds" ] || [ -d "$seeds" ] || { echo "bench-engines: no seed directory $seeds" >&2; exit 2; }
make --no-print-directory -s build/hvfuzz build/tools/cpurun >&2 || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-engines.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cpurun=build/tools/cpurun

# run LOG CMD...: the command under cpurun, its output in LOG; prints the CPU seconds
cpu_of() {
    local log=$1
    shift
    "$cpurun" "$@" >"$log" 2>&1 || true
    awk '/^cpurun: user/ { printf "%.3f\n", $3 + $5 }' "$log"
}

# trial lines "runs cpu" -> JSON object with the trials and the median rate
summarize() {
    sort -t' ' -k3 -g | awk '
        { r[NR] = $1; c[NR] = $2; q[NR] = $3 }
        END {
            printf "{\"runs_per_cpu_s\": %d, \"trials\": [", q[int((NR + 1) / 2)];
            for (i = 1; i <= NR; i++)
                printf "%s{\"runs\": %d, \"cpu_s\": %.3f, \"runs_per_cpu_s\": %d}", (i > 1 ? ", " : ""), r[i], c[i], q[i];
            printf "]}";
        }'
}

rate_line() {   # runs cpu -> "runs cpu rate", or nothing if the run failed
    awk -v r="$1" -v c="$2" 'BEGIN { if (r > 0 && c > 0) printf "%d %.3f %.0f\n", r, c, r / c }'
}

json_random= json_lf= json_afl=
median_random=0 median_lf=0 median_afl=0

echo "bench-engines: random loop, $trials x hvfuzz fuzz --runs $runs" >&2
: >"$tmp/random.txt"
for t in $(seq 1 "$trials"); do
    cpu=$(cpu_of "$tmp/random.log" build/hvfuzz fuzz --runs "$runs" --seed "$t" --quiet \
          --out "$tmp/findings")
    rate_line "$runs" "${cpu:-0}" >>"$tmp/random.txt"
done
[ -s "$tmp/random.txt" ] || { echo "bench-engines: the random loop did not run:" >&2; tail -n 5 "$tmp/random.log" >&2; exit 2; }
json_random=$(summarize <"$tmp/random.txt")

lf=build/fuzz/bench/native-libfuzzer
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    echo "bench-engines: SKIP libfuzzer: ${FUZZ_CC:-clang} not found ('make deps' installs it)" >&2
    json_lf='{"skipped": "clang not found"}'
elif ! make --no-print-directory -s "$lf" >&2; then
    echo "bench-engines: SKIP libfuzzer: building $lf failed" >&2
    json_lf='{"skipped": "build failed"}'
else
    echo "bench-engines: libFuzzer, $trials x -runs=$runs${seeds:+ from $seeds}" >&2
    : >"$tmp/lf.txt"
    for t in $(seq 1 "$trials"); do
        # new inputs go to a scratch directory per trial, never into the seeds; no symbolizer
        # start-up. Scratch files are removed at the end, not between trials: ext4 charged the
        # next trial's file creation for the thousands just deleted (a tenth of its CPU time).
        mkdir -p "$tmp/lfc$t"
        cpu=$(cpu_of "$tmp/lf.log" "$lf" -runs="$runs" -seed="$t" -print_final_stats=1 \
              -print_funcs=0 -dict=fuzz/harness/native.dict -artifact_prefix="$tmp/" \
              "$tmp/lfc$t" ${seeds:+"$seeds"})
        n=$(awk '/^stat::number_of_executed_units/ { print $NF }' "$tmp/lf.log")
        rate_line "${n:-0}" "${cpu:-0}" >>"$tmp/lf.txt"
    done
    if [ -s "$tmp/lf.txt" ]; then
        json_lf=$(summarize <"$tmp/lf.txt")
    else
        echo "bench-engines: libfuzzer did not run:" >&2
        tail -n 5 "$tmp/lf.log" >&2
        json_lf='{"skipped": "did not run"}'
    fi
fi

afl=build/fuzz/bench/native-afl
if ! command -v afl-fuzz >/dev/null 2>&1 || ! command -v "${AFL_CC:-afl-clang-fast}" >/dev/null 2>&1; then
    echo "bench-engines: SKIP afl: afl-fuzz or ${AFL_CC:-afl-clang-fast} not found ('make deps' installs afl++)" >&2
    json_afl='{"skipped": "afl++ not found"}'
elif ! make --no-print-directory -s "$afl" >&2; then
    echo "bench-engines: SKIP afl: building $afl failed" >&2
    json_afl='{"skipped": "build failed"}'
else
    echo "bench-engines: AFL++, $trials x afl-fuzz -V $afl_secs${seeds:+ from $seeds}" >&2
    if [ -n "$seeds" ]; then
        afl_in=$seeds
    else
        afl_in=$tmp/afl-in
        mkdir -p "$afl_in" && printf '\0\0' >"$afl_in/empty"
    fi
    : >"$tmp/afl.txt"
    for t in $(seq 1 "$trials"); do
        cpu=$(AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_QUIET=1 \
              AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
              cpu_of "$tmp/afl.log" afl-fuzz -i "$afl_in" -o "$tmp/afl$t" -V "$afl_secs" -s "$t" \
              -t 200+ -x fuzz/harness/native.dict -- "$afl")
        n=$(awk -F' *: *' '$1 == "execs_done" { print $2 }' "$tmp/afl$t/default/fuzzer_stats" 2>/dev/null)
        rate_line "${n:-0}" "${cpu:-0}" >>"$tmp/afl.txt"
    done
    if [ -s "$tmp/afl.txt" ]; then
        json_afl=$(summarize <"$tmp/afl.txt")
    else
        echo "bench-engines: afl did not run:" >&2
        tail -n 5 "$tmp/afl.log" >&2
        json_afl='{"skipped": "did not run"}'
    fi
fi

median() { sed -n 's/^{"runs_per_cpu_s": \([0-9]*\).*/\1/p' <<<"$1"; }
ratio() {   # random / engine, or null
    awk -v a="$(median "$json_random")" -v b="$(median "$1")" \
        'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "null" }'
}
printf '{"format": 1, "harness": "native", "sanitizers": "none", "trials": %d, "seeds": %s,\n' \
    "$trials" "$( [ -n "$seeds" ] && printf '"%s"' "$seeds" || printf null )"
printf ' "engines": {\n  "random": %s,\n  "libfuzzer": %s,\n  "afl": %s},\n' \
    "$json_random" "$json_lf" "$json_afl"
printf ' "random_over_engine": {"libfuzzer": %s, "afl": %s}}\n' "$(ratio "$json_lf")" "$(ratio "$json_afl")"
